"""Login and logout pages, and the user's own settings."""
from urllib.parse import urlsplit

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from tracker.auth.client import client_address, client_agent
from tracker.auth.forms import LoginForm, SettingsForm
from tracker.auth.services import LoginRefused, authenticate, update_settings
from tracker.auth.sessions import (
    end_session, end_sessions, find_user_session, session_user, start_session, touch_session, user_sessions,
)
from tracker.extensions import db, login_manager
from tracker.params import row_id
from tracker.web import commit_or_rollback


@login_manager.user_loader
def load_user(session_id):
    """The cookie names a user and his session's key; an ended or expired session is no login."""
    user_id, _sep, key = (session_id or "").partition(":")
    return session_user(row_id(user_id), key)


def note_activity():
    """Before every request: load the signed-in user first, and note his session's use.

    Loading here, before the view has written anything, lets the few-minutely
    last_seen_at write commit on its own.
    """
    if request.endpoint == "static" or "_user_id" not in session:
        return
    if current_user.is_authenticated and touch_session(current_user.login_session):
        db.session.commit()


login_manager.login_view = "auth.login"
login_manager.login_message = None


def _safe_next(target):
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/"):
        return None
    return target


def login():
    """The login page. A new session is started on success."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = authenticate(form.username.data, form.password.data, address=client_address(), source="web")
        except LoginRefused as refused:
            # The failure counts must persist although the answer is a refusal.
            db.session.commit()
            flash(str(refused.message), "error")
            return render_template("auth/login.html", form=form), 401
        lang = session.get("lang")
        session.clear()
        if lang:
            session["lang"] = lang
        start_session(user, user_agent=client_agent(), ip_address=client_address())
        login_user(user)
        db.session.commit()
        return redirect(_safe_next(request.args.get("next")) or url_for("main.index"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


def logout():
    """End the session: its record is deleted, so a copy of the cookie is no login either."""
    if current_user.is_authenticated:
        commit_or_rollback(lambda: end_session(current_user.login_session, "logout"))
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@login_required
def settings():
    """The user's own email, language and digest switch, and his sessions."""
    form = SettingsForm(obj=current_user)
    if form.validate_on_submit() and commit_or_rollback(lambda: update_settings(
        current_user, email=form.email.data, locale=form.locale.data, digest=form.is_digest_enabled.data,
    ), form).is_done:
        flash(_("Settings saved."), "success")
        return redirect(url_for("auth.settings"))
    return render_template("auth/settings.html", form=form, sessions=user_sessions(current_user),
                           current_session=current_user.login_session), (422 if form.errors else 200)


@login_required
def end_own_session(session_id):
    """End one of the user's sessions (a lost phone, a browser left signed in); 404 for any other."""
    row = find_user_session(current_user, session_id)
    if row is None:
        abort(404)
    commit_or_rollback(lambda: end_session(row, "user"))
    flash(_("The session was ended."), "success")
    return redirect(url_for("auth.settings"))


@login_required
def end_other_sessions():
    """End every session of the user but this one."""
    commit_or_rollback(lambda: end_sessions(current_user, reason="user", keep=current_user.login_session))
    flash(_("Your other sessions were ended."), "success")
    return redirect(url_for("auth.settings"))
