"""Errors as answers: validation errors, and the 403/404/500 pages."""
from flask import jsonify, render_template, request


class ValidationError(Exception):
    """Invalid input: ``errors`` maps a field name to a list of messages."""

    def __init__(self, errors):
        super().__init__(str(errors))
        # Lazy messages become text; a str subclass (validation.ChoiceError) stays itself.
        self.errors = {k: [m if isinstance(m, str) else str(m) for m in v] for k, v in errors.items()}


class Conflict(Exception):
    """The action is not possible in the object's current state (409)."""


class Forbidden(Exception):
    """The user may not do this (403)."""


def wants_json():
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def init_app(app):
    """Render error pages in the app's layout; JSON under /api."""

    def handler(code):
        def render(error):
            from flask_babel import gettext as _

            messages = {
                400: _("The request could not be understood."),
                403: _("You are not allowed to do this."),
                404: _("Not found."),
                405: _("This method is not allowed here."),
                409: _("Someone else changed this first. Reload and try again."),
                413: _("The request is too large."),
                429: _("Too many requests. Wait a moment."),
                500: _("Something went wrong on our side. It has been logged."),
            }
            message = messages.get(code, messages[500])
            if wants_json():
                return jsonify({"error": message}), code
            return render_template("errors/error.html", code=code, message=message), code

        return render

    for code in (400, 403, 404, 405, 409, 413, 429, 500):
        app.register_error_handler(code, handler(code))

    from flask_wtf.csrf import CSRFError

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        from flask_babel import gettext as _

        message = _("The form expired or was not sent from this site. Reload the page and try again.")
        if wants_json():
            return jsonify({"error": message}), 400
        return render_template("errors/error.html", code=400, message=message), 400
