"""Set-based digest queries: each section for every unit of a batch in one statement.

An *audience* is what a recipient's digest depends on besides the clock:
his role and his unit, i.e. his scope. Users of one audience see the same
tickets and villages, so the queries here group by unit (``unit_region``
joined on the area column of the role) instead of running once per user,
and a full morning run costs a fixed number of statements whatever the
number of recipients.

The join is ``tracker.scope.units_covering``, the set-based form of the
scope rule for Koramil and Kodim users (no other role gets a digest).
tests/digests/test_batch.py checks the result against ``scope.tickets``
and against the per-user warnings and elections services for recipients of
several units.
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import aliased

from tracker import scope
from tracker.digests.models import OutboxMessage
from tracker.elections.models import Election, ElectionArea, ElectionStage
from tracker.extensions import db
from tracker.regions.codes import WIB
from tracker.regions.models import Region
from tracker.tickets.models import UNRESOLVED, Ticket
from tracker.timeutil import as_utc, local_date
from tracker.units.models import UnitRegion
from tracker.warnings.models import Flag, flagged_condition
from tracker.warnings.services import stage_multiplier_expr, ticket_risk_expr
from tracker.warnings.silence import last_visit_expr, nearest_election_name, silent_conditions

# The column of a ticket or region row that a unit's covered codes name, per role.
AREA_COLUMN = scope.UNIT_AREA_COLUMN
RESOLVED = ("resolved", "closed")


@dataclass(frozen=True)
class Audience:
    """A role and a unit: everyone with both shares one scope."""

    role: str
    unit_id: int


def audience_of(user):
    """The user's Audience, or None when ``tracker.scope`` would show him nothing."""
    if user is None or not user.is_active or user.unit_id is None or user.role not in AREA_COLUMN:
        return None
    return Audience(user.role, user.unit_id)


def by_role(audiences):
    """{role: sorted unit ids} of a collection of audiences."""
    grouped = defaultdict(set)
    for audience in audiences:
        grouped[audience.role].add(audience.unit_id)
    return {role: sorted(ids) for role, ids in grouped.items()}


def _covering(role, unit_ids, row):
    """Join condition: ``unit_region`` rows of the given units that cover ``row`` (the scope rule)."""
    return scope.units_covering(role, unit_ids, row)


def _within(by_role, row):
    """Condition: ``row`` lies in the area of one of the units (a pre-filter for shared scans).

    Lets a small batch (one user's preview) reach its rows through the
    area-code indexes instead of scanning everything.
    """
    return or_(*[
        getattr(row, AREA_COLUMN[role]).in_(select(UnitRegion.region_code).where(UnitRegion.unit_id.in_(unit_ids)))
        for role, unit_ids in sorted(by_role.items())
    ])


def waiting_condition(role):
    """Tickets waiting for a recipient: the Koramil's triage queue, the Kodim's escalations."""
    if role == "kodim":
        return Ticket.status == "escalated"
    return and_(Ticket.level == "koramil", Ticket.status == "new")


# --- previous digests ------------------------------------------------------------

def previous_digests(pairs):
    """{user id: when his previous digest (before the paired day) was decided} for (user, day) pairs.

    One statement per distinct day (a morning run has one to three).
    """
    by_day = defaultdict(list)
    for user, day in pairs:
        by_day[day].append(user.id)
    found = {}
    for day, user_ids in by_day.items():
        rows = db.session.execute(
            select(OutboxMessage.user_id, func.max(OutboxMessage.created_at))
            .where(OutboxMessage.user_id.in_(user_ids), OutboxMessage.digest_on < day)
            .group_by(OutboxMessage.user_id)
        )
        found.update((user_id, as_utc(created_at)) for user_id, created_at in rows)
    return found


def _per_role(by_role, branch):
    """UNION ALL of ``branch(role, unit_ids)`` for each role of ``by_role`` (one select if one role).

    Each branch joins ``unit_region`` for its role's units. Where the work
    does not depend on the role (counts per kecamatan, silent villages) it
    sits in a CTE the branches share; SQLite re-scanned shared CTEs under a
    window function, so the ticket lists and hotspots scan per branch.
    """
    selects = [branch(role, unit_ids) for role, unit_ids in sorted(by_role.items())]
    return selects[0] if len(selects) == 1 else union_all(*selects)


# --- tickets: counts and capped lists --------------------------------------------

def _ticket_conditions(since, at):
    unresolved = Ticket.status.in_(UNRESOLVED)
    return {
        "new": and_(Ticket.reported_at > since, Ticket.reported_at <= at),
        "flagged": and_(unresolved, flagged_condition(Ticket)),
        "overdue": and_(unresolved, Ticket.due_at < at),
        "resolved": and_(Ticket.status.in_(RESOLVED), Ticket.resolved_at > since, Ticket.resolved_at <= at),
        "attention": and_(unresolved, or_(flagged_condition(Ticket), Ticket.due_at < at)),
        **{f"waiting_{role}": waiting_condition(role) for role in AREA_COLUMN},
    }


COUNTED = ("new", "flagged", "overdue", "waiting", "resolved", "attention")
LISTED = ("attention", "waiting", "new")


def ticket_counts(by_role, since, at):
    """{Audience: {new, flagged, overdue, waiting, resolved, attention}}, in one statement.

    Tickets are counted once per kecamatan (one scan), then summed per unit.
    """
    conditions = _ticket_conditions(since, at)
    per_area = (
        select(Ticket.district_code, Ticket.regency_code,
               *[func.count(case((condition, 1))).label(name) for name, condition in conditions.items()])
        .where(_within(by_role, Ticket),
               or_(Ticket.status.in_(UNRESOLVED), Ticket.reported_at > since, Ticket.resolved_at > since))
        .group_by(Ticket.district_code, Ticket.regency_code)
        .cte("digest_area_counts")
    )

    def branch(role, unit_ids):
        return (
            select(literal(role).label("role"), UnitRegion.unit_id,
                   *[func.sum(per_area.c[f"waiting_{role}" if name == "waiting" else name]).label(name)
                     for name in COUNTED])
            .select_from(per_area).join(UnitRegion, _covering(role, unit_ids, per_area.c))
            .group_by(UnitRegion.unit_id)
        )

    return {Audience(row.role, row.unit_id): {name: int(getattr(row, name) or 0) for name in COUNTED}
            for row in db.session.execute(_per_role(by_role, branch))}


def ticket_lists(by_role, since, at, cap):
    """{Audience: {"attention"|"waiting"|"new": [row, ...]}}: the first ``cap`` of each list, one statement.

    Each list is most severe first, then oldest. One window per unit over
    its candidate tickets carries a running count per list, so a ticket is
    in a list when it belongs there and the count has not passed the cap.
    """
    conditions = _ticket_conditions(since, at)
    flag = {name: case((condition, 1), else_=0) for name, condition in conditions.items()}

    def branch(role, unit_ids):
        member = {"attention": flag["attention"], "waiting": flag[f"waiting_{role}"], "new": flag["new"]}
        window = {"partition_by": UnitRegion.unit_id,
                  "order_by": (Ticket.severity_rank.desc(), Ticket.reported_at, Ticket.id), "rows": (None, 0)}
        return (
            select(literal(role).label("role"), UnitRegion.unit_id.label("unit_id"), Ticket.id.label("ticket_id"),
                   *[member[name].label(f"is_{name}") for name in LISTED],
                   *[func.sum(member[name]).over(**window).label(f"rank_{name}") for name in LISTED])
            .select_from(Ticket).join(UnitRegion, _covering(role, unit_ids, Ticket))
            # Unresolved (every attention and waiting ticket) or new: both index-friendly.
            .where(or_(Ticket.status.in_(UNRESOLVED), conditions["new"]))
        )

    ranked = _per_role(by_role, branch).subquery()
    c = ranked.c
    stage = (
        select(Flag.stage)
        .where(Flag.ticket_id == Ticket.id, Flag.cleared_at.is_(None))
        .order_by(Flag.raised_at.desc(), Flag.id.desc())
        .limit(1)
        .correlate(Ticket)
        .scalar_subquery()
    )
    stmt = (
        select(
            c.role, c.unit_id, c.is_attention, c.is_waiting, c.is_new, c.rank_attention, c.rank_waiting,
            c.rank_new, Ticket.id, Ticket.ref, Ticket.title, Ticket.category, Ticket.severity, Ticket.status,
            Ticket.reported_at, Ticket.due_at, Region.name.label("village_name"), stage.label("flag_stage"),
        )
        .select_from(ranked)
        .join(Ticket, Ticket.id == c.ticket_id)
        .join(Region, Region.code == Ticket.village_code)
        .where(or_(*[and_(c[f"is_{name}"] == 1, c[f"rank_{name}"] <= cap) for name in LISTED]))
    )
    lists = defaultdict(lambda: {name: [] for name in LISTED})
    items = {}
    for row in db.session.execute(stmt):
        item = items.get(row.id)
        if item is None:
            item = items[row.id] = {
                "id": row.id, "ref": row.ref, "title": row.title, "category": row.category,
                "severity": row.severity, "status": row.status, "reported_at": as_utc(row.reported_at),
                "due_at": as_utc(row.due_at), "village_name": row.village_name, "flag_stage": row.flag_stage,
            }
            item["is_overdue"] = item["status"] in UNRESOLVED and item["due_at"] < at
        sections = lists[Audience(row.role, row.unit_id)]
        for name in LISTED:
            if row._mapping[f"is_{name}"] == 1 and row._mapping[f"rank_{name}"] <= cap:
                sections[name].append((row._mapping[f"rank_{name}"], item))
    for sections in lists.values():
        for name in LISTED:
            sections[name] = [item for _rank, item in sorted(sections[name], key=lambda pair: pair[0])]
    return lists


# --- villages: silent ones and hotspots --------------------------------------------

def silent_villages(by_role, at, cap):
    """{Audience: (total, [village, ...])}: silent villages per unit, the first ``cap`` of each.

    The same villages, order and fields as ``warnings.services.silent_villages``
    (never-visited and longest-silent first, by the same rule,
    ``warnings.services.silent_conditions``), for every unit at once.
    """
    v, d = aliased(Region), aliased(Region)
    silent = (
        select(v.code, v.district_code, v.regency_code, last_visit_expr(v, at).label("last_visit_on"))
        .where(_within(by_role, v), *silent_conditions(v, at))
        .cte("digest_silent")
    )
    k = silent.c

    def branch(role, unit_ids):
        order = (k.last_visit_on.asc().nulls_first(), k.code)
        return (
            select(literal(role).label("role"), UnitRegion.unit_id.label("unit_id"), k.code, k.last_visit_on,
                   func.row_number().over(partition_by=UnitRegion.unit_id, order_by=order).label("position"),
                   func.count().over(partition_by=UnitRegion.unit_id).label("total"))
            .select_from(silent).join(UnitRegion, _covering(role, unit_ids, k))
        )

    ranked = _per_role(by_role, branch).subquery()
    s = ranked.c
    village = aliased(Region)
    # Upcoming voting first, judged on the WIB day, as warnings.services does.
    election_name = nearest_election_name(village, at, local_date(at, WIB))
    stmt = (
        select(s.role, s.unit_id, s.total, s.code, village.name, village.timezone, d.name, s.last_visit_on,
               election_name.label("election_name"))
        .select_from(ranked)
        .join(village, village.code == s.code)
        .outerjoin(d, d.code == village.district_code)
        .where(s.position <= cap)
        .order_by(s.role, s.unit_id, s.position)
    )
    found = {}
    for role, unit_id, total, code, name, tz, district, last, election in db.session.execute(stmt):
        entry = found.setdefault(Audience(role, unit_id), (int(total), []))
        entry[1].append({
            "village_code": code, "village_name": name, "district_name": district,
            "last_visit_on": last, "days_silent": (local_date(at, tz) - last).days if last else None,
            "election_name": election,
        })
    return found


def hotspots(by_role, at, cap):
    """{Audience: [hotspot, ...]}: the riskiest ``cap`` villages per unit, as ``warnings.services.hotspots``."""
    def branch(role, unit_ids):
        per_village = (
            select(
                UnitRegion.unit_id.label("unit_id"),
                Ticket.village_code.label("code"),
                func.sum(ticket_risk_expr(Ticket, at)).label("base"),
                func.count().label("open_tickets"),
                func.sum(case((flagged_condition(Ticket), 1), else_=0)).label("flagged_tickets"),
            )
            .select_from(Ticket).join(UnitRegion, _covering(role, unit_ids, Ticket))
            .where(Ticket.status.in_(UNRESOLVED), Ticket.reported_at <= at)
            .group_by(UnitRegion.unit_id, Ticket.village_code)
            .subquery()
        )
        p = per_village.c
        v = aliased(Region)
        score = p.base * stage_multiplier_expr(v, at)
        return (
            select(literal(role).label("role"), p.unit_id, p.code, score.label("score"), p.open_tickets,
                   p.flagged_tickets,
                   func.row_number().over(partition_by=p.unit_id, order_by=(score.desc(), v.code)).label("position"))
            .select_from(per_village).join(v, v.code == p.code)
        )

    ranked = _per_role(by_role, branch).subquery()
    r = ranked.c
    village, district = aliased(Region), aliased(Region)
    stmt = (
        select(r.role, r.unit_id, r.code, village.name, district.name, r.score, r.open_tickets,
               r.flagged_tickets)
        .select_from(ranked)
        .join(village, village.code == r.code)
        .outerjoin(district, district.code == village.district_code)
        .where(r.position <= cap)
        .order_by(r.role, r.unit_id, r.position)
    )
    found = defaultdict(list)
    for role, unit_id, code, name, district_name, value, open_count, flagged in db.session.execute(stmt):
        found[Audience(role, unit_id)].append({
            "village_code": code, "village_name": name, "district_name": district_name,
            "score": round(float(value or 0), 2), "open_tickets": int(open_count),
            "flagged_tickets": int(flagged or 0),
        })
    return found


# --- elections ---------------------------------------------------------------------

@dataclass(frozen=True)
class StageRow:
    election_id: int
    election_name: str
    kind: str
    voting_on: object
    window_end: object
    stage: str
    starts_on: object
    ends_on: object
    scope_kind: str


def stages_ahead(first_day, last_horizon):
    """Every stage that may run on some recipient's day, with its election (one statement)."""
    rows = db.session.execute(
        select(Election.id, Election.name, Election.kind, Election.voting_on, Election.window_end,
               ElectionStage.name, ElectionStage.starts_on, ElectionStage.ends_on, Election.scope_kind)
        .join(ElectionStage, ElectionStage.election_id == Election.id)
        .where(Election.removed_at.is_(None), Election.window_end >= first_day, ElectionStage.ends_on >= first_day,
               ElectionStage.starts_on <= last_horizon)
        .order_by(ElectionStage.starts_on, Election.voting_on, Election.id)
    ).all()
    return [StageRow(*row) for row in rows]


def elections_touching(by_role, stages):
    """{Audience: election ids} among the stages' elections that cover a village the unit sees.

    As ``elections.services.touches_user_condition``: a national election
    touches every unit with a village, another one a unit with a village
    named by one of its areas (the village, its kabupaten or its province).
    Driven from the areas, which are few: each names its villages through
    an indexed code column.
    """
    touched = defaultdict(set)
    national = sorted({s.election_id for s in stages if s.scope_kind == "national"})
    named = sorted({s.election_id for s in stages if s.scope_kind != "national"})
    if national:
        def with_village(role, unit_ids):
            v = aliased(Region)
            return (
                select(literal(role).label("role"), UnitRegion.unit_id).distinct()
                .join(v, and_(getattr(v, AREA_COLUMN[role]) == UnitRegion.region_code, v.level == 4))
                .where(UnitRegion.unit_id.in_(unit_ids))
            )

        for role, unit_id in db.session.execute(_per_role(by_role, with_village)):
            touched[Audience(role, unit_id)].update(national)
    if named:
        def named_area(role, unit_ids):
            branches = []
            for column in ("code", "regency_code", "province_code"):
                v = aliased(Region)
                branches.append(
                    select(literal(role).label("role"), UnitRegion.unit_id, ElectionArea.election_id)
                    .select_from(ElectionArea)
                    .join(v, and_(getattr(v, column) == ElectionArea.region_code, v.level == 4))
                    .join(UnitRegion, _covering(role, unit_ids, v))
                    .where(ElectionArea.election_id.in_(named))
                )
            return union_all(*branches).subquery().select().distinct()

        for role, unit_id, election_id in db.session.execute(_per_role(by_role, named_area)):
            touched[Audience(role, unit_id)].add(election_id)
    return touched


def stages_for(stages, election_ids, today, days):
    """The stages of ``election_ids`` running on ``today`` or starting within ``days``, as dicts.

    The same dicts, in the same order, as ``elections.services.election_stages_ahead``.
    """
    horizon = today + timedelta(days=days)
    return [
        {
            "election_id": s.election_id, "election_name": s.election_name, "kind": s.kind, "stage": s.stage,
            "starts_on": s.starts_on, "ends_on": s.ends_on, "days_until_start": (s.starts_on - today).days,
            "voting_on": s.voting_on, "days_until_voting": (s.voting_on - today).days,
        }
        for s in stages
        if s.election_id in election_ids and s.window_end >= today and s.ends_on >= today
        and s.starts_on <= horizon
    ]

