"""No fragment of the other language on any rendered page, in English and in Indonesian.

tests/test_i18n.py checks the catalogues; this renders the pages. Every GET
page of the url_map (its ids filled from a small world with an election in
its quiet period, a ticket with a flag, a visit and an email) is fetched by
each role, and by a visitor not logged in, in both languages. The visible
text of each HTML page (text nodes outside script and style, and the
aria-label, title, placeholder and alt attributes, and button values) is
then searched, with the world's own data (names of villages, units, users,
elections, ticket titles ...) taken out first:

- in English, for an Indonesian translation of any msgid that differs from
  its msgid (each literal part of a translation between its placeholders,
  as a whole word, case-sensitively; parts that are also a part of some
  English msgid are ambiguous and skipped);
- in Indonesian, for an English msgid whose translation differs, as a whole
  text node (its placeholders standing for any text).

The menu of each role must be among the pages checked, so a page the
navigation offers cannot escape.
"""
import glob
import os
import re
from datetime import date
from html.parser import HTMLParser

import pytest
import time_machine
from babel.messages.pofile import read_po
from flask import url_for
from sqlalchemy import select

from tests.plugins.world import KEBAK, KEMIRI, wib
from tracker.extensions import db

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LANGUAGES = ("en", "id")
# The area world's user of each role; None is a visitor not logged in.
USERS = {"babinsa": "babinsa.kemiri", "koramil": "danramil", "kodim": "dandim", "admin": "admin", "anonymous": None}
# Indonesian words the English pages keep on purpose: the language's own name
# on the language switch, and an example of what a user types in a field.
KEPT = ("Bahasa Indonesia", "Sekretaris Desa")
# Voting on 20 Dec 2026: the quiet period runs 17-19 Dec, so the dashboards show its banner.
NOW = wib(2026, 12, 18, 9)
# Placeholders of a msgid or its translation: %(name)s, %d, %%.
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")
# A literal part shorter than this is not a telling fragment ("H", "RW").
MIN_PART = 3
HIDDEN_TAGS = {"script", "style", "template"}
TEXT_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")


# --- the catalogues -----------------------------------------------------------------

def _messages():
    """(msgid, translation) pairs of every catalogue, plural forms each as a pair."""
    pairs = []
    patterns = ("tracker/translations/id/LC_MESSAGES/messages.po", "tracker/*/translations/id/LC_MESSAGES/messages.po")
    for pattern in patterns:
        for path in sorted(glob.glob(os.path.join(ROOT, pattern))):
            with open(path, "rb") as handle:
                for message in read_po(handle, locale="id"):
                    if not message.id:
                        continue
                    ids = message.id if isinstance(message.id, (tuple, list)) else (message.id,)
                    strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
                    for index, msgid in enumerate(ids):
                        string = strings[min(index, len(strings) - 1)]
                        if string and string != msgid:
                            pairs.append((msgid, string))
    return pairs


def _parts(text):
    """The literal parts of a message between its placeholders, trimmed of spaces and punctuation."""
    parts = (part.strip(" \t\n.,:;·–—-()[]\"'…") for part in PLACEHOLDER.split(text))
    return [part for part in parts if len(part) >= MIN_PART and re.search(r"[^\W\d_]{2}", part)]


class Detector:
    """Finds fragments of the other language in a page's text nodes."""

    def __init__(self, pairs):
        english_parts = {part for msgid, _string in pairs for part in _parts(msgid)}
        indonesian_words = {string for _msgid, string in pairs}
        # Indonesian parts, each once, longest first so the report names the largest.
        parts = {part for _msgid, string in pairs for part in _parts(string) if part not in english_parts}
        self.indonesian = [(part, re.compile(rf"(?<!\w){re.escape(part)}(?!\w)"))
                           for part in sorted(parts, key=len, reverse=True)]
        self.english = []
        for msgid, _string in pairs:
            if msgid in indonesian_words or not _parts(msgid):
                continue   # the same words are Indonesian too ("Status"), or nothing telling
            pattern = "".join(".+?" if PLACEHOLDER.fullmatch(piece) else re.escape(piece)
                              for piece in re.split(f"({PLACEHOLDER.pattern})", " ".join(msgid.split())) if piece)
            self.english.append((msgid, re.compile(pattern)))

    def indonesian_in(self, text):
        """The Indonesian translation parts found in an English page's text node."""
        return [part for part, pattern in self.indonesian if part in text and pattern.search(text)]

    def english_in(self, text):
        """The English msgids an Indonesian page's text node is, whole."""
        return [msgid for msgid, pattern in self.english if pattern.fullmatch(text)]


@pytest.fixture(scope="module")
def detector():
    return Detector(_messages())


# --- the pages ----------------------------------------------------------------------

class VisibleText(HTMLParser):
    """The text a reader meets: text nodes outside script/style, labels in attributes, button values."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hidden = 0
        self.texts = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in HIDDEN_TAGS:
            self.hidden += 1
        for name in TEXT_ATTRIBUTES:
            if attrs.get(name):
                self._add(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button", "reset") and attrs.get("value"):
            self._add(attrs["value"])

    def handle_startendtag(self, tag, attrs):
        # <x/> opens nothing: count it without entering a hidden element.
        if tag not in HIDDEN_TAGS:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in HIDDEN_TAGS and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self._add(data)

    def _add(self, text):
        text = " ".join(text.split())
        if text:
            self.texts.append(text)


def visible_texts(html):
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return parser.texts


@pytest.fixture
def page_args(area, make_election, make_ticket_at, run_sweep):
    """Values for the url_map's arguments, from the area world with a Pilkades in its quiet period,
    a flagged ticket, a visit and an email.

    User-written text is neutral (no word of either language), so what the
    pages show around it is the app's own.
    """
    from tracker.digests.outbox import queue_message
    from tracker.visits.services import record_visit

    election = make_election("pilkades", date(2026, 12, 20), scope={"villages": [KEMIRI, KEBAK]}, name="Xq 2026")
    ticket = make_ticket_at(wib(2026, 12, 1, 8), village=KEMIRI, severity="high", title="Zzq 1",
                            reporter=area.babinsa)
    with time_machine.travel(wib(2026, 12, 10, 9), tick=False):
        visit = record_visit(area.babinsa, village_code=KEMIRI, visited_on=date(2026, 12, 10), met_with="Qx")
        queue_message(key="digest:test", to_address="qx@waspada.example", subject="Qzx", body_text="Qzx",
                      body_html="<p>Qzx</p>", now=wib(2026, 12, 10, 9))
        db.session.commit()
    run_sweep(NOW)
    from tracker.digests.models import OutboxMessage

    message = db.session.execute(select(OutboxMessage)).scalar_one()
    return {
        "election_id": election.id, "ticket_id": ticket.id, "visit_id": visit.id, "message_id": message.id,
        "user_id": area.babinsa.id, "code": KEMIRI,
        # Not HTML (an SVG chart, a photo): fetched, and skipped by their content type.
        "name": "categories", "attachment_id": 1,
    }


def data_strings():
    """The world's own words (names, titles, notes ...), longest first, to take out of the text."""
    from tracker.auth.models import User
    from tracker.elections.models import Election
    from tracker.regions.models import Region
    from tracker.tickets.models import Ticket, TicketEvent
    from tracker.units.models import Unit

    # Timeline lines the sweep writes are stored once, in the deployment's language
    # (tracker/warnings/flags.py), so they are records like a ticket's title.
    columns = (Region.name, Unit.name, User.full_name, User.username, Election.name, Ticket.title, Ticket.ref,
               TicketEvent.reason)
    found = set()
    for column in columns:
        found.update(value for value in db.session.execute(select(column)).scalars() if value)
    return sorted(found | set(KEPT), key=len, reverse=True)


def page_urls(app, values):
    """(endpoint, URL) of every GET page in the url_map except the API and static files."""
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static" or rule.rule.startswith("/api"):
                continue
            missing = rule.arguments - values.keys()
            assert not missing, f"{rule.rule}: give {sorted(missing)} a value in the page_args fixture"
            urls.append((rule.endpoint, url_for(rule.endpoint, **{name: values[name] for name in rule.arguments})))
        # A filtered list says what it is filtered by.
        urls.append(("warnings.index?election", url_for("warnings.index", election=values["election_id"])))
    return sorted(urls)


def rendered_pages(app, client, values, username, language):
    """{endpoint: (URL, visible texts)} of the HTML pages the user reaches (200)."""
    pages = {}
    for endpoint, url in page_urls(app, values):
        if username is None:
            url += ("&" if "?" in url else "?") + f"lang={language}"
        response = client.get(url)
        if response.status_code != 200 or not response.content_type.startswith("text/html"):
            continue
        pages[endpoint] = (url, visible_texts(response.get_data(as_text=True)))
    return pages


def nav_endpoints(app, user):
    """The menu entries the user is offered."""
    from flask_login import login_user

    from tracker.navigation import nav_items

    if user is None:
        return set()
    with app.test_request_context():
        login_user(user)
        return {endpoint for endpoint, _label in nav_items()}


# --- the tests ----------------------------------------------------------------------

def test_the_detector_finds_a_stage_name_left_in_indonesian_in_english(detector):
    assert "Masa tenang" in detector.indonesian_in("Masa tenang now, until 3 Dec 2026.")
    assert detector.indonesian_in("Quiet period (masa tenang)") == []
    assert detector.indonesian_in("Quiet period now, until 3 Dec 2026.") == []


def test_the_detector_finds_an_english_message_left_in_indonesian(detector):
    assert detector.english_in("Early warning") == ["Early warning"]
    assert detector.english_in("Peringatan dini") == []


def test_visible_text_skips_scripts_and_reads_labels():
    html = ('<title>A</title><script>var b = "Masuk";</script><style>p{}</style>'
            '<p>C <strong>D</strong></p><a aria-label="E" href="#">F</a><input type="submit" value="G"><br/>H')
    assert visible_texts(html) == ["A", "C", "D", "E", "F", "G", "H"]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", USERS)
def test_no_page_shows_a_fragment_of_the_other_language(app, client, login, area, page_args, detector, role, language):
    username = USERS[role]
    user = getattr(area, role) if username else None
    with time_machine.travel(NOW, tick=False):
        if user is not None:
            user.locale = language
            db.session.commit()
            login(username)
        pages = rendered_pages(app, client, page_args, username, language)
    data = data_strings()
    problems = []
    for endpoint, (url, texts) in sorted(pages.items()):
        for text in texts:
            for value in data:
                text = text.replace(value, "\x00")
            found = detector.indonesian_in(text) if language == "en" else detector.english_in(text)
            problems.extend(f"{url}: {text!r} holds {fragment!r}" for fragment in found)
    assert pages, "no page was rendered"
    assert nav_endpoints(app, user) <= set(pages), "a menu entry was not checked"
    assert not problems, f"{len(problems)} fragment(s) of the other language:\n" + "\n".join(problems)
