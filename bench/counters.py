"""Counters before → after: the same numbers counted from the tickets and read from the counters.

``python -m bench.counters --database URL [--runs N] [--sweep]`` on a
generated data set (``python -m bench --generate-only``). For the admin and
the Kodim it times, in process, each dashboard part and list total the
counters replace both ways (the ticket queries the code used before, kept
as ``tickets_summary``, ``_queried_areas`` and ``count_rows``), checks
that both give the same answer, and times the parts the counters leave
alone (hotspots, silent villages) and the whole dashboard service. With
``--sweep`` one sweep pass runs first (and is kept), so flags exist. Prints
a Markdown table; nothing is written to RESULTS.md.
"""
import argparse
import os
import time

from bench.appsetup import find_user, make_app
from bench.dataset import load_meta
from bench.figures import format_seconds, median, percentile
from tracker.counters.queries import list_total
from tracker.counters.tally import drift
from tracker.dashboard import services as dashboard
from tracker.extensions import db
from tracker.pagination import count_rows
from tracker.tickets.services import search_tickets
from tracker.warnings.services import hotspots, sweep
from tracker.warnings.silence import silent_villages


def _time(function, runs):
    function()  # warm-up
    samples = []
    for _ in range(runs):
        db.session.expire_all()
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return samples


def _row(case, before, after, same):
    def cell(samples):
        if samples is None:
            return "–"
        return f"{format_seconds(median(samples))} / {format_seconds(percentile(samples, 0.95))}"

    ratio = f"{median(before) / median(after):.0f}×" if before and after and median(after) > 0 else ""
    return f"| {case} | {cell(before)} | {cell(after)} | {ratio} | {same} |"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=os.environ.get("DATABASE_URL"), required=False)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--sweep", action="store_true", help="run and keep one sweep pass first")
    options = parser.parse_args(argv)
    app = make_app(options.database)
    with app.app_context():
        dataset = load_meta()
        now = dataset.moment
        if options.sweep:
            started = time.perf_counter()
            print(f"sweep: {sweep(now)} in {time.perf_counter() - started:.1f} s")
            db.session.commit()
        started = time.perf_counter()
        drifted = drift(db.session)
        print(f"counters check: {len(drifted)} drifted cells ({time.perf_counter() - started:.1f} s)")
        db.session.rollback()
        lines = ["| case | before: from tickets, median / p95 | after: from counters, median / p95 | "
                 "speed-up | same answer |", "|---|---|---|---|---|"]
        for role, username in (("admin", dataset.admin_user), ("kodim", dataset.kodim_user)):
            user = find_user(username)
            level = dashboard.area_level(user)
            pairs = [
                ("summary (headline, flow, categories)", lambda: dashboard.tickets_summary(user, now),
                 lambda: dashboard.ticket_summary(user, now)),
                ("areas", lambda: dashboard._queried_areas(user, level, dashboard.AREA_LIMIT),
                 lambda: dashboard._counted_areas(user, level, dashboard.AREA_LIMIT)),
            ]
            for params in ({}, {"status": "open"}, {"severity": "high"}, {"category": "hoax"},
                           {"status": "resolved", "severity": "critical"}):
                stmt = search_tickets(user, params)
                label = "&".join(f"{k}={v}" for k, v in params.items()) or "unfiltered"
                pairs.append((f"list total, {label}", lambda stmt=stmt: count_rows(stmt),
                              lambda stmt=stmt: list_total(stmt)))
            for case, before, after in pairs:
                same = "yes" if before() == after() else "**NO**"
                lines.append(_row(f"{role} · {case}", _time(before, options.runs), _time(after, options.runs),
                                  same))
            for case, function in (("hotspots (unchanged)", lambda: hotspots(user, limit=10, at=now)),
                                   ("silent villages (unchanged)", lambda: silent_villages(user, at=now, limit=10)),
                                   ("whole dashboard service", lambda: dashboard.commander_dashboard(user, now))):
                lines.append(_row(f"{role} · {case}", None, _time(function, options.runs), ""))
        print("\n".join(lines))
        db.session.rollback()


if __name__ == "__main__":
    main()
