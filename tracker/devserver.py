"""``make run``: the development server, with the scheduler beside it.

The scheduler runs as its own process, started once here, so the
reloader (which restarts only the web process) never starts a second one.
Each child runs in its own process group, so stopping ``make run`` (Ctrl-C
or SIGTERM) also stops the reloader's server process and the scheduler
instead of leaving them holding the port.
"""
import os
import signal
import subprocess
import sys
import time

from config import env_bool


def _start(command):
    return subprocess.Popen(command, start_new_session=True)


def _stop(process):
    """Terminate a child's whole process group, then kill it if it lingers."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


def _raise_system_exit(signum, _frame):
    raise SystemExit(128 + signum)


def main():
    """Start the scheduler process (unless WASPADA_SCHEDULER=off) and serve."""
    try:
        with_scheduler = env_bool("WASPADA_SCHEDULER", True)
    except ValueError as error:
        sys.exit(str(error))
    port = os.environ.get("PORT", "5000")
    flask = [sys.executable, "-m", "flask", "--app", "tracker"]
    # SIGTERM (from a process manager or `kill`) must run the clean-up below.
    signal.signal(signal.SIGTERM, _raise_system_exit)
    scheduler = _start([*flask, "scheduler"]) if with_scheduler else None
    web = _start([*flask, "run", "--host", "127.0.0.1", "--port", port, "--debug"])
    try:
        while web.poll() is None:
            if scheduler is not None and scheduler.poll() is not None:
                # The web server stays useful without the scheduler; say so once.
                print(
                    f"scheduler exited with code {scheduler.returncode}; the web server keeps "
                    "running without it (WASPADA_SCHEDULER=off silences this)",
                    file=sys.stderr,
                )
                scheduler = None
            time.sleep(0.5)
        return web.returncode
    except KeyboardInterrupt:
        return 0
    finally:
        _stop(web)
        _stop(scheduler)


if __name__ == "__main__":
    sys.exit(main())
