"""One CSV export in a process of its own, so its peak memory is its own.

``python -m bench.export_probe --database URL --path /tickets/export.csv``
prints one JSON line: status, seconds, rows, bytes, the process's resident
peak before the export (app loaded and warm) and after it (ru_maxrss).
"""
import argparse
import json
import resource
import time


def _peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--username", default="admin")
    args = parser.parse_args(argv)

    from bench.appsetup import logged_in_client, make_app

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
