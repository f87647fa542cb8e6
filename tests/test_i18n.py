"""Every user-facing string has its Indonesian translation; the UI speaks Indonesian first.

The msgids are extracted from the code and the templates the way
``pybabel extract`` would, and looked up in the merged catalogues (the root
one in ``tracker/translations`` and each feature's ``tracker/<feature>/translations``).
"""
import ast
import glob
import os
import re

import pytest
import wtforms
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2), "lazy_pgettext": ((1, "c"), 2),
}
GETTEXT_NAMES = {"_", "_l", "gettext", "lazy_gettext", "ngettext", "lazy_ngettext"}
CATALOGUE_PATTERNS = (
    "tracker/translations/id/LC_MESSAGES/messages.po",
    "tracker/*/translations/id/LC_MESSAGES/messages.po",
)
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
POSITIONAL = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


def _catalogue_paths():
    found = []
    for pattern in CATALOGUE_PATTERNS:
        found.extend(sorted(glob.glob(os.path.join(ROOT, pattern))))
    return found


def _read(path):
    with open(path, "rb") as handle:
        return read_po(handle, locale="id")


@pytest.fixture(scope="module")
def catalogues():
    return {os.path.relpath(path, ROOT): _read(path) for path in _catalogue_paths()}


@pytest.fixture(scope="module")
def translated(catalogues):
    """msgid (or (singular, plural)) -> translation, over every catalogue."""
    merged = {}
    for catalogue in catalogues.values():
        for message in catalogue:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
            if all(s and s.strip() for s in strings):
                merged[message.id] = message.string
    return merged


def _extracted():
    """(msgid, "path:line") for every gettext call in tracker/ and templates/."""
    found = []
    sources = (
        ("tracker", [("**/translations/**", "ignore"), ("**.py", "python")], {}),
        ("templates", [("**.html", "jinja2"), ("**.txt", "jinja2")],
         {"**.html": {"extensions": "jinja2.ext.i18n"}, "**.txt": {"extensions": "jinja2.ext.i18n"}}),
    )
    for folder, method_map, options in sources:
        base = os.path.join(ROOT, folder)
        for filename, lineno, message, _comments, _context in extract_from_dir(
            base, method_map, options, keywords=KEYWORDS
        ):
            found.append((message, f"{folder}/{filename}:{lineno}"))
    return found


def test_the_root_catalogue_exists_and_is_indonesian(catalogues):
    assert "tracker/translations/id/LC_MESSAGES/messages.po" in catalogues
    for path, catalogue in catalogues.items():
        assert str(catalogue.locale) == "id", path
        assert catalogue.plural_forms == "nplurals=1; plural=0;", path


def test_every_message_has_an_indonesian_translation(translated):
    extracted = _extracted()
    assert len(extracted) > 50, "extraction found suspiciously few messages"
    missing = {}
    for message, where in extracted:
        key = message if isinstance(message, str) else tuple(message)
        if key not in translated:
            missing.setdefault(key, where)
    report = "\n".join(f"  {where}: {key!r}" for key, where in sorted(missing.items(), key=lambda kv: kv[1]))
    assert not missing, f"{len(missing)} message(s) without an Indonesian translation:\n{report}"


def test_wtforms_built_in_messages_are_translated(translated):
    """tracker/forms.py routes WTForms' own messages through the app catalogue."""
    pot = os.path.join(os.path.dirname(wtforms.__file__), "locale", "wtforms.pot")
    with open(pot, "rb") as handle:
        messages = [m.id for m in read_po(handle) if m.id]
    missing = [m for m in messages if m not in translated]
    assert not missing, missing


def _names(text):
    return set(PLACEHOLDER.findall(text))


def _positional(text):
    return len(POSITIONAL.findall(PLACEHOLDER.sub("", text.replace("%%", ""))))


def test_translations_keep_the_placeholders(catalogues):
    """A translation naming a placeholder the code does not pass fails at runtime."""
    problems = []
    for path, catalogue in catalogues.items():
        for message in catalogue:
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, (tuple, list)) else (message.id,)
            strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
            allowed = set().union(*(_names(i) for i in ids))
            if isinstance(message.id, (tuple, list)):
                allowed.add("num")  # ngettext always passes num
            for string in strings:
                if not string:
                    continue
                extra = _names(string) - allowed
                if extra or _positional(string) != _positional(ids[0]):
                    problems.append(f"{path}: {ids[0]!r} -> {string!r}")
    assert not problems, "\n".join(problems)


def test_one_msgid_has_one_translation_across_catalogues(catalogues):
    """The catalogues are merged, so two translations of one msgid would show either."""
    seen, conflicts = {}, []
    for path, catalogue in catalogues.items():
        for message in catalogue:
            if not message.id or not message.string:
                continue
            key = message.id if isinstance(message.id, str) else tuple(message.id)
            value = message.string if isinstance(message.string, str) else tuple(message.string)
            if key in seen and seen[key][1] != value:
                conflicts.append(f"{key!r}: {seen[key][0]} says {seen[key][1]!r}, {path} says {value!r}")
            seen.setdefault(key, (path, value))
    assert not conflicts, "\n".join(conflicts)


class _GettextCalls(ast.NodeVisitor):
    def __init__(self):
        self.dynamic = []

    def visit_Call(self, node):
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        if name in GETTEXT_NAMES and node.args:
            first = node.args[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                self.dynamic.append(node.lineno)
        self.generic_visit(node)


def test_no_gettext_call_builds_its_msgid_at_runtime():
    """``_(f"...")`` or ``_("a" + b)`` can never be extracted or translated."""
    problems = []
    for path in glob.glob(os.path.join(ROOT, "tracker", "**", "*.py"), recursive=True):
        with open(path, encoding="utf-8") as handle:
            tree = ast.parse(handle.read(), filename=path)
        visitor = _GettextCalls()
        visitor.visit(tree)
        problems.extend(f"{os.path.relpath(path, ROOT)}:{line}" for line in visitor.dynamic)
    assert not problems, problems


def test_login_page_is_indonesian_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="id">' in page
    assert "<h1>Masuk</h1>" in page
    assert "Nama pengguna" in page and "Kata sandi" in page


def test_login_page_in_english_when_chosen_and_the_choice_sticks(client):
    page = client.get("/login?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "<h1>Log in</h1>" in page and "Username" in page and "Password" in page
    page = client.get("/login").get_data(as_text=True)
    assert "<h1>Log in</h1>" in page


def test_browser_language_does_not_override_the_indonesian_default(client):
    page = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert "<h1>Masuk</h1>" in page


def test_a_users_language_follows_him_after_login(client, make_user, login):
    make_user("admin", username="op", locale="en")
    login("op")
    assert "My settings" in client.get("/settings").get_data(as_text=True)
