"""Login sessions are database rows: logout, a password, role or area change, deactivation and an
admin end them (and revoke API tokens); they idle out and expire; a user sees and ends his own."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from tests.plugins.world import DEMO_PASSWORD
from tracker import create_app
from tracker.auth.models import ApiToken, UserSession
from tracker.auth.sessions import TOUCH_EVERY, purge_expired_sessions
from tracker.timeutil import as_utc

START = datetime(2026, 3, 1, 2, 0, tzinfo=timezone.utc)
PHONE = "Mozilla/5.0 (Linux; Android 13) Waspada test phone"


@pytest.fixture
def units(regions, make_unit):
    kodim = make_unit("kodim", "Kodim 0727/Karanganyar", regions=["33.13"], number="0727")
    return {
        "kodim": kodim,
        "kebakkramat": make_unit("koramil", "Koramil 03/Kebakkramat", regions=["33.13.14"], parent=kodim),
        "jaten": make_unit("koramil", "Koramil Jaten", regions=["33.13.11"], parent=kodim),
    }


@pytest.fixture
def babinsa(units, make_user):
    return make_user("babinsa", unit=units["kebakkramat"], username="babinsa.kemiri", villages=["33.13.14.2005"])


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


def _signed_in(app, username="babinsa.kemiri", address="127.0.0.1"):
    """A new browser (test client) that logged in from ``address``."""
    browser = app.test_client()
    response = browser.post("/login", data={"username": username, "password": DEMO_PASSWORD},
                            headers={"User-Agent": PHONE}, environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 302, response.get_data(as_text=True)
    return browser


def _is_signed_in(browser):
    return browser.get("/settings").status_code == 200


def _sessions(db, user):
    db.session.expire_all()
    return db.session.execute(select(UserSession).where(UserSession.user_id == user.id)).scalars().all()


def _copy(browser, app):
    """Another browser holding a copy of ``browser``'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", browser.get_cookie("session").value)
    return thief


def _api_token(client):
    response = client.post("/api/v1/auth/tokens", json={"username": "babinsa.kemiri", "password": DEMO_PASSWORD})
    assert response.status_code == 201
    return response.get_json()["token"]


def _token_works(client, token):
    return client.get("/api/v1/villages", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_a_login_records_its_session_with_the_device_and_address(app, db, babinsa, clock):
    _signed_in(app, address="10.1.2.3")
    [row] = _sessions(db, babinsa)
    assert (row.user_agent, row.ip_address) == (PHONE, "10.1.2.3")
    assert as_utc(row.created_at) == as_utc(row.last_seen_at) == START


def test_the_cookie_holds_a_key_whose_digest_only_is_stored(app, db, babinsa):
    browser = _signed_in(app)
    with browser.session_transaction() as cookie:
        _user_id, _sep, key = cookie["_user_id"].partition(":")
    [row] = _sessions(db, babinsa)
    assert len(key) >= 32 and key not in row.key_hash


def test_a_copied_cookie_is_dead_after_logout(app, db, babinsa):
    browser = _signed_in(app)
    thief = _copy(browser, app)
    assert _is_signed_in(thief), "the copy works while the session lives"
    assert browser.post("/logout").status_code == 302
    assert not _is_signed_in(thief)
    assert _sessions(db, babinsa) == []


def test_logout_ends_only_its_own_session(app, babinsa):
    phone, laptop = _signed_in(app), _signed_in(app)
    phone.post("/logout")
    assert not _is_signed_in(phone)
    assert _is_signed_in(laptop)


def test_a_cookie_naming_another_users_id_with_a_valid_key_is_refused(app, babinsa, make_user, units):
    make_user("koramil", unit=units["kebakkramat"], username="danramil")
    other = _signed_in(app, "danramil")
    with other.session_transaction() as cookie:
        other_id = cookie["_user_id"].partition(":")[0]
    browser = _signed_in(app)
    with browser.session_transaction() as cookie:
        key = cookie["_user_id"].partition(":")[2]
        cookie["_user_id"] = f"{other_id}:{key}"
    assert not _is_signed_in(browser)


def test_a_password_change_by_the_admin_form_ends_sessions_and_revokes_tokens(app, db, babinsa, make_user):
    make_user("admin", username="op")
    admin = _signed_in(app, "op")
    browser = _signed_in(app)
    token = _api_token(browser)
    form = {"full_name": babinsa.full_name, "rank": "", "nrp": "", "role": "babinsa",
            "unit_id": str(babinsa.unit_id), "email": "", "locale": "id", "villages": "33.13.14.2005",
            "is_active": "y", "password": "brand-new-password"}
    assert admin.post(f"/admin/users/{babinsa.id}", data=form).status_code == 302
    assert not _is_signed_in(browser)
    assert not _token_works(browser, token)
    assert _is_signed_in(admin), "the admin's own session is not touched"


def test_a_password_change_by_the_cli_ends_sessions_and_revokes_tokens(app, db, babinsa):
    browser = _signed_in(app)
    token = _api_token(browser)
    result = app.test_cli_runner().invoke(args=["users", "set-password", "babinsa.kemiri", "--password-stdin"],
                                          input="another-password\n")
    assert result.exit_code == 0, result.output
    assert not _is_signed_in(browser)
    assert not _token_works(browser, token)
    db.session.expire_all()
    assert db.session.execute(select(func.count()).select_from(ApiToken)
                              .where(ApiToken.revoked_at.is_(None))).scalar_one() == 0


def _edit_form(user, **overrides):
    form = {"full_name": user.full_name, "rank": user.rank or "", "nrp": user.nrp or "", "role": user.role,
            "unit_id": str(user.unit_id or 0), "email": user.email or "", "locale": user.locale,
            "villages": "\n".join(user.village_codes), "is_active": "y", "password": ""}
    form.update(overrides)
    return form


@pytest.mark.parametrize("change", ["role", "unit", "villages", "added village", "deactivated"])
def test_a_role_or_area_change_or_deactivation_ends_sessions_and_revokes_tokens(
        app, db, units, babinsa, make_user, change):
    make_user("admin", username="op")
    admin = _signed_in(app, "op")
    browser = _signed_in(app)
    token = _api_token(browser)
    if change == "added village":
        result = app.test_cli_runner().invoke(args=["users", "assign-villages", "--add", "babinsa.kemiri",
                                                    "33.13.14.2006"])
        assert result.exit_code == 0, result.output
    else:
        form = {
            "role": _edit_form(babinsa, role="koramil", villages=""),
            "unit": _edit_form(babinsa, unit_id=str(units["jaten"].id), villages="33.13.11.2003"),
            "villages": _edit_form(babinsa, villages="33.13.14.2006"),
            "deactivated": {k: v for k, v in _edit_form(babinsa).items() if k != "is_active"},
        }[change]
        assert admin.post(f"/admin/users/{babinsa.id}", data=form).status_code == 302
    assert not _is_signed_in(browser)
    assert not _token_works(browser, token)


def test_saving_a_user_without_changing_role_or_area_keeps_his_sessions(app, db, babinsa, make_user):
    make_user("admin", username="op")
    admin = _signed_in(app, "op")
    browser = _signed_in(app)
    token = _api_token(browser)
    assert admin.post(f"/admin/users/{babinsa.id}", data=_edit_form(babinsa, rank="Sertu",
                                                                  email="kemiri@example.id")).status_code == 302
    assert _is_signed_in(browser)
    assert _token_works(browser, token)


def test_a_session_idles_out_after_session_idle_days(app, babinsa, clock):
    idle = timedelta(days=app.config["SESSION_IDLE_DAYS"])
    assert idle == timedelta(days=14)
    used, unused = _signed_in(app), _signed_in(app)
    clock.move_to(START + idle - timedelta(seconds=1), tick=False)
    assert _is_signed_in(used)
    clock.move_to(START + idle, tick=False)
    assert not _is_signed_in(unused)
    # The idle time counts from the last use, within the absolute lifetime.
    clock.move_to(START + 2 * idle - timedelta(seconds=2), tick=False)
    assert 2 * idle < timedelta(days=app.config["SESSION_MAX_DAYS"])
    assert _is_signed_in(used)
    clock.move_to(START + 3 * idle - timedelta(seconds=2), tick=False)
    assert not _is_signed_in(used)


def test_a_session_ends_session_max_days_after_the_login_however_busy(app, babinsa, clock):
    lifetime = timedelta(days=app.config["SESSION_MAX_DAYS"])
    assert lifetime == timedelta(days=30)
    browser = _signed_in(app)
    for days in (10, 20, 29):
        clock.move_to(START + timedelta(days=days), tick=False)
        assert _is_signed_in(browser), days
    clock.move_to(START + lifetime - timedelta(seconds=1), tick=False)
    assert _is_signed_in(browser)
    clock.move_to(START + lifetime, tick=False)
    assert not _is_signed_in(browser)


def test_last_seen_is_written_at_most_once_every_few_minutes(app, db, babinsa, clock):
    browser = _signed_in(app)
    clock.move_to(START + TOUCH_EVERY - timedelta(seconds=1), tick=False)
    assert _is_signed_in(browser)
    [row] = _sessions(db, babinsa)
    assert as_utc(row.last_seen_at) == START
    clock.move_to(START + TOUCH_EVERY, tick=False)
    assert _is_signed_in(browser)
    [row] = _sessions(db, babinsa)
    assert as_utc(row.last_seen_at) == START + TOUCH_EVERY


def test_the_purge_deletes_expired_sessions_only(app, db, babinsa, clock):
    _signed_in(app)
    clock.move_to(START + timedelta(days=10), tick=False)
    _signed_in(app)
    assert purge_expired_sessions(START + timedelta(days=14, seconds=1)) == 1
    [kept] = _sessions(db, babinsa)
    assert as_utc(kept.created_at) == START + timedelta(days=10)


def test_the_settings_page_lists_the_users_sessions(app, babinsa, make_user, units):
    make_user("koramil", unit=units["kebakkramat"], username="danramil")
    _signed_in(app, "danramil", address="10.9.9.9")
    _signed_in(app, address="10.0.0.7")
    browser = _signed_in(app, address="10.0.0.8")
    page = browser.get("/settings").get_data(as_text=True)
    assert "10.0.0.7" in page and "10.0.0.8" in page and PHONE in page
    assert "10.9.9.9" not in page, "another user's session is not shown"
    assert page.count("Sesi ini") == 1


def test_a_user_ends_another_of_his_sessions(app, db, babinsa):
    lost_phone = _signed_in(app)
    browser = _signed_in(app)
    lost = next(s for s in _sessions(db, babinsa) if s.id != _current_session_id(db, browser, babinsa))
    response = browser.post(f"/settings/sessions/{lost.id}/end")
    assert response.status_code == 302
    assert not _is_signed_in(lost_phone)
    assert _is_signed_in(browser)


def _current_session_id(db, browser, user):
    page = browser.get("/settings").get_data(as_text=True)
    ended = {s.id for s in _sessions(db, user) if f"/settings/sessions/{s.id}/end" in page}
    [current] = {s.id for s in _sessions(db, user)} - ended
    return current


def test_a_user_cannot_end_another_users_session(app, db, babinsa, make_user, units):
    danramil = make_user("koramil", unit=units["kebakkramat"], username="danramil")
    theirs = _signed_in(app, "danramil")
    browser = _signed_in(app)
    [their_session] = _sessions(db, danramil)
    assert browser.post(f"/settings/sessions/{their_session.id}/end").status_code == 404
    assert _is_signed_in(theirs)


def test_ending_all_other_sessions_keeps_this_one(app, babinsa):
    others = [_signed_in(app), _signed_in(app)]
    browser = _signed_in(app)
    assert browser.post("/settings/sessions/end-others").status_code == 302
    assert _is_signed_in(browser)
    assert not any(_is_signed_in(other) for other in others)


def test_an_admin_signs_a_user_out_everywhere(app, db, babinsa, make_user):
    make_user("admin", username="op")
    admin = _signed_in(app, "op")
    browser = _signed_in(app, address="10.0.0.7")
    token = _api_token(browser)
    page = admin.get(f"/admin/users/{babinsa.id}").get_data(as_text=True)
    assert "10.0.0.7" in page and PHONE in page
    response = admin.post(f"/admin/users/{babinsa.id}/sessions/end")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/users/{babinsa.id}"
    assert not _is_signed_in(browser)
    assert not _token_works(browser, token)
    assert _is_signed_in(admin)


def test_only_an_admin_signs_users_out(app, babinsa, make_user, units):
    make_user("koramil", unit=units["kebakkramat"], username="danramil")
    danramil = _signed_in(app, "danramil")
    browser = _signed_in(app)
    assert danramil.post(f"/admin/users/{babinsa.id}/sessions/end").status_code == 403
    assert _is_signed_in(browser)


@pytest.mark.parametrize("proxies, expected", [(0, "10.0.0.1"), (1, "203.0.113.9")])
def test_the_client_address_comes_from_x_forwarded_for_only_behind_a_trusted_proxy(
        app, database_url, db, babinsa, proxies, expected):
    proxied = create_app({"CONFIG_NAME": "testing", "SQLALCHEMY_DATABASE_URI": database_url,
                          "WTF_CSRF_ENABLED": False, "TRUSTED_PROXIES": proxies})
    response = proxied.test_client().post(
        "/login", data={"username": "babinsa.kemiri", "password": DEMO_PASSWORD},
        headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.9"}, environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert response.status_code == 302
    assert [s.ip_address for s in _sessions(db, babinsa)] == [expected]
