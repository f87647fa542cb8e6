"""Every msgid of the ticket and visit code (and the shared validation helpers) has an Indonesian translation."""
import os

import pytest
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.pofile import read_po

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
METHODS = [("**.py", "python"), ("**.html", "jinja2")]
KEYWORDS = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}
SOURCES = {
    "tickets": ["tracker/tickets", "templates/tickets", "templates/macros/tickets.html", "tracker/validation.py"],
    "visits": ["tracker/visits", "templates/visits"],
}


def msgids(path):
    """The msgids (singular form) used in a file or folder."""
    full = os.path.join(ROOT, path)
    if os.path.isfile(full):
        method = "python" if full.endswith(".py") else "jinja2"
        messages = [m[1] for m in extract_from_file(method, full, keywords=KEYWORDS)]
    else:
        messages = [m[2] for m in extract_from_dir(full, METHODS, keywords=KEYWORDS)]
    return {m if isinstance(m, str) else m[0] for m in messages}


@pytest.mark.parametrize("feature", sorted(SOURCES))
def test_catalogue_translates_every_msgid(feature):
    with open(os.path.join(ROOT, f"tracker/{feature}/translations/id/LC_MESSAGES/messages.po"), "rb") as handle:
        catalogue = read_po(handle)
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue if m.id and m.string}
    wanted = set().union(*(msgids(path) for path in SOURCES[feature]))
    assert sorted(wanted - translated) == []
