"""Retention of personal data (UU 27/2022): tickets closed or rejected more than RETENTION_CLOSED_DAYS
ago lose the names in them (parties, the texts people wrote on the timeline, their visit's met_with),
keep everything the statistics need, and say so on the timeline and in the audit log."""
from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import func, insert, select

from tests.plugins.world import KEBAK, KEMIRI, ticket_fields
from tracker.audit.models import AuditEvent
from tracker.jobs.runner import run_job, slot_for
from tracker.retention.jobs import retention_job
from tracker.retention.services import apply_retention, pending
from tracker.tickets.models import SEVERITY_RANK, Ticket, TicketEvent
from tracker.tickets.services import add_comment, create_ticket, transition
from tracker.timeutil import as_utc
from tracker.visits.models import Visit
from tracker.visits.services import record_visit

NOW = datetime(2026, 3, 1, 3, 0, tzinfo=timezone.utc)
OLD = NOW - timedelta(days=1000)      # past the default 730 days
RECENT = NOW - timedelta(days=100)
NAMES = "Pak Darmo (kepala dusun), Bu Sri"


@pytest.fixture
def closed_ticket(world, db):
    """Function: a ticket filed at ``at`` naming people, commented on, then closed (or rejected) then."""

    def make(at, *, reject=False, visit=None, parties=NAMES, title="Sengketa batas sawah"):
        with time_machine.travel(at, tick=False):
            ticket = create_ticket(world.babinsa, **ticket_fields(parties=parties, title=title,
                                                                  visit_id=visit.id if visit else None))
            add_comment(world.babinsa, ticket, "Pak Darmo menelepon lagi soal patok")
            if reject:
                transition(world.koramil, ticket, "reject", reason="Sama dengan laporan Bu Sri kemarin")
            else:
                transition(world.koramil, ticket, "triage")
                transition(world.koramil, ticket, "start")
                transition(world.koramil, ticket, "resolve", reason="Pak Darmo dan Bu Sri berdamai di balai desa")
                transition(world.koramil, ticket, "close")
            db.session.commit()
        return ticket

    return make


def timeline(db, ticket):
    db.session.expire_all()
    return db.session.execute(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id)).scalars().all()


def shape(events):
    """A timeline as the statistics see it: kind, actor, time, from and to (no text)."""
    return [(e.kind, e.actor_id, as_utc(e.at), e.from_value, e.to_value) for e in events]


def texts(events):
    return [e.reason for e in events if e.reason]


def test_apply_empties_the_names_of_tickets_closed_or_rejected_long_ago(db, closed_ticket):
    closed, rejected = closed_ticket(OLD), closed_ticket(OLD, reject=True)
    assert texts(timeline(db, closed)) and texts(timeline(db, rejected))

    counts = apply_retention(NOW)
    db.session.commit()

    assert (counts.tickets, counts.texts) == (2, 4)   # each: its comment, and the resolve or reject reason
    for ticket in (closed, rejected):
        db.session.refresh(ticket)
        assert ticket.parties == ""
        assert texts(timeline(db, ticket)) == []


def test_the_ticket_its_category_village_dates_and_timeline_shape_stay(db, closed_ticket):
    ticket = closed_ticket(OLD)
    kept = {column: getattr(ticket, column) for column in (
        "id", "ref", "category", "severity", "status", "level", "village_code", "district_code", "regency_code",
        "reporter_id", "title", "description", "reported_at", "updated_at", "due_at", "resolved_at", "occurred_on")}
    before = shape(timeline(db, ticket))

    apply_retention(NOW)
    db.session.commit()
    db.session.refresh(ticket)

    assert {column: getattr(ticket, column) for column in kept} == kept
    after = timeline(db, ticket)
    assert shape(after[:-1]) == before
    assert [(e.kind, e.actor_id, as_utc(e.at), e.reason) for e in after[-1:]] == [("anonymised", None, NOW, "")]


def test_open_tickets_and_recently_closed_ones_keep_their_names(db, world, closed_ticket):
    with time_machine.travel(OLD, tick=False):
        still_open = create_ticket(world.babinsa, **ticket_fields(parties=NAMES))
        add_comment(world.babinsa, still_open, "Pak Darmo menelepon")
        db.session.commit()
    recent = closed_ticket(RECENT)
    texts_before = {t.id: texts(timeline(db, t)) for t in (still_open, recent)}

    counts = apply_retention(NOW)
    db.session.commit()

    assert counts.total == 0
    for ticket in (still_open, recent):
        db.session.refresh(ticket)
        assert ticket.parties == NAMES
        assert texts(timeline(db, ticket)) == texts_before[ticket.id]
        assert "anonymised" not in [e.kind for e in timeline(db, ticket)]


def test_the_retention_period_comes_from_the_config(app, db, closed_ticket):
    ticket = closed_ticket(OLD)
    app.config["RETENTION_CLOSED_DAYS"] = 1001
    assert apply_retention(NOW).total == 0
    app.config["RETENTION_CLOSED_DAYS"] = 999
    assert apply_retention(NOW).tickets == 1
    db.session.refresh(ticket)
    assert ticket.parties == ""


def test_the_audit_log_records_the_run_with_its_counts(db, closed_ticket):
    closed_ticket(OLD)
    before = db.session.execute(select(func.max(AuditEvent.id))).scalar() or 0

    apply_retention(NOW)
    db.session.commit()

    events = db.session.execute(select(AuditEvent).where(AuditEvent.id > before)).scalars().all()
    assert [(e.kind, e.actor_id, e.detail) for e in events] == [("retention.applied", None, {
        "tickets": 1, "timeline_texts": 2, "visits": 0, "closed_before": (NOW - timedelta(days=730)).isoformat(),
        "days": 730,
    })]


def test_a_second_run_changes_nothing_and_records_nothing(db, closed_ticket):
    ticket = closed_ticket(OLD)
    apply_retention(NOW)
    db.session.commit()
    events_before = len(timeline(db, ticket))
    audits_before = db.session.execute(select(func.count(AuditEvent.id))).scalar()
    version_before = ticket.version

    counts = apply_retention(NOW + timedelta(days=30))
    db.session.commit()

    assert counts.total == 0
    assert len(timeline(db, ticket)) == events_before
    assert db.session.execute(select(func.count(AuditEvent.id))).scalar() == audits_before
    db.session.refresh(ticket)
    assert ticket.version == version_before


def test_a_comment_written_after_the_anonymisation_goes_at_the_next_run(db, world, closed_ticket):
    ticket = closed_ticket(OLD)
    apply_retention(NOW)
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        add_comment(world.koramil, ticket, "Bu Sri datang lagi")
    db.session.commit()

    counts = apply_retention(NOW + timedelta(days=30))

    assert (counts.tickets, counts.texts) == (1, 1)
    assert texts(timeline(db, ticket)) == []
    assert [e.kind for e in timeline(db, ticket)].count("anonymised") == 2


def test_a_visit_loses_met_with_once_every_ticket_it_raised_is_past_retention(db, world, closed_ticket):
    with time_machine.travel(OLD, tick=False):
        def visit(village=KEMIRI):
            return record_visit(world.babinsa, village_code=village, visited_on=OLD.date().isoformat(),
                                met_with="Pak Darmo, Bu Sri", notes="Patok batas dipindah")
        done, half_open, no_tickets = visit(), visit(), visit(KEBAK)
        db.session.commit()
    closed_ticket(OLD, visit=done)
    closed_ticket(OLD, visit=half_open)
    with time_machine.travel(OLD, tick=False):
        create_ticket(world.babinsa, **ticket_fields(visit_id=half_open.id))
        db.session.commit()
    with time_machine.travel(RECENT, tick=False):
        recent = record_visit(world.babinsa, village_code=KEMIRI, visited_on=RECENT.date().isoformat(),
                              met_with="Pak Darmo")
        db.session.commit()

    assert pending(NOW).visits == 2
    counts = apply_retention(NOW)
    db.session.commit()

    assert counts.visits == 2
    db.session.expire_all()
    met_with = {v.id: v.met_with for v in db.session.execute(select(Visit)).scalars()}
    assert met_with == {done.id: "", no_tickets.id: "", half_open.id: "Pak Darmo, Bu Sri", recent.id: "Pak Darmo"}
    assert db.session.get(Visit, done.id).notes == "Patok batas dipindah"


def test_the_dry_run_counts_what_apply_changes_and_writes_nothing(db, closed_ticket, count_queries):
    closed_ticket(OLD)
    closed_ticket(OLD, reject=True)
    with count_queries() as statements:
        counts = pending(NOW)
    assert all(s.lstrip().upper().startswith("SELECT") for s in statements)
    assert (counts.tickets, counts.texts, counts.visits) == (2, 4, 0)
    applied = apply_retention(NOW)
    assert (applied.tickets, applied.texts, applied.visits) == (2, 4, 0)


def _bulk_closed(db, world, n, start):
    """``n`` closed tickets naming people, last changed at OLD, each with one comment, in two INSERTs."""
    rows = [{
        "ref": f"RET-{start + i:07d}", "village_code": KEMIRI, "district_code": KEMIRI[:8],
        "regency_code": KEMIRI[:5], "reporter_id": world.babinsa.id, "category": "other", "severity": "low",
        "severity_rank": SEVERITY_RANK["low"], "status": "closed", "level": "koramil", "title": f"t{i}",
        "description": "", "parties": NAMES, "is_sensitive": False, "reported_at": OLD, "updated_at": OLD,
        "due_at": OLD, "version": 1,
    } for i in range(n)]
    db.session.execute(insert(Ticket), rows)
    # In id order: PostgreSQL returns an updated row after the others when it is not told.
    ids = db.session.execute(select(Ticket.id).where(Ticket.ref.like("RET-%")).order_by(Ticket.id)).scalars().all()
    db.session.execute(insert(TicketEvent), [
        {"ticket_id": i, "kind": "comment", "actor_id": world.babinsa.id, "at": OLD, "reason": "Pak Darmo"}
        for i in ids[-n:]])
    db.session.commit()


def test_statements_do_not_grow_with_the_tickets_of_a_batch(app, db, world, count_queries):
    app.config["RETENTION_BATCH"] = 1000
    _bulk_closed(db, world, 3, 0)
    with count_queries() as few:
        assert apply_retention(NOW).tickets == 3
    _bulk_closed(db, world, 60, 100)
    with count_queries() as many:
        assert apply_retention(NOW).tickets == 60
    assert len(many) == len(few)


def test_tickets_go_in_batches_of_retention_batch_and_all_of_them_go(app, db, world, count_queries):
    _bulk_closed(db, world, 7, 0)
    app.config["RETENTION_BATCH"] = 3
    with count_queries() as statements:
        counts = apply_retention(NOW)
    assert (counts.tickets, counts.texts) == (7, 7)
    # One select of ids per batch (3 + 3 + 1), and the last one that finds none.
    assert sum(1 for s in statements if s.lstrip().upper().startswith("SELECT TICKET.ID")) == 4
    assert db.session.execute(select(func.count()).where(Ticket.parties != "")).scalar() == 0


def test_the_command_is_a_dry_run_by_default_and_apply_writes(app, db, closed_ticket):
    ticket = closed_ticket(OLD)
    runner = app.test_cli_runner()
    at = NOW.isoformat()

    dry = runner.invoke(args=["retention", "apply", "--at", at])
    assert dry.exit_code == 0, dry.output
    assert "dry run, nothing changed: 1 tickets, 2 timeline texts, 0 visits" in dry.output
    assert "--apply" in dry.output
    db.session.refresh(ticket)
    assert ticket.parties == NAMES

    done = runner.invoke(args=["retention", "apply", "--apply", "--at", at])
    assert done.exit_code == 0, done.output
    assert "anonymised 1 tickets, 2 timeline texts, 0 visits closed or rejected before 2024-03-01" in done.output
    db.session.refresh(ticket)
    assert ticket.parties == ""


def test_the_command_names_a_bad_moment_and_a_bad_setting(app, db, world):
    runner = app.test_cli_runner()
    bad = runner.invoke(args=["retention", "apply", "--at", "yesterday"])
    assert bad.exit_code == 2 and "--at" in bad.output
    app.config["RETENTION_CLOSED_DAYS"] = 0
    refused = runner.invoke(args=["retention", "apply"])
    assert refused.exit_code == 1 and "RETENTION_CLOSED_DAYS must be at least 1" in refused.output


def test_the_monthly_job_anonymises_and_says_how_much(db, closed_ticket):
    ticket = closed_ticket(OLD)
    outcome = run_job("retention", retention_job, NOW, slot_for(NOW, 30 * 24 * 60))
    assert outcome == "done"
    db.session.refresh(ticket)
    assert ticket.parties == ""


def test_the_timeline_shows_the_line_in_indonesian(db, world, web, closed_ticket):
    ticket = closed_ticket(OLD)
    apply_retention(NOW)
    db.session.commit()
    page = web(world.koramil).get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "data pribadi dihapus" in page
    assert page.count("Dihapus: data pribadi hanya disimpan untuk waktu terbatas.") == 1   # the comment
    assert "Pak Darmo" not in page and "Bu Sri" not in page


def test_the_ticket_counters_need_no_recount(db, closed_ticket, caplog):
    closed_ticket(OLD)
    with caplog.at_level("INFO", logger="tracker.counters.tally"):
        apply_retention(NOW)
        db.session.commit()
    assert "counters rebuilt" not in caplog.text
