"""Daily digests: who gets one, what it holds, and deciding it into the outbox.

Digests are built in batches: each section is one set-based statement for
every unit of the batch (``tracker.digests.audiences``), so deciding all
recipients costs the same few dozen statements whether there are three or
eight thousand of them. Each digest holds only what the recipient's scope
shows him, is rendered in his language (``tracker.digests.render``) and
written to the outbox in the caller's transaction. The one-user functions
wrap the batch ones. Functions flush; the caller commits.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.auth.models import User
from tracker.digests import audiences
from tracker.digests.babinsa import build_news_digests, render_news_digests
from tracker.digests.outbox import existing_keys, queue_messages
from tracker.digests.render import links_builder, render_digests
from tracker.extensions import db
from tracker.regions.codes import WIB
from tracker.timeutil import local_date, local_midnight_utc
from tracker.units.models import Unit

RECIPIENT_ROLES = ("koramil", "kodim")
# A Babinsa with an email and digests on gets his news instead (tracker.digests.babinsa).
DIGEST_ROLES = RECIPIENT_ROLES + ("babinsa",)
ELECTION_DAYS_AHEAD = 60


def digest_key(user, day):
    """The outbox key of a user's digest for a local date."""
    return f"digest:{user.id}:{day.isoformat()}"


def recipients_query():
    """Users who get digests: Koramil, Kodim and Babinsa, active, switched on, with an email and a unit.

    Units and their regions are loaded with the users, so reading each
    recipient's time zone costs no further query.
    """
    return (
        select(User)
        .where(
            User.role.in_(DIGEST_ROLES),
            User.is_digest_enabled.is_(True),
            User.is_active_account.is_(True),
            User.email.is_not(None),
            User.email != "",
            User.unit_id.is_not(None),
        )
        .options(
            selectinload(User.unit).selectinload(Unit.regions),
            selectinload(User.unit).selectinload(Unit.parent).selectinload(Unit.regions),
        )
        .order_by(User.id)
    )


def is_recipient(user):
    """Predicate: does this user get digests at all (role, switch, email, unit, active)?"""
    return (
        user.role in DIGEST_ROLES and user.is_digest_enabled and user.is_active
        and bool(user.email) and user.unit is not None
    )


def digest_slot(user, day):
    """The UTC instant a user's digest for ``day`` is due: DIGEST_HOUR in his unit's time zone."""
    # Indonesian time zones have no daylight saving, so midnight + hours is exact.
    return local_midnight_utc(day, user.unit.timezone) + timedelta(hours=current_app.config["DIGEST_HOUR"])


@dataclass
class Section:
    """A capped list: the rows shown, how many exist, and links to the full lists.

    ``links`` holds (label or None, url) pairs; a single unlabelled link
    makes "and N more" itself the link.
    """

    items: list
    total: int
    links: list = field(default_factory=list)

    @property
    def more(self):
        return max(self.total - len(self.items), 0)


@dataclass
class Digest:
    """Everything one recipient's digest for one local date says."""

    user: User
    day: date
    at: datetime
    since: datetime
    counts: dict
    new: Section
    attention: Section
    waiting: Section
    silent: Section
    hotspots: list
    elections: list = field(default_factory=list)

    @property
    def is_empty(self):
        """Nothing happened and nothing needs him: the short "nothing new" digest."""
        return not any(self.counts.values()) and not self.silent.total and not self.elections


def _elections_ahead(stages, cap):
    """Per election (in start order): the stage running now and the next one to start.

    ``stages`` comes from ``election_stages_ahead``; later stages of the
    same election would only repeat the countdown.
    """
    grouped = {}
    for stage in stages:
        entry = grouped.setdefault(stage["election_id"], {
            "election_name": stage["election_name"], "voting_on": stage["voting_on"],
            "days_until_voting": stage["days_until_voting"], "running": None, "next": None,
        })
        if stage["days_until_start"] <= 0:
            entry["running"] = stage
        elif entry["next"] is None:
            entry["next"] = stage
    return list(grouped.values())[:cap]


def _links(*pairs):
    return [(label, url) for label, url in pairs if url]


_EMPTY_COUNTS = dict.fromkeys(audiences.COUNTED, 0)
_EMPTY_LISTS = {name: [] for name in audiences.LISTED}


def build_digests(pairs, at):
    """Collect the digests of many (user, local date) pairs as of ``at``: {user id: Digest}.

    Set-based: every section is one statement for all the units of the
    batch (see ``tracker.digests.audiences``), so the number of statements
    does not grow with the number of recipients (only the since-dependent
    sections run once per distinct "since", a handful in a morning run).
    Users who share a role, a unit and a "since" share one set of sections.

    "New" and "resolved" count from the user's previous digest's decision
    (or the 24 hours before ``at`` for a first digest). Tickets and villages
    are those the user's scope shows him (``tracker.scope``); a user whom
    scope shows nothing gets empty sections.
    """
    pairs = list(pairs)
    if not pairs:
        return {}
    cap = current_app.config["DIGEST_LIST_CAP"]
    url = links_builder()
    previous = audiences.previous_digests(pairs)
    since_of = {user.id: previous.get(user.id) or at - timedelta(days=1) for user, _day in pairs}
    audience_of = {user.id: audiences.audience_of(user) for user, _day in pairs}
    by_since = defaultdict(set)
    for user, _day in pairs:
        if audience_of[user.id] is not None:
            by_since[since_of[user.id]].add(audience_of[user.id])
    everyone = set().union(*by_since.values()) if by_since else set()

    counts, lists = {}, {}
    for since, group in by_since.items():
        by_role = audiences.by_role(group)
        counts.update(((audience, since), row) for audience, row in
                      audiences.ticket_counts(by_role, since, at).items())
        lists.update(((audience, since), row) for audience, row in
                     audiences.ticket_lists(by_role, since, at, cap).items())
    todays = {user.id: local_date(at, user.unit.timezone) if user.unit is not None else local_date(at, WIB)
              for user, _day in pairs}
    stages = audiences.stages_ahead(min(todays.values()),
                                    max(todays.values()) + timedelta(days=ELECTION_DAYS_AHEAD))
    silent, spots, touched = {}, {}, {}
    if everyone:
        by_role = audiences.by_role(everyone)
        silent = audiences.silent_villages(by_role, at, cap)
        spots = audiences.hotspots(by_role, at, cap)
        if stages:
            touched = audiences.elections_touching(by_role, stages)

    shared = {}

    def sections(user):
        """The sections of the user's (audience, since), built once and shared."""
        audience, since = audience_of[user.id], since_of[user.id]
        # Users whom scope shows nothing share nothing (their links differ).
        key = (audience or f"user:{user.id}", since)
        if key not in shared:
            count_row = counts.get((audience, since), _EMPTY_COUNTS)
            listed = lists.get((audience, since), _EMPTY_LISTS)
            for items in listed.values():
                for item in items:
                    if "url" not in item:
                        item["url"] = url("tickets.detail", ticket_id=item["id"])
            tz = user.unit.timezone if user.unit is not None else WIB
            waiting_list = url("tickets.escalations" if user.role == "kodim" else "tickets.triage")
            silent_total, silent_items = silent.get(audience, (0, []))
            shared[key] = {
                "counts": {name: count_row[name] for name in ("new", "flagged", "overdue", "waiting", "resolved")},
                "new": Section(listed["new"], count_row["new"],
                               _links((None, url("tickets.index", date_from=local_date(since, tz).isoformat())))),
                "attention": Section(listed["attention"], count_row["attention"],
                                     _links((_l("flagged"), url("tickets.index", status="open", flagged="true")),
                                            (_l("overdue"), url("tickets.overdue")))),
                "waiting": Section(listed["waiting"], count_row["waiting"], _links((None, waiting_list))),
                "silent": Section(silent_items, silent_total, _links((None, url("warnings.silent")))),
                "hotspots": spots.get(audience, []),
            }
        return shared[key]

    digests = {}
    for user, day in pairs:
        parts = sections(user)
        election_ids = touched.get(audience_of[user.id], ())
        ahead = audiences.stages_for(stages, election_ids, todays[user.id], ELECTION_DAYS_AHEAD)
        digests[user.id] = Digest(
            user=user, day=day, at=at, since=since_of[user.id], counts=dict(parts["counts"]), new=parts["new"],
            attention=parts["attention"], waiting=parts["waiting"], silent=parts["silent"],
            hotspots=parts["hotspots"], elections=_elections_ahead(ahead, cap),
        )
    return digests


def build_digest(user, day, at):
    """Collect one recipient's digest for local date ``day`` as of ``at`` (a fixed number of queries).

    ``build_digests`` for one user: every ticket and village in it is one
    the user's scope shows him.
    """
    return build_digests([(user, day)], at)[user.id]


@dataclass
class Decision:
    """A digest written to the outbox (or, in a dry run, that would be)."""

    user: User
    day: date
    subject: str
    is_skipped: bool


def decide_digests(pairs, at, *, dry_run=False):
    """Decide the digests of (user, local date) pairs into the outbox; returns the Decisions.

    Pairs whose digest already exists are left out (in a dry run too). The
    rest are built together (``build_digests``), rendered and written in
    one multi-row insert; a row another decider wrote meanwhile is skipped
    by its unique key. With DIGEST_SEND_EMPTY off, an empty digest is
    recorded as ``skipped``, so it is decided once and not rebuilt on every run.
    """
    keyed = {digest_key(user, day): (user, day) for user, day in pairs}
    taken = existing_keys(keyed)
    todo = [(key, pair) for key, pair in keyed.items() if key not in taken]
    # In batches of DIGEST_BATCH recipients, a unit's users side by side: a
    # batch's bodies are written before the next is built, so a national
    # morning (7,800 commanders) holds a few hundred digests at a time.
    todo.sort(key=lambda item: (item[1][0].role, item[1][0].unit_id or 0, item[0]))
    size = current_app.config["DIGEST_BATCH"]
    decided = []
    for start in range(0, len(todo), size):
        decided += _decide_batch(todo[start:start + size], at, dry_run=dry_run)
    return decided


def _decide_batch(todo, at, *, dry_run):
    """Build, render and queue one batch of ``(key, (user, day))``; returns its Decisions.

    Commanders get the area digest; Babinsa their news (``build_news_digests``).
    An empty news digest is always recorded as skipped: a Babinsa is not
    mailed to say that nobody answered him.
    """
    if not todo:
        return []
    commanders = [(key, pair) for key, pair in todo if pair[0].role != "babinsa"]
    babinsa = [(key, pair) for key, pair in todo if pair[0].role == "babinsa"]
    todo = commanders + babinsa
    digests = build_digests([pair for _key, pair in commanders], at)
    digests.update(build_news_digests([pair for _key, pair in babinsa], at))
    send_empty = current_app.config["DIGEST_SEND_EMPTY"]
    rendered = render_digests([digests[user.id] for _key, (user, _day) in commanders]) \
        + render_news_digests([digests[user.id] for _key, (user, _day) in babinsa])
    decisions, rows = {}, []
    for (key, (user, day)), (subject, text, html) in zip(todo, rendered):
        skip = digests[user.id].is_empty and (user.role == "babinsa" or not send_empty)
        decisions[key] = Decision(user, day, subject, skip)
        rows.append({
            "key": key, "user_id": user.id, "digest_on": day, "to_address": user.email, "subject": subject,
            "body_text": text, "body_html": html, "status": "skipped" if skip else "pending",
        })
    if dry_run:
        return list(decisions.values())
    written = queue_messages(rows, now=at)
    return [decision for key, decision in decisions.items() if key in written]


def decide_digest(user, day, at, *, dry_run=False):
    """Decide one recipient's digest for ``day`` into the outbox; returns a Decision, or None.

    None means the digest already existed (or, in a dry run, exists). With
    DIGEST_SEND_EMPTY off, an empty digest is recorded as ``skipped``, so it
    is decided once and not rebuilt on every run.
    """
    decided = decide_digests([(user, day)], at, dry_run=dry_run)
    return decided[0] if decided else None


def decide_for_date(at, *, day=None, username=None, dry_run=False):
    """Decide the digests for a local date (default: each recipient's today).

    Used by ``flask digest send``: any date is accepted, content is as of
    ``at``, and recipients who already have that day's digest are skipped.
    Returns the list of Decisions, in recipient order.
    """
    stmt = recipients_query()
    if username:
        stmt = stmt.where(User.username == username)
    users = db.session.execute(stmt).scalars().all()
    return decide_digests([(user, day or local_date(at, user.unit.timezone)) for user in users], at,
                          dry_run=dry_run)


def due_digests(now):
    """Recipients whose digest for their local today is due at ``now`` and not yet decided.

    Due means the unit's local clock has passed DIGEST_HOUR today, and not
    by more than DIGEST_CATCHUP_HOURS: after downtime each user gets today's
    digest once, late, and never one for a day long past.
    """
    cutoff = timedelta(hours=current_app.config["DIGEST_CATCHUP_HOURS"])
    candidates = {}
    for user in db.session.execute(recipients_query()).scalars():
        day = local_date(now, user.unit.timezone)
        slot = digest_slot(user, day)
        if slot <= now <= slot + cutoff:
            candidates[digest_key(user, day)] = (user, day)
    taken = existing_keys(candidates)
    return [pair for key, pair in candidates.items() if key not in taken]
