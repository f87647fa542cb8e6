"""Admin forms for users and units."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from tracker.auth.models import ROLES
from tracker.forms import Form


class UserForm(Form):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    rank = StringField(_l("Rank"), validators=[Optional(), Length(max=40)])
    nrp = StringField(_l("Service number (NRP)"), validators=[Optional(), Length(max=30)])
    role = SelectField(_l("Role"), choices=[(r, r) for r in ROLES])
    unit_id = SelectField(_l("Unit"), coerce=int, validate_choice=True)
    email = EmailField(_l("Email"), validators=[Optional(), Email(), Length(max=254)])
    locale = SelectField(_l("Language"), choices=[("id", "Bahasa Indonesia"), ("en", "English")])
    is_digest_enabled = BooleanField(_l("Morning digest"))
    villages = TextAreaField(_l("Villages (codes, one per line; Babinsa only)"), validators=[Optional()])
    is_active = BooleanField(_l("Active"), default=True)
    password = PasswordField(_l("Password (leave empty to keep)"), validators=[Optional(), Length(max=200)])
