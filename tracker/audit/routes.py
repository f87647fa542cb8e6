"""The audit log page (admins only)."""
from flask import render_template, request
from flask_babel import get_timezone
from sqlalchemy.orm import selectinload

from tracker.audit.models import AuditEvent
from tracker.audit.services import KINDS, event_filters, event_query
from tracker.auth.decorators import roles_required
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.pagination import paginate
from tracker.params import page_arg

PER_PAGE = 50
# Counting every event of a long log on each page costs more than the page; beyond this, "more than".
COUNT_CAP = 10_000


def _load(window):
    return db.session.execute(
        window.options(selectinload(AuditEvent.actor), selectinload(AuditEvent.user))
    ).scalars().all()


@roles_required("admin")
def index():
    """Audit events, the newest first, filtered by kind, user and dates (the admin's local days)."""
    args = {name: request.args.get(name, "") for name in ("kind", "user", "since", "until")}
    try:
        filters = event_filters(kind=args["kind"], username=args["user"], since_on=args["since"],
                                until_on=args["until"], tz=str(get_timezone()))
    except ValidationError as error:
        return render_template("audit/index.html", page=None, args=args, kinds=KINDS, errors=error.errors), 422
    page = paginate(event_query(**filters), page=page_arg(), per_page=PER_PAGE, load=_load, cap=COUNT_CAP,
                    key=AuditEvent.id)
    return render_template("audit/index.html", page=page, args=args, kinds=KINDS, errors={})
