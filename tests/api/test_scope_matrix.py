"""Role x API read path x scope case: who sees which ticket.

Cases (tests/api/conftest.py scoped_world): a ticket in the caller's
village or area ("in_scope"), a sensitive ticket in the same village by the
Kemiri Babinsa ("sensitive"), one in another kecamatan of the kabupaten and
one in another kabupaten. A hidden ticket is absent from every list, search,
filter and count, and answers 404 on detail and events.
"""
import pytest

V, H = True, False  # visible, hidden

# viewer: (in_scope, sensitive, other_kecamatan, other_kabupaten)
EXPECTED = {
    "babinsa": (V, V, H, H),                # the reporter of the sensitive ticket
    "babinsa_same_village": (V, H, H, H),   # another Babinsa of the same village
    "babinsa_jaten": (H, H, V, H),
    "koramil": (V, V, H, H),
    "koramil_jaten": (H, H, V, H),
    "kodim": (V, V, V, H),
    "kodim_wonogiri": (H, H, H, V),
    "admin": (V, V, V, V),
}
CASES = ("in_scope", "sensitive", "other_kecamatan", "other_kabupaten")
# The unique word in each case's title and its category (tests/api/conftest.py).
WORDS = {"in_scope": "alpha", "sensitive": "BRAVO", "other_kecamatan": "Charlie", "other_kabupaten": "delta"}
CATEGORY = {"in_scope": "hoax", "sensitive": "identity_politics", "other_kecamatan": "land_dispute",
            "other_kabupaten": "crime"}
VILLAGE = {"in_scope": "33.13.14.2005", "sensitive": "33.13.14.2005", "other_kecamatan": "33.13.11.2003",
           "other_kabupaten": "33.12.01.2001"}

def _ids(response):
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    return {item["id"] for item in body["items"]}, body["total"]


def _read(world, who, path, case):
    """Whether ``who`` sees the case's ticket through one read path."""
    ticket_id = world.tickets[case]
    if path == "detail":
        response = world.get(who, f"/api/v1/tickets/{ticket_id}")
    elif path == "events":
        response = world.get(who, f"/api/v1/tickets/{ticket_id}/events")
    else:
        query = {
            "list": {"per_page": "100"},
            "search": {"q": WORDS[case]},
            "filter": {"category": CATEGORY[case], "village_code": VILLAGE[case], "status": "new"},
        }[path]
        ids, _total = _ids(world.get(who, "/api/v1/tickets", query_string=query))
        return ticket_id in ids
    assert response.status_code in (200, 404)
    if response.status_code == 404:
        assert set(response.get_json()) == {"error"}
    return response.status_code == 200


def _expected(who):
    return dict(zip(CASES, EXPECTED[who]))


@pytest.mark.parametrize("path", ["list", "detail", "events", "search", "filter"])
@pytest.mark.parametrize("who", EXPECTED)
def test_read_paths_follow_the_scope(scoped_world, who, path):
    """Each case (in scope, sensitive, other kecamatan, other kabupaten) through one read path."""
    seen = {case: _read(scoped_world, who, path, case) for case in CASES}
    assert seen == _expected(who)


@pytest.mark.parametrize("who", EXPECTED)
def test_counts_follow_the_scope(scoped_world, who):
    """``total`` counts only what the caller may see, for a text search and for a filter."""
    for case, visible in _expected(who).items():
        for query in ({"q": WORDS[case]}, {"category": CATEGORY[case]}):
            _ids_, total = _ids(scoped_world.get(who, "/api/v1/tickets", query_string=query))
            assert total == (1 if visible else 0), (case, query)


@pytest.mark.parametrize("who", EXPECTED)
def test_the_unfiltered_total_is_the_number_of_visible_tickets(scoped_world, who):
    ids, total = _ids(scoped_world.get(who, "/api/v1/tickets"))
    expected = {scoped_world.tickets[case] for i, case in enumerate(CASES) if EXPECTED[who][i]}
    assert ids == expected and total == len(expected)


def test_a_reassigned_babinsa_sees_his_new_village_on_the_next_request(db, scoped_world):
    from tracker.auth.services import assign_villages

    assert _read(scoped_world, "babinsa_jaten", "detail", "in_scope") is False
    user = scoped_world.users["babinsa_jaten"]
    user.unit = scoped_world.users["koramil"].unit
    assign_villages(user, ["33.13.14.2005"], replace=True)
    db.session.commit()
    # The area change revoked his token (issue 13); his next request uses a new one.
    stale = scoped_world._headers.pop("babinsa_jaten")
    assert scoped_world.client.get("/api/v1/tickets", headers=stale).status_code == 401
    assert _read(scoped_world, "babinsa_jaten", "detail", "in_scope") is True
    assert _read(scoped_world, "babinsa_jaten", "detail", "sensitive") is False
