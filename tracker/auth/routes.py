"""Login and logout pages, and the user's own settings."""
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from tracker.auth.forms import LoginForm, SettingsForm
from tracker.auth.services import LoginRefused, authenticate, get_user, update_settings
from tracker.extensions import db, login_manager
from tracker.params import row_id
from tracker.web import commit_or_rollback


@login_manager.user_loader
def load_user(session_id):
    """Sessions name the user and his session token; a rotated token logs him out."""
    user_id, _sep, token = (session_id or "").partition(":")
    user_id = row_id(user_id)
    if user_id is None:
        return None
    user = get_user(user_id)
    if user is None or not user.is_active or user.session_token != token:
        return None
    return user


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
            user = authenticate(form.username.data, form.password.data, source="web")
        except LoginRefused as refused:
            db.session.commit()
            if refused.locked:
                flash(_("Too many failed logins. The account is locked for a while; try again later."), "error")
            else:
                flash(_("Wrong username or password."), "error")
            return render_template("auth/login.html", form=form), 401
        lang = session.get("lang")
        session.clear()
        if lang:
            session["lang"] = lang
        login_user(user)
        db.session.commit()
        return redirect(_safe_next(request.args.get("next")) or url_for("main.index"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


def logout():
    """End the session."""
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@login_required
def settings():
    """The user's own email, language and digest switch."""
    form = SettingsForm(obj=current_user)
    if form.validate_on_submit() and commit_or_rollback(lambda: update_settings(
        current_user, email=form.email.data, locale=form.locale.data, digest=form.is_digest_enabled.data,
    ), form).is_done:
        flash(_("Settings saved."), "success")
        return redirect(url_for("auth.settings"))
    return render_template("auth/settings.html", form=form), (422 if form.errors else 200)
