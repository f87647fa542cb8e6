"""The ``Idempotency-Key`` header of the API's create requests: claiming it and describing it.

The semantics live in tracker.idempotency.services, shared with the web
forms' ``client_key``; this module is the API's side of it.
"""
from tracker.api.common import current_api_user
from tracker.idempotency.services import HEADER, KEY_MAX, MIN_KEEP_DAYS, claim_request, key_from_header


def claim():
    """Claim the request's Idempotency-Key (if sent) for the caller; see ``claim_request``."""
    return claim_request(current_api_user(), key_from_header())


OPENAPI_PARAMETER = {
    "name": HEADER, "in": "header", "required": False,
    "description": f"A key you make (a UUID, say) for this one request. Sending it again with the same "
                   f"body answers the first answer (same status, same body, nothing new is created); "
                   f"with a different body, 409 and nothing changes. Keys are per user and kept at "
                   f"least {MIN_KEEP_DAYS} days. 1 to {KEY_MAX} printable ASCII characters, else 422 "
                   f"naming `{HEADER}`.",
    "schema": {"type": "string", "minLength": 1, "maxLength": KEY_MAX, "pattern": "^[ -~]+$"},
}
