"""The counter tables: tickets per village and kind, and new/resolved tickets per day.

``ticket_tally`` holds, per village and (status, severity, category,
level), how many tickets there are and how many of them carry an active
early-warning flag. Rows whose ``village_code`` is empty are the whole
country's sums of the same cells: at most 7 x 4 x 15 x 2 = 840 rows that
the national dashboard and an admin's list totals read instead of a million
tickets. A unit (kecamatan, kabupaten) sums its villages' rows through the
denormalised ``district_code`` and ``regency_code``.

``village_open`` holds, per village with unresolved tickets, how many of
each severity there are and how many of them are flagged: one row per
village instead of one per cell, so a national "which kecamatan, which
village" (the dashboard's areas and hotspots) reads at most 83,762 short
rows instead of every unresolved ticket.

``ticket_day_tally`` counts the country's tickets per WIB day they were
reported (``new``) and per WIB day they were resolved while resolved or
closed (``resolved``), by severity: the national weekly flow.

Both are kept exact in the transaction that changes a ticket or a flag
(``tracker.counters.tally``); ``flask counters check`` compares them with
a full recount and ``flask counters rebuild`` recounts them.
"""
from datetime import date

from sqlalchemy import Date, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db

# The village_code of the national rows.
NATION = ""
NEW, RESOLVED = "new", "resolved"


class TicketTally(db.Model):
    """Tickets and flagged tickets of one village (or the nation) in one (status, severity, category, level)."""

    __tablename__ = "ticket_tally"

    id: Mapped[int] = mapped_column(primary_key=True)
    village_code: Mapped[str] = mapped_column(String(13))
    district_code: Mapped[str] = mapped_column(String(8))
    regency_code: Mapped[str] = mapped_column(String(5))
    status: Mapped[str] = mapped_column(String(12))
    severity: Mapped[str] = mapped_column(String(10))
    category: Mapped[str] = mapped_column(String(24))
    level: Mapped[str] = mapped_column(String(8))
    tickets: Mapped[int] = mapped_column(Integer, default=0)
    flagged: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        UniqueConstraint("village_code", "status", "severity", "category", "level"),
        Index("ix_ticket_tally_regency", "regency_code", "status"),
        Index("ix_ticket_tally_district", "district_code", "status"),
    )


class VillageOpen(db.Model):
    """A village's unresolved tickets by severity, and how many of them carry an active flag."""

    __tablename__ = "village_open"

    village_code: Mapped[str] = mapped_column(String(13), primary_key=True)
    district_code: Mapped[str] = mapped_column(String(8))
    regency_code: Mapped[str] = mapped_column(String(5))
    low: Mapped[int] = mapped_column(Integer, default=0)
    medium: Mapped[int] = mapped_column(Integer, default=0)
    high: Mapped[int] = mapped_column(Integer, default=0)
    critical: Mapped[int] = mapped_column(Integer, default=0)
    flagged: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (Index("ix_village_open_district", "district_code"),
                      Index("ix_village_open_regency", "regency_code"))


class TicketDayTally(db.Model):
    """The country's tickets reported (``new``) or resolved (``resolved``) on one WIB day, by severity."""

    __tablename__ = "ticket_day_tally"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    event: Mapped[str] = mapped_column(String(8))
    severity: Mapped[str] = mapped_column(String(10))
    tickets: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (UniqueConstraint("day", "event", "severity"),)
