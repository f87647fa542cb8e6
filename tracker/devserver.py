"""``make run``: the development server, with the scheduler beside it.

The scheduler runs as its own process, started once here, so the
reloader (which restarts only the web process) never starts a second one.
"""
import os
import subprocess
import sys

from config import env_bool


def main():
    """Start the scheduler process (unless WASPADA_SCHEDULER=off) and serve."""
    port = os.environ.get("PORT", "5000")
    flask = [sys.executable, "-m", "flask", "--app", "tracker"]
    scheduler = None
    if env_bool("WASPADA_SCHEDULER", True):
        scheduler = subprocess.Popen([*flask, "scheduler"])
    try:
        return subprocess.call([*flask, "run", "--host", "127.0.0.1", "--port", port, "--debug"])
    except KeyboardInterrupt:
        return 0
    finally:
        if scheduler is not None:
            scheduler.terminate()
            scheduler.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
