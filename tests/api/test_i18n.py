"""API messages are translated: Indonesian by default, English on request."""
import glob
import os

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import tracker.api

API_DIR = os.path.dirname(tracker.api.__file__)


def _indonesian_catalogues():
    """Every feature catalogue; Flask-Babel merges them, so a msgid may be translated in any."""
    package = os.path.dirname(API_DIR)
    for path in sorted(glob.glob(os.path.join(package, "**", "translations", "id", "LC_MESSAGES", "messages.po"),
                                 recursive=True)):
        with open(path, "rb") as handle:
            yield read_po(handle)


def test_every_api_msgid_has_an_indonesian_translation():
    keywords = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None}
    found = {message for _file, _line, message, _comments, _context in
             extract_from_dir(API_DIR, method_map=[("**.py", "python")], keywords=keywords)}
    translated = {m.id for catalogue in _indonesian_catalogues() for m in catalogue if m.id and m.string}
    assert found
    assert sorted(found - translated) == []


def test_errors_are_in_indonesian_unless_english_is_asked_for(client):
    assert client.get("/api/v1/tickets").get_json() == {"error": "Diperlukan token bearer yang sah."}
    assert client.get("/api/v1/tickets?lang=en").get_json() == {"error": "A valid bearer token is required."}
