"""Elections: default stages, creating, editing and removing an election, and the scoped calendar.

The calendar's SQL building blocks (a village's local day, "this election
covers this village") are ``tracker.elections.queries``. What other
features build on an election follows its changes through
``tracker.elections.signals``: this module never reaches into them.
"""
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select

from tracker import scope
from tracker.audit.services import record
from tracker.elections.models import ELECTION_KINDS, STAGES, Election, ElectionArea, ElectionStage
from tracker.elections.queries import live_condition
from tracker.elections.signals import election_edited, election_removed
from tracker.errors import Forbidden, ValidationError
from tracker.extensions import db
from tracker.regions.codes import WIB, CodeError, normalize
from tracker.regions.models import Region
from tracker.timeutil import local_date, utcnow
from tracker.units.models import UnitRegion
from tracker.validation import clean_text, parse_date

NAME_MAX = 160
# An edit leaves a field as it is unless it is given (None is a value: "empty").
KEEP = object()

KIND_LABELS = {
    "pilkades": _l("Pilkades (village head)"),
    "pilkada": _l("Pilkada (regional head)"),
    "pileg": _l("Pileg (legislative)"),
    "pilpres": _l("Pilpres (presidential)"),
}
STAGE_LABELS = {
    "lead_up": _l("Lead-up"),
    "campaign": _l("Campaign"),
    "quiet": _l("Quiet period (masa tenang)"),
    "voting": _l("Voting day"),
    "recap": _l("Recap"),
}
SCOPE_LABELS = {
    "national": _l("National"),
    "regions": _l("Provinces / kabupaten"),
    "villages": _l("Participating desa"),
}

# Day offsets from voting day D: lead-up start, campaign start, recap end.
# The campaign always ends on D-4, the quiet period runs D-3 .. D-1 and
# voting is D; lead-up fills the days before the campaign, recap the days
# after voting. (KPU 2024: campaign 28 Nov 2023 - 10 Feb 2024, recap to
# 20 Mar; Pilkada 2024: campaign 25 Sep - 23 Nov, recap to 16 Dec.)
DEFAULT_OFFSETS = {
    "pileg": (-120, -78, 35),
    "pilpres": (-120, -78, 35),
    "pilkada": (-90, -63, 19),
    "pilkades": (-60, -6, 30),
}


def default_stages(kind, voting_on):
    """The default stages of a kind of election voting on ``voting_on``, in order.

    Returns a list of ``{"name", "starts_on", "ends_on"}`` (inclusive local dates).
    """
    lead_up, campaign, recap = DEFAULT_OFFSETS[kind]
    day = lambda offset: voting_on + timedelta(days=offset)  # noqa: E731
    return [
        {"name": "lead_up", "starts_on": day(lead_up), "ends_on": day(campaign - 1)},
        {"name": "campaign", "starts_on": day(campaign), "ends_on": day(-4)},
        {"name": "quiet", "starts_on": day(-3), "ends_on": day(-1)},
        {"name": "voting", "starts_on": voting_on, "ends_on": voting_on},
        {"name": "recap", "starts_on": day(1), "ends_on": day(recap)},
    ]


# --- validating ---------------------------------------------------------------

def _parse_stage_overrides(errors, raw):
    """{name: (starts_on, ends_on)} from the request's stage list."""
    if raw in (None, ""):
        return {}
    if not isinstance(raw, list):
        errors["stages"] = [_l("Give a list of stages, each with name, starts_on and ends_on.")]
        return {}
    overrides, messages = {}, []
    for item in raw:
        if not isinstance(item, dict):
            messages.append(_l("Each stage is an object with name, starts_on and ends_on."))
            continue
        name = item.get("name")
        if name not in STAGES:
            messages.append(_l("Unknown stage %(name)s; choose from %(names)s.", name=name, names=", ".join(STAGES)))
            continue
        if name in overrides:
            messages.append(_l("The stage %(name)s is given twice.", name=name))
            continue
        date_errors = {}
        starts_on = parse_date(date_errors, "starts_on", item.get("starts_on"), required=True)
        ends_on = parse_date(date_errors, "ends_on", item.get("ends_on"), required=True)
        for key, key_messages in date_errors.items():
            messages.append(_l("%(stage)s %(field)s: %(message)s", stage=name, field=key, message=key_messages[0]))
        if not date_errors:
            overrides[name] = (starts_on, ends_on)
    if messages:
        errors["stages"] = messages
    return overrides


def merge_stages(kind, voting_on, overrides):
    """The default stages with the given ones replacing them by name.

    A lead-up not given ends the day before the campaign starts, and a recap
    not given starts the day after voting, so moving the campaign or the
    voting stage keeps the window whole.
    """
    stages = {s["name"]: s for s in default_stages(kind, voting_on)}
    for name, (starts_on, ends_on) in overrides.items():
        stages[name] = {"name": name, "starts_on": starts_on, "ends_on": ends_on}
    if "lead_up" not in overrides:
        stages["lead_up"]["ends_on"] = stages["campaign"]["starts_on"] - timedelta(days=1)
    if "recap" not in overrides:
        stages["recap"]["starts_on"] = stages["voting"]["ends_on"] + timedelta(days=1)
    return [stages[name] for name in STAGES]


def stage_problems(stages, voting_on):
    """Messages for inconsistent stages (empty when they fit together).

    Stages come in the fixed order lead-up, campaign, quiet, voting, recap;
    each ends on or after its start, the voting stage holds the voting day,
    the stages before it end before that day, and each stage starts the
    day after the previous one ends (no overlap, no gap).
    """
    problems = []
    for stage in stages:
        if stage["ends_on"] < stage["starts_on"]:
            problems.append(_l("%(stage)s ends (%(end)s) before it starts (%(start)s).",
                               stage=STAGE_LABELS[stage["name"]], end=stage["ends_on"], start=stage["starts_on"]))
    by_name = {s["name"]: s for s in stages}
    voting = by_name["voting"]
    if not voting["starts_on"] <= voting_on <= voting["ends_on"]:
        problems.append(_l("The voting stage must include the voting day %(day)s.", day=voting_on))
    for name in ("lead_up", "campaign", "quiet"):
        if by_name[name]["ends_on"] >= voting_on:
            problems.append(_l("%(stage)s must end before the voting day %(day)s.",
                               stage=STAGE_LABELS[name], day=voting_on))
    if by_name["recap"]["starts_on"] <= voting_on:
        problems.append(_l("%(stage)s must start after the voting day %(day)s.",
                           stage=STAGE_LABELS["recap"], day=voting_on))
    for before, after in zip(stages, stages[1:]):
        gap = (after["starts_on"] - before["ends_on"]).days
        if gap < 1:
            problems.append(_l("%(first)s and %(second)s overlap.",
                               first=STAGE_LABELS[before["name"]], second=STAGE_LABELS[after["name"]]))
        elif gap > 1:
            problems.append(_l("There is a gap between %(first)s and %(second)s.",
                               first=STAGE_LABELS[before["name"]], second=STAGE_LABELS[after["name"]]))
    return problems


def _parse_codes(errors, raw):
    if not isinstance(raw, list) or not raw or not all(isinstance(c, str) for c in raw):
        errors["scope"] = [_l("Give a non-empty list of region codes.")]
        return []
    codes, bad = [], []
    for item in raw:
        try:
            codes.append(normalize(item))
        except CodeError:
            bad.append(item)
    if bad:
        errors["scope"] = [_l("Not region codes: %(codes)s", codes=", ".join(map(str, bad)))]
    return list(dict.fromkeys(codes))


def _parse_scope(errors, kind, raw):
    """(scope_kind, [region codes]) from ``{"national": true}`` / ``{"regions": [...]}`` / ``{"villages": [...]}``."""
    keys = [k for k in ("national", "regions", "villages") if isinstance(raw, dict) and k in raw]
    if not isinstance(raw, dict) or len(keys) != 1 or len(raw) != 1:
        errors["scope"] = [_l('Give exactly one of {"national": true}, {"regions": [codes]} or {"villages": [codes]}.')]
        return None, []
    scope_kind = keys[0]
    if scope_kind == "national":
        if raw["national"] is not True:
            errors["scope"] = [_l('A national scope is {"national": true}.')]
        elif kind == "pilkades":
            errors["scope"] = [_l("A Pilkades lists its participating desa (villages).")]
        return scope_kind, []
    if kind == "pilkades" and scope_kind != "villages":
        errors["scope"] = [_l("A Pilkades lists its participating desa (villages).")]
        return scope_kind, []
    if kind != "pilkades" and scope_kind == "villages":
        errors["scope"] = [_l("Only a Pilkades covers single villages; give provinces or kabupaten (regions).")]
        return scope_kind, []
    codes = _parse_codes(errors, raw[scope_kind])
    if not codes or "scope" in errors:
        return scope_kind, codes
    found = {r.code: r for r in db.session.execute(select(Region).where(Region.code.in_(codes))).scalars()}
    if scope_kind == "regions":
        wrong = [c for c in codes if c not in found or found[c].level not in (1, 2)]
        if wrong:
            errors["scope"] = [_l("Not a known province or kabupaten/kota: %(codes)s", codes=", ".join(wrong))]
    else:
        unknown = [c for c in codes if c not in found or found[c].level != 4]
        kelurahan = [f"{c} {found[c].name}" for c in codes if c in found and found[c].level == 4
                     and not found[c].holds_pilkades]
        messages = []
        if unknown:
            messages.append(_l("Not a known village: %(codes)s", codes=", ".join(unknown)))
        if kelurahan:
            messages.append(_l("Kelurahan hold no Pilkades: %(names)s", names=", ".join(kelurahan)))
        if messages:
            errors["scope"] = messages
    return scope_kind, codes


def can_manage_elections(user):
    """Kodim staff and administrators manage elections."""
    return user is not None and user.role in ("kodim", "admin")


def _area_problem(actor, scope_kind, codes):
    """Why the actor may not hold an election of this scope (a message), or None.

    The operator at the command line (None) and administrators hold any; a
    Kodim only elections inside its own kabupaten: no national one, only its
    own kabupaten as regions, only its own desa.
    """
    if actor is None or actor.role == "admin":
        return None
    if scope_kind == "national":
        return _l("Only an administrator creates or changes a national election.")
    if scope_kind == "regions":
        covered = set(db.session.execute(
            select(UnitRegion.region_code).where(UnitRegion.unit_id == actor.unit_id)
        ).scalars())
    else:
        covered = set(db.session.execute(
            select(Region.code).where(Region.code.in_(codes), Region.code.in_(scope.village_codes(actor)))
        ).scalars())
    outside = [c for c in codes if c not in covered]
    if outside:
        return _l("Outside your area: %(codes)s", codes=", ".join(outside))
    return None


def _check_area(actor, scope_kind, codes):
    """A Kodim creates elections only inside its own kabupaten (403 otherwise)."""
    problem = _area_problem(actor, scope_kind, codes)
    if problem is not None:
        raise Forbidden(problem)


def _manage_problem(actor, election):
    """Why the actor may not edit or remove the election (a message), or None."""
    if actor is None:
        return None
    if not can_manage_elections(actor):
        return _l("Only Kodim and administrators manage elections.")
    return _area_problem(actor, election.scope_kind, [area.region_code for area in election.areas])


def can_manage_election(user, election):
    """The user may edit and remove this election: an administrator any, a Kodim those it could create."""
    return _manage_problem(user, election) is None


def create_election(actor, *, kind, name, voting_on, scope, stages=None):
    """Create an election with its area and stages (defaults unless overridden).

    ``scope`` is ``{"national": true}``, ``{"regions": [province/kabupaten codes]}``
    or, for a Pilkades, ``{"villages": [desa codes]}``; ``stages`` an optional
    list of ``{"name", "starts_on", "ends_on"}`` replacing defaults by name.
    ``actor`` None is the operator at the command line. Raises
    ValidationError (422) naming the field, Forbidden (403) for a role that
    may not, or a Kodim reaching outside its kabupaten.
    """
    if actor is not None and not can_manage_elections(actor):
        raise Forbidden(_l("Only Kodim and administrators manage elections."))
    errors = {}
    if kind not in ELECTION_KINDS:
        errors["kind"] = [_l("Choose one of: %(choices)s.", choices=", ".join(ELECTION_KINDS))]
    name = clean_text(errors, "name", name, required=True, maximum=NAME_MAX)
    voting_on = parse_date(errors, "voting_on", voting_on, required=True)
    overrides = _parse_stage_overrides(errors, stages)
    scope_kind, codes = _parse_scope(errors, kind, scope) if kind in ELECTION_KINDS else (None, [])
    merged = None
    if kind in ELECTION_KINDS and voting_on and "stages" not in errors:
        merged = merge_stages(kind, voting_on, overrides)
        problems = stage_problems(merged, voting_on)
        if problems:
            errors["stages"] = problems
    if errors:
        raise ValidationError(errors)
    _check_area(actor, scope_kind, codes)

    election = Election(
        kind=kind, name=name, voting_on=voting_on, scope_kind=scope_kind,
        window_start=merged[0]["starts_on"], window_end=merged[-1]["ends_on"],
        created_by_id=actor.id if actor is not None else None, created_at=utcnow(),
    )
    election.stages = [ElectionStage(**stage) for stage in merged]
    election.areas = [ElectionArea(region_code=code) for code in sorted(codes)]
    db.session.add(election)
    db.session.flush()
    record("election.created", actor=actor, detail={"election_id": election.id, "name": election.name})
    return election


def edit_election(actor, election, *, kind=KEEP, name=KEEP, voting_on=KEEP, scope=KEEP, stages=KEEP, at=None):
    """Change an election's name, voting day, stages or area; a field not given stays as it is.

    The fields mean and are validated as in ``create_election``. A new
    voting day without ``stages`` takes the default stages counted from it;
    ``stages`` given (an empty list included) replace the defaults of the
    voting day by name, as on creation. The kind cannot change (422): remove
    the election and create another. The actor must be allowed to manage
    the election as it is (``can_manage_election``) and, for a new area,
    to create an election there (403 otherwise).

    Nothing is written unless everything is valid. The flushed change is
    then signalled (``election_edited``, with ``at`` and whether the area
    changed): the warnings feature clears at once the active flags on
    tickets in villages the new area no longer covers, as the sweep clears
    flags; new dates are for the next sweep to judge. Flushes; the caller
    commits.
    """
    _check_may_manage(actor, election)
    errors = {}
    if kind is not KEEP and kind != election.kind:
        errors["kind"] = [_l("The kind of an election cannot change; remove it and create a new one.")]
    if name is not KEEP:
        name = clean_text(errors, "name", name, required=True, maximum=NAME_MAX)
    if voting_on is not KEEP:
        voting_on = parse_date(errors, "voting_on", voting_on, required=True)
    overrides = _parse_stage_overrides(errors, stages) if stages is not KEEP else None
    scope_kind, codes = _parse_scope(errors, election.kind, scope) if scope is not KEEP else (None, None)
    day = election.voting_on if voting_on is KEEP else voting_on
    merged = None
    if day is not None and "stages" not in errors and (overrides is not None or day != election.voting_on):
        merged = merge_stages(election.kind, day, overrides or {})
        problems = stage_problems(merged, day)
        if problems:
            errors["stages"] = problems
    if errors:
        raise ValidationError(errors)
    if scope is not KEEP:
        _check_area(actor, scope_kind, codes)

    if name is not KEEP:
        election.name = name
    if merged is not None:
        election.voting_on = day
        rows = {stage.name: stage for stage in election.stages}
        for stage in merged:
            rows[stage["name"]].starts_on, rows[stage["name"]].ends_on = stage["starts_on"], stage["ends_on"]
        election.window_start, election.window_end = merged[0]["starts_on"], merged[-1]["ends_on"]
    if scope is not KEEP:
        wanted = set(codes)
        kept = [area for area in election.areas if area.region_code in wanted]
        have = {area.region_code for area in kept}
        election.scope_kind = scope_kind
        election.areas = kept + [ElectionArea(region_code=code) for code in sorted(wanted - have)]
    db.session.flush()
    election_edited.send(election, actor=actor, at=at or utcnow(), area_changed=scope is not KEEP)
    record("election.changed", actor=actor, detail={"election_id": election.id, "name": election.name})
    return election


def remove_election(actor, election, at=None):
    """Remove an election: mark it removed, and have its active flags cleared.

    The row stays, marked ``removed_at``, so the flags it raised and their
    history keep their election; the calendar, the sweep, the dashboard and
    the digests ignore it from now on (``queries.live_condition``). The
    flushed removal is signalled (``election_removed``): the warnings
    feature clears each active flag as the sweep clears one (cleared_at, a
    ``flag_cleared`` line in the ticket's timeline, "election removed"),
    with the actor named. Returns how many flags were cleared, as the
    signal's receivers report it. Raises Forbidden (403) as
    ``edit_election``. Flushes; the caller commits.
    """
    _check_may_manage(actor, election)
    at = at or utcnow()
    election.removed_at = at
    election.removed_by_id = actor.id if actor is not None else None
    db.session.flush()
    record("election.removed", actor=actor, detail={"election_id": election.id, "name": election.name})
    return sum(cleared for _receiver, cleared in election_removed.send(election, actor=actor, at=at))


def _check_may_manage(actor, election):
    problem = _manage_problem(actor, election)
    if problem is not None:
        raise Forbidden(problem)


# --- reading ----------------------------------------------------------------------

def user_today(user, at=None):
    """The user's local date: his unit's time zone, WIB without a unit."""
    tz = user.unit.timezone if user is not None and user.unit is not None else WIB
    return local_date(at or utcnow(), tz)


def touches_user_condition(user):
    """SQL: the election is not removed and covers at least one village the user may see.

    Driven from the election, whose area rows are few: each asks for one
    visible village through an indexed code (the village itself, its
    kabupaten, or the range of village codes under its province), so the
    cost does not grow with the villages the user sees (83,762 for the
    administrator).
    """
    def visible():
        return scope.villages(user).subquery()

    national = visible()
    area_hit = []
    for level in ("code", "regency_code", "province_code"):
        village = visible()
        named = village.c[level] == ElectionArea.region_code
        if level == "province_code":
            # Kemendagri codes nest: a province's villages are the codes "PP.*".
            named = and_(named, village.c.code > ElectionArea.region_code.concat("."),
                         village.c.code < ElectionArea.region_code.concat("/"))
        area_hit.append(
            select(ElectionArea.id).join(village, named)
            .where(ElectionArea.election_id == Election.id).exists()
        )
    return and_(live_condition(Election),
                or_(and_(Election.scope_kind == "national", select(national.c.code).exists()), *area_hit))


def elections_for_user(user, active=None, at=None):
    """A select of the elections touching the user's villages, latest voting day first.

    ``active`` True keeps elections whose window holds the user's local day,
    False the others, None all.
    """
    stmt = select(Election).where(touches_user_condition(user))
    if active is not None:
        today = user_today(user, at)
        inside = and_(Election.window_start <= today, Election.window_end >= today)
        stmt = stmt.where(inside if active else ~inside)
    return stmt.order_by(Election.voting_on.desc(), Election.id.desc())


def get_election(user, election_id):
    """The election if it touches the user's villages, else None (404)."""
    if isinstance(election_id, bool) or not isinstance(election_id, int):
        return None
    return db.session.execute(
        select(Election).where(Election.id == election_id, touches_user_condition(user))
    ).scalar_one_or_none()


def current_stage(election, day):
    """The name of the election's stage holding ``day``, or None outside the window."""
    for stage in election.stages:
        if stage.starts_on <= day <= stage.ends_on:
            return stage.name
    return None


def election_stages_ahead(user, at, days=60):
    """Stages running now or starting within ``days``, of the elections touching the user.

    One query. Returns dicts ordered by start: election_id, election_name,
    kind, stage, stage_label, starts_on, ends_on, days_until_start (0 or
    negative for the running stage), voting_on, days_until_voting.
    """
    today = user_today(user, at)
    horizon = today + timedelta(days=days)
    rows = db.session.execute(
        select(Election.id, Election.name, Election.kind, Election.voting_on,
               ElectionStage.name, ElectionStage.starts_on, ElectionStage.ends_on)
        .join(ElectionStage, ElectionStage.election_id == Election.id)
        .where(touches_user_condition(user), Election.window_end >= today,
               ElectionStage.ends_on >= today, ElectionStage.starts_on <= horizon)
        .order_by(ElectionStage.starts_on, Election.voting_on, Election.id)
    ).all()
    return [
        {
            "election_id": election_id, "election_name": name, "kind": kind, "stage": stage,
            "stage_label": str(STAGE_LABELS[stage]), "starts_on": starts_on, "ends_on": ends_on,
            "days_until_start": (starts_on - today).days, "voting_on": voting_on,
            "days_until_voting": (voting_on - today).days,
        }
        for election_id, name, kind, voting_on, stage, starts_on, ends_on in rows
    ]


def election_villages(election, limit=None):
    """The named areas of an election with their region names (one query)."""
    stmt = (
        select(ElectionArea.region_code, Region.name, Region.kind)
        .join(Region, Region.code == ElectionArea.region_code)
        .where(ElectionArea.election_id == election.id)
        .order_by(ElectionArea.region_code)
    )
    if limit:
        stmt = stmt.limit(limit)
    return db.session.execute(stmt).all()
