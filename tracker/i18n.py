"""Language and time zone: Bahasa Indonesia by default, English on request.

Each feature keeps its own catalogue in ``tracker/<feature>/translations``;
Flask-Babel merges them. ``make install`` compiles them.
"""
import glob
import os

from flask import current_app, has_request_context, request, session
from flask_babel import format_date, format_datetime, get_timezone
from flask_login import current_user

from tracker.extensions import babel
from tracker.regions.codes import TIMEZONE_LABELS
from tracker.timeutil import as_utc


def translation_directories(package_dir):
    """Every feature catalogue folder, relative to the package."""
    found = sorted(glob.glob(os.path.join(package_dir, "*", "translations")))
    found.insert(0, os.path.join(package_dir, "translations"))
    return ";".join(found)


def select_locale():
    """The user's language, else the one chosen on the login page, else Indonesian.

    Outside a request (CLI commands, scheduler jobs) the default language
    applies; code writing for a particular user wraps itself in
    ``flask_babel.force_locale(user.locale)``.
    """
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = request.args.get("lang")
    if chosen in languages:
        session["lang"] = chosen
        return chosen
    if session.get("lang") in languages:
        return session["lang"]
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone():
    """Times are shown in the user's unit time zone (WIB/WITA/WIT)."""
    if current_user and current_user.is_authenticated and current_user.unit is not None:
        return current_user.unit.timezone
    return None


def tz_label():
    """WIB, WITA or WIT for the current request's time zone."""
    return TIMEZONE_LABELS.get(str(get_timezone()), "WIB")


def init_app(app):
    """Set up Flask-Babel and the date filters templates use."""
    app.config.setdefault(
        "BABEL_TRANSLATION_DIRECTORIES", translation_directories(os.path.dirname(__file__))
    )
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)

    @app.template_filter("date")
    def _date(value, fmt="d MMM yyyy"):
        return format_date(value, fmt) if value else ""

    @app.template_filter("datetime")
    def _datetime(value, fmt="d MMM yyyy HH:mm"):
        if not value:
            return ""
        return f"{format_datetime(as_utc(value), fmt)} {tz_label()}"
