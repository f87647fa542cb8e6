"""The sweep's hand-written SQL (bench/baseline.py) writes what the sweep writes, counters included.

The benchmark compares the sweep with it, so it must do the same work: the
same flags, escalations and silent villages, and the ticket counters kept
exact (no drift against a full recount) through raising, escalating and
clearing.
"""
from datetime import timedelta

from sqlalchemy import select

from tests.counters.test_drift import START, VILLAGES, elections  # noqa: F401 (fixture)
from bench import baseline
from tracker.counters.tally import drift
from tracker.extensions import db
from tracker.warnings.models import Flag, SilentVillage
from tracker.warnings.services import sweep


def _state():
    flags = sorted(db.session.execute(select(Flag.ticket_id, Flag.election_id).where(Flag.cleared_at.is_(None))))
    silent = sorted(db.session.execute(select(SilentVillage.village_code, SilentVillage.last_visit_on)))
    return flags, silent


def test_the_hand_written_pass_writes_the_sweeps_rows_and_keeps_the_counters(area, elections, make_ticket_at):
    for number, village in enumerate(VILLAGES * 3):
        make_ticket_at(START - timedelta(days=number), village=village, reporter=area.admin,
                       severity=("low", "medium", "high", "critical")[number % 4])
    seen = {"raise": 0, "escalate": 0, "clear": 0, "silent": 0}
    for moment in (START, START + timedelta(days=12), START + timedelta(days=400)):
        savepoint = db.session.begin_nested()
        counts, _raised = baseline.run(db.session.connection(), moment)
        for name in seen:
            seen[name] += counts[name]
        assert drift() == [], moment
        by_hand = _state()
        savepoint.rollback()
        savepoint = db.session.begin_nested()
        result = sweep(moment)
        assert (result.raised, result.escalated, result.cleared, result.silent) == \
            (counts["raise"], counts["escalate"], counts["clear"], counts["silent"]), moment
        assert _state() == by_hand, moment
        assert drift() == [], moment   # the sweep's own counters too, windows ending included
        # Keep this pass: the next moment clears or raises from it.
        savepoint.commit()
        db.session.commit()
    assert all(seen.values()), seen
