"""Said where people look: the admin's and the Kodim's dashboards carry a red banner while the sweep is
late, and the morning digest says at its top when the sweep was late during the night."""
from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine
from prometheus_client.parser import text_string_to_metric_families

from tests.plugins.world import wib
from tracker.digests.render import render_digest
from tracker.digests.services import build_digest
from tracker.jobs.runner import run_job, slot_for
from tracker.scheduler import job_specs, run_scheduled

T0 = datetime(2026, 12, 1, 1, 0, tzinfo=timezone.utc)   # 08:00 WIB
BANNER_ID = "Peringatan dini tidak berjalan sejak 1 Des 2026 08:00 WIB"
BANNER_EN = "Early warning not running since 1 Dec 2026 08:00 WIB"


@pytest.fixture
def short_sweep(app):
    app.config["SWEEP_INTERVAL_MINUTES"] = 2
    return app


def dashboard(client, login, username, moment):
    with time_machine.travel(moment, tick=False):
        login(username)
        response = client.get("/dashboard/")
        client.post("/logout")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("username", ["admin", "kodim"])
def test_the_banner_shows_once_the_sweep_is_late(short_sweep, world, client, login, db, username):
    with time_machine.travel(T0, tick=False):
        for spec in job_specs(short_sweep):
            assert run_scheduled(short_sweep, spec) == "done"
    on_time = dashboard(client, login, username, T0 + timedelta(minutes=4))
    late = dashboard(client, login, username, T0 + timedelta(minutes=4, seconds=1))
    assert "Peringatan dini tidak berjalan" not in on_time
    assert BANNER_ID in late
    assert 'role="alert"' in late.split(BANNER_ID)[0].rsplit("<p", 1)[1]


def test_the_banner_speaks_english_to_an_english_user(short_sweep, world, client, login, db):
    from tracker.auth.services import set_locale

    set_locale(world.admin, "en")
    db.session.commit()
    with time_machine.travel(T0, tick=False):
        run_scheduled(short_sweep, job_specs(short_sweep)[0])
    assert BANNER_EN in dashboard(client, login, "admin", T0 + timedelta(hours=1))


def test_the_koramil_dashboard_has_no_banner(short_sweep, world, client, login, db):
    with time_machine.travel(T0, tick=False):
        run_scheduled(short_sweep, job_specs(short_sweep)[0])
    assert "Peringatan dini tidak berjalan" not in dashboard(client, login, "koramil", T0 + timedelta(hours=1))


# The digest: the sweep hourly, the digest at 06:00 WIB on 1 Dec (since the previous day's 06:00).
DAY = date(2026, 12, 1)
AT = wib(2026, 12, 1, 6)


def sweeps(app, moments):
    """Successful sweep runs at these moments (the job's work itself does not matter here)."""
    for moment in moments:
        with time_machine.travel(moment, tick=False):
            assert run_job("sweep", lambda now: "raised 0, cleared 0, escalated 0, silent 0", moment,
                           slot_for(moment, 60)) == "done"


def hourly(start, end):
    moment, found = start, []
    while moment <= end:
        found.append(moment)
        moment += timedelta(hours=1)
    return found


@pytest.fixture
def hourly_sweep(app):
    app.config["SWEEP_INTERVAL_MINUTES"] = 60
    return app


def digest_text(user):
    _subject, text, html = render_digest(build_digest(user, DAY, AT))
    return text, html


def test_the_digest_says_first_that_the_sweep_stopped_in_the_night(hourly_sweep, area, db):
    sweeps(hourly_sweep, hourly(wib(2026, 11, 30, 4), wib(2026, 11, 30, 22)))
    text, html = digest_text(area.kodim)
    line = ("!! Peringatan dini tidak berjalan sejak 30 Nov 2026 22:00 WIB: tidak ada tanda baru yang dipasang. "
            "Beri tahu operator sistem.")
    assert text.splitlines()[2] == line
    assert text.index(line) < text.index("Selamat pagi")
    assert "Peringatan dini tidak berjalan sejak 30 Nov 2026 22:00 WIB" in html
    assert html.index("Peringatan dini tidak berjalan") < html.index("Selamat pagi")


def test_the_digest_names_an_outage_that_ended_before_morning(hourly_sweep, area, db):
    sweeps(hourly_sweep, hourly(wib(2026, 11, 30, 4), wib(2026, 11, 30, 22)) + hourly(wib(2026, 12, 1, 3), AT))
    text, _html = digest_text(area.kodim)
    assert text.splitlines()[2] == (
        "!! Peringatan dini tidak berjalan dari 30 Nov 2026 22:00 WIB sampai 1 Des 2026 03:00 WIB: "
        "selama itu tiket tidak diperiksa untuk ditandai.")


def test_a_night_the_sweep_ran_through_says_nothing(hourly_sweep, area, db):
    # An outage the previous night, before the previous digest, is not this digest's news.
    sweeps(hourly_sweep, hourly(wib(2026, 11, 29, 4), wib(2026, 11, 29, 20)) + hourly(wib(2026, 11, 30, 4), AT))
    text, html = digest_text(area.kodim)
    assert "Peringatan dini" not in text and "Peringatan dini" not in html
    assert text.splitlines()[2].startswith("Selamat pagi")


def test_the_digest_speaks_english_to_an_english_user(hourly_sweep, area, db):
    from tracker.auth.services import set_locale

    set_locale(area.kodim, "en")
    sweeps(hourly_sweep, hourly(wib(2026, 11, 30, 4), wib(2026, 11, 30, 22)))
    text, _html = digest_text(area.kodim)
    assert text.splitlines()[2].startswith("!! Early warning not running since 30 Nov 2026 22:00 WIB")


def test_killing_the_scheduler_is_seen_in_health_dashboard_and_metrics(short_sweep, world, client, login, db):
    """The issue's "done": each job ticks, the scheduler dies, two sweep periods pass."""
    short_sweep.config["METRICS_TOKEN"] = "t"
    with time_machine.travel(T0, tick=False) as clock:
        for spec in job_specs(short_sweep):
            assert run_scheduled(short_sweep, spec) == "done"
        clock.move_to(T0 + timedelta(minutes=2 * 2, seconds=1))
        health = client.get("/healthz/jobs")
        metrics = client.get("/metrics", headers={"Authorization": "Bearer t"}).get_data(as_text=True)
    assert health.status_code == 503 and "sweep" in health.get_json()["late"]
    samples = {(s.name, s.labels.get("job")): s.value
               for family in text_string_to_metric_families(metrics) for s in family.samples}
    assert samples[("waspada_job_last_success_timestamp_seconds", "sweep")] == T0.timestamp()
    assert samples[("waspada_job_late", "sweep")] == 1
    assert BANNER_ID in dashboard(client, login, "admin", T0 + timedelta(minutes=2 * 2, seconds=1))
