"""The numbers behind the dashboard, each one aggregate query over the user's scope.

Every function here sends a fixed number of SQL statements whatever the
number of tickets, visits or villages: counting, grouping and sorting happen
in the database, never in a Python loop over rows. A commander's headline,
categories and areas, and the admin's weekly flow, are read from the ticket
counters (``tracker.counters``): a few hundred rows instead of every ticket.
"""
from datetime import timedelta

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from tracker import scope
from tracker.counters import queries as counters
from tracker.counters.models import VillageOpen
from tracker.elections.models import Election
from tracker.elections.queries import covers_condition
from tracker.elections.services import current_stage, election_stages_ahead
from tracker.extensions import db
from tracker.regions.codes import WIB
from tracker.regions.models import Region
from tracker.tickets.models import SEVERITIES, UNRESOLVED, Ticket
from tracker.timeutil import local_date, local_midnight_utc, utcnow
from tracker.visits.models import Visit
from tracker.visits.services import last_visits, visible_visits
from tracker.warnings.models import flag_probe, flagged_condition
from tracker.warnings.services import hotspots
from tracker.warnings.silence import last_visit_expr, nearest_election_name, silent_conditions, silent_villages

WEEKS = 12
AREA_LIMIT = 15
VILLAGE_TICKETS = 20
VILLAGE_VISITS = 10
FINISHED = ("resolved", "closed")


def user_timezone(user):
    """The time zone the user's days and weeks are counted in (his unit's, else WIB)."""
    return user.unit.timezone if user.unit is not None else WIB


def week_starts(user, now=None, weeks=WEEKS):
    """The local dates of the Mondays that start the last ``weeks`` weeks, oldest first."""
    today = local_date(now or utcnow(), user_timezone(user))
    this_monday = today - timedelta(days=today.weekday())
    return [this_monday - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]


def waiting_rule(user):
    """(statuses, level or None): the tickets that wait for this user to act, the ones his role moves on next.

    A Koramil triages new tickets at its level; a Kodim (and the admin) takes
    escalated ones; a Babinsa starts or resolves the unresolved tickets still
    owned at Koramil level (escalated ones are the Kodim's). The Babinsa's
    set is exactly the ticket list's ``status=open&level=koramil``, the
    link of his headline count (templates/dashboard/_macros.html).
    """
    if user.role == "koramil":
        return ("new",), "koramil"
    if user.role in ("kodim", "admin"):
        return ("escalated",), None
    return UNRESOLVED, "koramil"


def waiting_condition(user):
    """SQL: the ticket waits for this user (see ``waiting_rule``)."""
    statuses, level = waiting_rule(user)
    condition = Ticket.status.in_(statuses) if len(statuses) > 1 else Ticket.status == statuses[0]
    return and_(condition, Ticket.level == level) if level else condition


def _flagged(user):
    """Whether a ticket is flagged, as the cheaper SQL for the user's area.

    An area's few thousand tickets probe the flag index one by one; the
    national view lets the database hash every active flag once.
    """
    return flagged_condition() if user.role == "admin" else flag_probe()


def ticket_summary(user, now=None, weeks=WEEKS):
    """The headline, weekly flow and open-by-category numbers of the user's tickets.

    A commander's open, flagged and waiting counts and his categories come
    from the counters (``counters.scope_cells``); the weekly flow and the
    overdue count from one pass over his recent and overdue tickets, or,
    for the admin (whose weeks are WIB weeks), from the national day
    counters and one count on the due-time index. A Babinsa's numbers come
    from his tickets (``tickets_summary``). Same keys and values either way.
    """
    now = now or utcnow()
    if not counters.covers(user):
        return tickets_summary(user, now, weeks)
    mondays = week_starts(user, now, weeks)
    statuses, level = waiting_rule(user)
    totals = dict.fromkeys(("open", "flagged", "overdue", "waiting", "resolved_week"), 0)
    by_category = {}
    for (status, severity, category, ticket_level), (number, flagged) in counters.scope_cells(user).items():
        if status in statuses and (level is None or ticket_level == level):
            totals["waiting"] += number
        if status in UNRESOLVED:
            totals["open"] += number
            totals["flagged"] += flagged
            by_category.setdefault(category, dict.fromkeys(SEVERITIES, 0))[severity] += number
    if user.role == "admin" and user_timezone(user) == WIB:
        flow, totals["overdue"] = _national_flow(mondays, now), _overdue_count(user, now)
    else:
        flow, totals["overdue"] = _scoped_flow(user, mondays, now)
    totals["resolved_week"] = sum(counts[-1] for counts in flow["resolved"].values())
    return {"headline": totals, "flow": flow, "categories": _sorted_categories(by_category)}


def _empty_flow(mondays):
    return {"weeks": mondays, "new": {severity: [0] * len(mondays) for severity in SEVERITIES},
            "resolved": {severity: [0] * len(mondays) for severity in SEVERITIES}}


def _national_flow(mondays, now):
    """The weekly flow of the whole country from the day counters (WIB weeks; later days count in the last)."""
    flow = _empty_flow(mondays)
    last = len(mondays) - 1
    for (day, event, severity), number in counters.day_counts(mondays[0]).items():
        flow[event][severity][min((day - mondays[0]).days // 7, last)] += number
    return flow


def _overdue_count(user, now):
    """Unresolved tickets of the user's scope past their due time (one count on the due-time index)."""
    return db.session.execute(
        select(func.count()).select_from(Ticket)
        .where(scope.ticket_condition(user), Ticket.status.in_(UNRESOLVED), Ticket.due_at < now)
    ).scalar_one()


def _scoped_flow(user, mondays, now):
    """(weekly flow, overdue count) of the user's tickets: one pass over the recent and the overdue ones."""
    boundaries = [local_midnight_utc(day, user_timezone(user)) for day in mondays]
    unresolved = Ticket.status.in_(UNRESOLVED)
    recently_reported = Ticket.reported_at >= boundaries[0]
    recently_resolved = and_(Ticket.status.in_(FINISHED), Ticket.resolved_at >= boundaries[0])
    overdue = and_(unresolved, Ticket.due_at < now)
    rows = select(
        Ticket.severity.label("severity"),
        case((recently_reported, _week_bucket(Ticket.reported_at, boundaries))).label("new_week"),
        case((recently_resolved, _week_bucket(Ticket.resolved_at, boundaries))).label("resolved_week"),
        case((overdue, 1), else_=0).label("overdue"),
    ).where(scope.ticket_condition(user), or_(recently_reported, recently_resolved, overdue)).subquery()
    dimensions = (rows.c.severity, rows.c.new_week, rows.c.resolved_week)
    flow, overdue_count = _empty_flow(mondays), 0
    for severity, new_week, resolved_week, late, number in db.session.execute(
            select(*dimensions, func.sum(rows.c.overdue), func.count()).group_by(*dimensions)):
        overdue_count += int(late)
        if new_week is not None:
            flow["new"][severity][int(new_week)] += number
        if resolved_week is not None:
            flow["resolved"][severity][int(resolved_week)] += number
    return flow, overdue_count


def _sorted_categories(by_category):
    categories = [(category, counts, sum(counts.values())) for category, counts in by_category.items()]
    categories.sort(key=lambda row: (-row[2], row[0]))
    return categories


def tickets_summary(user, now=None, weeks=WEEKS):
    """The headline, weekly flow and open-by-category numbers from one pass over the user's tickets.

    One GROUP BY over the few dimensions the three need (severity, the
    category of an open ticket, the week it was reported, the week it was
    resolved), with the open, flagged, overdue and waiting counts summed per
    group; Python folds the groups (at most a few hundred) into the three.
    Each scoped ticket row is read once instead of three times.

    Returns ``{"headline": ..., "flow": ..., "categories": ...}`` as
    ``headline``, ``weekly_flow`` and ``open_by_category`` describe them.
    """
    now = now or utcnow()
    mondays = week_starts(user, now, weeks)
    tz = user_timezone(user)
    boundaries = [local_midnight_utc(day, tz) for day in mondays]
    unresolved = Ticket.status.in_(UNRESOLVED)
    recently_reported = Ticket.reported_at >= boundaries[0]
    recently_resolved = and_(Ticket.status.in_(FINISHED), Ticket.resolved_at >= boundaries[0])

    def flag(condition):
        return case((condition, 1), else_=0)

    rows = select(
        Ticket.severity.label("severity"),
        case((unresolved, Ticket.category)).label("category"),
        case((recently_reported, _week_bucket(Ticket.reported_at, boundaries))).label("new_week"),
        case((recently_resolved, _week_bucket(Ticket.resolved_at, boundaries))).label("resolved_week"),
        flag(unresolved).label("open"),
        flag(and_(unresolved, _flagged(user))).label("flagged"),
        flag(and_(unresolved, Ticket.due_at < now)).label("overdue"),
        flag(waiting_condition(user)).label("waiting"),
    ).where(scope.ticket_condition(user), or_(unresolved, recently_reported, recently_resolved)).subquery()
    # Grouping in an outer query: PostgreSQL cannot match the bucket CASE
    # in GROUP BY to the one in SELECT when their parameters are bound apart.
    dimensions = (rows.c.severity, rows.c.category, rows.c.new_week, rows.c.resolved_week)
    counted = db.session.execute(
        select(*dimensions, func.sum(rows.c.open), func.sum(rows.c.flagged), func.sum(rows.c.overdue),
               func.sum(rows.c.waiting), func.count())
        .group_by(*dimensions)
    ).all()

    totals = dict.fromkeys(("open", "flagged", "overdue", "waiting", "resolved_week"), 0)
    flow = {"weeks": mondays, "new": {}, "resolved": {}}
    for kind in ("new", "resolved"):
        flow[kind] = {severity: [0] * weeks for severity in SEVERITIES}
    by_category = {}
    for severity, category, new_week, resolved_week, opened, flagged, overdue, waiting, number in counted:
        totals["open"] += opened
        totals["flagged"] += flagged
        totals["overdue"] += overdue
        totals["waiting"] += waiting
        if category is not None:
            by_category.setdefault(category, dict.fromkeys(SEVERITIES, 0))[severity] += opened
        if new_week is not None:
            flow["new"][severity][int(new_week)] += number
        if resolved_week is not None:
            flow["resolved"][severity][int(resolved_week)] += number
            # Resolved since this Monday: the newest week of the flow.
            if int(resolved_week) == weeks - 1:
                totals["resolved_week"] += number
    return {"headline": {key: int(value) for key, value in totals.items()}, "flow": flow,
            "categories": _sorted_categories(by_category)}


def headline(user, now=None):
    """Counts for the headline strip (see ``ticket_summary``).

    Returns a dict with ``open``, ``flagged`` (open with an active flag),
    ``overdue`` (open past due), ``waiting`` (see ``waiting_condition``) and
    ``resolved_week`` (resolved or closed since Monday, local time).
    """
    return ticket_summary(user, now)["headline"]


def _week_bucket(column, boundaries):
    """A SQL expression numbering the week (0 = oldest) a timestamp falls in."""
    whens = [(column < boundaries[i + 1], i) for i in range(len(boundaries) - 1)]
    return case(*whens, else_=len(boundaries) - 1)


def weekly_flow(user, now=None, weeks=WEEKS):
    """New and resolved tickets per local week and severity over the last weeks (see ``ticket_summary``).

    Returns ``{"weeks": [monday, ...], "new": {severity: [n per week]},
    "resolved": {severity: [n per week]}}``.
    """
    return ticket_summary(user, now, weeks)["flow"]


def open_by_category(user, now=None):
    """Open tickets per category and severity: ``[(category, {severity: n}, total)]``, largest first.

    See ``ticket_summary``.
    """
    return ticket_summary(user, now)["categories"]


def area_level(user):
    """The level the per-area chart breaks down to: kecamatan for a Kodim or admin, village for a Koramil."""
    if user.role in ("kodim", "admin"):
        return "district"
    if user.role == "koramil":
        return "village"
    return None


def open_by_area(user, limit=AREA_LIMIT):
    """Open and flagged tickets per kecamatan (Kodim, admin) or village (Koramil).

    Areas of the user's scope without tickets are listed too, so a quiet
    kecamatan shows as zero. Sorted by open, then flagged, most first; at most
    ``limit`` rows of dicts ``code, name, open, flagged``.
    """
    level = area_level(user)
    if level is None:
        return []
    if counters.covers(user):
        return _counted_areas(user, level, limit)
    return _queried_areas(user, level, limit)


def _queried_areas(user, level, limit):
    """``open_by_area`` from the tickets (one query): every village of the scope joined to its open tickets."""
    unresolved = and_(Ticket.status.in_(UNRESOLVED), scope.ticket_condition(user))
    area = aliased(Region)
    open_count = func.count(Ticket.id)
    flagged_count = func.count(case((_flagged(user), 1)))
    if level == "district":
        code_column = Region.district_code
        stmt = select(code_column, area.name, open_count, flagged_count) \
            .join(area, area.code == Region.district_code)
    else:
        code_column = Region.code
        stmt = select(code_column, Region.name, open_count, flagged_count)
    stmt = (
        stmt.select_from(Region)
        .outerjoin(Ticket, and_(Ticket.village_code == Region.code, unresolved))
        .where(Region.level == 4, Region.code.in_(scope.village_codes(user)))
        .group_by(code_column, area.name if level == "district" else Region.name)
        .order_by(open_count.desc(), flagged_count.desc(), code_column)
        .limit(limit)
    )
    return [
        {"code": code, "name": name, "open": opened, "flagged": flagged}
        for code, name, opened, flagged in db.session.execute(stmt).all()
    ]


def _counted_areas(user, level, limit):
    """``open_by_area`` from the village counters: the areas with open tickets, then quiet ones by code.

    An area's open and flagged counts are the sums of its villages'
    ``village_open`` rows (at most one per village of the scope, grouped
    before the names are joined); the quiet areas of the scope fill the
    list up to ``limit`` in code order, as zeros sort after every count.
    Two queries.
    """
    counters.ensure_fresh()
    code_column = VillageOpen.district_code if level == "district" else VillageOpen.village_code
    open_count = VillageOpen.low + VillageOpen.medium + VillageOpen.high + VillageOpen.critical
    grouped = (
        select(code_column.label("code"), func.sum(open_count).label("open"),
               func.sum(VillageOpen.flagged).label("flagged"))
        .where(scope.ticket_condition(user, VillageOpen))
        .group_by(code_column).having(func.sum(open_count) > 0)
        .order_by(func.sum(open_count).desc(), func.sum(VillageOpen.flagged).desc(), code_column).limit(limit)
        .subquery()
    )
    busy = db.session.execute(
        select(grouped.c.code, Region.name, grouped.c.open, grouped.c.flagged)
        .join(Region, Region.code == grouped.c.code)
        .order_by(grouped.c.open.desc(), grouped.c.flagged.desc(), grouped.c.code)
    ).all()
    areas = [{"code": code, "name": name, "open": int(number), "flagged": int(marked)}
             for code, name, number, marked in busy]
    if len(areas) < limit:
        area = aliased(Region)
        area_code = Region.district_code if level == "district" else Region.code
        quiet = (
            select(area_code, area.name).join(area, area.code == area_code)
            .where(Region.level == 4, Region.code.in_(scope.village_codes(user)),
                   area_code.not_in([row["code"] for row in areas]))
            .group_by(area_code, area.name).order_by(area_code).limit(limit - len(areas))
        )
        areas += [{"code": code, "name": name, "open": 0, "flagged": 0}
                  for code, name in db.session.execute(quiet).all()]
    return areas


def my_villages(user, now=None):
    """The user's villages with open tickets and days since the last visit (two queries).

    Returns dicts ``code, name, district_name, open, flagged, last_visit_on,
    days_since_visit`` (None when never visited), ordered by village name.
    """
    now = now or utcnow()
    district = aliased(Region)
    opened = and_(Ticket.status.in_(UNRESOLVED), scope.ticket_condition(user))
    rows = db.session.execute(
        select(Region.code, Region.name, district.name, Region.timezone,
               func.count(Ticket.id), func.count(case((flagged_condition(), 1))))
        .select_from(Region)
        .join(district, district.code == Region.district_code)
        .outerjoin(Ticket, and_(Ticket.village_code == Region.code, opened))
        .where(Region.level == 4, Region.code.in_(scope.village_codes(user)))
        .group_by(Region.code, Region.name, district.name, Region.timezone)
        .order_by(Region.name, Region.code)
    ).all()
    visited = last_visits(user)
    villages = []
    for code, name, district_name, tz, open_count, flagged_count in rows:
        last = visited.get(code)
        villages.append({
            "code": code, "name": name, "district_name": district_name,
            "open": open_count, "flagged": flagged_count, "last_visit_on": last,
            "days_since_visit": (local_date(now, tz) - last).days if last else None,
        })
    return villages


def village_page(user, code, now=None):
    """Everything the village page shows, or None when the village is outside the user's scope.

    Returns a dict: ``village``, ``district`` (Region rows), ``counts``
    (open, flagged), ``tickets`` (open ones, most severe first, at most 20,
    each with ``is_flagged``), ``visits`` (latest 10), ``last_visit_on``,
    ``days_since_visit``, ``elections`` (covering the village and not over:
    dicts with election, stage, days_until_voting) and ``silent`` (see
    ``village_silence``).
    """
    now = now or utcnow()
    district = aliased(Region)
    found = db.session.execute(
        select(Region, district)
        .join(district, district.code == Region.district_code)
        .where(Region.code == code, Region.level == 4, Region.code.in_(scope.village_codes(user)))
    ).first()
    if found is None:
        return None
    village, district_row = found
    today = local_date(now, village.timezone)
    open_here = [Ticket.village_code == code, Ticket.status.in_(UNRESOLVED)]
    tickets = db.session.execute(
        scope.tickets(user).where(*open_here)
        .add_columns(flagged_condition().label("is_flagged"))
        .order_by(Ticket.severity_rank.desc(), Ticket.reported_at, Ticket.id).limit(VILLAGE_TICKETS)
    ).all()
    counts = db.session.execute(
        select(func.count(), func.count(case((flagged_condition(), 1)))).select_from(Ticket)
        .where(scope.ticket_condition(user), *open_here)
    ).one()
    visits = db.session.execute(
        visible_visits(user).where(Visit.village_code == code)
        .options(joinedload(Visit.babinsa)).limit(VILLAGE_VISITS)
    ).scalars().all()
    # Visits come newest first, so the first one is the last visit.
    last = visits[0].visited_on if visits else None
    elections = db.session.execute(
        select(Election).options(selectinload(Election.stages))
        .where(covers_condition(Election, village), Election.window_end >= today)
        .order_by(Election.voting_on, Election.id)
    ).scalars().all()
    silent = village_silence(village, now)
    return {
        "village": village, "district": district_row,
        "counts": {"open": counts[0], "flagged": counts[1]},
        "tickets": [{"ticket": ticket, "is_flagged": bool(is_flagged)} for ticket, is_flagged in tickets],
        "visits": visits, "last_visit_on": last,
        "days_since_visit": (today - last).days if last else None,
        "elections": [
            {"election": election, "stage": current_stage(election, today),
             "days_until_voting": (election.voting_on - today).days}
            for election in elections
        ],
        "silent": silent,
    }


def village_silence(village, now=None):
    """Whether one village is silent, by the early-warning rule, in one query.

    The rule is ``warnings.services.silent_conditions`` (inside an active
    election window, no visit in the last ``SILENT_AFTER_DAYS`` days),
    applied to this village alone rather than filtering the whole area's
    ``silent_villages``. Returns None when the village is not silent, else
    a dict like a ``silent_villages`` row: ``village_code``,
    ``last_visit_on`` (None if never visited), ``days_silent`` (None if
    never) and ``election_name`` (the active election nearest to voting).
    """
    now = now or utcnow()
    today = local_date(now, village.timezone)
    found = db.session.execute(
        select(last_visit_expr(Region, now), nearest_election_name(Region, now, today))
        .where(Region.code == village.code, *silent_conditions(Region, now))
    ).first()
    if found is None:
        return None
    last, name = found
    return {
        "village_code": village.code, "last_visit_on": last,
        "days_silent": (today - last).days if last else None, "election_name": name,
    }


def election_banner(stages):
    """Group ``election_stages_ahead`` rows by election for the banner.

    Returns one dict per election, nearest voting day first: ``election_id,
    name, kind, voting_on, days_until_voting, current`` (the running stage
    row or None), ``quiet`` (the masa tenang stage row if within reach) and
    ``next`` (the next stage row to start, or None).
    """
    elections = {}
    for row in stages:
        entry = elections.setdefault(row["election_id"], {
            "election_id": row["election_id"], "name": row["election_name"], "kind": row["kind"],
            "voting_on": row["voting_on"], "days_until_voting": row["days_until_voting"],
            "current": None, "quiet": None, "next": None,
        })
        if row["days_until_start"] <= 0:
            entry["current"] = row
        elif entry["next"] is None:
            entry["next"] = row
        if row["stage"] == "quiet":
            entry["quiet"] = row
    return sorted(elections.values(), key=lambda e: (e["voting_on"], e["election_id"]))


def commander_dashboard(user, now=None):
    """Everything on a Koramil, Kodim or admin dashboard, in a fixed number of queries.

    Keys: headline, flow, categories, areas, area_level, hotspots,
    silent (up to 10 silent villages), elections (see ``election_banner``).
    """
    now = now or utcnow()
    summary = ticket_summary(user, now)
    return {
        "headline": summary["headline"],
        "flow": summary["flow"],
        "categories": summary["categories"],
        "area_level": area_level(user),
        "areas": open_by_area(user),
        "hotspots": hotspots(user, limit=10, at=now),
        "silent": silent_villages(user, at=now, limit=10),
        "elections": election_banner(election_stages_ahead(user, now, days=60)),
    }


def chart_data(user, name, now=None):
    """The numbers behind one chart of the user's dashboard, in one query over his scope.

    ``new`` and ``resolved`` take the weekly flow (both share a scale),
    ``category`` the open tickets per category, ``area`` the per-area counts
    (see ``area_level``). None when the user's dashboard has no such chart:
    a Babinsa's home has none.
    """
    if user.role == "babinsa":
        return None
    if name in ("new", "resolved"):
        return weekly_flow(user, now)
    if name == "category":
        return open_by_category(user, now)
    if name == "area" and area_level(user) is not None:
        return open_by_area(user)
    return None


def babinsa_home(user, now=None):
    """A Babinsa's start page: headline, his villages with open tickets and days since his last visit, elections."""
    now = now or utcnow()
    return {
        "headline": headline(user, now),
        "villages": my_villages(user, now),
        "elections": election_banner(election_stages_ahead(user, now, days=60)),
    }
