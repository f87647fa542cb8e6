"""One CSV export in a process of its own, so its peak memory is its own.

``python -m bench.export_probe --database URL --path /tickets/export.csv``
prints one JSON line: status, seconds, rows, bytes, the process's resident
peak before the export (app loaded and warm) and after it.

The peak is read from ``VmHWM`` in ``/proc/self/status``, not from
``getrusage().ru_maxrss``: Linux carries ``ru_maxrss`` over ``execve`` from
the forking parent, so a probe started by a big harness would report the
harness's memory, not its own.
"""
import argparse
import json
import time

from bench.appsetup import logged_in_client, make_app


def _peak_mb():
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--username", default="admin")
    args = parser.parse_args(argv)

    app = make_app(args.database)
    with app.app_context():
        client = logged_in_client(app, args.username)
        client.get("/healthz")
        before = _peak_mb()
        started = time.perf_counter()
        response = client.get(args.path, buffered=False)
        size = rows = 0
        for chunk in response.iter_encoded():
            size += len(chunk)
            rows += chunk.count(b"\n")
        response.close()
        seconds = time.perf_counter() - started
    print(json.dumps({"status": response.status_code, "seconds": seconds, "bytes": size,
                      "rows": max(0, rows - 1), "before_mb": before, "peak_mb": _peak_mb()}))


if __name__ == "__main__":
    main()
