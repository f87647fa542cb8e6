"""Visits and tickets over JSON: the same services as the web pages.

Every read goes through the scope helper (via get_ticket/search_tickets),
so an out-of-scope or need-to-know ticket answers 404 on every path.
"""
from flask import jsonify, request, url_for
from flask_babel import gettext as _

from tracker.api import idempotency
from tracker.api.common import current_api_user, json_body, page_params, token_required, visible_ticket
from tracker.api.serializers import event_json, ticket_json, ticket_row_json, visit_json
from tracker.attachments.services import photo_counts
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.geo.location import location_from
from tracker.idempotency.services import replay_response
from tracker.pagination import decode_cursor
from tracker.tickets.listing import ticket_row_page
from tracker.tickets.services import (
    add_comment, create_ticket, reclassify, search_tickets, timeline, transition, visible_originals,
)
from tracker.validation import parse_bool
from tracker.visits.services import record_visit
from tracker.warnings.models import flagged_ids



def _tickets_json(tickets):
    """Serialize tickets whose village and reporter are loaded; flags, photo counts and
    the originals the caller may see in one query each."""
    ids = [t.id for t in tickets]
    flagged, photos = flagged_ids(ids), photo_counts(ids)
    # A Babinsa is not told the id of a sensitive original he may not see.
    originals = visible_originals(current_api_user(), [t.id for t in tickets if t.duplicate_of_id is not None])
    return [ticket_json(t, t.id in flagged, photos.get(t.id, 0), originals.get(t.id)) for t in tickets]


def _ticket_answer(ticket, status=200):
    return jsonify(_tickets_json([ticket])[0]), status


@token_required
def create_visit():
    """Record a Komsos visit; 201 with the visit, 403 outside the caller's area.

    Idempotent with ``Idempotency-Key``: a replay answers the first answer.
    """
    claim = idempotency.claim()
    if claim.answer is not None:
        return replay_response(claim.answer)
    data = json_body()
    visit = record_visit(
        current_api_user(), village_code=data.get("village_code"), visited_on=data.get("visited_on"),
        met_with=data.get("met_with"), notes=data.get("notes"), **location_from(data),
    )
    answer = claim.save(201, visit_json(visit), kind="visit", resource_id=visit.id)
    db.session.commit()
    return jsonify(answer.body), answer.status


@token_required
def list_tickets():
    """Scoped, filtered tickets, newest first, one page at a time.

    ``page`` walks by offset (the contract); ``after`` resumes after the
    ``next`` cursor of the previous page at any depth without an offset.
    ``count=false`` skips the exact ``total`` (it answers ``null``).
    """
    stmt = search_tickets(current_api_user(), request.args)
    page, per_page = page_params()
    errors = {}
    with_total = parse_bool(errors, "count", request.args.get("count"))
    after = request.args.get("after", "")
    if after and page > 1:
        errors["after"] = [_("Use either page or after, not both.")]
    if errors:
        raise ValidationError(errors)
    result = ticket_row_page(stmt, page, per_page, count=with_total is not False,
                             after=decode_cursor(after) if after else None)
    originals = visible_originals(current_api_user(), [row.id for row in result.items if row.status == "rejected"])
    return jsonify({
        "items": [ticket_row_json(row, originals.get(row.id)) for row in result.items], "total": result.total,
        "page": page, "per_page": per_page, "next": result.next_cursor,
    })


@token_required
def create_ticket_view():
    """Open a ticket; 201 with it, 403 when the village is outside the caller's area.

    Idempotent with ``Idempotency-Key``: a replay answers the first answer,
    its ``Location`` included.
    """
    claim = idempotency.claim()
    answer = claim.answer
    if answer is None:
        data = json_body()
        ticket = create_ticket(
            current_api_user(), village_code=data.get("village_code"), category=data.get("category"),
            severity=data.get("severity"), title=data.get("title"), description=data.get("description"),
            occurred_on=data.get("occurred_on"), visit_id=data.get("visit_id"),
            sensitive=data.get("sensitive", False), parties=data.get("parties"), **location_from(data),
        )
        answer = claim.save(201, _tickets_json([ticket])[0], kind="ticket", resource_id=ticket.id)
        db.session.commit()
    response = jsonify(answer.body)
    response.headers["Location"] = url_for("api.ticket_detail", ticket_id=answer.resource_id)
    return response, answer.status


@token_required
def ticket_detail(ticket_id):
    """One ticket; 404 when out of scope."""
    return _ticket_answer(visible_ticket(ticket_id))


@token_required
def reclassify_ticket(ticket_id):
    """Change severity and/or category with a reason (Koramil, Kodim, admin)."""
    ticket = visible_ticket(ticket_id)
    data = json_body()
    reclassify(current_api_user(), ticket, severity=data.get("severity"), category=data.get("category"),
               reason=data.get("reason"), version=data.get("version"))
    db.session.commit()
    return _ticket_answer(ticket)


@token_required
def transition_ticket(ticket_id):
    """Take a life-cycle action; 409 from the wrong status or a stale version.

    A rejection may name its original in ``duplicate_of`` (id or reference);
    no confirmation step here, unlike the web page.
    """
    ticket = visible_ticket(ticket_id)
    data = json_body()
    transition(current_api_user(), ticket, data.get("action"), reason=data.get("reason"),
               version=data.get("version"), duplicate_of=data.get("duplicate_of"))
    db.session.commit()
    return _ticket_answer(ticket)


@token_required
def comment_ticket(ticket_id):
    """Add a comment to the timeline; 201 with the new event. Idempotent with ``Idempotency-Key``.

    The ticket is looked up before the key is claimed: a 404 writes nothing.
    """
    ticket = visible_ticket(ticket_id)
    claim = idempotency.claim()
    if claim.answer is not None:
        return replay_response(claim.answer)
    data = json_body()
    event = add_comment(current_api_user(), ticket, data.get("body"))
    answer = claim.save(201, event_json(event), kind="comment", resource_id=event.id)
    db.session.commit()
    return jsonify(answer.body), answer.status


@token_required
def ticket_events(ticket_id):
    """The ticket's timeline, oldest first."""
    ticket = visible_ticket(ticket_id)
    return jsonify({"items": [event_json(e) for e in timeline(ticket)]})
