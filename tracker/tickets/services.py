"""The ticket life cycle: create, transition, reclassify, comment, search.

The CSV export of a search is ``tracker.tickets.export``; whether a ticket
is flagged is the warnings' data layer (``tracker.warnings.models``).

The web pages, the JSON API and the CLI all call these functions. They
validate everything first, then write and flush; the caller commits once.
"""
import functools
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from difflib import SequenceMatcher

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload
from sqlalchemy.orm.exc import StaleDataError

from tracker import scope
from tracker.attachments.services import check_photos, store_photos
from tracker.errors import Conflict, Forbidden, ValidationError
from tracker.extensions import db
from tracker.geo.location import clean_location
from tracker.params import is_row_id
from tracker.regions.codes import WIB, CodeError, normalize
from tracker.tickets import search
from tracker.tickets.models import (
    CATEGORIES, SEVERITIES, SEVERITY_RANK, STATUSES, UNRESOLVED, Ticket, TicketCounter, TicketEvent, record_event,
)
from tracker.timeutil import local_date, local_midnight_utc, utcnow
from tracker.units.models import Unit, UnitRegion
from tracker.validation import (
    check_choice, clean_text, find_village, is_storable_text, parse_bool, parse_date,
)
from tracker.visits.models import Visit
from tracker.warnings.models import flagged_condition

TITLE_MAX = 200
DESCRIPTION_MAX = 10_000
PARTIES_MAX = 500
REASON_MAX = 2_000
COMMENT_MAX = 10_000
QUERY_MAX = 200
DUPLICATE_WINDOW_DAYS = 30


@dataclass(frozen=True)
class Action:
    """A life-cycle action: the statuses it starts from, where it goes, who may."""

    name: str
    sources: tuple
    target: str
    needs_reason: bool = False


ACTIONS = {
    a.name: a for a in (
        Action("triage", ("new",), "triaged"),
        Action("start", ("new", "triaged", "escalated"), "in_progress"),
        Action("escalate", ("new", "triaged", "in_progress"), "escalated", needs_reason=True),
        Action("resolve", ("triaged", "in_progress", "escalated"), "resolved", needs_reason=True),
        Action("close", ("resolved",), "closed"),
        Action("reopen", ("resolved", "closed"), "in_progress", needs_reason=True),
        Action("reject", ("new", "triaged"), "rejected", needs_reason=True),
    )
}


def role_may(user, ticket, action):
    """Whether the user's role may take the action on this ticket (status aside).

    The command chain: a ticket belongs to the level that owns it. At
    Koramil level the Koramil takes every action and the Babinsa may start
    and resolve; once escalated, the ticket is the Kodim's: the Koramil and
    the Babinsa may still see and comment on it, but not move it. The Kodim
    and admin take every action on every ticket.
    """
    role = user.role
    if role in ("kodim", "admin"):
        return True
    if ticket.level != "koramil":
        return False
    if role == "babinsa":
        return action in ("start", "resolve")
    return role == "koramil"


def status_allows(ticket, action):
    """Whether the ticket's status (and level) allows the action at all.

    A ticket at Kodim level has nowhere higher to go: escalating it again
    (e.g. reopened and in progress at the Kodim) is refused.
    """
    spec = ACTIONS.get(action)
    if spec is None or ticket.status not in spec.sources:
        return False
    return not (action == "escalate" and ticket.level == "kodim")


def can(user, ticket, action):
    """Predicate for views and templates: may the user take the action now?"""
    return status_allows(ticket, action) and role_may(user, ticket, action)


def allowed_actions(user, ticket):
    """The actions the user can take on the ticket in its current status."""
    return [name for name in ACTIONS if can(user, ticket, name)]


def can_reclassify(user, ticket):
    """Severity and category are changed by commanders, the Koramil only at Koramil level."""
    return user.role in ("kodim", "admin") or (user.role == "koramil" and ticket.level == "koramil")


def _refuse_outside_chain(user, ticket, message):
    """Forbidden: the Kodim's message for a ticket it owns, else the role's ``message``."""
    if user.role in ("babinsa", "koramil") and ticket.level != "koramil":
        raise Forbidden(_l("The Kodim owns this ticket now: you may comment on it, not change it."))
    raise Forbidden(message)


def ensure_in_scope(user, village):
    """Filing into a village outside one's scope is forbidden (403)."""
    if not scope.can_see_village(user, village.code):
        raise Forbidden(_l("Village %(code)s is outside your area.", code=village.code))


# --- creating ---------------------------------------------------------------

def _ref_prefix(village):
    """The Kodim number covering the village's kabupaten, else its code digits."""
    number = db.session.execute(
        select(Unit.number)
        .join(UnitRegion, UnitRegion.unit_id == Unit.id)
        .where(UnitRegion.region_code == village.regency_code, Unit.kind == "kodim")
        .order_by(Unit.id)
    ).scalars().first()
    return number or village.regency_code.replace(".", "")


def next_reference(prefix, year):
    """Take the next number of the Kodim's yearly sequence.

    The counter row is incremented in the caller's transaction, so the
    number is gap-free: a rolled-back ticket gives its number back, and a
    concurrent creator waits for the row lock.
    """
    bump = (
        update(TicketCounter)
        .where(TicketCounter.prefix == prefix, TicketCounter.year == year)
        .values(last_value=TicketCounter.last_value + 1)
        .returning(TicketCounter.last_value)
    )
    value = db.session.execute(bump).scalar()
    if value is None:
        try:
            with db.session.begin_nested():
                db.session.add(TicketCounter(prefix=prefix, year=year, last_value=1))
            value = 1
        except IntegrityError:  # a concurrent creator made the row first
            value = db.session.execute(bump).scalar()
    return f"{prefix}-{year}-{value:06d}"


def due_at_for(severity, reported_at):
    """The due time: reported time plus the configured hours for the severity."""
    return reported_at + timedelta(hours=current_app.config["DUE_HOURS"][severity])


def create_ticket(actor, *, village_code, category, severity, title, description="",
                  occurred_on=None, visit_id=None, sensitive=False, parties="",
                  latitude=None, longitude=None, accuracy_m=None, photos=(), photos_field="photos"):
    """Open a ticket in a village of the actor's area.

    ``latitude``, ``longitude`` and ``accuracy_m`` are where it was reported
    from: all three or none (tracker.geo; empty strings are none). ``photos``
    are uploads (tracker.attachments.services.Upload), at most three, added
    after the ticket in the same transaction; a refused one is named under
    ``photos_field``. Raises ValidationError (422) for bad fields, every
    one at once, Forbidden (403) for a village outside the actor's scope.
    """
    errors = {}
    village = find_village(errors, "village_code", village_code)
    check_choice(errors, "category", category, CATEGORIES)
    check_choice(errors, "severity", severity, SEVERITIES)
    title = clean_text(errors, "title", title, required=True, maximum=TITLE_MAX)
    description = clean_text(errors, "description", description, maximum=DESCRIPTION_MAX)
    parties = clean_text(errors, "parties", parties, maximum=PARTIES_MAX)
    if not isinstance(sensitive, bool):
        errors["sensitive"] = [_l("Must be true or false.")]
    now = utcnow()
    # Without a valid village, the future check still runs in WIB so every
    # bad field is reported at once.
    today = local_date(now, village.timezone if village else WIB)
    occurred = parse_date(errors, "occurred_on", occurred_on, today=today)
    visit = None
    if visit_id not in (None, ""):
        if not is_row_id(visit_id):
            errors["visit_id"] = [_l("Must be a visit number.")]
        else:
            visit = db.session.get(Visit, visit_id)
            if visit is None or (village is not None and visit.village_code != village.code) \
                    or not scope.can_see_village(actor, visit.village_code):
                errors["visit_id"] = [_l("No such visit in this village.")]
    location = clean_location(errors, latitude, longitude, accuracy_m)
    checked = check_photos(errors, photos, field=photos_field)
    if errors:
        raise ValidationError(errors)
    ensure_in_scope(actor, village)
    latitude, longitude, accuracy_m = location or (None, None, None)

    ticket = Ticket(
        ref=next_reference(_ref_prefix(village), local_date(now, village.timezone).year),
        village_code=village.code, district_code=village.district_code,
        regency_code=village.regency_code, visit_id=visit.id if visit else None,
        reporter_id=actor.id, category=category, severity=severity,
        severity_rank=SEVERITY_RANK[severity], status="new", level="koramil",
        title=title, description=description, parties=parties, occurred_on=occurred,
        is_sensitive=sensitive, latitude=latitude, longitude=longitude, accuracy_m=accuracy_m,
        reported_at=now, updated_at=now, due_at=due_at_for(severity, now),
    )
    db.session.add(ticket)
    db.session.flush()
    record_event(ticket, actor, "created", to_value="new", at=now)
    if checked:
        store_photos(actor, ticket, checked, field=photos_field)
    db.session.flush()
    return ticket


# --- changing ---------------------------------------------------------------

def _flush_or_conflict():
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict(_l("Someone else changed this ticket first. Reload and try again.")) from None


def _check_version(ticket, version):
    if version is None:
        return
    if isinstance(version, bool) or not isinstance(version, int):
        raise ValidationError({"version": [_l("Must be a whole number.")]})
    if version != ticket.version:
        raise Conflict(_l("Someone else changed this ticket first. Reload and try again."))


@dataclass(frozen=True)
class Plan:
    """A checked transition, not yet applied: the action, its cleaned reason, the original
    ticket of a rejection as a duplicate (or None)."""

    action: Action
    reason: str
    original: Ticket | None = None


DUPLICATE_REF_MAX = 40


def _duplicate_key(errors, value):
    """The other ticket's id (int) or reference (str) from ``duplicate_of``, None when empty.

    The web form sends digits or a reference as text; the API an integer or
    a reference. Anything else is named under ``duplicate_of``.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str) and is_storable_text(value) and len(value) <= DUPLICATE_REF_MAX:
        value = value.strip().lstrip("#")
        if value.isascii() and value.isdigit():
            value = int(value)
        else:
            return value
    if is_row_id(value) and not isinstance(value, str):
        return value
    errors["duplicate_of"] = [_l("Give the other ticket's number or reference.")]
    return None


def _lock_pair(ticket, original):
    """Lock both tickets' rows (PostgreSQL), lowest id first, and re-read the original.

    Two rejections that would link the pair both ways, or make a chain
    (A onto B while B goes onto C), wait for each other here and the
    second sees the first's link. SQLite writes one transaction at a time.
    """
    db.session.execute(
        select(Ticket.id).where(Ticket.id.in_(sorted((ticket.id, original.id))))
        .order_by(Ticket.id).with_for_update()
    ).all()
    db.session.refresh(original)


def _find_original(errors, actor, ticket, key, *, lock):
    """The ticket ``ticket`` duplicates, by id or reference, or None with the refusal in ``errors``.

    Refused (422, under ``duplicate_of``): no such ticket the actor can see
    (one message, whether it does not exist or is out of his sight), the
    ticket itself, a ticket of another village, a ticket that is itself a
    duplicate or was rejected, and any link when other tickets already
    name this one as their original (no chains, hence no cycles).
    """
    stmt = scope.tickets(actor)
    stmt = stmt.where(Ticket.id == key) if isinstance(key, int) else stmt.where(Ticket.ref == key)
    original = db.session.execute(stmt).scalar_one_or_none()
    shown = f"#{key}" if isinstance(key, int) else key
    if original is None:
        errors["duplicate_of"] = [_l("There is no ticket %(ticket)s that you can see.", ticket=shown)]
        return None
    if original.id == ticket.id:
        errors["duplicate_of"] = [_l("A ticket cannot be a duplicate of itself.")]
        return None
    if lock:
        _lock_pair(ticket, original)
    if original.village_code != ticket.village_code:
        errors["duplicate_of"] = [_l(
            "%(ref)s is in another village (%(village)s): choose a ticket of %(this)s.",
            ref=original.ref, village=original.village.name, this=ticket.village.name)]
    elif original.duplicate_of_id is not None:
        errors["duplicate_of"] = [_l(
            "%(ref)s is itself a duplicate: choose the ticket it duplicates.", ref=original.ref)]
    elif original.status == "rejected":
        errors["duplicate_of"] = [_l(
            "%(ref)s was rejected: choose a ticket that stands.", ref=original.ref)]
    elif db.session.scalar(select(func.count()).select_from(Ticket).where(Ticket.duplicate_of_id == ticket.id)):
        errors["duplicate_of"] = [_l(
            "Other tickets are already duplicates of this one: it stays the original.")]
    else:
        return original
    return None


def prepare_transition(actor, ticket, action, reason=None, version=None, duplicate_of=None, *, lock=False):
    """Check a life-cycle action without writing anything; returns its Plan.

    The web's confirmation step shows the Plan of a rejection or a closing
    before it is applied. ``duplicate_of`` (reject only) names the original
    ticket by id or reference; with it the reason may be left empty.
    Unknown action, bad fields or a refused original: ValidationError.
    Role not allowed: Forbidden. Not allowed from the current status, or a
    stale version: Conflict.
    """
    spec = ACTIONS.get(action) if isinstance(action, str) else None
    if spec is None:
        raise ValidationError({"action": [_l("Unknown action; choose one of: %(a)s.", a=", ".join(ACTIONS))]})
    errors = {}
    reason = clean_text(errors, "reason", reason, maximum=REASON_MAX)
    key = _duplicate_key(errors, duplicate_of)
    if key is not None and action != "reject":
        errors["duplicate_of"] = [_l("Only a rejection names the ticket it duplicates.")]
        key = None
    if errors:
        raise ValidationError(errors)
    if not role_may(actor, ticket, action):
        _refuse_outside_chain(actor, ticket, _l("Your role may not %(action)s this ticket.", action=action))
    _check_version(ticket, version)
    if not status_allows(ticket, action) and ticket.status in spec.sources:
        raise Conflict(_l("This ticket is already at the Kodim."))
    if not status_allows(ticket, action):
        raise Conflict(_l("A %(status)s ticket cannot be %(action)s-ed.", status=ticket.status, action=action))
    original = _find_original(errors, actor, ticket, key, lock=lock) if key is not None else None
    if spec.needs_reason and not reason and original is None and "duplicate_of" not in errors:
        errors["reason"] = [_l("A reason is required.")]
    if errors:
        raise ValidationError(errors)
    return Plan(spec, reason, original)


def transition(actor, ticket, action, reason=None, version=None, duplicate_of=None):
    """Move a ticket along its life cycle (checked by ``prepare_transition``).

    A rejection with ``duplicate_of`` links the ticket to its original and
    writes a line on both timelines; it copies nothing else (the original
    only gets a new version). Two concurrent transitions: one wins, the
    other Conflict.
    """
    plan = prepare_transition(actor, ticket, action, reason, version, duplicate_of, lock=True)
    spec, reason, original = plan.action, plan.reason, plan.original
    now = utcnow()
    old = ticket.status
    ticket.status = spec.target
    ticket.updated_at = now
    if action == "escalate":
        ticket.level = "kodim"
    if spec.target == "resolved":
        ticket.resolved_at = now
    elif spec.target == "in_progress" and old in ("resolved", "closed"):
        ticket.resolved_at = None
    if original is not None:
        ticket.duplicate_of_id = original.id
    kind = "escalated" if action == "escalate" else "status"
    record_event(ticket, actor, kind, from_value=old, to_value=spec.target, reason=reason, at=now)
    if original is not None:
        record_event(ticket, actor, "duplicate_of", to_value=original.ref, at=now)
        record_event(original, actor, "has_duplicate", to_value=ticket.ref, at=now)
    _flush_or_conflict()
    if original is not None:
        _bump_version(original)
    return ticket


def _bump_version(ticket):
    """One more version for a ticket whose links changed though none of its fields did.

    The original of a new duplicate: a rejection racing to make it a
    duplicate itself (a chain, or a cycle) holds the version it read and
    gets a Conflict, on SQLite too, where no row lock makes it wait.
    """
    bumped = db.session.execute(
        update(Ticket.__table__).where(Ticket.id == ticket.id, Ticket.version == ticket.version)
        .values(version=Ticket.version + 1)
    )
    if bumped.rowcount != 1:
        raise Conflict(_l("Someone else changed this ticket first. Reload and try again."))
    db.session.expire(ticket, ["version"])


def reclassify(actor, ticket, *, severity=None, category=None, reason=None, version=None):
    """Change severity and/or category, with a reason (commanders only)."""
    if not can_reclassify(actor, ticket):
        _refuse_outside_chain(actor, ticket, _l("Only Koramil, Kodim and admin users change severity or category."))
    errors = {}
    if severity is None and category is None:
        errors["severity"] = [_l("Give a new severity or category.")]
    if severity is not None:
        check_choice(errors, "severity", severity, SEVERITIES)
    if category is not None:
        check_choice(errors, "category", category, CATEGORIES)
    reason = clean_text(errors, "reason", reason, required=True, maximum=REASON_MAX)
    if errors:
        raise ValidationError(errors)
    _check_version(ticket, version)
    now = utcnow()
    changed = False
    if severity is not None and severity != ticket.severity:
        record_event(ticket, actor, "severity", from_value=ticket.severity, to_value=severity, reason=reason, at=now)
        ticket.severity, ticket.severity_rank = severity, SEVERITY_RANK[severity]
        ticket.due_at = due_at_for(severity, ticket.reported_at)
        changed = True
    if category is not None and category != ticket.category:
        record_event(ticket, actor, "category", from_value=ticket.category, to_value=category, reason=reason, at=now)
        ticket.category = category
        changed = True
    if changed:
        ticket.updated_at = now
        _flush_or_conflict()
    return ticket


def add_comment(actor, ticket, body):
    """Add a comment to the timeline."""
    errors = {}
    body = clean_text(errors, "body", body, required=True, maximum=COMMENT_MAX)
    if errors:
        raise ValidationError(errors)
    event = record_event(ticket, actor, "comment", reason=body)
    db.session.flush()
    return event


# --- reading ----------------------------------------------------------------

def get_ticket(user, ticket_id):
    """The ticket if the user may see it, else None (views answer 404)."""
    if not is_row_id(ticket_id):
        return None
    return db.session.execute(scope.tickets(user).where(Ticket.id == ticket_id)).scalar_one_or_none()


FILTERS = ("status", "severity", "category", "village_code", "district_code",
           "flagged", "q", "date_from", "date_to", "overdue", "level")


def search_tickets(user, params, *, now=None):
    """A scoped select of tickets matching the filters, newest first.

    ``params`` maps filter names to strings (from a query string or a form).
    Raises ValidationError naming a bad filter.
    """
    errors = {}
    stmt = scope.tickets(user)
    get = params.get
    for field, choices in (("status", STATUSES + ("open",)), ("severity", SEVERITIES),
                           ("category", CATEGORIES), ("level", ("koramil", "kodim"))):
        value = get(field)
        if value:
            check_choice(errors, field, value, choices)
            if field == "status" and value == "open":
                stmt = stmt.where(Ticket.status.in_(UNRESOLVED))
            else:
                stmt = stmt.where(getattr(Ticket, field) == value)
    for field, column in (("village_code", Ticket.village_code),
                          ("district_code", Ticket.district_code)):
        value = get(field)
        if value:
            try:
                code = normalize(value)
            except CodeError:
                errors[field] = [_l("Not a region code.")]
                continue
            stmt = stmt.where(column == code)
    flagged = parse_bool(errors, "flagged", get("flagged"))
    if flagged is not None:
        stmt = stmt.where(flagged_condition() if flagged else ~flagged_condition())
    overdue = parse_bool(errors, "overdue", get("overdue"))
    if overdue:
        stmt = stmt.where(Ticket.status.in_(UNRESOLVED), Ticket.due_at < (now or utcnow()))
    date_from = parse_date(errors, "date_from", get("date_from"))
    date_to = parse_date(errors, "date_to", get("date_to"))
    # The WIB start of the calendar's first day, and the day after its last, overflow datetime.
    if date_from == date.min:
        errors["date_from"] = [_l("Not a date; use YYYY-MM-DD.")]
        date_from = None
    if date_to == date.max:
        errors["date_to"] = [_l("Not a date; use YYYY-MM-DD.")]
        date_to = None
    if date_from and date_to and date_from > date_to:
        errors["date_to"] = [_l("The end date is before the start date.")]
    if date_from:
        stmt = stmt.where(Ticket.reported_at >= _day_start(date_from))
    if date_to:
        stmt = stmt.where(Ticket.reported_at < _day_start(date_to + timedelta(days=1)))
    q = get("q")
    if q:
        if not isinstance(q, str) or not is_storable_text(q):
            errors["q"] = [_l("Must be text.")]
        elif len(q) > QUERY_MAX:
            errors["q"] = [_l("At most %(n)d characters.", n=QUERY_MAX)]
        else:
            # Substring of title or description; FTS5 trigram index on SQLite (tracker.tickets.search).
            # Within an area (a unit's or Babinsa's scope, a kecamatan or desa filter) the area's
            # index leads and the matches are probed; the whole country is led by the matches.
            within_area = user.role != "admin" or bool(get("village_code") or get("district_code"))
            stmt = stmt.where(search.text_condition(q, db.session.get_bind().dialect.name,
                                                    within_area=within_area))
    if errors:
        raise ValidationError(errors)
    return stmt.order_by(Ticket.reported_at.desc(), Ticket.id.desc())


def _day_start(day):
    """Filters on dates use the start of the day in WIB, the national reference."""
    return local_midnight_utc(day, WIB)


def triage_queue(user):
    """New tickets at Koramil level, most severe and oldest first (scoped)."""
    return scope.tickets(user).where(Ticket.status == "new", Ticket.level == "koramil") \
        .order_by(Ticket.severity_rank.desc(), Ticket.reported_at, Ticket.id)


def escalation_queue(user):
    """Tickets escalated to the Kodim and not yet started, most severe and oldest first."""
    return scope.tickets(user).where(Ticket.status == "escalated") \
        .order_by(Ticket.severity_rank.desc(), Ticket.reported_at, Ticket.id)


def overdue_tickets(user, now=None):
    """Unresolved tickets past their due time, most overdue first."""
    return scope.tickets(user).where(Ticket.status.in_(UNRESOLVED), Ticket.due_at < (now or utcnow())) \
        .order_by(Ticket.due_at, Ticket.id)


def similar_open_tickets(user, village_code, category, *, limit=5, now=None):
    """Possible duplicates: open tickets in the same village and category in the last 30 days."""
    since = (now or utcnow()) - timedelta(days=DUPLICATE_WINDOW_DAYS)
    return db.session.execute(
        scope.tickets(user)
        .where(Ticket.village_code == village_code, Ticket.category == category,
               Ticket.status.in_(UNRESOLVED), Ticket.reported_at >= since)
        .order_by(Ticket.reported_at.desc()).limit(limit)
    ).scalars().all()


# --- duplicates ---------------------------------------------------------------

CANDIDATE_LIMIT = 20
# Two titles are near-identical when their normalised forms (see
# normalise_title) are equal or at least this similar (difflib's ratio).
TITLE_SIMILARITY = 0.85


def duplicate_candidates(user, ticket, q=None, *, limit=CANDIDATE_LIMIT):
    """Tickets ``ticket`` may be rejected as a duplicate of: same village, visible to the
    user, not itself, not rejected (so not a duplicate either); ``q`` narrows them by
    reference or title. Same category first, then newest. Returns (tickets, more);
    ValidationError naming ``q`` for a bad search."""
    stmt = scope.tickets(user).where(
        Ticket.village_code == ticket.village_code, Ticket.id != ticket.id,
        Ticket.status != "rejected", Ticket.duplicate_of_id.is_(None))
    if q:
        if not isinstance(q, str) or not is_storable_text(q):
            raise ValidationError({"q": [_l("Must be text.")]})
        if len(q) > QUERY_MAX:
            raise ValidationError({"q": [_l("At most %(n)d characters.", n=QUERY_MAX)]})
        pattern = search.like_pattern(q.lstrip().lstrip("#").strip().lower())
        stmt = stmt.where(or_(func.lower(Ticket.ref).like(pattern, escape="\\"),
                              func.lower(Ticket.title).like(pattern, escape="\\")))
    rows = db.session.execute(
        stmt.order_by(case((Ticket.category == ticket.category, 0), else_=1),
                      Ticket.reported_at.desc(), Ticket.id.desc()).limit(limit + 1)
    ).scalars().all()
    return rows[:limit], len(rows) > limit


def duplicates_of(user, ticket):
    """The tickets the user can see that were rejected as duplicates of ``ticket``, oldest first."""
    return db.session.execute(
        scope.tickets(user).where(Ticket.duplicate_of_id == ticket.id).order_by(Ticket.id)
    ).scalars().all()


@functools.cache
def _original_alias():
    """The original ticket in visible_originals, made once (on first use, once the mappers are set up):
    a new alias per call builds proxies of every ticket column again (about 0.6 ms of each API list page)."""
    return aliased(Ticket)


def visible_originals(user, ids):
    """{ticket id: its original's id} for those of ``ids`` rejected as duplicates of a ticket
    the user can see (one query; none for no ids)."""
    if not ids:
        return {}
    original = _original_alias()
    return dict(db.session.execute(
        select(Ticket.id, Ticket.duplicate_of_id).join(original, original.id == Ticket.duplicate_of_id)
        .where(Ticket.id.in_(sorted(set(ids))), scope.ticket_condition(user, original))
    ).all())


def normalise_title(title):
    """A title reduced for comparison: accents dropped, case folded, only letters and digits
    separated by single spaces ("Spanduk  DIRUSAK!" and "spanduk dirusak" are equal)."""
    decomposed = unicodedata.normalize("NFKD", title or "")
    letters = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(letters.casefold().split())


def near_identical(first, second):
    """Whether two normalised titles name the same problem (equal, or a ratio of at least
    TITLE_SIMILARITY: a typo, a word split in two, a trailing word)."""
    if first == second:
        return bool(first)
    return SequenceMatcher(None, first, second, autojunk=False).ratio() >= TITLE_SIMILARITY


def likely_duplicates(user, tickets):
    """{ticket id: [(id, ref), ...]} for the given tickets (a page of a queue): other open
    tickets the user can see of the same village and category with a near-identical title.

    One query for the whole page, whatever its length: the open tickets of
    the page's villages and categories; the titles are compared in Python.
    """
    if not tickets:
        return {}
    villages = sorted({t.village_code for t in tickets})
    categories = sorted({t.category for t in tickets})
    groups = {}
    for row in db.session.execute(
        select(Ticket.id, Ticket.ref, Ticket.village_code, Ticket.category, Ticket.title)
        .where(scope.ticket_condition(user, Ticket), Ticket.status.in_(UNRESOLVED),
               Ticket.village_code.in_(villages), Ticket.category.in_(categories))
        .order_by(Ticket.id)
    ):
        groups.setdefault((row.village_code, row.category), []).append((row.id, row.ref, normalise_title(row.title)))
    found = {}
    for ticket in tickets:
        title = normalise_title(ticket.title)
        matches = [(other_id, ref) for other_id, ref, other in groups.get((ticket.village_code, ticket.category), ())
                   if other_id != ticket.id and near_identical(title, other)]
        if matches:
            found[ticket.id] = matches
    return found


def timeline(ticket):
    """The ticket's events, oldest first, with their actors loaded."""
    return db.session.execute(
        select(TicketEvent).options(joinedload(TicketEvent.actor))
        .where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id)
    ).scalars().all()


def open_ticket_counts(user, village_codes):
    """{village_code: number of unresolved tickets the user can see} (one query)."""
    if not village_codes:
        return {}
    return dict(db.session.execute(
        select(Ticket.village_code, func.count(Ticket.id))
        .where(scope.ticket_condition(user, Ticket), Ticket.status.in_(UNRESOLVED),
               Ticket.village_code.in_(list(village_codes)))
        .group_by(Ticket.village_code)
    ).all())
