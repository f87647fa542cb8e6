"""Numbers read from requests: row ids, page numbers, limits.

Every id, page and limit that a URL, a query string or a form carries is
read here, so none reaches the database as a number it cannot hold (an id
column is an INTEGER: PostgreSQL raises beyond 32 bits, SQLite's driver
overflows beyond 64):

- a path id too large to name a row reaches the view as 0, which names
  no row either, so the view answers 404 as for any unknown id (the app's
  ``<int:...>`` URL converter, installed by ``init_app``);
- a web page number is clamped into 1..WEB_MAX_PAGE, so a huge one shows
  the empty page after the last instead of an error;
- an API page, page size or limit outside its bounds is refused with 422
  naming it.

Only ASCII digits count: ``"²".isdigit()`` is true, but ``int("²")`` fails.
"""
from flask import request
from flask_babel import lazy_gettext as _l
from werkzeug.routing import IntegerConverter as WerkzeugIntegerConverter

# Row ids are INTEGER columns: 32-bit signed on PostgreSQL (SERIAL), the
# tighter of the two databases.
MAX_ID = 2**31 - 1
# Keeps a web list's OFFSET far inside 64 bits.
WEB_MAX_PAGE = 1_000_000
# The API's bound, part of its contract (a larger page answers 422).
API_MAX_PAGE = 1_000_000_000
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 25


def whole_number(text):
    """The int a string of ASCII digits spells, else None (signs, spaces and "²" included)."""
    if isinstance(text, str) and text.isascii() and text.isdigit():
        return int(text)
    return None


def is_row_id(value):
    """True for an int that can name a row (not a bool, from 1 to MAX_ID)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def row_id(text):
    """The row id a string spells, or None when it cannot name a row."""
    number = whole_number(text)
    return number if is_row_id(number) else None


def int_or_raw(value):
    """A whole number from a form string, else the string (the service names the error); None when blank."""
    text = (value or "").strip()
    if not text:
        return None
    number = whole_number(text)
    return text if number is None else number


class IntegerConverter(WerkzeugIntegerConverter):
    """``<int:name>`` in the app's URL rules: a whole number, 0 when it is too large to name a row.

    Every ``<int:...>`` of the app is a row id. A view answers id 0 like any
    unknown id (404), after its login, token and role checks; refusing the
    number here instead would make Werkzeug answer 405 when another method
    of the same path exists. It keeps Werkzeug's class name, so tools that
    tell converters apart by name still see an int.
    """

    def to_python(self, value):
        number = super().to_python(value)
        return number if number <= MAX_ID else 0


def page_arg():
    """The ``page`` of a web list, clamped into 1..WEB_MAX_PAGE; anything unreadable is page 1."""
    page = request.args.get("page", 1, type=int)
    return min(max(page, 1), WEB_MAX_PAGE)


def bounded_arg(errors, name, *, default, maximum, message=None):
    """A whole number from 1 to ``maximum`` from the query string; ``default`` when absent or empty.

    Anything else records ``message`` (or a message saying what is wrong)
    under ``name`` in ``errors`` and returns None; the caller raises.
    """
    raw = request.args.get(name, "")
    if raw == "":
        return default
    number = whole_number(raw)
    if number is None or number < 1:
        errors[name] = [message or _l("Must be a whole number of at least 1.")]
    elif number > maximum:
        errors[name] = [message or _l("At most %(n)d.", n=maximum)]
    else:
        return number
    return None


def init_app(app):
    """Bound every ``<int:...>`` of the app's URL rules to row ids (before any blueprint adds one)."""
    app.url_map.converters["int"] = IntegerConverter
