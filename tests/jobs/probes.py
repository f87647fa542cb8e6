"""Job functions for the runner and scheduler tests (importable by name, also in child processes)."""
import os
import time

CALLS = []


def count_run(now):
    """Record the call in memory."""
    CALLS.append(now)
    return f"call {len(CALLS)}"


def slow_probe(path, now):
    """Append a line to ``path``, hold the slot a moment, and say so."""
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(f"{os.getpid()} {now.isoformat()}\n")
    time.sleep(1.0)
    return "probed"


def run_in_child(database_url, path, now, slot, barrier, results):
    """A second process: its own app and connection, racing for the same slot."""
    from functools import partial

    from tracker import create_app
    from tracker.jobs.runner import run_job

    app = create_app({"CONFIG_NAME": "testing", "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        barrier.wait(timeout=60)
        results.put(run_job("probe", partial(slow_probe, path), now, slot))


def logged_probe(now):
    """``slow_probe`` writing to the file named by PROBE_LOG (a scheduler passes only ``now``)."""
    return slow_probe(os.environ["PROBE_LOG"], now)


def run_scheduler_in_child(database_url, path, now, barrier, results):
    """A whole scheduler process whose only job is the probe; reports what its start-up run did."""
    import time_machine
    from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
    from apscheduler.schedulers.background import BackgroundScheduler

    from tracker import create_app, scheduler as scheduler_module

    os.environ["PROBE_LOG"] = path
    scheduler_module.job_specs = lambda app: (
        scheduler_module.JobSpec("probe", "tests.jobs.probes:logged_probe", 15),)
    app = create_app({"CONFIG_NAME": "testing", "SQLALCHEMY_DATABASE_URI": database_url})
    outcomes = []

    def listen(event):
        if event.job_id == "probe-startup":
            outcomes.append(getattr(event, "retval", None) or "error")

    # The clock runs from a fixed moment, so both processes are in one slot.
    with time_machine.travel(now, tick=True):
        scheduler = scheduler_module.build_scheduler(app, BackgroundScheduler)
        scheduler.add_listener(listen, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
        barrier.wait(timeout=60)
        scheduler.start()
        deadline = time.monotonic() + 60
        while not outcomes and time.monotonic() < deadline:
            time.sleep(0.1)
        scheduler.shutdown(wait=True)
    results.put(outcomes[0] if outcomes else "timeout")


def fail(now):
    """A job that always fails."""
    raise RuntimeError("probe failure")
