"""The audit log: what is recorded (logins, sessions, tokens, users, elections, exports), never a secret,
append-only, kept AUDIT_RETENTION_DAYS; the admin page and ``flask audit list`` filter it."""
import json
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, select

from tests.plugins.world import DEMO_PASSWORD, KEMIRI
from tracker.audit.models import AppendOnly, AuditEvent
from tracker.audit.services import purge_expired, record
from tracker.auth.models import LoginFailure, UserSession
from tracker.digests.jobs import run_digests
from tracker.elections.services import create_election, edit_election, remove_election
from tracker.timeutil import as_utc

START = datetime(2026, 3, 1, 2, 0, tzinfo=timezone.utc)
SECRET = "Sup3r-secret-password"


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


@pytest.fixture
def log(db, world):
    """Function: the audit events (of a kind), oldest first; the log starts empty (the world's own aside)."""
    db.session.execute(delete(AuditEvent))
    db.session.commit()

    def events(kind=None):
        db.session.expire_all()
        stmt = select(AuditEvent).order_by(AuditEvent.id)
        if kind:
            stmt = stmt.where(AuditEvent.kind == kind)
        return db.session.execute(stmt).scalars().all()

    return events


def _login(app, username, password=DEMO_PASSWORD, address="10.0.0.1"):
    browser = app.test_client()
    response = browser.post("/login", data={"username": username, "password": password},
                            environ_base={"REMOTE_ADDR": address})
    return browser, response


def _kinds(log):
    return [event.kind for event in log()]


def test_logins_are_recorded_with_the_account_and_address(app, db, world, clock, log):
    _login(app, "babinsa", address="10.0.0.9")
    _login(app, "babinsa", password="wrong", address="10.0.0.9")
    succeeded, failed = log("login.succeeded"), log("login.failed")
    assert [(e.user_id, e.actor_id, e.address, e.detail) for e in succeeded] == [
        (world.babinsa.id, world.babinsa.id, "10.0.0.9", {"via": "web"})]
    assert [(e.user_id, e.address, e.detail) for e in failed] == [
        (world.babinsa.id, "10.0.0.9", {"via": "web", "now_locked": False})]
    assert as_utc(succeeded[0].at) == START


def test_a_username_that_is_no_users_is_not_stored(app, db, world, clock, log):
    _login(app, SECRET)
    [event] = log("login.failed")
    assert event.user_id is None and event.actor_id is None
    assert SECRET not in json.dumps(event.detail)


def test_a_lock_and_the_logins_it_refuses_are_recorded(app, db, world, clock, log):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        _login(app, "babinsa", password="wrong")
    _login(app, "babinsa")
    failed = log("login.failed")
    assert [e.detail["now_locked"] for e in failed] == [False] * 4 + [True]
    [locked] = log("login.locked")
    assert locked.user_id == world.babinsa.id
    assert log("login.succeeded") == []


def test_api_logins_and_tokens_are_recorded(app, db, world, clock, log):
    client = app.test_client()
    token = client.post("/api/v1/auth/tokens", json={"username": "babinsa", "password": DEMO_PASSWORD}).get_json()
    client.delete("/api/v1/auth/tokens/current", headers={"Authorization": f"Bearer {token['token']}"})
    assert _kinds(log) == ["login.succeeded", "token.created", "token.revoked"]
    login, created, revoked = log()
    assert login.detail == {"via": "api"}
    assert created.user_id == created.actor_id == world.babinsa.id
    assert revoked.detail["reason"] == "revoked" and revoked.detail["token_id"] == created.detail["token_id"]


def test_logout_and_ended_sessions_are_recorded(app, db, world, clock, log):
    phone, _ = _login(app, "babinsa")
    laptop, _ = _login(app, "babinsa")
    other, _ = _login(app, "babinsa")
    other.post("/settings/sessions/end-others")
    [ended] = log("session.ended")
    assert (ended.user_id, ended.actor_id, ended.detail) == (
        world.babinsa.id, world.babinsa.id, {"count": 2, "reason": "user"})
    other.post("/logout")
    [logout] = log("logout")
    assert logout.user_id == logout.actor_id == world.babinsa.id


def test_an_admin_signing_a_user_out_is_recorded_with_the_admin_as_actor(app, db, world, clock, log):
    _login(app, "babinsa")
    app.test_client().post("/api/v1/auth/tokens", json={"username": "babinsa", "password": DEMO_PASSWORD})
    admin, _ = _login(app, "admin")
    admin.post(f"/admin/users/{world.babinsa.id}/sessions/end")
    ended, revoked = log("session.ended"), log("token.revoked")
    assert [(e.user_id, e.actor_id, e.detail) for e in ended] == [
        (world.babinsa.id, world.admin.id, {"count": 1, "reason": "admin"})]
    assert [(e.user_id, e.actor_id, e.detail) for e in revoked] == [
        (world.babinsa.id, world.admin.id, {"count": 1, "reason": "admin"})]


def _edit_form(user, **overrides):
    form = {"full_name": user.full_name, "rank": user.rank or "", "nrp": user.nrp or "", "role": user.role,
            "unit_id": str(user.unit_id or 0), "email": user.email or "", "locale": user.locale,
            "villages": "\n".join(user.village_codes), "is_active": "y", "password": ""}
    form.update(overrides)
    return form


def test_user_changes_by_the_admin_page_are_recorded(app, db, world, clock, log):
    admin, _ = _login(app, "admin")
    before = len(log())
    babinsa = world.babinsa
    admin.post(f"/admin/users/{babinsa.id}", data=_edit_form(babinsa, rank="Sertu", villages=KEMIRI,
                                                               password=SECRET))
    events = log()[before:]
    assert [e.kind for e in events] == ["user.changed", "user.area_changed", "user.password_changed"]
    assert all(e.user_id == babinsa.id and e.actor_id == world.admin.id for e in events)
    assert events[0].detail == {"fields": ["rank"]}
    assert events[1].detail == {"villages_from": ["33.13.14.2005", "33.13.14.2006"], "villages_to": [KEMIRI]}
    admin.post(f"/admin/users/{babinsa.id}", data=_edit_form(babinsa, role="koramil", villages=""))
    [role] = log("user.role_changed")
    assert role.detail == {"from": "babinsa", "to": "koramil"}
    form = _edit_form(world.koramil)
    del form["is_active"]
    admin.post(f"/admin/users/{world.koramil.id}", data=form)
    [deactivated] = log("user.deactivated")
    assert deactivated.user_id == world.koramil.id


def test_user_creation_and_cli_changes_are_recorded_without_an_actor(app, db, world, cli, log):
    cli("users", "create", "--username", "op2", "--role", "admin", "--password-stdin", input=f"{SECRET}\n")
    cli("users", "set-password", "babinsa", "--password-stdin", input=f"{SECRET}\n")
    cli("users", "deactivate", "babinsa_waru")
    created, password, deactivated = (log(kind)[-1] for kind in
                                      ("user.created", "user.password_changed", "user.deactivated"))
    assert created.detail == {"role": "admin", "unit_id": None} and created.user.username == "op2"
    assert password.user_id == world.babinsa.id and deactivated.user_id == world.babinsa_waru.id
    assert {created.actor_id, password.actor_id, deactivated.actor_id, created.address} == {None}


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def invoke(*args, input=None):
        result = runner.invoke(args=list(args), input=input)
        assert result.exit_code == 0, result.output
        return result

    return invoke


def test_election_changes_are_recorded_with_their_actor(db, world, log):
    election = create_election(world.admin, kind="pilkades", name="Pilkades Kemiri", voting_on=date(2026, 10, 4),
                               scope={"villages": [KEMIRI]})
    edit_election(world.admin, election, name="Pilkades Kemiri 2026")
    remove_election(None, election)
    created, changed, removed = (log(kind) for kind in ("election.created", "election.changed",
                                                                "election.removed"))
    assert [(e.actor_id, e.detail) for e in created] == [
        (world.admin.id, {"election_id": election.id, "name": "Pilkades Kemiri"})]
    assert [(e.actor_id, e.detail["name"]) for e in changed] == [(world.admin.id, "Pilkades Kemiri 2026")]
    assert [e.actor_id for e in removed] == [None]


def test_an_export_download_is_recorded_with_who_the_filter_and_the_rows(app, db, world, make_ticket, web, log):
    for _ in range(3):
        make_ticket(world.babinsa)
    koramil = web(world.koramil)
    response = koramil.get("/tickets/export.csv?status=new&severity=medium&page=2")
    assert response.status_code == 200
    lines = response.get_data(as_text=True).strip().splitlines()
    [event] = log("export.downloaded")
    assert event.actor_id == world.koramil.id
    assert event.detail == {"filter": {"status": "new", "severity": "medium"}, "rows": 3, "complete": True}
    assert len(lines) == 4


def test_no_password_token_or_hash_reaches_the_log(app, db, world, clock, log):
    """Every flow that handles a secret, then a grep of the whole log."""
    admin, _ = _login(app, "admin")
    admin.post("/admin/users/new", data={
        "username": "baru", "full_name": "Baru", "role": "admin", "unit_id": "0", "locale": "id",
        "password": SECRET, "villages": ""})
    admin.post(f"/admin/users/{world.koramil.id}", data=_edit_form(world.koramil, password=SECRET + "2"))
    _login(app, "baru", password="wrong-" + SECRET)
    _login(app, SECRET)
    client = app.test_client()
    token = client.post("/api/v1/auth/tokens", json={"username": "baru", "password": SECRET}).get_json()["token"]
    client.delete("/api/v1/auth/tokens/current", headers={"Authorization": f"Bearer {token}"})
    db.session.expire_all()
    secrets = [SECRET, token, world.koramil.password_hash]
    secrets += [row.key_hash for row in db.session.execute(select(UserSession)).scalars()]
    text = json.dumps([(e.kind, e.address, e.detail) for e in log()])
    assert len(log()) >= 8
    assert not [secret for secret in secrets if secret in text]
    assert "argon2" not in text


@pytest.mark.parametrize("key", ["password", "token", "password_hash", "key_hash"])
def test_record_refuses_a_detail_named_like_a_secret(app, world, key):
    with pytest.raises(ValueError):
        record("user.changed", user=world.babinsa, detail={key: "x"})


def test_events_cannot_be_changed_or_deleted_one_by_one(db, world):
    event = record("user.changed", user=world.babinsa, detail={"fields": ["rank"]})
    db.session.commit()
    event.kind = "logout"
    with pytest.raises(AppendOnly):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEvent, event.id))
    with pytest.raises(AppendOnly):
        db.session.flush()
    db.session.rollback()


def test_the_daily_job_forgets_old_events_ended_sessions_and_stale_counts(app, db, world, clock, log):
    assert app.config["AUDIT_RETENTION_DAYS"] == 400
    _login(app, "babinsa", password="wrong")
    _login(app, "babinsa")
    later = START + timedelta(days=400)
    clock.move_to(later, tick=False)
    _login(app, "koramil")
    run_digests(later + timedelta(seconds=1))
    db.session.commit()
    assert [e.kind for e in log()] == ["login.succeeded"]
    assert [s.user_id for s in db.session.execute(select(UserSession)).scalars()] == [world.koramil.id]
    assert db.session.execute(select(LoginFailure)).all() == []
    assert purge_expired(later + timedelta(seconds=1)) == {"audit events": 0, "sessions": 0,
                                                          "login failure counts": 0}


def test_the_purge_keeps_what_is_younger_than_its_limits(app, db, world, clock, log):
    _login(app, "babinsa", password="wrong")
    _login(app, "babinsa")
    assert purge_expired(START + timedelta(days=14) - timedelta(seconds=1)) == {
        "audit events": 0, "sessions": 0, "login failure counts": 1}
    assert purge_expired(START + timedelta(days=400)) == {"audit events": 0, "sessions": 1,
                                                          "login failure counts": 0}
    assert purge_expired(START + timedelta(days=400, seconds=1)) == {"audit events": 2, "sessions": 0,
                                                                     "login failure counts": 0}


@pytest.fixture
def admin_page(app, db, world, clock, log):
    """An admin's browser, with a few days of events behind it."""
    for day, username, password in ((0, "babinsa", "wrong"), (1, "babinsa", DEMO_PASSWORD),
                                    (2, "koramil", DEMO_PASSWORD), (3, "admin", DEMO_PASSWORD)):
        clock.move_to(START + timedelta(days=day), tick=False)
        browser, _ = _login(app, username, password)
    return browser


def test_the_audit_page_lists_events_newest_first(admin_page):
    page = admin_page.get("/admin/audit").get_data(as_text=True)
    assert page.index("Berhasil masuk") < page.index("Gagal masuk")
    assert "10.0.0.1" in page and "Log audit" in page


@pytest.mark.parametrize("query, kinds", [
    ("kind=login.failed", ["login.failed"]),
    ("user=koramil", ["login.succeeded"]),
    ("user=nobody", []),
    ("since=2026-03-02&until=2026-03-03", ["login.succeeded", "login.succeeded"]),
])
def test_the_audit_page_filters_by_kind_user_and_days(app, db, admin_page, query, kinds):
    response = admin_page.get(f"/admin/audit?{query}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    labels = {"login.failed": "Gagal masuk", "login.succeeded": "Berhasil masuk"}
    rows = page.split("<tbody>")[1].split("</tbody>")[0]
    assert sum(rows.count(f"<td>{label}</td>") for label in labels.values()) == len(kinds)
    for kind in set(kinds):
        assert rows.count(f"<td>{labels[kind]}</td>") == kinds.count(kind)


@pytest.mark.parametrize("query, field", [("since=2026-13-01", "since"), ("kind=nonsense", "kind"),
                                          ("since=2026-03-03&until=2026-03-01", "until")])
def test_a_bad_filter_answers_422_naming_the_field(admin_page, query, field):
    response = admin_page.get(f"/admin/audit?{query}")
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)


def test_the_audit_page_is_paginated(app, db, world, admin_page):
    for _ in range(60):
        record("user.changed", user=world.babinsa, actor=None, detail={"fields": ["rank"]})
    db.session.commit()
    first = admin_page.get("/admin/audit").get_data(as_text=True)
    assert first.count("<tr>") == 51 and "page=2" in first
    second = admin_page.get("/admin/audit?page=2").get_data(as_text=True)
    assert second.count("<tr>") == 1 + 60 + 4 - 50


@pytest.mark.parametrize("role", ["babinsa", "koramil", "kodim"])
def test_only_admins_see_the_audit_page(app, world, role):
    browser, _ = _login(app, role)
    assert browser.get("/admin/audit").status_code == 403


def test_the_cli_lists_events_with_filters(app, world, admin_page):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["audit", "list", "--user", "babinsa"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines == [
        '2026-03-02T02:00:00Z login.succeeded actor=babinsa user=babinsa address=10.0.0.1 {"via": "web"}',
        '2026-03-01T02:00:00Z login.failed actor=babinsa user=babinsa address=10.0.0.1 '
        '{"now_locked": false, "via": "web"}',
    ]
    result = runner.invoke(args=["audit", "list", "--kind", "login.succeeded", "--since", "2026-03-03",
                                 "--limit", "1"])
    assert [line.split()[3] for line in result.output.splitlines()] == ["user=admin"]
    result = runner.invoke(args=["audit", "list", "--kind", "nonsense"])
    assert result.exit_code == 1 and "kind:" in result.output
