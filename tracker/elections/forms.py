"""The election forms: kind, name, voting day, scope and the stage dates; the edit form without kind."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from tracker.elections.models import ELECTION_KINDS, STAGES
from tracker.elections.services import KIND_LABELS, NAME_MAX, SCOPE_LABELS
from tracker.forms import Form


class ElectionForm(Form):
    kind = SelectField(_l("Kind"), choices=[(k, KIND_LABELS[k]) for k in ELECTION_KINDS])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=NAME_MAX)])
    voting_on = DateField(_l("Voting day"), validators=[DataRequired()])
    scope_kind = SelectField(_l("Covers"), choices=list(SCOPE_LABELS.items()))
    codes = TextAreaField(_l("Region codes (provinces/kabupaten, or the participating desa for a Pilkades)"),
                          validators=[Optional()])


# One start and one end date per stage; empty means the default.
for _stage in STAGES:
    setattr(ElectionForm, f"{_stage}_starts_on", DateField(validators=[Optional()]))
    setattr(ElectionForm, f"{_stage}_ends_on", DateField(validators=[Optional()]))


class ElectionEditForm(ElectionForm):
    """The election form for a change: the kind stays the election's."""

    kind = None


class ElectionRemoveForm(Form):
    """The confirmation of a removal (its CSRF token is the whole form)."""
