"""Visits and tickets over JSON: the same services as the web pages.

Every read goes through the scope helper (via get_ticket/search_tickets),
so an out-of-scope or need-to-know ticket answers 404 on every path.
"""
from flask import abort, jsonify, request, url_for
from flask_babel import gettext as _

from tracker.api.common import current_api_user, json_body, page_params, token_required
from tracker.api.serializers import event_json, ticket_json, ticket_row_json, visit_json
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.pagination import decode_cursor
from tracker.tickets.listing import ticket_row_page
from tracker.tickets.models import CATEGORIES, EVENT_KINDS, LEVELS, SEVERITIES, STATUSES, Ticket
from tracker.tickets.services import (
    ACTIONS, COMMENT_MAX, DESCRIPTION_MAX, PARTIES_MAX, QUERY_MAX, REASON_MAX, TITLE_MAX, add_comment,
    create_ticket, get_ticket, reclassify, search_tickets, timeline,
    transition,
)
from tracker.validation import parse_bool
from tracker.visits.services import MET_WITH_MAX, NOTES_MAX, record_visit
from tracker.warnings.models import flagged_ids


def _visible_ticket(ticket_id):
    """The ticket if the caller may see it; 404 otherwise (existence does not leak)."""
    ticket = get_ticket(current_api_user(), ticket_id)
    if ticket is None:
        abort(404)
    return ticket


def _tickets_json(tickets):
    """Serialize tickets whose village and reporter are loaded; flags in one query."""
    flagged = flagged_ids([t.id for t in tickets])
    return [ticket_json(t, t.id in flagged) for t in tickets]


def _ticket_answer(ticket, status=200):
    return jsonify(_tickets_json([ticket])[0]), status


@token_required
def create_visit():
    """Record a Komsos visit; 201 with the visit, 403 outside the caller's area."""
    data = json_body()
    visit = record_visit(
        current_api_user(), village_code=data.get("village_code"), visited_on=data.get("visited_on"),
        met_with=data.get("met_with"), notes=data.get("notes"),
    )
    db.session.commit()
    return jsonify(visit_json(visit)), 201


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
    return jsonify({
        "items": [ticket_row_json(row) for row in result.items], "total": result.total, "page": page,
        "per_page": per_page, "next": result.next_cursor,
    })


@token_required
def create_ticket_view():
    """Open a ticket; 201 with it, 403 when the village is outside the caller's area."""
    data = json_body()
    ticket = create_ticket(
        current_api_user(), village_code=data.get("village_code"), category=data.get("category"),
        severity=data.get("severity"), title=data.get("title"), description=data.get("description"),
        occurred_on=data.get("occurred_on"), visit_id=data.get("visit_id"),
        sensitive=data.get("sensitive", False), parties=data.get("parties"),
    )
    db.session.commit()
    answer, status = _ticket_answer(ticket, 201)
    answer.headers["Location"] = url_for("api.ticket_detail", ticket_id=ticket.id)
    return answer, status


@token_required
def ticket_detail(ticket_id):
    """One ticket; 404 when out of scope."""
    return _ticket_answer(_visible_ticket(ticket_id))


@token_required
def reclassify_ticket(ticket_id):
    """Change severity and/or category with a reason (Koramil, Kodim, admin)."""
    ticket = _visible_ticket(ticket_id)
    data = json_body()
    reclassify(current_api_user(), ticket, severity=data.get("severity"), category=data.get("category"),
               reason=data.get("reason"), version=data.get("version"))
    db.session.commit()
    return _ticket_answer(ticket)


@token_required
def transition_ticket(ticket_id):
    """Take a life-cycle action; 409 from the wrong status or a stale version."""
    ticket = _visible_ticket(ticket_id)
    data = json_body()
    transition(current_api_user(), ticket, data.get("action"), reason=data.get("reason"),
               version=data.get("version"))
    db.session.commit()
    return _ticket_answer(ticket)


@token_required
def comment_ticket(ticket_id):
    """Add a comment to the timeline; 201 with the new event."""
    ticket = _visible_ticket(ticket_id)
    data = json_body()
    event = add_comment(current_api_user(), ticket, data.get("body"))
    db.session.commit()
    return jsonify(event_json(event)), 201


@token_required
def ticket_events(ticket_id):
    """The ticket's timeline, oldest first."""
    ticket = _visible_ticket(ticket_id)
    return jsonify({"items": [event_json(e) for e in timeline(ticket)]})


# --- OpenAPI description ----------------------------------------------------

def _json(schema_name):
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}}


def _body(schema_name):
    return {"required": True, "content": _json(schema_name)}


_TICKET_ID = {"$ref": "#/components/parameters/ticket_id"}
_ERRORS = {
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "403": {"$ref": "#/components/responses/Forbidden"},
    "404": {"$ref": "#/components/responses/NotFound"},
    "409": {"$ref": "#/components/responses/Conflict"},
    "422": {"$ref": "#/components/responses/ValidationFailed"},
}


def _errors(*codes):
    return {code: _ERRORS[code] for code in codes}


def _filter(name, description, schema=None):
    return {"name": name, "in": "query", "description": description, "schema": schema or {"type": "string"}}


_TICKET_ANSWER = {"description": "The ticket as it is now.", "content": _json("Ticket")}

OPENAPI_PATHS = {
    "/visits": {
        "post": {
            "tags": ["visits"], "operationId": "createVisit", "summary": "Record a Komsos visit",
            "requestBody": _body("VisitInput"),
            "responses": {"201": {"description": "The visit.", "content": _json("Visit")},
                          **_errors("401", "403", "422")},
        },
    },
    "/tickets": {
        "get": {
            "tags": ["tickets"], "operationId": "listTickets",
            "summary": "Tickets in the caller's scope, newest first",
            "description": "Sensitive tickets are listed only for their reporter and the command above. "
                           "`total` counts the same scoped, filtered set. Deep pages: follow `next` with `after`.",
            "parameters": [
                _filter("status", "A status, or `open` for every unresolved status.",
                        {"type": "string", "enum": [*STATUSES, "open"]}),
                _filter("severity", "Severity.", {"type": "string", "enum": list(SEVERITIES)}),
                _filter("category", "Category.", {"type": "string", "enum": list(CATEGORIES)}),
                _filter("level", "Owning level.", {"type": "string", "enum": list(LEVELS)}),
                _filter("village_code", "Village code, with or without dots."),
                _filter("district_code", "Kecamatan code, with or without dots."),
                _filter("flagged", "true: only tickets with an active early-warning flag; false: only without.",
                        {"type": "boolean"}),
                _filter("overdue", "true: only unresolved tickets past their due time.", {"type": "boolean"}),
                _filter("date_from", "Reported on or after this day (WIB).", {"type": "string", "format": "date"}),
                _filter("date_to", "Reported on or before this day (WIB).", {"type": "string", "format": "date"}),
                _filter("q", "Text in the title or description, any case.",
                        {"type": "string", "maxLength": QUERY_MAX}),
                {"$ref": "#/components/parameters/page"},
                {"$ref": "#/components/parameters/per_page"},
                _filter("after", "The `next` cursor of the previous page: the page after it, at any depth "
                                 "and without an offset. Not together with `page` above 1."),
                _filter("count", "false: skip counting the matches (`total` is null); cheaper on large "
                                 "sets. Default true.", {"type": "boolean"}),
            ],
            "responses": {"200": {"description": "One page of tickets.", "content": _json("TicketPage")},
                          **_errors("401", "422")},
        },
        "post": {
            "tags": ["tickets"], "operationId": "createTicket", "summary": "Open a ticket",
            "requestBody": _body("TicketInput"),
            "responses": {
                "201": {"description": "The new ticket.", "content": _json("Ticket"),
                        "headers": {"Location": {"description": "The ticket's URL.",
                                                 "schema": {"type": "string"}}}},
                **_errors("401", "403", "422"),
            },
        },
    },
    "/tickets/{ticket_id}": {
        "parameters": [_TICKET_ID],
        "get": {
            "tags": ["tickets"], "operationId": "getTicket", "summary": "One ticket",
            "responses": {"200": _TICKET_ANSWER, **_errors("401", "404")},
        },
        "patch": {
            "tags": ["tickets"], "operationId": "reclassifyTicket",
            "summary": "Change severity and/or category, with a reason (Koramil, Kodim, admin)",
            "requestBody": _body("ReclassifyInput"),
            "responses": {"200": _TICKET_ANSWER, **_errors("401", "403", "404", "409", "422")},
        },
    },
    "/tickets/{ticket_id}/transitions": {
        "parameters": [_TICKET_ID],
        "post": {
            "tags": ["tickets"], "operationId": "transitionTicket", "summary": "Take a life-cycle action",
            "description": "409 when the action is not allowed from the current status or `version` is stale; "
                           "403 when the caller's role may not take it; 422 when a required reason is missing.",
            "requestBody": _body("TransitionInput"),
            "responses": {"200": _TICKET_ANSWER, **_errors("401", "403", "404", "409", "422")},
        },
    },
    "/tickets/{ticket_id}/comments": {
        "parameters": [_TICKET_ID],
        "post": {
            "tags": ["tickets"], "operationId": "commentTicket", "summary": "Comment on a ticket",
            "requestBody": _body("CommentInput"),
            "responses": {"201": {"description": "The comment as a timeline event.", "content": _json("Event")},
                          **_errors("401", "404", "422")},
        },
    },
    "/tickets/{ticket_id}/events": {
        "parameters": [_TICKET_ID],
        "get": {
            "tags": ["tickets"], "operationId": "listTicketEvents", "summary": "The ticket's timeline, oldest first",
            "responses": {"200": {"description": "Every event.", "content": _json("EventList")},
                          **_errors("401", "404")},
        },
    },
}

_TIME = {"type": "string", "format": "date-time", "description": "UTC, ISO 8601 with offset."}
_DAY = {"type": "string", "format": "date"}

OPENAPI_SCHEMAS = {
    "VisitInput": {
        "type": "object",
        "required": ["village_code", "visited_on"],
        "properties": {
            "village_code": {"type": "string", "example": "33.13.14.2005"},
            "visited_on": {**_DAY, "description": "Not in the future (village's local date)."},
            "met_with": {"type": "string", "maxLength": MET_WITH_MAX, "example": "Sekretaris Desa"},
            "notes": {"type": "string", "maxLength": NOTES_MAX},
        },
    },
    "Visit": {
        "type": "object",
        "required": ["id", "village_code", "visited_on", "met_with", "notes", "babinsa", "created_at"],
        "properties": {
            "id": {"type": "integer"}, "village_code": {"type": "string"}, "visited_on": _DAY,
            "met_with": {"type": "string"}, "notes": {"type": "string"},
            "babinsa": {"type": "string", "description": "Username of who recorded it."}, "created_at": _TIME,
        },
    },
    "TicketInput": {
        "type": "object",
        "required": ["village_code", "category", "severity", "title"],
        "properties": {
            "village_code": {"type": "string", "example": "33.13.14.2005"},
            "category": {"type": "string", "enum": list(CATEGORIES)},
            "severity": {"type": "string", "enum": list(SEVERITIES)},
            "title": {"type": "string", "minLength": 1, "maxLength": TITLE_MAX},
            "description": {"type": "string", "maxLength": DESCRIPTION_MAX},
            "occurred_on": {**_DAY, "description": "Not in the future (village's local date)."},
            "visit_id": {"type": "integer", "description": "A visit in the same village."},
            "sensitive": {"type": "boolean", "default": False},
            "parties": {"type": "string", "maxLength": PARTIES_MAX},
        },
    },
    "Ticket": {
        "type": "object",
        "required": ["id", "ref", "village_code", "village_name", "category", "severity", "status", "level",
                     "title", "description", "occurred_on", "reported_at", "due_at", "reporter", "sensitive",
                     "flagged", "version"],
        "properties": {
            "id": {"type": "integer"},
            "ref": {"type": "string", "example": "0727-2026-000042"},
            "village_code": {"type": "string"},
            "village_name": {"type": "string"},
            "category": {"type": "string", "enum": list(CATEGORIES)},
            "severity": {"type": "string", "enum": list(SEVERITIES)},
            "status": {"type": "string", "enum": list(STATUSES)},
            "level": {"type": "string", "enum": list(LEVELS)},
            "title": {"type": "string"},
            "description": {"type": "string"},
            "occurred_on": {**_DAY, "nullable": True},
            "reported_at": _TIME,
            "due_at": _TIME,
            "reporter": {"type": "string", "description": "Username of the reporter."},
            "sensitive": {"type": "boolean"},
            "flagged": {"type": "boolean", "description": "Carries an active early-warning flag."},
            "version": {"type": "integer", "description": "Send it back with a change to detect a stale copy."},
        },
    },
    "TicketPage": {
        "type": "object",
        "required": ["items", "total", "page", "per_page"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Ticket"}},
            "total": {"type": "integer", "nullable": True,
                      "description": "Tickets matching the filters; null with count=false."},
            "page": {"type": "integer"}, "per_page": {"type": "integer"},
            "next": {"type": "string", "nullable": True,
                     "description": "Cursor of the next page (pass it as `after`); null on the last page."},
        },
    },
    "TransitionInput": {
        "type": "object",
        "required": ["action"],
        "properties": {
            "action": {"type": "string", "enum": list(ACTIONS)},
            "reason": {"type": "string", "maxLength": REASON_MAX,
                       "description": "Required for escalate, resolve, reopen and reject."},
            "version": {"type": "integer", "description": "The version you last read; 409 if it changed."},
        },
    },
    "ReclassifyInput": {
        "type": "object",
        "required": ["reason"],
        "properties": {
            "severity": {"type": "string", "enum": list(SEVERITIES)},
            "category": {"type": "string", "enum": list(CATEGORIES)},
            "reason": {"type": "string", "minLength": 1, "maxLength": REASON_MAX},
            "version": {"type": "integer", "description": "The version you last read; 409 if it changed."},
        },
    },
    "CommentInput": {
        "type": "object",
        "required": ["body"],
        "properties": {"body": {"type": "string", "minLength": 1, "maxLength": COMMENT_MAX}},
    },
    "Event": {
        "type": "object",
        "required": ["kind", "actor", "at", "from", "to", "reason"],
        "properties": {
            "kind": {"type": "string", "enum": list(EVENT_KINDS)},
            "actor": {"type": "string", "nullable": True, "description": "Username; null for the system."},
            "at": _TIME,
            "from": {"type": "string", "nullable": True},
            "to": {"type": "string", "nullable": True},
            "reason": {"type": "string", "description": "The reason given, or a comment's text."},
        },
    },
    "EventList": {
        "type": "object",
        "required": ["items"],
        "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}}},
    },
}
