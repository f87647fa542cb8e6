"""The news feed (*Kabar*), its unread count, and what waits for a Babinsa's action.

The feed is read from the tickets' timeline: the lines other people (or
the system) added to the tickets a user is in, after he came in. A user is
in a ticket once he wrote a line on it: he filed it (its "created" line),
commented on it or moved it. Every read goes through ``tracker.scope``: a
ticket that left his area (a village given to another Babinsa, a sensitive
ticket of someone else) drops out of the feed and its counts.

Each function sends one statement (plus the scope helper's cached read of
the user's area, once per request): a feed page, the unread count, marking
read, the waiting count.
"""
from dataclasses import dataclass
from datetime import datetime

from flask import g
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from tracker import scope
from tracker.auth.models import User
from tracker.extensions import db
from tracker.news.models import NewsReadMarker
from tracker.pagination import paginate
from tracker.tickets.models import UNRESOLVED, Ticket, TicketEvent
from tracker.timeutil import as_utc, utcnow

# The timeline lines that are news to the people in a ticket: someone
# answered, moved, escalated, rejected or reclassified it. Photos, flags
# and the creation are not.
FEED_KINDS = ("comment", "status", "escalated", "severity", "category")
PER_PAGE = 20
# A status line that takes a ticket out of "resolved" or "closed" is a reopening.
FINISHED = ("resolved", "closed")
# The lines that move a ticket (who moved it last says whose hands it is in).
MOVES = ("created", "status", "escalated")


@dataclass(frozen=True)
class NewsItem:
    """One line of a user's feed, with the ticket it belongs to."""

    event_id: int
    kind: str
    from_value: str | None
    to_value: str | None
    reason: str
    at: datetime
    actor_name: str | None
    ticket_id: int
    ticket_ref: str
    ticket_title: str
    ticket_status: str
    is_unread: bool


def _involvement(user):
    """Per ticket the user wrote on, the id of his first line there (a subquery, by actor index)."""
    return (
        select(TicketEvent.ticket_id.label("ticket_id"), func.min(TicketEvent.id).label("first_id"))
        .where(TicketEvent.actor_id == user.id)
        .group_by(TicketEvent.ticket_id)
        .subquery("mine")
    )


def _marker(user):
    """The id of the last line the user has read (0 before he first opened the feed)."""
    return func.coalesce(
        select(NewsReadMarker.last_event_id).where(NewsReadMarker.user_id == user.id).scalar_subquery(), 0)


def _feed(user, *columns):
    """A select of ``columns`` over the user's feed lines (TicketEvent joined to its scoped Ticket)."""
    mine = _involvement(user)
    return (
        select(*columns)
        .select_from(mine)
        .join(TicketEvent, and_(TicketEvent.ticket_id == mine.c.ticket_id, TicketEvent.id > mine.c.first_id))
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(
            TicketEvent.kind.in_(FEED_KINDS),
            or_(TicketEvent.actor_id.is_(None), TicketEvent.actor_id != user.id),
            scope.ticket_condition(user, Ticket),
        )
    )


def feed_page(user, page, per_page=PER_PAGE):
    """One page of the user's feed, newest first (one statement): a Page of NewsItem.

    The page also carries ``newest_event_id``: the highest line id of the
    whole feed (None when the page is empty), which ``mark_read`` stores.
    """
    stmt = _item_select(
        user, (TicketEvent.id > _marker(user)).label("is_unread"),
        func.max(TicketEvent.id).over().label("newest_event_id"),
    )
    result = paginate(stmt, page=page, per_page=per_page, count=False,
                      load=lambda window: db.session.execute(window).all())
    result.newest_event_id = result.items[0].newest_event_id if result.items else None
    result.items = [_item(row, is_unread=bool(row.is_unread)) for row in result.items]
    return result


def _item_select(user, *extra):
    """The user's feed lines with their actors and tickets, newest first."""
    actor = aliased(User)
    return (
        _feed(user, TicketEvent.id, TicketEvent.kind, TicketEvent.from_value, TicketEvent.to_value,
              TicketEvent.reason, TicketEvent.at, actor.rank.label("actor_rank"),
              actor.full_name.label("actor_full_name"), Ticket.id.label("ticket_id"), Ticket.ref, Ticket.title,
              Ticket.status, *extra)
        .outerjoin(actor, actor.id == TicketEvent.actor_id)
        .order_by(TicketEvent.at.desc(), TicketEvent.id.desc())
    )


def _item(row, is_unread=False):
    if row.actor_full_name is None:
        actor_name = None
    else:
        actor_name = f"{row.actor_rank} {row.actor_full_name}" if row.actor_rank else row.actor_full_name
    return NewsItem(event_id=row.id, kind=row.kind, from_value=row.from_value, to_value=row.to_value,
                    reason=row.reason or "", at=as_utc(row.at), actor_name=actor_name, ticket_id=row.ticket_id,
                    ticket_ref=row.ref, ticket_title=row.title, ticket_status=row.status, is_unread=is_unread)


def feed_since(user, since, until, limit):
    """The user's feed lines added in (since, until], newest first: (the first ``limit`` NewsItems, total).

    For the Babinsa's digest: what happened since his previous one. Two statements.
    """
    window = and_(TicketEvent.at > since, TicketEvent.at <= until)
    total = db.session.execute(_feed(user, func.count()).where(window)).scalar_one()
    if not total:
        return [], 0
    rows = db.session.execute(_item_select(user).where(window).limit(limit)).all()
    items = [_item(row) for row in rows]
    return items, total


_UNREAD_KEY = "news_unread"
# The badges say "99+" past this: counting a busy commander's thousands of unread lines on
# every page cost 110-130 ms at a million tickets, counting a hundred 10-13 ms.
UNREAD_SHOWN = 99


def unread_count(user):
    """How many lines of the user's feed came after he last opened it, counted up to ``UNREAD_SHOWN + 1``.

    One statement, once per request: the header badge and the home page
    ask within one request; the answer is kept in ``flask.g`` for it. An
    answer above ``UNREAD_SHOWN`` means "more than that" (the badges say
    "99+", templates/macros/badges.html).
    """
    if user is None or not user.is_authenticated:
        return 0
    cache = g.setdefault(_UNREAD_KEY, {})
    if user.id not in cache:
        lines = _feed(user, TicketEvent.id).where(TicketEvent.id > _marker(user)).limit(UNREAD_SHOWN + 1)
        cache[user.id] = db.session.execute(select(func.count()).select_from(lines.subquery())).scalar_one()
    return cache[user.id]


def mark_read(user, newest_event_id, now=None):
    """Record that the user has seen his feed up to line ``newest_event_id`` (one statement).

    Never moves the marker back (an older page opened in another tab).
    Flushes; the request commits.
    """
    if newest_event_id is None:
        return
    now = now or utcnow()
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(NewsReadMarker).values(user_id=user.id, last_event_id=newest_event_id, read_at=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=[NewsReadMarker.user_id],
        set_={"last_event_id": func.max(NewsReadMarker.last_event_id, stmt.excluded.last_event_id)
              if dialect == "sqlite" else func.greatest(NewsReadMarker.last_event_id, stmt.excluded.last_event_id),
              "read_at": now},
    )
    db.session.execute(stmt)
    g.setdefault(_UNREAD_KEY, {})[user.id] = 0


# --- what waits for a Babinsa ------------------------------------------------------

def _latest_line_id(*conditions):
    """The id of a ticket's newest timeline line meeting ``conditions`` (correlated to Ticket)."""
    return (
        select(func.max(TicketEvent.id))
        .where(TicketEvent.ticket_id == Ticket.id, *conditions)
        .correlate(Ticket)
        .scalar_subquery()
    )


def waiting_condition(user):
    """The tickets that wait for this Babinsa's action (see README, "Waiting for me").

    Open tickets he can see where the next move is his:

    * *triaged* at Koramil level: the Koramil has checked it and work in
      the field starts with him (he may *Start work*);
    * *in progress* at Koramil level, put there by him (he started it and
      should resolve it) or reopened on a ticket he filed (handed back);
    * *asked*: someone else commented on it after his own last line there.

    New tickets wait for the Koramil's triage, escalated ones for the Kodim,
    in-progress ones started by the Koramil for the Koramil: not for him.
    """
    last_move = aliased(TicketEvent)
    moved_by_him_or_reopened = (
        select(last_move.id)
        .where(last_move.id == _latest_line_id(TicketEvent.kind.in_(MOVES)),
               or_(last_move.actor_id == user.id,
                   and_(last_move.from_value.in_(FINISHED), Ticket.reporter_id == user.id)))
        .correlate(Ticket)
        .exists()
    )
    asked = _latest_line_id(TicketEvent.kind == "comment", TicketEvent.actor_id != user.id) \
        > _latest_line_id(TicketEvent.actor_id == user.id)
    at_koramil = Ticket.level == "koramil"
    return and_(
        scope.ticket_condition(user, Ticket),
        Ticket.status.in_(UNRESOLVED),
        or_(
            and_(at_koramil, Ticket.status == "triaged"),
            and_(at_koramil, Ticket.status == "in_progress", moved_by_him_or_reopened),
            asked,
        ),
    )


def waiting_tickets(user):
    """A select of the tickets waiting for the Babinsa's action, most severe and oldest first."""
    return select(Ticket).where(waiting_condition(user)) \
        .order_by(Ticket.severity_rank.desc(), Ticket.reported_at, Ticket.id)


def waiting_count(user):
    """How many tickets wait for the Babinsa's action (one statement)."""
    return db.session.execute(select(func.count()).select_from(Ticket).where(waiting_condition(user))).scalar_one()
