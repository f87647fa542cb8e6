"""Digest pages: "my digest" preview, and the admin's delivery log."""
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from tracker.auth.decorators import roles_required
from tracker.auth.services import find_user
from tracker.digests.outbox import (
    LOG_STATES, get_message, logged_messages, retry_now, state_totals, stored_message,
)
from tracker.digests.render import render_digest
from tracker.digests.services import RECIPIENT_ROLES, build_digest, digest_key
from tracker.pagination import paginate
from tracker.params import page_arg
from tracker.security import EMAIL_PREVIEW_POLICY, with_policy
from tracker.timeutil import local_date, utcnow
from tracker.web import commit_or_rollback

STATE_LABELS = {
    "pending": _l("pending"),
    "retrying": _l("retrying"),
    "sending": _l("sending"),
    "sent": _l("sent"),
    "failed": _l("failed"),
    "skipped": _l("skipped (empty)"),
}


def _parse_day(raw, default):
    if not raw:
        return default, None
    try:
        return date.fromisoformat(raw.strip()), None
    except ValueError:
        return default, _("Date must look like 2026-11-27.")


@roles_required(*RECIPIENT_ROLES, "admin")
@with_policy(EMAIL_PREVIEW_POLICY)
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
            target = find_user(username)
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
        stored = stored_message(digest_key(target, day))
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
    if status not in LOG_STATES:
        status = ""
    page = paginate(logged_messages(status), page=page_arg(), per_page=50)
    return render_template("digests/outbox.html", page=page, status=status, totals=state_totals(),
                           filters=LOG_STATES, status_labels=STATE_LABELS)


def _message_or_404(message_id):
    row = get_message(message_id)
    if row is None:
        abort(404)
    return row


@roles_required("admin")
@with_policy(EMAIL_PREVIEW_POLICY)
def message(message_id):
    """One stored email, as it was (or will be) sent."""
    row = _message_or_404(message_id)
    return render_template("digests/message.html", row=row, status_labels=STATE_LABELS)


@roles_required("admin")
def retry(message_id):
    """"Retry now": the relay's next run sends the message again."""
    row = _message_or_404(message_id)
    outcome = commit_or_rollback(lambda: retry_now(row, utcnow()))
    if outcome.is_done:
        flash(_("%(to)s will be sent again at the relay's next run.", to=row.to_address), "success")
    else:
        flash(outcome.message, "error")
    status = request.form.get("status")
    return redirect(url_for("digests.delivery_log", status=status if status in LOG_STATES else None)), 303
