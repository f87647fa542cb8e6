"""The calendar in SQL: a village's local day, "this election covers this village", windows and stages.

The building blocks every reader of the calendar shares: the scoped
calendar (``tracker.elections.services``), the early-warning sweep, silent
villages and hotspots, the dashboard and the digests. Stage dates are local
dates; a village judges them by its own day (WIB/WITA/WIT from its province).
"""
from datetime import timedelta

from sqlalchemy import Date, and_, case, exists, literal, or_

from tracker.elections.models import ElectionArea
from tracker.regions.codes import WIB, WIT, WITA
from tracker.timeutil import local_date

TIMEZONES = (WIB, WITA, WIT)


def local_days(at, offset_days=0):
    """{time zone: local date of ``at`` plus ``offset_days``} for WIB, WITA and WIT."""
    return {tz: local_date(at, tz) + timedelta(days=offset_days) for tz in TIMEZONES}


def local_day_expr(timezone_column, at, offset_days=0):
    """SQL for the local date of ``at`` (plus an offset) in a row's time zone.

    Indonesia has three zones without daylight saving, so a three-way CASE
    on the village's zone is exact and costs nothing per row.
    """
    days = local_days(at, offset_days)
    return case(
        (timezone_column == WITA, literal(days[WITA], Date)),
        (timezone_column == WIT, literal(days[WIT], Date)),
        else_=literal(days[WIB], Date),
    )


def live_condition(election):
    """SQL: the election (row or alias) has not been removed.

    ``covers_condition`` and ``window_prefilter`` hold it, so the sweep,
    silent villages, hotspots, the dashboard and the scoped calendar
    ignore removed elections; a reader that selects elections without
    them adds it.
    """
    return election.removed_at.is_(None)


def covers_condition(election, village):
    """SQL: the election (row or alias) covers the village (a Region row or alias).

    National elections cover every village; otherwise an area row names the
    village itself (Pilkades), its kabupaten or its province. A removed
    election covers nothing.
    """
    # One index probe per level: (election_id, region_code) is the area's
    # unique key. Correlate explicitly, as the village may come from a query
    # two levels up, beyond the reach of auto-correlation.
    named = [
        exists().where(ElectionArea.election_id == election.id, ElectionArea.region_code == code)
        .correlate_except(ElectionArea)
        for code in (village.code, village.regency_code, village.province_code)
    ]
    return and_(live_condition(election), or_(election.scope_kind == "national", *named))


def window_prefilter(election, at):
    """SQL: the window contains ``at``'s date in some zone (an index-friendly pre-filter).

    A removed election's window holds nothing, so the sweep clears any flag
    of it that a removal raced with.
    """
    days = local_days(at)
    return and_(live_condition(election),
                election.window_start <= max(days.values()), election.window_end >= min(days.values()))


def active_condition(election, village, at):
    """SQL: the election covers the village and its window holds the village's day."""
    today = local_day_expr(village.timezone, at)
    return and_(
        window_prefilter(election, at),
        election.window_start <= today,
        election.window_end >= today,
        covers_condition(election, village),
    )


def stage_on_condition(stage, village, at):
    """SQL: the stage (row or alias) holds the village's local day."""
    today = local_day_expr(village.timezone, at)
    return and_(stage.starts_on <= today, stage.ends_on >= today)
