"""JSON shapes of the API's objects (the contract in issue 3 and openapi.json).

Times are ISO 8601 in UTC with an explicit offset; dates are YYYY-MM-DD.
"""
from datetime import timezone


def iso_time(value):
    """An aware UTC ISO 8601 string, or None (SQLite hands back naive UTC values)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.isoformat(timespec="seconds") + "+00:00"
    return value.astimezone(timezone.utc).isoformat(timespec="seconds")


def iso_date(value):
    """YYYY-MM-DD, or None."""
    return value.isoformat() if value is not None else None


def ticket_json(ticket, flagged, attachments, duplicate_of=None):
    """A ticket; ``flagged``, ``attachments`` (its number of photos) and ``duplicate_of`` (the id
    of its original, when the caller may see it) come from one query per page each
    (warnings.models.flagged_ids, attachments.services.photo_counts,
    tickets.services.visible_originals)."""
    return _ticket_fields(ticket, ticket.village.name, ticket.reporter.username, flagged, attachments, duplicate_of)


def ticket_row_json(row, duplicate_of=None):
    """A ticket from a list row (tickets.listing.ROW_COLUMNS): its columns and ``village_name``,
    ``reporter``, ``flagged`` and ``attachments``.

    The same object as ticket_json, read from the row's dict: one conversion
    per row instead of an attribute look-up per field (a page of 100 is
    serialized in about half the time).
    """
    d = row._asdict()
    return {
        "id": d["id"],
        "ref": d["ref"],
        "village_code": d["village_code"],
        "village_name": d["village_name"],
        "category": d["category"],
        "severity": d["severity"],
        "status": d["status"],
        "level": d["level"],
        "title": d["title"],
        "description": d["description"],
        "occurred_on": iso_date(d["occurred_on"]),
        "reported_at": iso_time(d["reported_at"]),
        "due_at": iso_time(d["due_at"]),
        "reporter": d["reporter"],
        "sensitive": d["is_sensitive"],
        "flagged": bool(d["flagged"]),
        "version": d["version"],
        "attachments": d["attachments"],
        "duplicate_of": duplicate_of,
        "latitude": d["latitude"],
        "longitude": d["longitude"],
        "accuracy_m": d["accuracy_m"],
    }


def _location_fields(record):
    """Where a ticket or visit was reported from: three numbers, or three nulls."""
    return {"latitude": record.latitude, "longitude": record.longitude, "accuracy_m": record.accuracy_m}


def _ticket_fields(ticket, village_name, reporter, flagged, attachments, duplicate_of):
    return {
        "id": ticket.id,
        "ref": ticket.ref,
        "village_code": ticket.village_code,
        "village_name": village_name,
        "category": ticket.category,
        "severity": ticket.severity,
        "status": ticket.status,
        "level": ticket.level,
        "title": ticket.title,
        "description": ticket.description,
        "occurred_on": iso_date(ticket.occurred_on),
        "reported_at": iso_time(ticket.reported_at),
        "due_at": iso_time(ticket.due_at),
        "reporter": reporter,
        "sensitive": ticket.is_sensitive,
        "flagged": flagged,
        "version": ticket.version,
        "attachments": attachments,
        "duplicate_of": duplicate_of,
        **_location_fields(ticket),
    }


def event_json(event):
    """One timeline line; ``actor`` is None for the system (the sweep)."""
    return {
        "kind": event.kind,
        "actor": event.actor.username if event.actor is not None else None,
        "at": iso_time(event.at),
        "from": event.from_value,
        "to": event.to_value,
        "reason": event.reason,
    }


def visit_json(visit):
    """A Komsos visit."""
    return {
        "id": visit.id,
        "village_code": visit.village_code,
        "visited_on": iso_date(visit.visited_on),
        "met_with": visit.met_with,
        "notes": visit.notes,
        "babinsa": visit.babinsa.username,
        "created_at": iso_time(visit.created_at),
        **_location_fields(visit),
    }


def village_json(village, names):
    """A village; ``names`` maps the page's kecamatan and kabupaten codes to names."""
    return {
        "code": village.code,
        "name": village.name,
        "kind": village.kind,
        "district": names.get(village.district_code),
        "regency": names.get(village.regency_code),
    }
