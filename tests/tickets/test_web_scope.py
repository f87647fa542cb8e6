"""The scope matrix: each role x each web read path x a ticket in scope, out of scope, sensitive.

The tickets (all open, overdue, filed 20 days ago):
- ``in_scope``: Kemiri (Kebakkramat, Karanganyar), reported by the Kemiri Babinsa;
- ``out_of_scope``: Banaran in Kabupaten Sragen, reported by the Sragen Kodim;
- ``sensitive``: Kemiri, reported by the *other* Kemiri Babinsa (babinsa_same),
  so the first Babinsa of the same village must not see it.
"""
import csv
import io
import re
from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from tests.plugins.world import DEMO_PASSWORD, SRAGEN_VILLAGE, module_world, new_ticket as make_ticket
from tracker.extensions import db
from tracker.tickets.services import add_comment

ROLES = ("babinsa", "babinsa_same", "babinsa_waru", "koramil", "koramil_other", "kodim", "kodim_other", "admin")
SEES = {
    "in_scope": {"babinsa", "babinsa_same", "koramil", "kodim", "admin"},
    "out_of_scope": {"kodim_other", "admin"},
    "sensitive": {"babinsa_same", "koramil", "kodim", "admin"},
}
PATHS = ("list", "detail", "search", "overdue_queue", "csv_export", "timeline", "duplicate_hints")


@pytest.fixture(scope="module")
def scene(_schema, database_url):
    """(app, world, {kind: (id, ref, village_code)}); requests run in their own app contexts."""
    for app, world in module_world(database_url, DEMO_PASSWORD, keep_context=False):
        with app.app_context():
            users = {name: db.session.merge(user) for name, user in world.users.items()}
            filed = datetime.now(timezone.utc) - timedelta(days=20)
            with time_machine.travel(filed, tick=False):
                tickets = {
                    "in_scope": make_ticket(users["babinsa"], title="Kabar-inscope", category="hoax"),
                    "out_of_scope": make_ticket(users["kodim_other"], title="Kabar-outscope", category="hoax",
                                                village_code=SRAGEN_VILLAGE),
                    "sensitive": make_ticket(users["babinsa_same"], title="Kabar-sensitive", category="hoax",
                                             sensitive=True),
                }
            for name, ticket in tickets.items():
                add_comment(users["kodim_other" if name == "out_of_scope" else "kodim"], ticket, f"catatan-{name}")
            db.session.commit()
            facts = {name: (t.id, t.ref, t.village_code) for name, t in tickets.items()}
        yield app, world, facts


@pytest.fixture(scope="module")
def clients(scene):
    """One logged-in test client per role."""
    app = scene[0]
    made = {}
    for role in ROLES:
        client = app.test_client()
        response = client.post("/login", data={"username": role, "password": DEMO_PASSWORD})
        assert response.status_code == 302
        made[role] = client
    return made


def read(client, path, ticket):
    """(status, visible) for one read path and ticket."""
    ticket_id, ref, village = ticket
    if path == "list":
        r = client.get("/tickets/")
        return r.status_code, ref in r.get_data(as_text=True)
    if path == "detail":
        r = client.get(f"/tickets/{ticket_id}")
        return r.status_code, r.status_code == 200 and ref in r.get_data(as_text=True)
    if path == "search":
        r = client.get("/tickets/", query_string={"q": "kabar-", "status": "open", "village_code": village})
        return r.status_code, ref in r.get_data(as_text=True)
    if path == "overdue_queue":
        r = client.get("/tickets/overdue")
        return r.status_code, ref in r.get_data(as_text=True)
    if path == "csv_export":
        r = client.get("/tickets/export.csv")
        rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
        return r.status_code, ref in {row["ref"] for row in rows}
    if path == "timeline":
        r = client.get(f"/tickets/{ticket_id}")
        body = r.get_data(as_text=True)
        posted = client.post(f"/tickets/{ticket_id}/comment", data={"body": ""})
        # Invisible: the page is 404 and so is writing to its timeline.
        assert (posted.status_code == 404) is (r.status_code == 404)
        return r.status_code, "catatan-" in body
    if path == "duplicate_hints":
        r = client.get("/tickets/similar", query_string={"village_code": village, "category": "hoax"})
        return r.status_code, ref in r.get_data(as_text=True)
    raise AssertionError(path)


CASES = [(role, path, kind) for role in ROLES for path in PATHS for kind in SEES]


@pytest.mark.parametrize("role,path,kind", CASES, ids=["-".join(c) for c in CASES])
def test_scope_matrix(scene, clients, role, path, kind):
    status, visible = read(clients[role], path, scene[2][kind])
    expected = role in SEES[kind]
    assert visible is expected
    if path == "detail" or path == "timeline":
        assert status == (200 if expected else 404)
    else:
        assert status == 200


@pytest.mark.parametrize("role", ROLES)
def test_queue_and_list_counts_match_scope(scene, clients, role):
    expected = sum(role in seen for seen in SEES.values())
    for url in ("/tickets/overdue", "/tickets/"):
        body = clients[role].get(url).get_data(as_text=True)
        assert re.search(r"<small class=\"muted\">\((\d+)\)</small>", body).group(1) == str(expected), url


@pytest.mark.parametrize("role,expected", [("koramil", 2), ("kodim", 2), ("admin", 3), ("koramil_other", 0)])
def test_triage_queue_count_is_scoped(scene, clients, role, expected):
    body = clients[role].get("/tickets/triage").get_data(as_text=True)
    assert re.search(r"\((\d+)\)</small>", body).group(1) == str(expected)


def test_my_villages_counts_only_visible_open_tickets(scene, clients):
    """The Kemiri Babinsa does not count the sensitive ticket of his colleague."""
    def kemiri_card(role):
        body = clients[role].get("/visits/villages").get_data(as_text=True)
        return next(c for c in body.split('<li class="card village">')[1:] if c.lstrip().startswith("<h2>Kemiri"))

    assert "1 tiket terbuka" in kemiri_card("babinsa")
    assert "2 tiket terbuka" in kemiri_card("babinsa_same")
    assert "2 tiket terbuka" in kemiri_card("koramil")
