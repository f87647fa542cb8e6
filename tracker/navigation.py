"""The main menu: features add their entries, templates list them per role."""
from flask import current_app
from flask_login import current_user

_ITEMS = []  # (order, endpoint, label, roles)


def add_nav_item(endpoint, label, roles=("babinsa", "koramil", "kodim", "admin"), order=50):
    """Put a link in the main menu for the given roles (label: a lazy_gettext string)."""
    if not any(item[1] == endpoint for item in _ITEMS):
        _ITEMS.append((order, endpoint, label, tuple(roles)))
        _ITEMS.sort(key=lambda item: item[0])


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
        return {"nav_items": nav_items, "current_locale": lambda: str(get_locale())}
