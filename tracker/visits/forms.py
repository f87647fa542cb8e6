"""The visit form: where, when, whom he met, and the problems heard there."""
import re

from flask_babel import lazy_gettext as _l
from wtforms import FieldList, FormField, SelectField, StringField, TextAreaField
from wtforms import Form as SubForm

from tracker.forms import Form
from tracker.tickets.forms import TicketFields
from tracker.visits.services import MAX_TICKETS_PER_VISIT, MET_WITH_MAX, NOTES_MAX

PHOTO_INPUT = re.compile(r"problems-(\d+)-photos")
PHOTOS = _l("Photos (at most 3)")


class TicketEntryForm(TicketFields, SubForm):
    """One problem heard during the visit (a sub-form: the visit form carries the CSRF token)."""

    def is_blank(self):
        """Nothing typed in: the entry is skipped, not refused."""
        return not any((self.category.data, (self.title.data or "").strip(),
                        (self.description.data or "").strip(), (self.parties.data or "").strip()))


class VisitForm(Form):
    village_code = SelectField(_l("Village"), choices=[], validate_choice=False)
    visited_on = StringField(_l("Date of the visit"), render_kw={"type": "date"})
    met_with = StringField(_l("Met with"), render_kw={"maxlength": MET_WITH_MAX, "placeholder": _l("e.g. Sekretaris Desa")})
    notes = TextAreaField(_l("Notes"), render_kw={"maxlength": NOTES_MAX, "rows": 4})
    tickets = FieldList(FormField(TicketEntryForm), _l("Problem heard (%(n)d)"), min_entries=1,
                        max_entries=MAX_TICKETS_PER_VISIT)

    def input_label(self, name):
        """A problem entry's photo input, ``problems-<i>-photos``, is named by its entry."""
        match = PHOTO_INPUT.fullmatch(name)
        if match is None or int(match.group(1)) >= len(self.tickets.entries):
            return None
        return f"{str(self.tickets.label.text) % {'n': int(match.group(1)) + 1}} · {PHOTOS}"
