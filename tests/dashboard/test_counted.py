"""The national dashboard reads the counters: a fixed handful of statements, none of them over every ticket."""
import re

from tests.dashboard.factories import NOW
from tracker.dashboard import services


def _tables(statement):
    return {name for pair in re.findall(r"\bFROM (\w+)|\bJOIN (\w+)", statement) for name in pair if name}


def _ticket_reads(statements):
    """The tables of each statement that reads tickets or counters (the user's own rows and codes aside)."""
    found = [_tables(s) for s in statements]
    return [tables for tables in found if tables & {"ticket", "ticket_tally", "ticket_day_tally"}]


def test_the_admin_summary_reads_the_national_counters_and_counts_only_overdue_tickets(world, make_ticket, clock,
                                                                                       count_queries):
    make_ticket(world.babinsa, severity="critical")
    make_ticket(world.babinsa, status="escalated", level="kodim", severity="low")
    with count_queries() as statements:
        summary = services.ticket_summary(world.users["admin"], NOW)
    assert summary["headline"]["open"] == 2 and summary["headline"]["waiting"] == 1
    assert _ticket_reads(statements) == [{"ticket_tally"}, {"ticket_day_tally"}, {"ticket"}]
    # The one statement on tickets is the overdue count, on the due-time index.
    assert "due_at <" in statements[-1]
    assert any("WHERE ticket_tally.village_code = " in s for s in statements)


def test_a_kodim_summary_sums_his_villages_cells_and_makes_one_pass_over_recent_tickets(world, make_ticket, clock,
                                                                                       count_queries):
    make_ticket(world.babinsa, severity="high")
    with count_queries() as statements:
        summary = services.ticket_summary(world.users["kodim"], NOW)
    assert summary["headline"]["open"] == 1
    assert _ticket_reads(statements) == [{"ticket_tally"}, {"ticket"}]
    assert any("ticket_tally.regency_code" in s for s in statements)
