"""Rejecting a duplicate over the API (issue 14): ``duplicate_of`` in the transition body and the ticket JSON.

The API takes the rejection at once (no confirmation step, unlike the web
page). A refused original answers 422 under ``duplicate_of`` and writes
nothing.
"""
import pytest
from sqlalchemy import select

from tests.plugins.world import JATEN, KEMIRI, WARU
from tracker.tickets.models import Ticket, TicketEvent


def transitions(ticket_id):
    return f"/api/v1/tickets/{ticket_id}/transitions"


def events(world, who, ticket_id):
    return [(e["kind"], e["to"]) for e in world.get(who, f"/api/v1/tickets/{ticket_id}/events").get_json()["items"]]


def state(db):
    """Every ticket's (id, status, duplicate_of_id, version) and every event: what a refusal must not change."""
    db.session.expire_all()
    return (db.session.execute(select(Ticket.id, Ticket.status, Ticket.duplicate_of_id, Ticket.version)
                               .order_by(Ticket.id)).all(),
            db.session.execute(select(TicketEvent.id).order_by(TicketEvent.id)).scalars().all())


@pytest.fixture
def pair(world):
    original = world.open_ticket("babinsa", village_code=KEMIRI, title="Pesan berantai bantuan")
    repeat = world.open_ticket("babinsa_same_village", village_code=KEMIRI, title="Pesan berantai bantuan sosial")
    return original, repeat


def ref_of(db, ticket_id):
    return db.session.get(Ticket, ticket_id).ref


@pytest.mark.parametrize("by", ["id", "ref"])
def test_a_rejection_names_its_original_by_id_or_reference(db, world, pair, by):
    original, repeat = pair
    original_ref, repeat_ref = ref_of(db, original), ref_of(db, repeat)
    value = original if by == "id" else original_ref
    response = world.post("koramil", transitions(repeat), {"action": "reject", "duplicate_of": value, "version": 1})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["status"], body["duplicate_of"], body["version"]) == ("rejected", original, 2)
    assert world.get("koramil", f"/api/v1/tickets/{original}").get_json()["duplicate_of"] is None
    assert events(world, "koramil", repeat)[1:] == [("status", "rejected"), ("duplicate_of", original_ref)]
    assert events(world, "koramil", original)[1:] == [("has_duplicate", repeat_ref)]
    listed = {t["id"]: t["duplicate_of"] for t in world.get("koramil", "/api/v1/tickets").get_json()["items"]}
    assert listed == {original: None, repeat: original}


def test_a_plain_rejection_still_needs_a_reason_and_links_nothing(db, world, pair):
    _original, repeat = pair
    assert "reason" in world.post("koramil", transitions(repeat), {"action": "reject"}).get_json()["errors"]
    body = world.post("koramil", transitions(repeat), {"action": "reject", "reason": "Laporan palsu"}).get_json()
    assert (body["status"], body["duplicate_of"]) == ("rejected", None)


def test_the_reason_of_a_duplicate_rejection_is_kept_when_given(world, pair):
    original, repeat = pair
    world.post("koramil", transitions(repeat), {"action": "reject", "duplicate_of": original, "reason": "Sama"})
    [status] = [e for e in world.get("koramil", f"/api/v1/tickets/{repeat}/events").get_json()["items"]
                if e["kind"] == "status"]
    assert status["reason"] == "Sama"


def refusal(db, world, case, original, repeat):
    """(duplicate_of value, the message's words, in the default Indonesian) for each refusal case."""
    if case == "itself":
        return repeat, "Tiket tidak dapat menjadi duplikat dirinya sendiri."
    if case == "other_village":
        waru = world.open_ticket("babinsa_same_village", village_code=WARU)
        return waru, f"{ref_of(db, waru)} ada di desa lain (Waru): pilih tiket dari Kemiri."
    if case == "invisible":
        jaten = world.open_ticket("babinsa_jaten", village_code=JATEN)
        return jaten, f"Tidak ada tiket #{jaten} yang dapat Anda lihat."
    if case == "missing":
        return 424242, "Tidak ada tiket #424242 yang dapat Anda lihat."
    if case == "missing_ref":
        return "0727-2026-999999", "Tidak ada tiket 0727-2026-999999 yang dapat Anda lihat."
    if case == "a_duplicate":
        first = world.open_ticket("babinsa", village_code=KEMIRI)
        assert world.post("koramil", transitions(original), {"action": "reject", "duplicate_of": first}).status_code == 200
        return original, "sendiri adalah duplikat: pilih tiket aslinya."
    if case == "an_original":
        later = world.open_ticket("babinsa", village_code=KEMIRI)
        assert world.post("koramil", transitions(later), {"action": "reject", "duplicate_of": repeat}).status_code == 200
        return original, "Tiket lain sudah menjadi duplikat tiket ini: tiket ini tetap menjadi aslinya."
    if case == "rejected":
        assert world.post("koramil", transitions(original), {"action": "reject", "reason": "x"}).status_code == 200
        return original, "sudah ditolak: pilih tiket yang masih berlaku."
    raise AssertionError(case)


@pytest.mark.parametrize("case", ["itself", "other_village", "invisible", "missing", "missing_ref", "a_duplicate",
                                  "an_original", "rejected"])
def test_a_refused_original_answers_422_under_duplicate_of_and_writes_nothing(db, world, pair, case):
    original, repeat = pair
    value, words = refusal(db, world, case, original, repeat)
    before = state(db)
    response = world.post("koramil", transitions(repeat), {"action": "reject", "duplicate_of": value})
    assert response.status_code == 422
    [message] = response.get_json()["errors"]["duplicate_of"]
    assert words in message
    assert state(db) == before


def test_an_invisible_ticket_and_a_missing_one_answer_alike(db, world, pair):
    _original, repeat = pair
    sensitive = world.open_ticket("babinsa", village_code=KEMIRI, sensitive=True)
    jaten = world.open_ticket("babinsa_jaten", village_code=JATEN)
    answers = {}
    for value in (jaten, 424242):
        answers[value] = world.post("koramil", transitions(repeat), {"action": "reject", "duplicate_of": value})
    assert {r.status_code for r in answers.values()} == {422}
    assert answers[jaten].get_json()["errors"]["duplicate_of"][0].replace(f"#{jaten}", "#N") == \
        answers[424242].get_json()["errors"]["duplicate_of"][0].replace("#424242", "#N")
    # The Koramil sees sensitive tickets of his area: that one is a valid original.
    assert world.post("koramil", transitions(repeat), {"action": "reject", "duplicate_of": sensitive}).status_code == 200


@pytest.mark.parametrize("value", [True, 1.5, [1], {"id": 1}, 0, -3, 2**63, "x" * 41, "a\x00b"])
def test_a_bad_duplicate_of_is_422_naming_it(db, world, pair, value):
    _original, repeat = pair
    before = state(db)
    response = world.post("koramil", transitions(repeat), {"action": "reject", "duplicate_of": value})
    assert response.status_code == 422
    assert "duplicate_of" in response.get_json()["errors"]
    assert state(db) == before


def test_only_a_rejection_names_an_original(db, world, pair):
    original, repeat = pair
    before = state(db)
    response = world.post("koramil", transitions(repeat), {"action": "triage", "duplicate_of": original})
    assert response.status_code == 422 and "duplicate_of" in response.get_json()["errors"]
    assert state(db) == before


def test_a_role_that_may_not_reject_gets_403_before_the_original_is_looked_at(db, world, pair):
    original, repeat = pair
    before = state(db)
    response = world.post("babinsa", transitions(repeat), {"action": "reject", "duplicate_of": original})
    assert response.status_code == 403
    assert state(db) == before


def test_a_babinsa_is_not_told_the_id_of_a_sensitive_original_he_may_not_see(world):
    sensitive = world.open_ticket("babinsa_same_village", village_code=KEMIRI, sensitive=True)
    repeat = world.open_ticket("babinsa", village_code=KEMIRI)
    assert world.post("koramil", transitions(repeat), {"action": "reject", "duplicate_of": sensitive}).status_code == 200
    assert world.get("koramil", f"/api/v1/tickets/{repeat}").get_json()["duplicate_of"] == sensitive
    assert world.get("babinsa", f"/api/v1/tickets/{repeat}").get_json()["duplicate_of"] is None
    listed = {t["id"]: t["duplicate_of"] for t in world.get("babinsa", "/api/v1/tickets").get_json()["items"]}
    assert listed == {repeat: None}


def test_the_list_reads_the_originals_in_one_query_whatever_the_page_holds(world, count_queries):
    originals = [world.open_ticket("babinsa", village_code=KEMIRI, title=f"asli {n}") for n in range(2)]
    repeat = world.open_ticket("babinsa", village_code=KEMIRI)
    world.post("koramil", transitions(repeat), {"action": "reject", "duplicate_of": originals[0]})
    world.get("koramil", "/api/v1/tickets")
    with count_queries() as few:
        world.get("koramil", "/api/v1/tickets")
    for n in range(4):
        extra = world.open_ticket("babinsa", village_code=KEMIRI)
        world.post("koramil", transitions(extra), {"action": "reject", "duplicate_of": originals[n % 2]})
    with count_queries() as many:
        items = world.get("koramil", "/api/v1/tickets").get_json()["items"]
    assert sum(1 for t in items if t["duplicate_of"]) == 5
    assert len(many) == len(few)
