"""The election forms: kind, name, voting day, area and the stage dates; the edit form without kind.

The area is picked, not typed: the kabupaten or provinces of a Pilkada or
Pileg (``regions``), or for a Pilkades the desa ticked by kecamatan
(``villages``), where ticking a whole kecamatan (``districts``) chooses all
its desa even without JavaScript. An administrator lists the desa of one
kabupaten at a time (``regency``). The view sets the choices the user may
make (``tracker.elections.choices``); the service checks every code.
"""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional

from tracker.elections.models import ELECTION_KINDS, STAGES
from tracker.elections.services import KIND_LABELS, NAME_MAX, SCOPE_LABELS, STAGE_LABELS
from tracker.forms import Form


class CodeListField(SelectMultipleField):
    """Ticked region codes; the service, not the field, judges them (an unknown one is named there)."""

    def __init__(self, label=None, **kwargs):
        super().__init__(label, validate_choice=False, **kwargs)


class ElectionForm(Form):
    kind = SelectField(_l("Kind"), choices=[(k, KIND_LABELS[k]) for k in ELECTION_KINDS])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=NAME_MAX)])
    voting_on = DateField(_l("Voting day"), validators=[DataRequired()])
    scope_kind = SelectField(_l("Covers"), choices=[(k, SCOPE_LABELS[k]) for k in ("national", "regions")])
    regions = CodeListField(_l("Provinces / kabupaten"))
    villages = CodeListField(_l("Participating desa"))
    districts = CodeListField(_l("Whole kecamatan"))
    regency = StringField(_l("Kabupaten"), validators=[Optional(), Length(max=13)])

    def limit_scope_kinds(self, kinds):
        """Offer only the area kinds the user may choose (a Kodim: no national election)."""
        self.scope_kind.choices = [(k, SCOPE_LABELS[k]) for k in kinds]
        if self.scope_kind.data not in kinds:
            if self.is_submitted() and self.scope_kind.raw_data:
                return   # refused by the field's own check, naming it
            self.scope_kind.data = kinds[0]


# One start and one end date per stage; empty means the default.
for _stage in STAGES:
    setattr(ElectionForm, f"{_stage}_starts_on",
            DateField(_l("%(stage)s: starts on", stage=STAGE_LABELS[_stage]), validators=[Optional()]))
    setattr(ElectionForm, f"{_stage}_ends_on",
            DateField(_l("%(stage)s: ends on", stage=STAGE_LABELS[_stage]), validators=[Optional()]))


class ElectionEditForm(ElectionForm):
    """The election form for a change: the kind stays the election's."""

    kind = None


class ElectionRemoveForm(Form):
    """The confirmation of a removal (its CSRF token is the whole form)."""
