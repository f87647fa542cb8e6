"""Bearer tokens: trade a username and password for one, revoke it."""
from flask import jsonify
from flask_babel import gettext as _

from tracker.api.common import bearer_token, json_body, json_error, token_required
from tracker.api.serializers import iso_time
from tracker.auth.client import client_address
from tracker.auth.services import LoginRefused, authenticate, issue_token, revoke_token
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.validation import is_storable_text


def _credential(errors, field, value):
    """A username or password as sent: required text the database can compare."""
    if value is None or value == "":
        errors[field] = [_("This field is required.")]
    elif not isinstance(value, str):
        errors[field] = [_("Must be text.")]
    elif not is_storable_text(value):
        errors[field] = [_("Contains characters that cannot be stored.")]
    return value


def create_token():
    """201 with a new token; 401 on bad credentials, counting towards the login page's lockout."""
    data = json_body()
    errors = {}
    username = _credential(errors, "username", data.get("username"))
    password = _credential(errors, "password", data.get("password"))
    if errors:
        raise ValidationError(errors)
    try:
        user = authenticate(username, password, address=client_address(), source="api")
    except LoginRefused as refused:
        # The failure counts and locks must persist although the answer is an error.
        db.session.commit()
        return json_error(refused.message, 401)
    token, row = issue_token(user)
    answer = {"token": token, "expires_at": iso_time(row.expires_at)}
    db.session.commit()
    return jsonify(answer), 201


@token_required
def revoke_current_token():
    """Revoke the token this request presents; 204."""
    revoke_token(bearer_token())
    db.session.commit()
    return "", 204
