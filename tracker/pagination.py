"""Pages of an ordered select: one paginator for every web list and every API list.

A page is fetched with one row more than it shows: that look-ahead row says
whether a next page exists without counting. The total is exact, capped (a
national ticket list counts to a cap and says "10000+" instead of scanning a
million rows on every page) or skipped. A keyset cursor resumes after the
last row of a page at any depth without an offset: it holds that row's
(timestamp, id), the select's descending order.
"""
from datetime import datetime, timedelta, timezone

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, tuple_

from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.params import MAX_ID

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class Page:
    """One page of rows, with what the ``pager`` macro and the API list envelope read."""

    def __init__(self, items, *, page, per_page, has_next, total=None, total_is_capped=False, next_cursor=None):
        self.items = items
        self.page, self.per_page = page, per_page
        self.has_next = has_next
        self.total, self.total_is_capped = total, total_is_capped
        self.next_cursor = next_cursor
        self.has_prev = page > 1
        self.prev_num = page - 1 if self.has_prev else None
        self.next_num = page + 1 if has_next else None
        # The counted pages, and at least this one when it holds rows (a capped
        # count stops short of the last page).
        self.pages = max(-(-(total or 0) // per_page), page if items else 0)


def _all_scalars(window):
    return db.session.execute(window).scalars().all()


def count_rows(stmt, *, cap=None, key=None):
    """How many rows the select matches.

    Exact: count(*) over the select's own FROM and WHERE. With ``cap``, at
    most cap + 1 rows are counted, by their ``key`` column, so the caller
    can say "cap+" without scanning the rest.
    """
    if cap is None:
        return db.session.execute(
            stmt.with_only_columns(func.count(), maintain_column_froms=True).order_by(None)).scalar_one()
    return db.session.execute(
        select(func.count()).select_from(stmt.with_only_columns(key).order_by(None).limit(cap + 1).subquery())
    ).scalar_one()


def paginate(stmt, *, page, per_page, load=_all_scalars, count=True, cap=None, key=None, keyset=None,
             after=None, counted=None):
    """One Page of the ordered select ``stmt``: the count first, then the page's rows.

    ``load(window)`` runs the window (the select limited to per_page + 1
    rows after the page's offset) and returns its rows; by default the
    selected entities. ``count=False`` skips the total (None); ``cap`` and
    ``key`` cap it (see count_rows). ``keyset`` names the select's order
    columns, (timestamp, id), both descending: the page then starts after
    the row of the decoded cursor ``after``, and ``next_cursor`` names its
    last row when more follow. ``counted(stmt)`` may answer the exact total
    from elsewhere (the ticket counters), or None to have the rows counted.
    """
    total, capped = None, False
    if count:
        total = counted(stmt) if counted is not None else None
        if total is None:
            total = count_rows(stmt, cap=cap, key=key)
        capped = cap is not None and total > cap
        total = min(total, cap) if capped else total
    if after is not None:
        stmt = stmt.where(tuple_(*keyset) < tuple_(*after))
    rows = load(stmt.limit(per_page + 1).offset((page - 1) * per_page))
    has_next = len(rows) > per_page
    rows = rows[:per_page]
    next_cursor = None
    if has_next and keyset is not None:
        moment_column, id_column = keyset
        next_cursor = encode_cursor(getattr(rows[-1], moment_column.key), getattr(rows[-1], id_column.key))
    return Page(rows, page=page, per_page=per_page, has_next=has_next, total=total, total_is_capped=capped,
                next_cursor=next_cursor)


def encode_cursor(moment, row_id):
    """``<microseconds since 1970>.<id>`` of a row: where the next page resumes."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    delta = moment - _EPOCH
    return f"{(delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds}.{row_id}"


def decode_cursor(raw, field="after"):
    """(moment, id) from a cursor, or raise ValidationError naming ``field``."""
    micros, _sep, row_id = raw.partition(".")
    try:
        if not (micros.lstrip("-").isascii() and row_id.isascii()):
            raise ValueError
        moment = _EPOCH + timedelta(microseconds=int(micros))
        number = int(row_id)
        if number < 1 or number > MAX_ID:
            raise ValueError
    except (ValueError, OverflowError):
        raise ValidationError({field: [_l("Not a cursor; pass the `next` value of the previous page.")]}) from None
    return moment, number
