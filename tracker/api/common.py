"""Plumbing shared by every API module: bearer tokens, bodies, errors, pages."""
from functools import wraps

from flask import abort, g, jsonify, request
from flask_babel import gettext as _

from tracker import pagination
from tracker.auth.services import user_for_token
from tracker.errors import Conflict, Forbidden, ValidationError
from tracker.extensions import db
from tracker.params import API_MAX_PAGE, DEFAULT_PER_PAGE, MAX_PER_PAGE, bounded_arg
from tracker.tickets.services import get_ticket


def json_error(message, status):
    """``{"error": message}`` with the status (401/403/404/409)."""
    return jsonify({"error": str(message)}), status


def validation_response(errors):
    """``{"errors": {field: [messages]}}`` with 422."""
    return jsonify({"errors": {k: [str(m) for m in v] for k, v in errors.items()}}), 422


def bearer_token():
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def current_api_user():
    """The user the request's bearer token belongs to (set by token_required)."""
    return g.api_user


def token_required(view):
    """Answer 401 unless the request carries a valid, unrevoked bearer token."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        user = user_for_token(bearer_token())
        if user is None:
            return json_error(_("A valid bearer token is required."), 401)
        g.api_user = user
        return view(*args, **kwargs)

    return wrapped


def visible_ticket(ticket_id):
    """The ticket if the caller may see it (the scoped look-up); 404 otherwise, so existence does not leak."""
    ticket = get_ticket(current_api_user(), ticket_id)
    if ticket is None:
        abort(404)
    return ticket


def json_body():
    """The request body as a JSON object, or raise ValidationError naming ``body``."""
    if not request.is_json:
        raise ValidationError({"body": [_("Send a JSON object with Content-Type: application/json.")]})
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nesting deeper than the parser's recursion limit
        data = None
    if not isinstance(data, dict):
        raise ValidationError({"body": [_("The body must be a JSON object.")]})
    return data


def page_params():
    """(page, per_page) from the query string, or raise ValidationError naming the bad one."""
    errors = {}
    page = bounded_arg(errors, "page", default=1, maximum=API_MAX_PAGE)
    per_page = bounded_arg(errors, "per_page", default=DEFAULT_PER_PAGE, maximum=MAX_PER_PAGE)
    if errors:
        raise ValidationError(errors)
    return page, per_page


def paginate(stmt, serialize=None, *, serialize_page=None):
    """Run a select for the query string's page; returns the list envelope with total.

    ``serialize`` turns one row into JSON. ``serialize_page`` turns the
    whole page's rows at once, for answers that load what the rows share
    in one query per page instead of one per row.
    """
    page, per_page = page_params()
    result = pagination.paginate(stmt, page=page, per_page=per_page)
    items = serialize_page(result.items) if serialize_page else [serialize(item) for item in result.items]
    return {"items": items, "total": result.total, "page": page, "per_page": per_page}


def handle_service_errors(app_or_bp):
    """Turn service exceptions into API answers and roll back what was begun."""

    @app_or_bp.errorhandler(ValidationError)
    def _invalid(error):
        db.session.rollback()
        return validation_response(error.errors)

    @app_or_bp.errorhandler(Forbidden)
    def _forbidden(error):
        db.session.rollback()
        return json_error(error.args[0] if error.args else _("You are not allowed to do this."), 403)

    @app_or_bp.errorhandler(Conflict)
    def _conflict(error):
        db.session.rollback()
        return json_error(error.args[0] if error.args else _("Conflict."), 409)
