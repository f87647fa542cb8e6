"""The election-day load test (issue 16): ``python -m bench.election_day``.

A mix of every kind of user at once against gunicorn (``--workers``, 4) on
the bench database, driven by locust (``bench/locustfile_election.py``)
headless, bounded in time and on 127.0.0.1 only: Babinsa filing tickets and
visits through the web forms (with their CSRF tokens) and replaying offline
outboxes with photos (``client_key`` on the forms, ``Idempotency-Key`` on the
API, every replay checked to answer the first record); Koramil reading the
triage queue and moving a ticket on through its page; Kodim reading the
dashboard and the escalation queue; API clients listing tickets with bearer
tokens.

The number of users is stepped up (``--start-users``, doubling up to
``--max-users``, ``--step-seconds`` each) until the p95 over every request
exceeds ``--p95-limit`` (300 ms) or a request fails; the last step within
both is the sustained rate. On a shared machine one busy moment can push a
step's p95 over, so a step over it (without failures) is measured once more
and the stepping stops only if that one is over too (``--no-retry``: at once). The bare Flask endpoint (``bench/bare.py``,
serving the Kodim's first API page) under the same gunicorn settings, hit by
the same generator with no think time, gives the ceiling the rate is
compared to.

The data set is the bench's own (``bench.dataset``): built fresh with
``--tickets`` or the one already in the database with ``--reuse``; like
``python -m bench`` it drops every table of a database it builds. The tickets
and visits the run files stay in the database (tagged in their titles). The
figures go to ``bench/RESULTS.md`` as a block of their own
(``<!-- bench:electionday:... -->``).
"""
import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import func, select

from bench import DEFAULT_REGIONS, DEFAULT_RESULTS, REPO, dataset as data, report
from bench import vocabulary as words
from bench.appsetup import logged_in_client, make_app, server_env
from bench.cli import _check_target_database
from bench.figures import format_seconds
from bench.measure import api_list_rule
from bench.serve import Gunicorn
from bench.storm import KEY_HEADER, make_photo, multipart, pick_phones
from tracker.auth.models import User
from tracker.extensions import db
from tracker.tickets.models import SEVERITIES, Ticket
from tracker.units.models import UnitRegion

LOCUSTFILE = os.path.join(REPO, "bench", "locustfile_election.py")
APP_USERS = ("BabinsaUser", "KoramilUser", "KodimUser", "ApiUser")
# Every action of the mix: the report counts each; a run that missed one says so.
ACTIONS = (
    "babinsa · Tiket baru (web form)", "babinsa · Kunjungan baru (web form)",
    "babinsa · outbox replay, form + photo (client_key)",
    "babinsa · outbox replay, API + photo (Idempotency-Key)",
    "koramil · triage queue", "koramil · transition", "kodim · dashboard", "kodim · escalations",
    "api · ticket list",
)
P95_LIMIT = 0.300
GENERATED_TICKETS = 50_000
FULL = {"start_users": 8, "max_users": 256, "step_seconds": 60.0}
QUICK = {"start_users": 8, "max_users": 64, "step_seconds": 20.0}
THINK = (0.5, 1.5)
ACCOUNTS = {"babinsa": 64, "koramil": 48, "kodim": 16, "api": 8}


def add_arguments(parser, *, standalone=True):
    """The load test's options (``python -m bench`` passes its own database, data set and workers)."""
    prefix = "" if standalone else "election-"
    parser.add_argument(f"--{prefix}start-users", dest="start_users", type=int,
                        help=f"users of the first step (default {FULL['start_users']})")
    parser.add_argument(f"--{prefix}max-users", dest="max_users", type=int,
                        help=f"most users, reached by doubling (default {FULL['max_users']}, "
                             f"quick {QUICK['max_users']})")
    parser.add_argument(f"--{prefix}step-seconds", dest="step_seconds", type=float,
                        help=f"length of each step (default {FULL['step_seconds']:.0f}, "
                             f"quick {QUICK['step_seconds']:.0f})")
    parser.add_argument(f"--{prefix}think", dest="think", type=float, nargs=2, metavar=("MIN", "MAX"),
                        help=f"each user's pause between actions in seconds (default {THINK[0]} {THINK[1]})")
    parser.add_argument(f"--{prefix}p95-limit", dest="p95_limit", type=float, default=P95_LIMIT,
                        help=f"p95 in seconds a step must stay within (default {P95_LIMIT})")
    parser.add_argument(f"--{prefix}no-retry", dest="retries", action="store_false",
                        help="stop at the first step over the p95 (default: measure such a step once more, "
                             "for a shared machine)")


def parse(argv):
    parser = argparse.ArgumentParser(
        prog="python -m bench.election_day",
        description="Election-day load test: Babinsa, Koramil, Kodim and API clients at once against "
                    "gunicorn, driven by locust on 127.0.0.1; users stepped up until p95 > 300 ms or errors.")
    parser.add_argument("--database", help="database URL (default $DATABASE_URL); its tables are dropped "
                        "unless --reuse")
    parser.add_argument("--reuse", action="store_true", help="load the bench data set already in the database")
    parser.add_argument("--force", action="store_true",
                        help="rebuild even a database that does not look like a bench database")
    parser.add_argument("--tickets", type=int, default=GENERATED_TICKETS,
                        help=f"tickets of a generated data set (default {GENERATED_TICKETS:,})")
    parser.add_argument("--regions", default=DEFAULT_REGIONS, help="code,name CSV of regions for the data set "
                        "(default ../shared/data/wilayah_kemendagri_2025.csv)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--quick", action="store_true",
                        help=f"a couple of minutes: up to {QUICK['max_users']} users, "
                             f"{QUICK['step_seconds']:.0f} s per step")
    add_arguments(parser)
    parser.add_argument("--output", default=DEFAULT_RESULTS, help="results file (default bench/RESULTS.md)")
    options = parser.parse_args(argv)
    options.database = options.database or os.environ.get("DATABASE_URL")
    if not options.database:
        parser.error("give --database (or DATABASE_URL): the load test needs a database it may fill")
    try:
        settle(options)
    except ValueError as error:
        parser.error(str(error))
    return options


def settle(options):
    """Fill the defaults that depend on --quick; refuse settings that cannot run."""
    defaults = QUICK if options.quick else FULL
    for name, value in defaults.items():
        if getattr(options, name) is None:
            setattr(options, name, value)
    options.think = tuple(options.think) if options.think else THINK
    if options.start_users < 1 or options.max_users < options.start_users:
        raise ValueError("need 1 ≤ start users ≤ max users")
    if options.step_seconds < 2:
        raise ValueError("a step lasts at least 2 s")
    if options.think[0] < 0 or options.think[1] < options.think[0]:
        raise ValueError("think: 0 ≤ MIN ≤ MAX")


def user_steps(start, most):
    """Users of each step: ``start``, doubled, …, ending at ``most``."""
    steps, users = [], start
    while users < most:
        steps.append(users)
        users *= 2
    return steps + [most]


# --- the accounts ----------------------------------------------------------------

def _busiest(role, column, count):
    """Usernames of ``role`` whose unit covers the most tickets in ``column`` (district or regency)."""
    per_area = (select(column.label("code"), func.count().label("n")).where(Ticket.status == "new")
                .group_by(column).subquery())
    rows = db.session.execute(
        select(User.username).join(UnitRegion, UnitRegion.unit_id == User.unit_id)
        .join(per_area, per_area.c.code == UnitRegion.region_code)
        .where(User.role == role, User.is_active_account.is_(True))
        .group_by(User.username).order_by(func.sum(per_area.c.n).desc(), User.username).limit(count)).all()
    return [username for (username,) in rows]


def session_cookie(app, username):
    return logged_in_client(app, username).get_cookie(app.config["SESSION_COOKIE_NAME"]).value


def prepare(app, options, rng, workdir):
    """Accounts with their cookies and tokens, the photo, and the Kodim page the bare endpoint serves."""
    phones = pick_phones(min(ACCOUNTS["babinsa"], _count_babinsa()), rng)
    koramils = _busiest("koramil", Ticket.district_code, ACCOUNTS["koramil"])
    kodims = _busiest("kodim", Ticket.regency_code, ACCOUNTS["kodim"])
    if not (phones and koramils and kodims):
        raise SystemExit("the data set has no Babinsa, Koramil or Kodim with tickets to work on")
    api_users = (kodims + koramils)[:ACCOUNTS["api"]]
    tokens = data.issue_bench_tokens(sorted({phone.username for phone in phones} | set(api_users)))
    photo = make_photo(options.seed)
    photo_path = os.path.join(workdir, "photo.jpg")
    with open(photo_path, "wb") as handle:
        handle.write(photo)
    api_body, api_type = multipart("file", "foto.jpg", "image/jpeg", photo)
    api_photo_path = os.path.join(workdir, "api-photo.multipart")
    with open(api_photo_path, "wb") as handle:
        handle.write(api_body)
    config = {
        "cookie_name": app.config["SESSION_COOKIE_NAME"],
        "run_tag": f"pemilu-{uuid.uuid4().hex[:8]}",
        "think": list(options.think),
        "key_header": KEY_HEADER,
        "photo_path": photo_path, "api_photo_path": api_photo_path, "api_photo_type": api_type,
        "titles": [[category, title] for category in sorted(words.TITLES) for title in words.TITLES[category]],
        "descriptions": list(words.GENERIC_DESCRIPTIONS), "met_with": list(words.MET_WITH),
        "severities": list(SEVERITIES),
        "babinsa": [{"cookie": session_cookie(app, p.username), "villages": p.villages, "token": tokens[p.username]}
                    for p in phones],
        "koramil": [{"cookie": session_cookie(app, username)} for username in koramils],
        "kodim": [{"cookie": session_cookie(app, username)} for username in kodims],
        "api": [{"token": tokens[username]} for username in api_users],
    }
    # What the bare endpoint serves: the first Kodim's first page of the ticket list API.
    bare_body = None
    if api_list_rule(app) is not None:
        response = app.test_client().get("/api/v1/tickets", headers={"Authorization": f"Bearer {tokens[kodims[0]]}"})
        if response.status_code == 200:
            bare_body = response.get_data()
    db.session.rollback()
    return config, list(tokens.values()), bare_body


def _count_babinsa():
    return db.session.scalar(select(func.count()).select_from(User).where(User.role == "babinsa"))


# --- running locust -------------------------------------------------------------

@dataclass
class Row:
    name: str
    count: int
    failures: int
    rps: float
    p50: float | None
    p95: float | None
    maximum: float | None


@dataclass
class Step:
    users: int
    seconds: float
    total: Row
    rows: list = field(default_factory=list)
    failures: list = field(default_factory=list)

    def within(self, limit):
        return self.total.count > 0 and self.total.failures == 0 and self.total.p95 is not None \
            and self.total.p95 <= limit

    def actions(self):
        """Requests per action of the mix (``ACTIONS``), successful ones only."""
        counted = dict.fromkeys(ACTIONS, 0)
        for row in self.rows:
            action = row.name.split(":")[0]
            if action in counted:
                counted[action] += row.count - row.failures
        return counted


def _seconds(value):
    return None if value in ("", "N/A", None) else float(value) / 1000


def read_stats(prefix):
    """The rows of locust's ``<prefix>_stats.csv`` (times in seconds) and its failures."""
    rows, total = [], None
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        for record in csv.DictReader(handle):
            row = Row(name=record["Name"], count=int(record["Request Count"]),
                      failures=int(record["Failure Count"]), rps=float(record["Requests/s"]),
                      p50=_seconds(record["50%"]), p95=_seconds(record["95%"]),
                      maximum=_seconds(record["Max Response Time"]))
            if record["Name"] == "Aggregated":
                total = row
            else:
                rows.append(row)
    failures = []
    if os.path.exists(f"{prefix}_failures.csv"):
        with open(f"{prefix}_failures.csv", encoding="utf-8") as handle:
            failures = [(r["Name"], r["Error"], int(r["Occurrences"])) for r in csv.DictReader(handle)]
    return total or Row("Aggregated", 0, 0, 0.0, None, None, None), rows, failures


def run_locust(port, users, seconds, user_classes, config_path, prefix, log):
    """One headless, bounded locust run against 127.0.0.1:``port``; returns its Step."""
    command = [os.path.join(os.path.dirname(sys.executable), "locust"), "-f", LOCUSTFILE, "--headless",
               "--host", f"http://127.0.0.1:{port}", "--users", str(users), "--spawn-rate", str(users),
               "--run-time", f"{seconds:g}s", "--stop-timeout", "30", "--reset-stats", "--csv", prefix,
               "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0", *user_classes]
    env = dict(os.environ, BENCH_ELECTION_CONFIG=config_path)
    finished = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True,
                              timeout=seconds + 180)
    if finished.returncode != 0 or not os.path.exists(f"{prefix}_stats.csv"):
        raise RuntimeError(f"locust exited with {finished.returncode}: {finished.stderr[-2000:]}")
    total, rows, failures = read_stats(prefix)
    step = Step(users=users, seconds=seconds, total=total, rows=rows, failures=failures)
    log(f"  {users} users: {total.rps:,.1f} req/s, p95 {format_seconds(total.p95) if total.p95 else '–'}, "
        f"{total.failures} failed of {total.count:,}")
    return step


# --- the results ------------------------------------------------------------------

def _ms(value):
    return format_seconds(value) if value is not None else "–"


def render(*, key, backend, options, facts, load, sizes, steps, bare, when):
    """The Markdown block of one election-day run."""
    good = [step for step in steps if step.within(options.p95_limit)]
    best = max(good, key=lambda step: step.total.rps) if good else None
    ratio = best.total.rps / bare.total.rps if best and bare and bare.total.rps else None
    loaded = max(load[0][0], load[1][0]) > (os.cpu_count() or 1)
    lines = [f"<!-- bench:{key} -->",
             f"## Election day (issue 16) · {backend} · {sizes.get('ticket', 0):,} tickets · {when}", ""]
    if loaded:
        lines += ["**Measured on a loaded machine** (load average above the number of cores, other work "
                  "running): the figures are a floor, not the capacity; re-measure quiet at 1M.", ""]
    lines.append("Machine: " + ", ".join(f"{k} {v}" for k, v in facts.items()) + ".")
    lines.append("Load average (1/5/15 min) at the start {} and at the end {}.".format(
        *("/".join(f"{x:.1f}" for x in averages) for averages in load)))
    lines.append("")
    lines.append(
        f"gunicorn {options.workers} workers; locust (one process, on the same machine) with the mix "
        f"Babinsa 6 : Koramil 2 : Kodim 1 : API client 2, each user pausing {options.think[0]:g}–"
        f"{options.think[1]:g} s between actions; {options.step_seconds:g} s per step, statistics reset "
        f"once every user has started. Accounts: {ACCOUNTS['babinsa']} Babinsa, the "
        f"{ACCOUNTS['koramil']} Koramil and {ACCOUNTS['kodim']} Kodim with the most new tickets, "
        f"{ACCOUNTS['api']} API tokens. A step is good when its p95 over every request is ≤ "
        f"{format_seconds(options.p95_limit)} and nothing failed; a step over the p95 is measured once more "
        f"{'(both rows shown) ' if options.retries else '(not in this run) '}before the stepping stops.")
    lines.append("")
    lines += ["| users | requests/s | p50 | p95 | max | requests | failed | within |", "|---|---|---|---|---|---|---|---|"]
    for step in steps:
        t = step.total
        lines.append(f"| {step.users} | {t.rps:,.1f} | {_ms(t.p50)} | {_ms(t.p95)} | {_ms(t.maximum)} | "
                     f"{t.count:,} | {t.failures:,} | {'yes' if step.within(options.p95_limit) else 'no'} |")
    lines.append("")
    summary = [
        ("sustained rate at p95 ≤ " + format_seconds(options.p95_limit),
         f"{best.total.rps:,.1f} requests/s" if best else "none of the steps",
         f"{best.users} users, p95 {_ms(best.total.p95)}" if best else "the first step was already over",
         "report", ""),
        ("errors", f"{sum(s.total.failures for s in steps):,}",
         "over every step; " + ("; ".join(f"{name}: {error} ×{n}" for s in steps for name, error, n
                                           in s.failures)[:600] or "none"), "0",
         "**met**" if all(s.total.failures == 0 for s in steps) else "**MISSED**"),
        ("bare Flask ceiling", f"{bare.total.rps:,.1f} requests/s" if bare else "not measured",
         f"{bare.users} users without think time, p95 {_ms(bare.total.p95)}, {bare.total.failures} failed"
         if bare else "no ticket list API page to serve", "", ""),
        ("sustained rate / bare ceiling", f"{ratio:.1%}" if ratio is not None else "–",
         "the mix (forms, photos, pages, API) against one fixed JSON answer", "report", ""),
    ]
    lines += ["| figure | value | detail | target | verdict |", "|---|---|---|---|---|"]
    for row in summary:
        lines.append("| " + " | ".join(" ".join(str(cell).replace("|", "/").split()) for cell in row) + " |")
    lines.append("")
    shown = best or (steps[-1] if steps else None)
    if shown is not None:
        lines.append(f"Requests at {shown.users} users ({'the sustained step' if best else 'the last step'}):")
        lines.append("")
        lines += ["| request | count | requests/s | p50 | p95 | max | failed |", "|---|---|---|---|---|---|---|"]
        for row in sorted(shown.rows, key=lambda r: r.name):
            lines.append(f"| {row.name.replace('|', '/')} | {row.count:,} | {row.rps:,.1f} | {_ms(row.p50)} | "
                         f"{_ms(row.p95)} | {_ms(row.maximum)} | {row.failures:,} |")
        missing = [name for name, count in shown.actions().items() if count == 0]
        if missing:
            lines += ["", "Not exercised in that step: " + ", ".join(missing) + "."]
        lines.append("")
    lines.append("<!-- /bench -->")
    return "\n".join(lines) + "\n"


@dataclass
class Outcome:
    """What a run found, for the caller (and the tests)."""

    steps: list
    bare: Step | None
    block: str

    def sustained(self, limit=P95_LIMIT):
        """The step with the most requests per second within ``limit`` and without failures, or None."""
        good = [step for step in self.steps if step.within(limit)]
        return max(good, key=lambda step: step.total.rps) if good else None


def measure(app, database_url, options, dataset_sizes, facts, log=print, load_at_start=None):
    """Step the users up against gunicorn, then the bare ceiling; write the block; returns an Outcome."""
    load_at_start = load_at_start or os.getloadavg()
    rng = random.Random(options.seed)
    steps, bare, tokens = [], None, []
    with tempfile.TemporaryDirectory(prefix="bench-electionday-") as workdir:
        try:
            config, tokens, bare_body = prepare(app, options, rng, workdir)
            config_path = os.path.join(workdir, "config.json")
            with open(config_path, "w", encoding="utf-8") as handle:
                json.dump(config, handle)
            log(f"election day: {len(config['babinsa'])} Babinsa, {len(config['koramil'])} Koramil, "
                f"{len(config['kodim'])} Kodim, {len(config['api'])} API accounts; steps "
                f"{user_steps(options.start_users, options.max_users)} × {options.step_seconds:g} s")
            with Gunicorn("run:app", server_env(database_url), options.workers, "/healthz") as server:
                for number, users in enumerate(user_steps(options.start_users, options.max_users)):
                    step = run_locust(server.port, users, options.step_seconds, APP_USERS, config_path,
                                      os.path.join(workdir, f"step{number}"), log)
                    if not step.within(options.p95_limit) and step.total.failures == 0 and options.retries:
                        # The machine may be shared: a step over the p95 is measured once more, and
                        # the stepping stops only when that one is over too (both are reported).
                        steps.append(step)
                        log("  over the p95: once more")
                        step = run_locust(server.port, users, options.step_seconds, APP_USERS, config_path,
                                          os.path.join(workdir, f"step{number}b"), log)
                    steps.append(step)
                    if not step.within(options.p95_limit):
                        break
            if bare_body is not None:
                body_path = os.path.join(workdir, "bare.json")
                with open(body_path, "wb") as handle:
                    handle.write(bare_body)
                env = dict(os.environ, BENCH_BARE_BODY=body_path)
                with Gunicorn("bench.bare:app", env, options.workers, "/") as server:
                    log("bare Flask ceiling:")
                    bare = run_locust(server.port, options.workers * 4, options.step_seconds, ("BareUser",),
                                      config_path, os.path.join(workdir, "bare"), log)
        finally:
            data.drop_bench_tokens(tokens)
    backend = "PostgreSQL" if db.engine.dialect.name == "postgresql" else "SQLite"
    key = f"electionday:{db.engine.dialect.name}:{dataset_sizes.get('ticket', 0)}"
    block = render(key=key, backend=backend, options=options, facts=facts, load=(load_at_start, os.getloadavg()),
                   sizes=dataset_sizes, steps=steps, bare=bare,
                   when=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
    report.write(options.output, key, block)
    return Outcome(steps=steps, bare=bare, block=block)


def run(options, log=print):
    """Build or reuse the data set, then the load test; returns an Outcome."""
    load_at_start = os.getloadavg()
    app = make_app(options.database)
    with app.app_context():
        _check_target_database(options, log)
        facts = report.machine_facts(db.engine)
        dataset = data.prepare(options.reuse, options.tickets, options.seed, options.regions, log=log)
        outcome = measure(app, options.database, options, dataset.sizes, facts, log=log,
                          load_at_start=load_at_start)
        db.session.remove()
        db.engine.dispose()
    log(outcome.block)
    return outcome


def main(argv=None, log=print):
    """``python -m bench.election_day``: run the load test and write its block to the results file."""
    run(parse(argv), log=log)
    return 0


if __name__ == "__main__":
    sys.exit(main())
