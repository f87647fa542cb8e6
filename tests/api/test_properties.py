"""Property: no body sent to POST /tickets or POST /tickets/<id>/transitions
gives a 500, and an answer in the 4xx range wrote nothing.

Bodies mix plausible values with arbitrary JSON of any type, at the top
level and in every field, plus raw bytes under JSON and non-JSON content
types.
"""
from datetime import date

import pytest
from hypothesis import HealthCheck, event, given, settings, strategies as st

from tests.plugins.world import GEDONG, JATEN, KEMIRI, WARU
from tracker.tickets.models import CATEGORIES, SEVERITIES
from tracker.tickets.services import ACTIONS

# Hypothesis: hundreds of requests per test.
pytestmark = pytest.mark.slow

# The world (users, tickets, tokens) is built once per test by function-scoped
# fixtures and deliberately shared by all examples: every example compares
# the tables before and after itself, so it does not need a fresh database.
PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
)

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)


@st.composite
def mutated(draw, plausible, required):
    """A body of plausible fields (optional ones sometimes left out), then up to
    three mutations: a field (known or not) replaced by any JSON value, or removed."""
    body = {name: draw(values) for name, values in plausible.items() if name in required or draw(st.booleans())}
    for _mutation in range(draw(st.sampled_from([0, 0, 0, 1, 1, 2, 3]))):
        name = draw(st.one_of(st.sampled_from(list(plausible)), st.text(max_size=8)))
        if draw(st.booleans()):
            body.pop(name, None)
        else:
            body[name] = draw(JSON)
    return body


def mostly(good, bad):
    """Plausible values with a few bad ones among them (about one in five)."""
    return st.sampled_from([True, True, True, True, False]).flatmap(lambda plausible: good if plausible else bad)


# Bad text: empty, too long, or what no database stores (NUL, a lone surrogate).
TEXT = mostly(st.text(min_size=1, max_size=40),
              st.one_of(st.sampled_from(["", "a\x00b", "\ud800"]), st.text(min_size=195, max_size=210)))
TICKET_BODY = mutated({
    "village_code": mostly(st.sampled_from([KEMIRI, "3313142005", WARU, JATEN, GEDONG]),
                           st.sampled_from(["33.13.14", "", "99.99.99.9999"])),
    "category": mostly(st.sampled_from(CATEGORIES), st.just("vote_count")),
    "severity": mostly(st.sampled_from(SEVERITIES), st.just("extreme")),
    "title": TEXT,
    "description": mostly(TEXT, st.sampled_from(["x" * 10_000, "x" * 10_001])),
    "occurred_on": mostly(st.dates(max_value=date(2026, 3, 10)).map(date.isoformat),
                          st.sampled_from(["2026-03-11", "2026-02-30", "10/03/2026", ""])),
    "visit_id": mostly(st.none(), st.sampled_from([0, -1, 999, 2**63, 2**80, "1"])),
    "sensitive": mostly(st.booleans(), st.sampled_from(["yes", "true", 1, None])),
    "parties": TEXT,
}, required={"village_code", "category", "severity", "title"})
TRANSITION_BODY = mutated({
    "action": mostly(st.sampled_from(list(ACTIONS)), st.sampled_from(["approve", "TRIAGE", ""])),
    "reason": TEXT,
    "version": mostly(st.none(), st.one_of(st.integers(min_value=-1, max_value=12),
                                           st.sampled_from([2**64, "1", True]))),
}, required={"action"})
RAW_BODY = st.tuples(st.binary(max_size=40), st.sampled_from(["application/json", "text/plain", None]))


def body_strategy(objects):
    """("json", value) for JSON bodies (objects or not), ("raw", bytes, content type) otherwise."""
    # Mostly objects shaped like the endpoint's input, so accepted answers are exercised too.
    return mostly(objects.map(lambda value: ("json", value)),
                  st.one_of(JSON.map(lambda value: ("json", value)), RAW_BODY.map(lambda raw: ("raw", *raw))))


def _send(world, who, url, body):
    headers = world.headers(who)
    if body[0] == "json":
        return world.client.post(url, json=body[1], headers=headers)
    _kind, data, content_type = body
    return world.client.post(url, data=data, content_type=content_type, headers=headers)


@PROPERTY_SETTINGS
@given(who=st.sampled_from(["babinsa", "babinsa_jaten", "koramil", "kodim", "admin"]),
       body=body_strategy(TICKET_BODY))
def test_creating_tickets_never_fails_and_rejections_write_nothing(world, table_counts, who, body):
    before = table_counts()
    response = _send(world, who, "/api/v1/tickets", body)
    event(f"status {response.status_code}")
    assert response.status_code in (201, 403, 422), response.get_data(as_text=True)
    after = table_counts()
    if response.status_code == 201:
        assert after["Ticket"] == before["Ticket"] + 1
    else:
        assert after == before
        assert set(response.get_json()) == ({"errors"} if response.status_code == 422 else {"error"})


# Kemiri tickets are walked to these statuses before the first example, so
# actions are tried from every status (examples move them further).
STATUS_PATHS = {
    "new": [],
    "triaged": [("triage", "")],
    "in_progress": [("start", "")],
    "escalated": [("escalate", "Butuh Kodim")],
    "resolved": [("start", ""), ("resolve", "Selesai")],
    "closed": [("start", ""), ("resolve", "Selesai"), ("close", "")],
    "rejected": [("reject", "Duplikat")],
}


@PROPERTY_SETTINGS
@given(who=st.sampled_from(["babinsa", "babinsa_same_village", "koramil", "koramil", "kodim", "kodim",
                            "koramil_jaten"]),
       target=st.sampled_from([*STATUS_PATHS, *STATUS_PATHS, "sensitive", "gedong", "missing"]),
       body=body_strategy(TRANSITION_BODY))
def test_transitions_never_fail_and_rejections_change_nothing(db, world, table_counts, who, target, body):
    from tracker.tickets.models import Ticket
    from tracker.tickets.services import transition

    tickets = world.tickets
    if not tickets:
        for status, steps in STATUS_PATHS.items():
            tickets[status] = world.open_ticket("babinsa", village_code=KEMIRI)
            for action, reason in steps:
                transition(world.users["kodim"], db.session.get(Ticket, tickets[status]), action, reason)
            db.session.commit()
        tickets["sensitive"] = world.open_ticket("babinsa", village_code=KEMIRI, sensitive=True)
        tickets["gedong"] = world.open_ticket("babinsa_gedong", village_code=GEDONG)
        tickets["missing"] = 10**6

    def state():
        row = db.session.get(Ticket, tickets[target])
        return (row.status, row.level, row.version) if row else None

    before, before_state = table_counts(), state()
    response = _send(world, who, f"/api/v1/tickets/{tickets[target]}/transitions", body)
    event(f"status {response.status_code}")
    assert response.status_code in (200, 403, 404, 409, 422), response.get_data(as_text=True)
    after, after_state = table_counts(), state()
    if response.status_code == 200:
        assert after["TicketEvent"] == before["TicketEvent"] + 1
        assert after_state[2] == before_state[2] + 1
    else:
        assert after == before and after_state == before_state
