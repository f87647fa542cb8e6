"""Input checking shared by every service: each helper records a message
under the field's name in ``errors`` and returns the cleaned value."""
from datetime import date

from flask_babel import gettext, lazy_gettext as _l

from tracker.extensions import db
from tracker.regions.codes import CodeError, normalize
from tracker.regions.models import Region


def clean_text(errors, field, value, *, required=False, maximum):
    """Trimmed text; HTML is kept as typed (templates escape it on output)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[field] = [_l("Must be text.")]
        return None
    if not is_storable_text(value):
        errors[field] = [_l("Contains characters that cannot be stored.")]
        return None
    value = value.strip()
    if required and not value:
        errors[field] = [_l("This field is required.")]
    elif len(value) > maximum:
        errors[field] = [_l("At most %(n)d characters.", n=maximum)]
    return value


def is_storable_text(value):
    """False for text the databases refuse: NUL characters (PostgreSQL) and
    lone surrogates (not encodable as UTF-8), which JSON bodies can carry."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class ChoiceError(str):
    """"Choose one of: <codes>." for the API and the command line, which take the codes.

    A str (``ValidationError`` keeps it as it is) that keeps the codes
    (``choices``), so a web form shows its field's own labels instead
    (``tracker.forms.apply_errors``): a page never shows a code.
    """

    def __new__(cls, choices):
        choices = tuple(choices)
        message = super().__new__(cls, gettext("Choose one of: %(choices)s.", choices=", ".join(choices)))
        message.choices = choices
        return message


def check_choice(errors, field, value, choices):
    """The value if it is one of ``choices``; otherwise an error listing them (a ``ChoiceError``)."""
    if value not in choices:
        errors[field] = [ChoiceError(choices)]
    return value


# The years the app computes with: stage offsets, windows and local days stay
# inside Python's and the databases' date range with room to spare.
FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2199, 12, 31)


def parse_date(errors, field, value, *, today=None, required=False):
    """A date from a date object or a YYYY-MM-DD string, between 1900 and 2199;
    not after ``today`` when given."""
    if value in (None, ""):
        if required:
            errors[field] = [_l("This field is required.")]
        return None
    if isinstance(value, date):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = date.fromisoformat(value.strip())
        except ValueError:
            errors[field] = [_l("Not a date; use YYYY-MM-DD.")]
            return None
    else:
        errors[field] = [_l("Not a date; use YYYY-MM-DD.")]
        return None
    if not FIRST_DATE <= parsed <= LAST_DATE:
        errors[field] = [_l("Give a date between %(first)d and %(last)d.", first=FIRST_DATE.year, last=LAST_DATE.year)]
        return None
    if today is not None and parsed > today:
        errors[field] = [_l("The date cannot be in the future.")]
        return None
    return parsed


def find_village(errors, field, raw):
    """The village Region for a code, adding an error when there is none."""
    if not isinstance(raw, str) or not raw.strip():
        errors[field] = [_l("This field is required.")]
        return None
    try:
        code = normalize(raw)
    except CodeError:
        errors[field] = [_l("Unknown village %(code)s.", code=raw)]
        return None
    village = db.session.get(Region, code)
    if village is None or village.level != 4:
        errors[field] = [_l("Unknown village %(code)s.", code=raw)]
        return None
    return village


def parse_bool(errors, field, value):
    """true/false, 1/0, on/off, yes/no (strings or booleans); None when empty."""
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "on", "yes"):
        return True
    if text in ("0", "false", "off", "no"):
        return False
    errors[field] = [_l("Must be true or false.")]
    return None
