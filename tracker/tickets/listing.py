"""Pages of the ticket list: the web list and queues, and the API list, through the one paginator.

The select comes from the scoped search (``search_tickets``) or a queue;
these functions only say how a page's rows are loaded: Ticket objects with
their villages for the web, or the API's flat rows, each with its village's
name, its reporter, whether it is flagged and its number of photos, from
one statement. A page's total comes from the ticket counters when they can
tell it (``tracker.counters.queries.list_total``), else from counting rows.
"""
import functools

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.attachments.services import photo_count_column
from tracker.auth.models import User
from tracker.counters.queries import list_total
from tracker.extensions import db
from tracker.pagination import paginate
from tracker.regions.models import Region
from tracker.tickets.models import Ticket
from tracker.warnings.models import flagged_condition

# The list's order, newest first: what its cursor names.
KEYSET = (Ticket.reported_at, Ticket.id)

# The columns of an API list row.
ROW_COLUMNS = (
    Ticket.id, Ticket.ref, Ticket.village_code, Region.name.label("village_name"), Ticket.category,
    Ticket.severity, Ticket.status, Ticket.level, Ticket.title, Ticket.description, Ticket.occurred_on,
    Ticket.reported_at, Ticket.due_at, User.username.label("reporter"), Ticket.is_sensitive,
    flagged_condition().label("flagged"), Ticket.version, Ticket.latitude, Ticket.longitude, Ticket.accuracy_m,
    photo_count_column(Ticket.id),
)


def ticket_page(stmt, page, per_page, *, cap):
    """One page of tickets (villages loaded), its total counted up to ``cap``."""
    return paginate(
        stmt, page=page, per_page=per_page, cap=cap, key=Ticket.id, counted=list_total,
        load=lambda window: db.session.execute(window.options(selectinload(Ticket.village))).scalars().all(),
    )


@functools.cache
def _row_select():
    """The API rows' select but for its page, built once (building it was a sixth of _rows' time)."""
    return (select(*ROW_COLUMNS)
            .join_from(Ticket, Region, Region.code == Ticket.village_code)
            .join(User, User.id == Ticket.reporter_id)
            .order_by(Ticket.reported_at.desc(), Ticket.id.desc()))


def _rows(window):
    # The page's ids come from the ordered index alone; only those rows are joined.
    return db.session.execute(
        _row_select().where(Ticket.id.in_(window.with_only_columns(Ticket.id).scalar_subquery()))
    ).all()


def ticket_row_page(stmt, page, per_page, *, count=True, after=None):
    """One page of the newest-first search ``stmt`` as API rows (ROW_COLUMNS).

    ``count=False`` skips the exact total; ``after`` (a decoded cursor)
    starts the page after that ticket, and the page's ``next_cursor`` names
    its last row when more follow.
    """
    return paginate(stmt, page=page, per_page=per_page, load=_rows, count=count, keyset=KEYSET, after=after,
                    counted=list_total)
