"""The main menu: features add their entries, templates list them per role."""
from flask import current_app, g
from flask_login import current_user

_ITEMS = []  # (order, endpoint, label, roles)
_BADGES = {}  # endpoint -> callable returning a count for the current user


def add_nav_item(endpoint, label, roles=("babinsa", "koramil", "kodim", "admin"), order=50, badge=None):
    """Put a link in the main menu for the given roles (label: a lazy_gettext string).

    ``badge``, a callable without arguments, gives a count shown beside the
    link (e.g. unread news) when it is above zero; it is called only when
    the menu is drawn for a user who sees the link.
    """
    if not any(item[1] == endpoint for item in _ITEMS):
        _ITEMS.append((order, endpoint, label, tuple(roles)))
        _ITEMS.sort(key=lambda item: item[0])
    if badge is not None:
        _BADGES[endpoint] = badge


def nav_badge(endpoint):
    """The count to show beside a menu link (0: none); asked once per request."""
    badge = _BADGES.get(endpoint)
    if badge is None or not current_user.is_authenticated:
        return 0
    counts = g.setdefault("_nav_badges", {})
    if endpoint not in counts:
        counts[endpoint] = badge() or 0
    return counts[endpoint]


def nav_badge_total():
    """The sum of the badges of the links the current user sees (the menu button's count)."""
    return sum(nav_badge(endpoint) for endpoint, _label in nav_items())


def nav_items():
    """The (endpoint, label) pairs the current user sees, skipping unregistered endpoints."""
    if not current_user.is_authenticated:
        return []
    known = current_app.view_functions
    return [(e, str(label)) for _o, e, label, roles in _ITEMS if current_user.role in roles and e in known]


def init_app(app):
    """Expose the menu and the current language to templates."""
    from flask_babel import get_locale

    @app.context_processor
    def _globals():
        return {"nav_items": nav_items, "nav_badge": nav_badge, "nav_badge_total": nav_badge_total,
                "current_locale": lambda: str(get_locale())}
