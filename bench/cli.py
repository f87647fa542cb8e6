"""Command line of the benchmark: build the data set, measure, write RESULTS.md."""
import argparse
import os
import time
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import inspect

from bench import DATA_DIR, DEFAULT_REGIONS, DEFAULT_RESULTS, dataset as data, measure, report, serve
from bench.appsetup import make_app
from bench.figures import Figure
from tracker.extensions import db

QUICK_TICKETS = 50_000
FULL_TICKETS = 1_000_000
PATHS = ("import", "sweep", "list", "throughput", "dashboard", "digests", "export", "electionday")
RUNS = {"sweep": 5, "list": 20, "dashboard": 10, "digests": 2, "export": 1, "import": 3}


@dataclass
class Options:
    tickets: int
    quick: bool
    seed: int
    regions: str
    database: str
    reuse: bool
    force: bool
    output: str
    at: datetime
    workers: int
    clients: int
    load_requests: int
    load_seconds: float
    only: tuple
    generate_only: bool
    digest_sample: int
    runs: dict = field(default_factory=dict)
    # The election-day load test (bench/election_day.py); None: its defaults, quick or full.
    start_users: int | None = None
    max_users: int | None = None
    step_seconds: float | None = None
    think: tuple | None = None
    p95_limit: float = 0.300
    retries: bool = True


def parse(argv):
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Build a national Waspada data set and measure every hot path (issue 7).")
    parser.add_argument("--tickets", type=int, help=f"tickets to generate (default {FULL_TICKETS:,})")
    parser.add_argument("--quick", action="store_true", help=f"quick mode: {QUICK_TICKETS:,} tickets")
    parser.add_argument("--seed", type=int, default=7, help="random seed of the data set (default 7)")
    parser.add_argument("--regions", default=DEFAULT_REGIONS, help="code,name CSV of regions "
                        "(default ../shared/data/wilayah_kemendagri_2025.csv)")
    parser.add_argument("--database", help="database URL (default $DATABASE_URL, else a SQLite file "
                        "under bench/data/)")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the data set already in the database when its size and seed match")
    parser.add_argument("--force", action="store_true",
                        help="rebuild even a database that does not look like a bench database")
    parser.add_argument("--output", default=DEFAULT_RESULTS, help="results file (default bench/RESULTS.md)")
    parser.add_argument("--at", help="measuring moment, ISO 8601 with offset (default: now); with the seed "
                        "it makes the data set identical between runs")
    parser.add_argument("--runs", type=int, help="repetitions for every path (default per path)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent load clients (default 16)")
    parser.add_argument("--load-requests", type=int, help="requests per throughput run "
                        "(default 4000, quick 2000)")
    parser.add_argument("--load-seconds", type=float, default=60.0, help="time cap of a throughput run")
    parser.add_argument("--only", help="comma-separated subset of: " + ", ".join(PATHS))
    parser.add_argument("--digest-sample", type=int, default=0,
                        help="decide the digests of only this many recipients, spread over all, and scale "
                             "the time to all of them (default 0: decide every recipient)")
    parser.add_argument("--generate-only", action="store_true",
                        help="build the data set and stop (measure later with --reuse)")
    from bench import election_day  # (it imports this module)
    election_day.add_arguments(parser, standalone=False)
    args = parser.parse_args(argv)

    tickets = args.tickets or (QUICK_TICKETS if args.quick else FULL_TICKETS)
    database = args.database or os.environ.get("DATABASE_URL") or \
        "sqlite:///" + os.path.join(DATA_DIR, f"bench-{tickets}.sqlite3")
    if args.at:
        at = datetime.fromisoformat(args.at)
        if at.tzinfo is None:
            parser.error("--at needs a UTC offset, e.g. 2026-12-01T08:00:00+07:00")
        at = at.astimezone(timezone.utc)
    else:
        at = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    only = tuple(p.strip() for p in args.only.split(",")) if args.only else PATHS
    unknown = [p for p in only if p not in PATHS]
    if unknown:
        parser.error(f"--only: unknown path {', '.join(unknown)}; choose from {', '.join(PATHS)}")
    runs = dict(RUNS)
    if args.quick:
        runs["export"] = 2
    if args.runs:
        runs = {name: args.runs for name in RUNS}
    return Options(
        tickets=tickets, quick=args.quick, seed=args.seed, regions=args.regions, database=database,
        reuse=args.reuse, force=args.force, output=args.output, at=at, workers=args.workers,
        clients=args.clients, load_requests=args.load_requests or (2000 if args.quick else 4000),
        load_seconds=args.load_seconds, only=only, generate_only=args.generate_only,
        digest_sample=args.digest_sample, runs=runs, start_users=args.start_users, max_users=args.max_users,
        step_seconds=args.step_seconds, think=args.think, p95_limit=args.p95_limit,
        retries=args.retries)


def _check_target_database(options, log):
    """Refuse to drop the tables of a database that the bench did not build."""
    tables = set(inspect(db.engine).get_table_names())
    if tables and data.META_TABLE not in tables and not options.force:
        raise SystemExit(f"{options.database} holds tables but is not a bench database; "
                         "the bench drops every table: pass --force if that is what you want")
    log(f"database: {db.engine.url.render_as_string(hide_password=True)}")


def _guarded(bench, path, function, *args):
    """Run one measurement; an exception is recorded as a failed row, and the run goes on."""
    try:
        return function(bench, *args)
    except Exception as error:  # another feature's code may crash: report it, keep measuring
        db.session.rollback()
        traceback.print_exc()
        bench.add(Figure(path, "error", detail=f"{type(error).__name__}: {error}"[:300], verdict="missed (error)"))
        return None


def measure_election_day(bench, facts):
    """The election-day load test on the bench's data set: its own block, and one row here."""
    from bench import election_day
    options = bench.options
    election_day.settle(options)
    outcome = election_day.measure(bench.app, bench.database_url, options, bench.dataset.sizes, facts,
                                   log=bench.log)
    best = outcome.sustained(options.p95_limit)
    errors = sum(step.total.failures for step in outcome.steps)
    ratio = best.total.rps / outcome.bare.total.rps if best and outcome.bare and outcome.bare.total.rps else None
    bench.add(Figure(
        "8. election day", f"sustained rate at p95 ≤ {options.p95_limit * 1000:.0f} ms",
        value=f"{best.total.rps:,.1f} req/s" + (f" = {ratio:.0%} of bare" if ratio is not None else "")
        if best else "no step within",
        detail=f"{best.users if best else 0} users of the mix, {errors} errors over "
               f"{len(outcome.steps)} steps (its own block: Election day)",
        target="report; 0 errors", verdict="met" if errors == 0 else "missed"))


def main(argv=None, log=print):
    """Build (or reuse) the data set, run the measurements, write and print the results."""
    options = parse(argv)
    started = time.perf_counter()
    load_at_start = os.getloadavg()
    if options.database.startswith("sqlite:///"):
        os.makedirs(os.path.dirname(os.path.abspath(options.database[len("sqlite:///"):])), exist_ok=True)
    with open(options.regions, encoding="utf-8-sig") as handle:
        regions_text = handle.read()
    app = make_app(options.database)
    with app.app_context():
        _check_target_database(options, log)
        facts = report.machine_facts(db.engine)
        dataset = data.load_meta() if options.reuse else None
        if dataset is not None and (dataset.tickets, dataset.seed) != (options.tickets, options.seed):
            dataset = None
        if dataset is None:
            log(f"generating {options.tickets:,} tickets (seed {options.seed}) at {options.at:%Y-%m-%d %H:%M} UTC")
            dataset = data.Generator(tickets=options.tickets, seed=options.seed, moment=options.at,
                                     regions_text=regions_text, regions_path=options.regions, log=log).run()
            log(f"data set ready in {dataset.generate_seconds:.0f} s: {dataset.sizes}")
        else:
            log(f"reusing the data set generated at {dataset.moment:%Y-%m-%d %H:%M} UTC")
            changed = data.sync_schema(log=log)
            if changed:
                log(f"schema brought to the models: {', '.join(changed)}")
        if options.generate_only:
            return 0
        bench = measure.Bench(app, options.database, dataset, options, log=log)
        steps = (
            ("import", "6. region import", measure.measure_region_import, regions_text),
            ("sweep", "1. sweep", measure.measure_sweep),
            ("list", "2. ticket list API", measure.measure_ticket_list),
            ("throughput", "2. ticket list API", serve.measure_throughput),
            ("dashboard", "3. dashboard", measure.measure_dashboard),
            ("digests", "4. digests", measure.measure_digests),
            ("export", "5. CSV export", measure.measure_export),
            ("electionday", "8. election day", measure_election_day, facts),
        )
        backend = "PostgreSQL" if db.engine.dialect.name == "postgresql" else "SQLite"
        key = f"{db.engine.dialect.name}:{options.tickets}"

        def write_results(final):
            # Written after every path, so a run stopped half-way keeps what it measured.
            figures = sorted(bench.figures, key=lambda f: f.path.split(".")[0].zfill(2))
            notes = bench.notes if final else bench.notes + ["Run in progress (or stopped before the end)."]
            block = report.render_block(key=key, backend=backend, dataset=dataset, facts=facts,
                                        figures=figures, notes=notes, quick=options.quick,
                                        elapsed=time.perf_counter() - started,
                                        load=(load_at_start, os.getloadavg()))
            report.write(options.output, key, block)
            return block

        try:
            for name, path, function, *args in steps:
                if name in options.only:
                    log(f"measuring {path} ({name})")
                    step_started = time.perf_counter()
                    _guarded(bench, path, function, *args)
                    log(f"  {name} took {time.perf_counter() - step_started:.1f} s")
                    write_results(final=False)
        finally:
            data.drop_bench_tokens()
        block = write_results(final=True)
        db.session.remove()
        db.engine.dispose()
    log(block)
    met, missed, absent = measure.overall(bench.figures)
    log(f"targets: {met} met, {missed} missed, {absent} not available; written to {options.output}")
    return 0
