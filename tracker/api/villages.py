"""The villages a caller may file into (scoped), for pickers in client apps."""
from flask import jsonify, request
from flask_babel import gettext as _
from sqlalchemy import or_, select

from tracker import scope
from tracker.api.common import current_api_user, paginate, token_required
from tracker.api.serializers import village_json
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.regions.models import Region
from tracker.validation import is_storable_text

QUERY_MAX = 120


def _with_parent_names(villages):
    """Serialize a page of villages, naming their kecamatan and kabupaten in one query."""
    codes = {v.district_code for v in villages} | {v.regency_code for v in villages}
    names = dict(db.session.execute(select(Region.code, Region.name).where(Region.code.in_(codes))).all()) \
        if codes else {}
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


OPENAPI_PATHS = {
    "/villages": {
        "get": {
            "tags": ["villages"],
            "operationId": "listVillages",
            "summary": "Villages in the caller's area",
            "parameters": [
                {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": QUERY_MAX},
                 "description": "Part of the name (any case), or the start of the code (e.g. 33.13.14)."},
                {"$ref": "#/components/parameters/page"},
                {"$ref": "#/components/parameters/per_page"},
            ],
            "responses": {
                "200": {
                    "description": "One page of villages, by name.",
                    "content": {"application/json": {"schema": {
                        "$ref": "#/components/schemas/VillagePage"}}},
                },
                "401": {"$ref": "#/components/responses/Unauthorized"},
                "422": {"$ref": "#/components/responses/ValidationFailed"},
            },
        },
    },
}

OPENAPI_SCHEMAS = {
    "Village": {
        "type": "object",
        "required": ["code", "name", "kind", "district", "regency"],
        "properties": {
            "code": {"type": "string", "example": "33.13.14.2005"},
            "name": {"type": "string"},
            "kind": {"type": "string", "enum": ["kelurahan", "desa", "desa_adat"]},
            "district": {"type": "string", "description": "Kecamatan name."},
            "regency": {"type": "string", "description": "Kabupaten/kota name."},
        },
    },
    "VillagePage": {
        "type": "object",
        "required": ["items", "total", "page", "per_page"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Village"}},
            "total": {"type": "integer"},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
        },
    },
}
