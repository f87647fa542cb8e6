"""The CSV export of a ticket search: streamed in batches, times in each village's zone."""
import csv
import io
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy.orm import aliased

from tracker.attachments.services import photo_count_column
from tracker.auth.models import User
from tracker.extensions import db
from tracker.regions.models import Region
from tracker.tickets.labels import CATEGORY_LABELS
from tracker.tickets.models import Ticket
from tracker.tickets.services import search_tickets
from tracker.timeutil import as_utc, utcnow
from tracker.warnings.models import flagged_condition

EXPORT_COLUMNS = (
    "ref", "reported_at", "occurred_on", "due_at", "resolved_at", "status", "level",
    "severity", "category", "category_label", "village_code", "village", "district",
    "title", "description", "parties", "reporter", "sensitive", "flagged", "photos",
)
EXPORT_BATCH = 1000
# A spreadsheet runs a cell starting with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def local_stamper(tz_name):
    """A function writing a UTC time as ISO 8601 local time to the minute, with its offset.

    Indonesia's zones (WIB, WITA, WIT) keep one offset all year, so the
    export shifts by a fixed delta instead of a zone look-up per value (a
    fifth of a million-row export's time); a zone with daylight saving
    would take the look-up.
    """
    zone = ZoneInfo(tz_name)
    year = utcnow().year
    offsets = {zone.utcoffset(datetime(year, month, 1)) for month in (1, 4, 7, 10)}
    if len(offsets) != 1:
        return lambda moment: as_utc(moment).astimezone(zone).isoformat(timespec="minutes") if moment else ""
    shift = offsets.pop()
    fixed = timezone(shift)
    suffix = datetime(2000, 1, 1, tzinfo=fixed).isoformat()[-6:]

    def stamp(moment):
        if moment is None:
            return ""
        if moment.tzinfo is not None:
            return moment.astimezone(fixed).isoformat(timespec="minutes")
        return (moment + shift).isoformat(timespec="minutes") + suffix  # naive: UTC (SQLite)

    return stamp


def export_csv(user, params, *, batch_size=EXPORT_BATCH, now=None):
    """The tickets matching the filters (scoped) as CSV text chunks.

    Filters are checked now (ValidationError); the returned generator then
    streams rows in batches through a server-side cursor, so memory stays
    flat however many rows match. Times are ISO 8601 in the village's zone;
    text that a spreadsheet would run as a formula is prefixed with ``'``.
    Photos are counted, never linked; positions are not exported.
    """
    village, district = aliased(Region), aliased(Region)
    stmt = (
        search_tickets(user, params, now=now)
        .with_only_columns(
            Ticket.ref, Ticket.reported_at, Ticket.occurred_on, Ticket.due_at, Ticket.resolved_at,
            Ticket.status, Ticket.level, Ticket.severity, Ticket.category, Ticket.village_code,
            village.name, district.name, Ticket.title, Ticket.description, Ticket.parties,
            User.username, Ticket.is_sensitive, flagged_condition().label("flagged"), village.timezone,
            photo_count_column(Ticket.id), maintain_column_froms=False,
        )
        .join_from(Ticket, village, village.code == Ticket.village_code)
        .join_from(Ticket, district, district.code == Ticket.district_code)
        .join_from(Ticket, User, User.id == Ticket.reporter_id)
    )

    # Resolved once, not per row: labels in the request's language, zones by name.
    labels = {code: str(label) for code, label in CATEGORY_LABELS.items()}
    stampers = {}

    def cell(value):
        """Free text a spreadsheet would run as a formula gets a leading ``'``."""
        if value and value.startswith(_FORMULA_START):
            return "'" + value
        return value

    def chunks():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(EXPORT_COLUMNS)
        result = db.session.execute(stmt, execution_options={"yield_per": batch_size})
        for rows in result.partitions():
            for (ref, reported, occurred, due, resolved, status, level, severity, category, code,
                 village_name, district_name, title, description, parties, reporter, sensitive,
                 flagged, tz, photos) in rows:
                stamp = stampers.get(tz) or stampers.setdefault(tz, local_stamper(tz))
                # Codes, enums and times are ours; only the text columns can start with "=".
                writer.writerow((
                    ref, stamp(reported), occurred.isoformat() if occurred else "",
                    stamp(due), stamp(resolved), status, level, severity, category,
                    labels[category], code, cell(village_name), cell(district_name), cell(title),
                    cell(description), cell(parties), cell(reporter), "yes" if sensitive else "no",
                    "yes" if flagged else "no", photos,
                ))
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()

    return chunks()
