"""The news blueprint: the feed, the waiting list and the menu entry with its unread badge."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from tracker.navigation import add_nav_item
from tracker.news import routes, services

bp = Blueprint("news", __name__, url_prefix="/news")

bp.add_url_rule("/", view_func=routes.index)
bp.add_url_rule("/waiting", view_func=routes.waiting)


def _unread_badge():
    """The menu's count of unread news for the signed-in user."""
    return services.unread_count(current_user)


add_nav_item("news.index", _l("News"), order=12, badge=_unread_badge)
