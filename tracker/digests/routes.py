"""Digest pages: "my digest" preview, and the admin's delivery log."""
from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from tracker.auth.decorators import roles_required
from tracker.auth.models import User
from tracker.digests.models import OutboxMessage
from tracker.digests.outbox import retry_now
from tracker.digests.render import render_digest
from tracker.digests.services import RECIPIENT_ROLES, build_digest, digest_key
from tracker.errors import Conflict
from tracker.extensions import db
from tracker.timeutil import local_date, utcnow


# Filters of the delivery log; "retrying" is a pending row that has failed before.
LOG_FILTERS = ("pending", "retrying", "sending", "sent", "failed", "skipped")
STATE_LABELS = {
    "pending": _l("pending"),
    "retrying": _l("retrying"),
    "sending": _l("sending"),
    "sent": _l("sent"),
    "failed": _l("failed"),
    "skipped": _l("skipped (empty)"),
}


def _log_condition(status):
    if status == "retrying":
        return (OutboxMessage.status == "pending") & (OutboxMessage.attempts > 0)
    if status == "pending":
        return (OutboxMessage.status == "pending") & (OutboxMessage.attempts == 0)
    return OutboxMessage.status == status


def _parse_day(raw, default):
    if not raw:
        return default, None
    try:
        return date.fromisoformat(raw.strip()), None
    except ValueError:
        return default, _("Date must look like 2026-11-27.")


@roles_required(*RECIPIENT_ROLES, "admin")
def preview():
    """A recipient's digest for a date, exactly as sent (or as it would be sent now).

    Koramil and Kodim users see their own; an admin names the user.
    """
    errors = {}
    target = current_user
    username = (request.args.get("user") or "").strip()
    if current_user.role == "admin":
        target = None
        if username:
            target = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
            if target is None or target.role not in RECIPIENT_ROLES or target.unit is None:
                errors["user"] = [_("%(name)s is not a Koramil or Kodim user with a unit.", name=username)]
                target = None
    now = utcnow()
    today = local_date(now, target.unit.timezone) if target is not None and target.unit else None
    day, date_error = _parse_day(request.args.get("date"), today)
    if date_error:
        errors["date"] = [date_error]
    context = {"target": target, "day": day, "username": username, "errors": errors, "stored": None}
    if target is not None and target.unit is not None and not errors:
        stored = db.session.execute(
            select(OutboxMessage).where(OutboxMessage.key == digest_key(target, day))
        ).scalar_one_or_none()
        if stored is not None:
            subject, text, html = stored.subject, stored.body_text, stored.body_html
        else:
            subject, text, html = render_digest(build_digest(target, day, now))
        context.update(stored=stored, subject=subject, text=text, html=html)
    return render_template("digests/preview.html", status_labels=STATE_LABELS, **context), (
        422 if errors else 200
    )


@roles_required("admin")
def delivery_log():
    """Every outbox row, newest first, filterable by state, with the server's answers."""
    status = request.args.get("status", "")
    stmt = select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    if status in LOG_FILTERS:
        stmt = stmt.where(_log_condition(status))
    else:
        status = ""
    page = db.paginate(stmt, per_page=50, error_out=False)
    totals = dict.fromkeys(LOG_FILTERS, 0)
    # Attempts take a handful of values (0 .. MAIL_MAX_ATTEMPTS): fold them here.
    grouped = select(OutboxMessage.status, OutboxMessage.attempts, func.count()).group_by(
        OutboxMessage.status, OutboxMessage.attempts
    )
    for row_status, attempts, count in db.session.execute(grouped):
        name = "retrying" if row_status == "pending" and attempts else row_status
        totals[name] = totals.get(name, 0) + count
    return render_template("digests/outbox.html", page=page, status=status, totals=totals,
                           filters=LOG_FILTERS, status_labels=STATE_LABELS)


@roles_required("admin")
def message(message_id):
    """One stored email, as it was (or will be) sent."""
    row = db.get_or_404(OutboxMessage, message_id)
    return render_template("digests/message.html", row=row, status_labels=STATE_LABELS)


@roles_required("admin")
def retry(message_id):
    """"Retry now": the relay's next run sends the message again."""
    row = db.get_or_404(OutboxMessage, message_id)
    try:
        retry_now(row, utcnow())
    except Conflict as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("%(to)s will be sent again at the relay's next run.", to=row.to_address), "success")
    status = request.form.get("status")
    return redirect(url_for("digests.delivery_log", status=status if status in LOG_FILTERS else None)), 303
