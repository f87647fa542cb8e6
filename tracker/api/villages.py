"""The villages a caller may file into (scoped), for pickers in client apps."""
from flask import jsonify, request
from flask_babel import gettext as _
from sqlalchemy import or_

from tracker import scope
from tracker.api.common import current_api_user, paginate, token_required
from tracker.api.serializers import village_json
from tracker.errors import ValidationError
from tracker.regions.models import Region
from tracker.regions.names import region_names
from tracker.validation import is_storable_text

QUERY_MAX = 120


def _with_parent_names(villages):
    """Serialize a page of villages, naming their kecamatan and kabupaten in one query."""
    codes = {v.district_code for v in villages} | {v.regency_code for v in villages}
    names = region_names(codes) if codes else {}
    return [village_json(v, names) for v in villages]


@token_required
def list_villages():
    """Villages in the caller's area; ``q`` matches the name (any case) or a code prefix."""
    stmt = scope.villages(current_api_user())
    q = request.args.get("q", "").strip()
    if q:
        if len(q) > QUERY_MAX:
            raise ValidationError({"q": [_("At most %(n)d characters.", n=QUERY_MAX)]})
        if not is_storable_text(q):
            raise ValidationError({"q": [_("Contains characters that cannot be stored.")]})
        stmt = stmt.where(or_(Region.name.icontains(q, autoescape=True), Region.code.startswith(q, autoescape=True)))
    return jsonify(paginate(stmt.order_by(Region.name, Region.code), serialize_page=_with_parent_names))
