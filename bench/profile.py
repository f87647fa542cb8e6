"""Profile one request on the bench database with cProfile, to find why a path is slow.

    python -m bench.profile --database URL --user dandim.0488 /api/v1/tickets?page=2000
    python -m bench.profile --user admin /dashboard/ --sort tottime --top 40

API paths get a bearer token for the user, pages a logged-in session. The
request runs once to warm up, then ``--repeat`` times under the profiler;
the SQL statements of one request are printed with their time, and with
``--explain`` with their plans (EXPLAIN ANALYZE on PostgreSQL, EXPLAIN
QUERY PLAN on SQLite). ``--repeat 0`` skips the profile.
"""
import argparse
import cProfile
import io
import os
import pstats
import time

from sqlalchemy import event

from bench import DATA_DIR
from bench.appsetup import logged_in_client, make_app
from bench.dataset import drop_bench_tokens, issue_bench_tokens
from tracker.extensions import db


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path")
    parser.add_argument("--database", default=os.environ.get("DATABASE_URL")
                        or "sqlite:///" + os.path.join(DATA_DIR, "bench-1000000.sqlite3"))
    parser.add_argument("--user", default="admin")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--explain", action="store_true", help="print each statement's plan")
    args = parser.parse_args(argv)

    app = make_app(args.database)
    with app.app_context():
        headers, tokens = {}, []
        if args.path.startswith("/api/"):
            tokens.append(issue_bench_tokens([args.user])[args.user])
            headers["Authorization"] = f"Bearer {tokens[0]}"
        client = logged_in_client(app, args.user)
        try:
            first = client.get(args.path, headers=headers)
            print(f"HTTP {first.status_code}, {len(first.get_data()):,} B")
            statements = []

            def before(_conn, _cursor, statement, parameters, *_args):
                statements.append([statement, time.perf_counter(), parameters])

            def after(*_args):
                statements[-1][1] = time.perf_counter() - statements[-1][1]

            event.listen(db.engine, "before_cursor_execute", before)
            event.listen(db.engine, "after_cursor_execute", after)
            started = time.perf_counter()
            client.get(args.path, headers=headers)
            total = time.perf_counter() - started
            event.remove(db.engine, "before_cursor_execute", before)
            event.remove(db.engine, "after_cursor_execute", after)
            in_sql = sum(seconds for _sql, seconds, _params in statements)
            print(f"one request: {total * 1000:.1f} ms, {len(statements)} statements, "
                  f"{in_sql * 1000:.1f} ms in the database driver")
            for sql, seconds, parameters in statements:
                print(f"  {seconds * 1000:8.1f} ms  {' '.join(sql.split())[:160]}")
                if args.explain:
                    _explain(sql, parameters)
            if not args.repeat:
                return
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.repeat):
                client.get(args.path, headers=headers)
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.top)
            print(out.getvalue())
        finally:
            db.session.rollback()
            drop_bench_tokens(tokens)


def _explain(sql, parameters):
    """Print the plan of one captured statement, run with its own parameters."""
    postgres = db.engine.dialect.name == "postgresql"
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
    with db.engine.connect() as connection:
        rows = connection.exec_driver_sql(prefix + sql, parameters).all()
        connection.rollback()
    for row in rows:
        print("           " + (row[0] if postgres else "  " * 0 + str(row[-1])))


if __name__ == "__main__":
    main()
