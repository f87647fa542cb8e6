"""The OpenAPI description of the visit and ticket routes (tracker/api/tickets.py)."""
from tracker.api.idempotency import OPENAPI_PARAMETER as IDEMPOTENCY_KEY
from tracker.api.openapi import TIME, error_responses, json_content, request_body
from tracker.attachments.services import MAX_PER_TICKET
from tracker.geo.location import ACCURACY_MAX_M, LATITUDE_RANGE, LONGITUDE_RANGE
from tracker.tickets.models import CATEGORIES, EVENT_KINDS, LEVELS, SEVERITIES, STATUSES
from tracker.tickets.services import (
    ACTIONS, COMMENT_MAX, DESCRIPTION_MAX, DUPLICATE_REF_MAX, PARTIES_MAX, QUERY_MAX, REASON_MAX, TITLE_MAX,
)
from tracker.visits.services import MET_WITH_MAX, NOTES_MAX

_TICKET_ID = {"$ref": "#/components/parameters/ticket_id"}


def _filter(name, description, schema=None):
    return {"name": name, "in": "query", "description": description, "schema": schema or {"type": "string"}}


_TICKET_ANSWER = {"description": "The ticket as it is now.", "content": json_content("Ticket")}
_KEY_REUSED = {"description": "The `Idempotency-Key` was already used with a different request; nothing changed.",
               "content": json_content("Error")}

OPENAPI_PATHS = {
    "/visits": {
        "post": {
            "tags": ["visits"], "operationId": "createVisit", "summary": "Record a Komsos visit",
            "parameters": [IDEMPOTENCY_KEY],
            "requestBody": request_body("VisitInput"),
            "responses": {"201": {"description": "The visit.", "content": json_content("Visit")},
                          **error_responses("401", "403"), "409": _KEY_REUSED, **error_responses("422")},
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
            "responses": {"200": {"description": "One page of tickets.", "content": json_content("TicketPage")},
                          **error_responses("401", "422")},
        },
        "post": {
            "tags": ["tickets"], "operationId": "createTicket", "summary": "Open a ticket",
            "description": "Photos are added afterwards, one per request, to `/tickets/{ticket_id}/attachments`.",
            "parameters": [IDEMPOTENCY_KEY],
            "requestBody": request_body("TicketInput"),
            "responses": {
                "201": {"description": "The new ticket.", "content": json_content("Ticket"),
                        "headers": {"Location": {"description": "The ticket's URL.",
                                                 "schema": {"type": "string"}}}},
                **error_responses("401", "403"), "409": _KEY_REUSED, **error_responses("422"),
            },
        },
    },
    "/tickets/{ticket_id}": {
        "parameters": [_TICKET_ID],
        "get": {
            "tags": ["tickets"], "operationId": "getTicket", "summary": "One ticket",
            "responses": {"200": _TICKET_ANSWER, **error_responses("401", "404")},
        },
        "patch": {
            "tags": ["tickets"], "operationId": "reclassifyTicket",
            "summary": "Change severity and/or category, with a reason (Koramil, Kodim, admin)",
            "requestBody": request_body("ReclassifyInput"),
            "responses": {"200": _TICKET_ANSWER, **error_responses("401", "403", "404", "409", "422")},
        },
    },
    "/tickets/{ticket_id}/transitions": {
        "parameters": [_TICKET_ID],
        "post": {
            "tags": ["tickets"], "operationId": "transitionTicket", "summary": "Take a life-cycle action",
            "description": "409 when the action is not allowed from the current status or `version` is stale; "
                           "403 when the caller's role may not take it; 422 when a required reason is missing. "
                           "A rejection may name the ticket it duplicates in `duplicate_of`: 422 under "
                           "`duplicate_of` when that ticket does not exist or the caller cannot see it (one "
                           "message for both), is this ticket, is in another village, is itself a duplicate or "
                           "was rejected, or when other tickets already are duplicates of this one (no chains). "
                           "The link is shown on both tickets and written to both timelines "
                           "(`duplicate_of` and `has_duplicate` events); nothing else is copied. "
                           "Unlike the web page, the API asks no confirmation.",
            "requestBody": request_body("TransitionInput"),
            "responses": {"200": _TICKET_ANSWER, **error_responses("401", "403", "404", "409", "422")},
        },
    },
    "/tickets/{ticket_id}/comments": {
        "parameters": [_TICKET_ID],
        "post": {
            "tags": ["tickets"], "operationId": "commentTicket", "summary": "Comment on a ticket",
            "parameters": [IDEMPOTENCY_KEY],
            "requestBody": request_body("CommentInput"),
            "responses": {"201": {"description": "The comment as a timeline event.", "content": json_content("Event")},
                          **error_responses("401", "404"), "409": _KEY_REUSED, **error_responses("422")},
        },
    },
    "/tickets/{ticket_id}/events": {
        "parameters": [_TICKET_ID],
        "get": {
            "tags": ["tickets"], "operationId": "listTicketEvents", "summary": "The ticket's timeline, oldest first",
            "responses": {"200": {"description": "Every event.", "content": json_content("EventList")},
                          **error_responses("401", "404")},
        },
    },
}

_DAY = {"type": "string", "format": "date"}
_POSITION = "Where the phone was, taken only when the user asked for it; all three or none."
# Input: the three together or none, inside Indonesia's bounding box, at most 5 km uncertain (else 422).
_LOCATION_INPUT = {
    "latitude": {"type": "number", "minimum": LATITUDE_RANGE[0], "maximum": LATITUDE_RANGE[1],
                 "description": _POSITION},
    "longitude": {"type": "number", "minimum": LONGITUDE_RANGE[0], "maximum": LONGITUDE_RANGE[1]},
    "accuracy_m": {"type": "number", "minimum": 0, "maximum": ACCURACY_MAX_M,
                   "description": "Uncertainty of the position, in metres."},
}
# Output: null when no position was taken.
_LOCATION = {name: {**schema, "nullable": True} for name, schema in _LOCATION_INPUT.items()}

OPENAPI_SCHEMAS = {
    "VisitInput": {
        "type": "object",
        "required": ["village_code", "visited_on"],
        "properties": {
            "village_code": {"type": "string", "example": "33.13.14.2005"},
            "visited_on": {**_DAY, "description": "Not in the future (village's local date)."},
            "met_with": {"type": "string", "maxLength": MET_WITH_MAX, "example": "Sekretaris Desa"},
            "notes": {"type": "string", "maxLength": NOTES_MAX},
            **_LOCATION_INPUT,
        },
    },
    "Visit": {
        "type": "object",
        "required": ["id", "village_code", "visited_on", "met_with", "notes", "babinsa", "created_at",
                     "latitude", "longitude", "accuracy_m"],
        "properties": {
            "id": {"type": "integer"}, "village_code": {"type": "string"}, "visited_on": _DAY,
            "met_with": {"type": "string"}, "notes": {"type": "string"},
            "babinsa": {"type": "string", "description": "Username of who recorded it."}, "created_at": TIME,
            **_LOCATION,
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
            **_LOCATION_INPUT,
        },
    },
    "Ticket": {
        "type": "object",
        "required": ["id", "ref", "village_code", "village_name", "category", "severity", "status", "level",
                     "title", "description", "occurred_on", "reported_at", "due_at", "reporter", "sensitive",
                     "flagged", "version", "attachments", "duplicate_of", "latitude", "longitude", "accuracy_m"],
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
            "reported_at": TIME,
            "due_at": TIME,
            "reporter": {"type": "string", "description": "Username of the reporter."},
            "sensitive": {"type": "boolean"},
            "flagged": {"type": "boolean", "description": "Carries an active early-warning flag."},
            "version": {"type": "integer", "description": "Send it back with a change to detect a stale copy."},
            "attachments": {"type": "integer", "minimum": 0, "maximum": MAX_PER_TICKET,
                            "description": "How many photos it has (`/tickets/{ticket_id}/attachments`)."},
            "duplicate_of": {"type": "integer", "nullable": True,
                             "description": "The id of the ticket this one was rejected as a duplicate of; "
                                            "null when it is none, or when the caller may not see that ticket."},
            **_LOCATION,
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
                       "description": "Required for escalate, resolve, reopen and reject (not for a rejection "
                                      "with `duplicate_of`)."},
            "version": {"type": "integer", "description": "The version you last read; 409 if it changed."},
            "duplicate_of": {
                "oneOf": [{"type": "integer", "minimum": 1},
                          {"type": "string", "maxLength": DUPLICATE_REF_MAX, "example": "0727-2026-000042"}],
                "description": "With `reject` only: the original ticket, by id or reference, in the same "
                               "village and visible to the caller.",
            },
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
            "at": TIME,
            "from": {"type": "string", "nullable": True},
            "to": {"type": "string", "nullable": True,
                   "description": "The new value; for `duplicate_of` and `has_duplicate`, the other ticket's "
                                  "reference."},
            "reason": {"type": "string", "description": "The reason given, or a comment's text."},
        },
    },
    "EventList": {
        "type": "object",
        "required": ["items"],
        "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}}},
    },
}
