"""The key store: a replay answers the first answer, another request under the key is refused with 409,
keys are per user, refused requests do not use their key up, and keys are kept at least 7 days."""
import json
import threading
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import func, select

from tracker.errors import Conflict, ValidationError
from tracker.extensions import db
from tracker.idempotency import services
from tracker.idempotency.models import IdempotencyKey
from tracker.idempotency.services import Answer, claim, fingerprint, purge_expired_keys, validate_key

KEY = "0b8f3c52-7d0e-4a59-9f5e-2a0f9d6c1e11"
PRINT = fingerprint("POST", "/api/v1/tickets", body={"title": "Hoaks", "severity": "low"})
BODY = {"id": 41, "ref": "0727-2026-000041"}


def key_rows():
    return db.session.scalar(select(func.count()).select_from(IdempotencyKey))


@pytest.mark.parametrize("key", ["a", KEY, "x" * 100, "order 17/b #3 ~ok", "!~"])
def test_keys_of_1_to_100_printable_ascii_characters_are_accepted(key):
    assert validate_key(key, "Idempotency-Key") == key


@pytest.mark.parametrize("key", ["", "x" * 101, "kunci-é", "tab\tkey", "nul\x00", "del\x7f", "ключ"])
def test_other_keys_are_refused_naming_the_field(app, key):
    with pytest.raises(ValidationError) as refused:
        validate_key(key, "Idempotency-Key")
    assert list(refused.value.errors) == ["Idempotency-Key"]


def test_no_key_means_no_idempotency():
    assert validate_key(None, "Idempotency-Key") is None


def test_the_fingerprint_ignores_key_order_but_not_content_path_or_files():
    same = fingerprint("POST", "/api/v1/tickets", body={"severity": "low", "title": "Hoaks"})
    assert same == PRINT
    assert fingerprint("POST", "/api/v1/tickets", body={"title": "Hoaks", "severity": "high"}) != PRINT
    assert fingerprint("POST", "/api/v1/visits", body={"title": "Hoaks", "severity": "low"}) != PRINT
    fields = [("title", "Hoaks"), ("problems-0-title", "A"), ("problems-1-title", "B")]
    form = fingerprint("POST", "/tickets/new", fields=fields, files=[("photos", "aa"), ("photos", "bb")])
    assert form == fingerprint("POST", "/tickets/new", fields=list(reversed(fields)),
                               files=[("photos", "aa"), ("photos", "bb")])
    assert form != fingerprint("POST", "/tickets/new", fields=fields, files=[("photos", "aa"), ("photos", "cc")])
    assert form != fingerprint("POST", "/tickets/new", fields=fields, files=[("photos", "bb"), ("photos", "aa")])


def test_the_request_fingerprint_skips_the_csrf_token_and_the_key_and_reads_file_contents(app):
    import io

    def print_of(csrf, key, photo, filename):
        data = {"title": "Hoaks", "csrf_token": csrf, "client_key": key, "photos": (io.BytesIO(photo), filename)}
        with app.test_request_context("/tickets/new", method="POST", data=data, content_type="multipart/form-data"):
            return services.request_fingerprint()

    first = print_of("token-1", KEY, b"photo bytes", "a.jpg")
    assert print_of("token-2", "other", b"photo bytes", "renamed.jpg") == first
    assert print_of("token-1", KEY, b"other bytes", "a.jpg") != first


def test_a_replay_with_the_same_key_and_request_answers_the_first_answer(world):
    first = claim(world.babinsa, KEY, "api.create_ticket_view", PRINT)
    assert first.answer is None
    first.save(201, BODY, kind="ticket", resource_id=41)
    db.session.commit()

    replay = claim(world.babinsa, KEY, "api.create_ticket_view", PRINT)
    assert replay.answer == Answer(201, BODY, "ticket", 41)
    assert key_rows() == 1


def test_the_same_key_with_another_request_is_a_conflict_and_changes_nothing(world):
    claim(world.babinsa, KEY, "api.create_ticket_view", PRINT).save(201, BODY, kind="ticket", resource_id=41)
    db.session.commit()
    other = fingerprint("POST", "/api/v1/tickets", body={"title": "Something else"})
    with pytest.raises(Conflict):
        claim(world.babinsa, KEY, "api.create_ticket_view", other)
    db.session.rollback()
    row = db.session.execute(select(IdempotencyKey)).scalar_one()
    assert (row.fingerprint, row.status, json.loads(row.body)) == (PRINT, 201, BODY)


def test_another_users_same_key_is_independent(world):
    claim(world.babinsa, KEY, "api.create_ticket_view", PRINT).save(201, BODY, kind="ticket", resource_id=41)
    other_print = fingerprint("POST", "/api/v1/tickets", body={"title": "Koramil's own"})
    theirs = claim(world.koramil, KEY, "api.create_ticket_view", other_print)
    assert theirs.answer is None
    theirs.save(201, {"id": 42}, kind="ticket", resource_id=42)
    db.session.commit()
    assert key_rows() == 2
    assert claim(world.koramil, KEY, "api.create_ticket_view", other_print).answer.body == {"id": 42}


def test_a_refused_request_rolls_its_claim_back_so_the_key_can_be_sent_again(world):
    assert claim(world.babinsa, KEY, "api.create_ticket_view", PRINT).answer is None
    db.session.rollback()  # the service refused the request (422): the view rolls back
    corrected = fingerprint("POST", "/api/v1/tickets", body={"title": "Hoaks", "severity": "medium"})
    again = claim(world.babinsa, KEY, "api.create_ticket_view", corrected)
    assert again.answer is None
    again.save(201, BODY)
    db.session.commit()
    assert key_rows() == 1


def test_without_a_key_nothing_is_stored(world):
    unkeyed = claim(world.babinsa, None, "api.create_ticket_view", PRINT)
    assert unkeyed.answer is None
    assert unkeyed.save(201, BODY) == Answer(201, BODY)
    db.session.commit()
    assert key_rows() == 0


def test_a_key_committed_without_an_answer_is_not_replayed_as_nothing(world):
    claim(world.babinsa, KEY, "api.create_ticket_view", PRINT)
    db.session.commit()
    with pytest.raises(Conflict):
        claim(world.babinsa, KEY, "api.create_ticket_view", PRINT)


def test_keys_are_kept_seven_days_then_purged(app, world):
    now = datetime(2026, 3, 10, 2, 0, tzinfo=timezone.utc)
    for age, key in ((timedelta(days=7, seconds=1), "old"), (timedelta(days=6, hours=23), "recent"),
                     (timedelta(0), "new")):
        with time_machine.travel(now - age, tick=False):
            claim(world.babinsa, key, "api.create_ticket_view", PRINT).save(201, BODY)
    db.session.commit()

    assert purge_expired_keys(now=now) == 1
    db.session.commit()
    assert set(db.session.execute(select(IdempotencyKey.key)).scalars()) == {"recent", "new"}
    assert claim(world.babinsa, "recent", "api.create_ticket_view", PRINT).answer.body == BODY


def test_the_keep_days_setting_can_lengthen_but_never_shorten_the_week(app, world):
    now = datetime(2026, 3, 10, 2, 0, tzinfo=timezone.utc)
    with time_machine.travel(now - timedelta(days=10), tick=False):
        claim(world.babinsa, "ten-days", "api.create_ticket_view", PRINT).save(201, BODY)
    db.session.commit()
    app.config["IDEMPOTENCY_KEEP_DAYS"] = 30
    assert purge_expired_keys(now=now) == 0
    app.config["IDEMPOTENCY_KEEP_DAYS"] = 1
    assert purge_expired_keys(now=now - timedelta(days=4)) == 0  # 6 days old then: kept despite "1"
    assert purge_expired_keys(now=now) == 1


def test_a_replay_answers_json_to_json_callers_and_redirects_a_plain_form_post(app):
    answer = Answer(201, {"ok": True, "kind": "ticket", "id": 5, "url": "/tickets/5"}, "ticket", 5)
    with app.test_request_context("/tickets/new", method="POST", headers={"Accept": "application/json"}):
        body, status = services.replay_response(answer)
        assert (status, body.get_json()) == (201, answer.body)
    with app.test_request_context("/tickets/new", method="POST", headers={"Accept": "text/html"}):
        response = services.replay_response(answer)
        assert response.status_code == 302 and response.headers["Location"] == "/tickets/5"


@pytest.mark.real_commits
def test_two_identical_requests_at_once_make_one_record_and_the_same_answer(app, world):
    """The unique (user, key) decides the race; the loser answers what the winner stored."""
    from tracker.auth.models import User

    user_id, barrier, results, errors = world.babinsa.id, threading.Barrier(2), [None, None], []

    def request(index):
        with app.app_context():
            try:
                user = db.session.get(User, user_id)
                barrier.wait()
                claimed = claim(user, KEY, "api.create_ticket_view", PRINT)
                if claimed.answer is None:
                    answer = claimed.save(201, {"id": 100 + index, "winner": index})
                    threading.Event().wait(0.2)  # hold the key while the other request arrives
                    db.session.commit()
                    results[index] = ("did the work", answer)
                else:
                    results[index] = ("replayed", claimed.answer)
            except Exception as error:  # reported below
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=request, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
    assert sorted(outcome for outcome, _answer in results) == ["did the work", "replayed"]
    assert results[0][1].body == results[1][1].body
    db.session.expire_all()
    assert key_rows() == 1
