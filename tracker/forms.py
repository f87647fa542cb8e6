"""The base class of every web form, and how a service's errors land on a form.

WTForms ships no Indonesian catalogue, so its built-in messages ("This
field is required.", "Not a valid choice." …) would show in English on an
Indonesian page. ``Form`` looks them up in the app's own merged catalogue
instead, where the root catalogue (``tracker/translations``) translates
every WTForms message.
"""
from flask_babel import get_translations, gettext, lazy_gettext as _l
from flask import request
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from werkzeug.datastructures import ImmutableMultiDict
from wtforms import FieldList, FormField, RadioField

from tracker.security import is_forbidden_text
from tracker.validation import ChoiceError


class _AppTranslations:
    """WTForms' translation interface on top of Flask-Babel's catalogues.

    The raw catalogue methods are used, not ``flask_babel.ngettext``, because
    WTForms formats the result itself (``% {"max": 64}``).
    """

    def gettext(self, string):
        return get_translations().ugettext(string)

    def ngettext(self, singular, plural, n):
        return get_translations().ungettext(singular, plural, n)


_translations = _AppTranslations()


FORBIDDEN_TEXT = _l("Contains a character that is not allowed (NUL or an invalid code point).")
# A choice error lists its field's labels up to this many; a longer list is the select itself.
LISTED_CHOICES = 5


class Form(FlaskForm):
    """A Flask-WTF form (CSRF included) whose messages follow the UI language.

    Every text field refuses NUL and lone surrogates (the request boundary in
    ``tracker.security`` leaves browser forms to this, so the mistake shows
    under its field instead of on an error page).
    """

    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return _translations

        def wrap_formdata(self, form, formdata):
            # Flask-WTF would read a JSON body as form data, numbers and lists
            # included; a browser form posts form fields only (the API takes JSON).
            if formdata is _Auto and request.is_json and not request.form:
                return ImmutableMultiDict() if form.is_submitted() else None
            return super().wrap_formdata(form, formdata)

    def error_summary(self):
        """The form's errors for the summary on top of it (``templates/macros/forms.html``)."""
        return list(summary_entries(self))

    def input_label(self, name):
        """The label of an input the form does not hold as a field (a file input the view
        reads itself) that a service's error may name; None for a name it does not know.
        Such an error shows under that input and links to it (its id is its name)."""
        return None

    def input_errors(self, name):
        """The messages a service gave for such an input (``input_label``)."""
        return self.__dict__.get("_input_errors", {}).get(name, [])

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        for field in all_fields(self):
            if isinstance(field.data, str) and is_forbidden_text(field.data):
                field.errors = [*field.errors, str(FORBIDDEN_TEXT)]
                valid = False
        return valid


def all_fields(fields):
    """Every leaf field of a form, reaching into FieldList and FormField entries."""
    for field in fields:
        if isinstance(field, FieldList):
            yield from all_fields(field.entries)
        elif isinstance(field, FormField):
            yield from all_fields(field.form)
        else:
            yield field


def summary_entries(fields, prefix=""):
    """(id to link to or None, label, message) for every error of a form, in page order.

    The entries of a FieldList are named after the list's label, which may
    number them ("Problem heard (%(n)d)"); hidden fields (the CSRF token, a
    key) and the form's own errors have nothing to link to.
    """
    for field in fields:
        if isinstance(field, FieldList):
            label = str(field.label.text)
            for n, entry in enumerate(field.entries, start=1):
                name = label % {"n": n} if "%(n)" in label else f"{label} ({n})"
                inner = entry.form if isinstance(entry, FormField) else [entry]
                yield from summary_entries(inner, f"{prefix}{name} · ")
            first = field.entries[0].id if field.entries else None
            for message in field.errors:
                if isinstance(message, str) or hasattr(message, "__html__"):
                    yield first, f"{prefix}{field.label.text}", message
        elif isinstance(field, FormField):
            yield from summary_entries(field.form, prefix)
        else:
            target, label = _target(field), _label(field)
            for message in field.errors:
                yield target, f"{prefix}{label}" if target and label else "", message
    for name, messages in getattr(fields, "__dict__", {}).get("_input_errors", {}).items():
        for message in messages:
            yield name, str(fields.input_label(name)), message
    for message in getattr(fields, "form_errors", ()):
        yield None, "", message


def _label(field):
    """The field's label; "" for one WTForms made up from its name (English, untranslated):
    a plain string, where the app's labels are lazy translations."""
    text = field.label.text
    made_up = isinstance(text, str) and text == field.short_name.replace("_", " ").title()
    return "" if made_up else str(text)


def _target(field):
    """The id of the control a summary entry links to (a radio group's first option)."""
    if field.type in ("HiddenField", "CSRFTokenField"):
        return None
    if isinstance(field, RadioField):
        return f"{field.id}-0"
    return field.id


def choice_message(field, message):
    """A service's ``ChoiceError`` under a field with choices, in the field's own labels (never its codes)."""
    if not isinstance(message, ChoiceError) or not getattr(field, "choices", None):
        return message
    labels = [str(label) for value, label in _pairs(field.choices) if value not in ("", None)]
    if len(labels) > LISTED_CHOICES:
        return gettext("Choose one from the list.")
    return gettext("Choose one of: %(choices)s.", choices=", ".join(labels))


def _pairs(choices):
    if isinstance(choices, dict):  # optgroups: {group: [(value, label), ...]}
        return [pair for group in choices.values() for pair in _pairs(group)]
    return [choice if isinstance(choice, (tuple, list)) else (choice, choice) for choice in choices]


def field_named(form, name):
    """The form's field for a service error name; ``tickets-0-title`` reaches into a list entry."""
    field = form._fields.get(name)
    if field is None and name.count("-") >= 2:
        head, index, rest = name.split("-", 2)
        entries = getattr(form._fields.get(head), "entries", None)
        if entries and index.isdigit() and int(index) < len(entries):
            return field_named(entries[int(index)].form, rest)
    return field


def apply_errors(form, errors, fields=None):
    """Put a service's {field: [messages]} under the form's fields; unknown names go on top.

    ``fields`` maps a service's field name to the form's where they differ
    (the admin form's ``unit_id`` shows the service's ``unit``). A choice
    error names the field's labels, not the codes the service knows
    (``choice_message``). Returns the messages as placed, by the form's names
    (what a JSON caller of the form is answered).
    """
    fields = fields or {}
    placed = {}
    for name, messages in errors.items():
        target = field_named(form, fields.get(name, name))
        if target is not None:
            messages = [choice_message(target, message) for message in messages]
            target.errors = list(target.errors) + messages
        elif hasattr(form, "input_label") and form.input_label(fields.get(name, name)) is not None:
            form.__dict__.setdefault("_input_errors", {}).setdefault(fields.get(name, name), []).extend(messages)
        else:
            form.form_errors.extend(messages)
        placed[fields.get(name, name)] = list(messages)
    return placed
