"""Daily digests: who gets one, what it holds, and deciding it into the outbox.

A digest is built for one recipient from a fixed set of scoped queries (the
same number whatever the data size), rendered in his language, and written
to the outbox in the caller's transaction. Functions flush; the caller
commits.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from babel.dates import format_datetime as babel_format_datetime
from flask import current_app, render_template
from flask_babel import force_locale, format_date, get_locale, gettext as _, lazy_gettext as _l, ngettext
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import selectinload
from werkzeug.routing import BuildError

from tracker import scope
from tracker.auth.models import User
from tracker.digests.models import OutboxMessage
from tracker.digests.outbox import existing_keys, queue_message
from tracker.elections.services import STAGE_LABELS, election_stages_ahead
from tracker.extensions import db
from tracker.regions.codes import TIMEZONE_LABELS
from tracker.regions.models import Region
from tracker.tickets.labels import CATEGORY_LABELS, SEVERITY_LABELS, STATUS_LABELS
from tracker.tickets.models import UNRESOLVED, Ticket
from tracker.timeutil import as_utc, local_date, local_midnight_utc
from tracker.units.models import Unit
from tracker.warnings.models import Flag
from tracker.tickets.services import flagged_condition
from tracker.warnings.services import hotspots, silent_villages

RECIPIENT_ROLES = ("koramil", "kodim")
RESOLVED = ("resolved", "closed")
ELECTION_DAYS_AHEAD = 60


def digest_key(user, day):
    """The outbox key of a user's digest for a local date."""
    return f"digest:{user.id}:{day.isoformat()}"


def recipients_query():
    """Koramil and Kodim users who get digests: active, switched on, with an email and a unit.

    Units and their regions are loaded with the users, so reading each
    recipient's time zone costs no further query.
    """
    return (
        select(User)
        .where(
            User.role.in_(RECIPIENT_ROLES),
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
        user.role in RECIPIENT_ROLES and user.is_digest_enabled and user.is_active
        and bool(user.email) and user.unit is not None
    )


def digest_slot(user, day):
    """The UTC instant a user's digest for ``day`` is due: DIGEST_HOUR in his unit's time zone."""
    # Indonesian time zones have no daylight saving, so midnight + hours is exact.
    return local_midnight_utc(day, user.unit.timezone) + timedelta(hours=current_app.config["DIGEST_HOUR"])


def absolute_url(endpoint, **values):
    """An absolute link for an email (BASE_URL + the endpoint's path), or None if there is no such page.

    Built from the URL map, so it works in CLI commands and jobs where no
    request exists.
    """
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
    )
    try:
        return adapter.build(endpoint, values, force_external=True)
    except BuildError:
        return None


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


def _previous_digest_at(user, day):
    """When the user's previous digest (before ``day``) was decided, or None."""
    return db.session.execute(
        select(func.max(OutboxMessage.created_at)).where(
            OutboxMessage.user_id == user.id,
            OutboxMessage.digest_on < day,
        )
    ).scalar()


def _waiting_condition(user):
    """Tickets waiting for this recipient: the Koramil's triage queue, the Kodim's escalations."""
    if user.role == "kodim":
        return Ticket.status == "escalated"
    return and_(Ticket.level == "koramil", Ticket.status == "new")


def _ticket_rows(condition, visible, order, cap, at):
    """Up to ``cap`` visible tickets meeting ``condition``, with village and flag stage, in one query."""
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
            Ticket.id, Ticket.ref, Ticket.title, Ticket.category, Ticket.severity, Ticket.status,
            Ticket.reported_at, Ticket.due_at, Region.name.label("village_name"),
            stage.label("flag_stage"),
        )
        .join(Region, Region.code == Ticket.village_code)
        .where(visible, condition)
        .order_by(*order)
        .limit(cap)
    )
    rows = []
    for row in db.session.execute(stmt):
        item = row._asdict()
        item["reported_at"] = as_utc(item["reported_at"])
        item["due_at"] = as_utc(item["due_at"])
        item["is_overdue"] = item["status"] in UNRESOLVED and item["due_at"] < at
        item["url"] = absolute_url("tickets.detail", ticket_id=item["id"])
        rows.append(item)
    return rows


def build_digest(user, day, at):
    """Collect one recipient's digest for local date ``day`` as of ``at`` (a fixed number of queries).

    "New" and "resolved" count from the previous digest's decision (or the
    24 hours before ``at`` for a first digest). Every ticket query carries
    the scope condition, so the digest shows only what the user can open.
    """
    cap = current_app.config["DIGEST_LIST_CAP"]
    since = as_utc(_previous_digest_at(user, day)) or at - timedelta(days=1)
    visible = scope.ticket_condition(user, Ticket)
    unresolved = Ticket.status.in_(UNRESOLVED)
    flagged = and_(unresolved, flagged_condition(Ticket))
    overdue = and_(unresolved, Ticket.due_at < at)
    attention = and_(unresolved, or_(flagged_condition(Ticket), Ticket.due_at < at))
    is_new = and_(Ticket.reported_at > since, Ticket.reported_at <= at)
    resolved = and_(Ticket.status.in_(RESOLVED), Ticket.resolved_at > since, Ticket.resolved_at <= at)
    waiting = _waiting_condition(user)

    def tally(condition):
        return func.count(case((condition, 1)))

    counts_row = db.session.execute(
        select(
            tally(is_new).label("new"), tally(flagged).label("flagged"), tally(overdue).label("overdue"),
            tally(waiting).label("waiting"), tally(resolved).label("resolved"),
            tally(attention).label("attention"),
        ).where(visible, or_(unresolved, Ticket.reported_at > since, Ticket.resolved_at > since))
    ).one()
    counts = {name: int(getattr(counts_row, name) or 0)
              for name in ("new", "flagged", "overdue", "waiting", "resolved")}
    most_severe_oldest = (Ticket.severity_rank.desc(), Ticket.reported_at, Ticket.id)

    def links(*pairs):
        return [(label, url) for label, url in pairs if url]

    waiting_list = absolute_url("tickets.escalations" if user.role == "kodim" else "tickets.triage")
    new = Section(
        _ticket_rows(is_new, visible, most_severe_oldest, cap, at), counts["new"],
        links((None, absolute_url("tickets.index", date_from=local_date(since, user.unit.timezone).isoformat()))),
    )
    attention_section = Section(
        _ticket_rows(attention, visible, most_severe_oldest, cap, at), int(counts_row.attention or 0),
        links((_l("flagged"), absolute_url("tickets.index", status="open", flagged="true")),
              (_l("overdue"), absolute_url("tickets.overdue"))),
    )
    waiting_section = Section(
        _ticket_rows(waiting, visible, most_severe_oldest, cap, at), counts["waiting"],
        links((None, waiting_list)),
    )
    silent_all = silent_villages(user, at=at)
    silent = Section(silent_all[:cap], len(silent_all), links((None, absolute_url("warnings.silent"))))
    return Digest(
        user=user, day=day, at=at, since=since, counts=counts, new=new, attention=attention_section,
        waiting=waiting_section, silent=silent, hotspots=hotspots(user, limit=cap, at=at),
        elections=_elections_ahead(election_stages_ahead(user, at, days=ELECTION_DAYS_AHEAD), cap),
    )


class _Formatter:
    """Dates, ages and countdowns in the recipient's language and time zone (inside force_locale)."""

    def __init__(self, user, at):
        self.tz = ZoneInfo(user.unit.timezone)
        self.tz_label = TIMEZONE_LABELS.get(user.unit.timezone, "WIB")
        self.at = at

    def day(self, value):
        return format_date(value, "d MMM yyyy") if value else ""

    def moment(self, value):
        local = babel_format_datetime(as_utc(value), "d MMM yyyy HH:mm", tzinfo=self.tz, locale=get_locale())
        return f"{local} {self.tz_label}"

    def age(self, reported_at):
        hours = int((self.at - reported_at).total_seconds() // 3600)
        if hours < 24:
            return ngettext("%(num)d hour", "%(num)d hours", max(hours, 0))
        return ngettext("%(num)d day", "%(num)d days", hours // 24)

    def countdown(self, stage):
        """E.g. "Masa tenang Pilkades dimulai dalam 3 hari", or how long an active stage runs."""
        # Labelled here, not from stage_label, so the text is in the recipient's language.
        names = {"stage": STAGE_LABELS[stage["stage"]], "election": stage["election_name"]}
        start = stage["days_until_start"]
        if start > 0:
            return ngettext("%(stage)s of %(election)s starts in %(num)d day (%(date)s)",
                            "%(stage)s of %(election)s starts in %(num)d days (%(date)s)", start,
                            date=self.day(stage["starts_on"]), **names)
        if start == 0:
            return _("%(stage)s of %(election)s starts today", **names)
        return _("%(stage)s of %(election)s is under way until %(date)s",
                 date=self.day(stage["ends_on"]), **names)

    def voting(self, election):
        """E.g. "voting in 12 days (9 Dec 2026)"."""
        days, day = election["days_until_voting"], self.day(election["voting_on"])
        if days < 0:
            return _("voted on %(date)s", date=day)
        if days == 0:
            return _("voting today (%(date)s)", date=day)
        return ngettext("voting in %(num)d day (%(date)s)", "voting in %(num)d days (%(date)s)", days, date=day)


def render_digest(digest):
    """(subject, plain text, HTML) of a digest, in the recipient's language."""
    user = digest.user
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        fmt = _Formatter(user, digest.at)
        if digest.is_empty:
            summary = _("nothing new")
        else:
            summary = _("%(flagged)d flagged, %(new)d new",
                        flagged=digest.counts["flagged"], new=digest.counts["new"])
        subject = f"[Waspada] {user.unit.name} · {fmt.day(digest.day)} · {summary}"
        context = {
            "digest": digest, "user": user, "unit": user.unit, "subject": subject, "fmt": fmt,
            "category_labels": CATEGORY_LABELS, "severity_labels": SEVERITY_LABELS,
            "status_labels": STATUS_LABELS, "stage_labels": STAGE_LABELS,
            "home_url": absolute_url("main.index"),
            "preview_url": absolute_url("digests.preview", date=digest.day.isoformat()),
            "settings_url": absolute_url("auth.settings"),
        }
        text = render_template("email/digest.txt", **context)
        html = render_template("email/digest.html", **context)
    return subject, text, html


@dataclass
class Decision:
    """A digest written to the outbox (or, in a dry run, that would be)."""

    user: User
    day: date
    subject: str
    is_skipped: bool


def decide_digest(user, day, at, *, dry_run=False):
    """Decide one recipient's digest for ``day`` into the outbox; returns a Decision, or None.

    None means the digest already existed (or, in a dry run, exists). With
    DIGEST_SEND_EMPTY off, an empty digest is recorded as ``skipped``, so it
    is decided once and not rebuilt on every run.
    """
    key = digest_key(user, day)
    if dry_run and existing_keys([key]):
        return None
    digest = build_digest(user, day, at)
    subject, text, html = render_digest(digest)
    skip = digest.is_empty and not current_app.config["DIGEST_SEND_EMPTY"]
    if not dry_run and not queue_message(
        key=key, user_id=user.id, digest_on=day, to_address=user.email, subject=subject,
        body_text=text, body_html=html, now=at, status="skipped" if skip else "pending",
    ):
        return None
    return Decision(user, day, subject, skip)


def decide_for_date(at, *, day=None, username=None, dry_run=False):
    """Decide the digests for a local date (default: each recipient's today).

    Used by ``flask digest send``: any date is accepted, content is as of
    ``at``, and recipients who already have that day's digest are skipped.
    Returns the list of Decisions.
    """
    stmt = recipients_query()
    if username:
        stmt = stmt.where(User.username == username)
    users = db.session.execute(stmt).scalars().all()
    days = {user.id: day or local_date(at, user.unit.timezone) for user in users}
    keyed = {digest_key(user, days[user.id]): user for user in users}
    taken = existing_keys(keyed)
    decided = []
    for key, user in keyed.items():
        if key in taken:
            continue
        decision = decide_digest(user, days[user.id], at, dry_run=dry_run)
        if decision is not None:
            decided.append(decision)
    return decided


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
