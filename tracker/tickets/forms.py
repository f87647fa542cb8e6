"""Ticket forms and the village/kecamatan choices they offer.

The forms carry no validators of their own: the services check every field
and their messages are shown under the field they name, so the web, the API
and the CLI refuse the same input with the same words.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import aliased
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField

from tracker import scope
from tracker.extensions import db
from tracker.forms import Form
from tracker.regions.models import Region
from tracker.tickets.labels import CATEGORY_LABELS, SEVERITY_LABELS
from tracker.tickets.models import CATEGORIES, SEVERITIES
from tracker.tickets.services import DESCRIPTION_MAX, PARTIES_MAX, TITLE_MAX

# Above this many villages (an admin's whole country) a select would weigh
# megabytes; the form asks for the code instead.
CHOICE_LIMIT = 600


def category_choices(blank=True):
    """(code, label) pairs, optionally after a "choose" entry."""
    pairs = [(c, CATEGORY_LABELS[c]) for c in CATEGORIES]
    return [("", _l("— choose —"))] + pairs if blank else pairs


def severity_choices():
    """(code, label) pairs of the severities, lowest first."""
    return [(s, SEVERITY_LABELS[s]) for s in SEVERITIES]


def village_options(user, district_code=None):
    """[(kecamatan name, [(code, village name), ...]), ...] of the user's villages.

    None when there are more than CHOICE_LIMIT (the form then takes a code).
    """
    district = aliased(Region)
    mine = scope.villages(user)
    if district_code:
        mine = mine.where(Region.district_code == district_code)
    if _too_many(mine.with_only_columns(Region.code)):
        return None
    rows = db.session.execute(
        mine.with_only_columns(Region.code, Region.name, district.name)
        .join(district, district.code == Region.district_code)
        .order_by(district.name, Region.name, Region.code)
    ).all()
    groups = {}
    for code, name, district_name in rows:
        groups.setdefault(district_name, []).append((code, name))
    return list(groups.items())


def district_options(user):
    """[(code, name)] of the kecamatan holding the user's villages; None when too many."""
    in_scope = scope.villages(user).with_only_columns(Region.district_code)
    if _too_many(in_scope.distinct()):
        return None
    rows = db.session.execute(
        select(Region.code, Region.name)
        .where(Region.level == 3, Region.code.in_(in_scope))
        .order_by(Region.name, Region.code)
    ).all()
    return [tuple(r) for r in rows]


def _too_many(stmt):
    """Whether the select gives more rows than a menu shows; reads at most CHOICE_LIMIT + 1 of them.

    The national operator's 83,762 villages are not sorted by name only to
    learn that they are too many for a menu.
    """
    return db.session.execute(
        select(func.count()).select_from(stmt.limit(CHOICE_LIMIT + 1).subquery())
    ).scalar_one() > CHOICE_LIMIT


class TicketFields:
    """The fields a Babinsa fills in for one problem (shared by both forms)."""

    category = SelectField(_l("Category"), choices=category_choices(), validate_choice=False)
    severity = RadioField(_l("Severity"), choices=severity_choices(), default="medium", validate_choice=False)
    title = StringField(_l("Title"), render_kw={"maxlength": TITLE_MAX})
    description = TextAreaField(_l("What happened"), render_kw={"maxlength": DESCRIPTION_MAX, "rows": 5})
    parties = StringField(_l("Parties involved"), render_kw={"maxlength": PARTIES_MAX})
    sensitive = BooleanField(_l("Sensitive (informant, SARA): only the chain of command sees it"))


class TicketForm(TicketFields, Form):
    """A new ticket: village, what happened, when."""

    village_code = SelectField(_l("Village"), choices=[], validate_choice=False)
    occurred_on = StringField(_l("Date it happened"), render_kw={"type": "date"})
    visit_id = HiddenField()

    def input_label(self, name):
        """The photo input (the view reads its files): its errors show under it."""
        return _l("Photos (at most 3)") if name == "photos" else None


class TransitionForm(Form):
    """One action on a ticket; ``version`` is the one the user saw."""

    action = HiddenField()
    reason = TextAreaField(_l("Reason"), render_kw={"rows": 2, "maxlength": 2000})
    version = HiddenField()


class DangerForm(Form):
    """Reject or close: the destructive actions, asked on the ticket page and confirmed on a
    page of their own (``confirm`` = 1 applies them). ``duplicate_of`` names the original
    of a rejected duplicate, picked on the duplicate page."""

    action = HiddenField()
    # Its own id: the action form on the same page has a "reason" too.
    reason = TextAreaField(_l("Reason"), id="danger_reason", render_kw={"rows": 2, "maxlength": 2000})
    version = HiddenField()
    duplicate_of = HiddenField()
    confirm = HiddenField()


class DuplicateSearchForm(Form):
    """The search of the duplicate page (a GET form: no CSRF token)."""

    q = StringField(_l("Reference or words of the title"), render_kw={"type": "search", "maxlength": 200})


class ReclassifyForm(Form):
    """Change severity or category, with a reason."""

    severity = SelectField(_l("Severity"), choices=severity_choices(), validate_choice=False)
    category = SelectField(_l("Category"), choices=category_choices(blank=False), validate_choice=False)
    # Its own id: the action form on the same page has a "reason" too.
    reason = TextAreaField(_l("Reason for the change"), id="reclassify_reason",
                           render_kw={"rows": 2, "maxlength": 2000})
    version = HiddenField()


class CommentForm(Form):
    body = TextAreaField(_l("Comment"), render_kw={"rows": 3, "maxlength": 10000})


class PhotoForm(Form):
    """Photos added on the ticket page: the files come from ``request.files``; the form
    carries the CSRF token and shows the refusals."""
