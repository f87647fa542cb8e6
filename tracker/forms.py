"""The base class of every web form.

WTForms ships no Indonesian catalogue, so its built-in messages ("This
field is required.", "Not a valid choice." …) would show in English on an
Indonesian page. ``Form`` looks them up in the app's own merged catalogue
instead, where the root catalogue (``tracker/translations``) translates
every WTForms message.
"""
from flask_babel import get_translations
from flask_wtf import FlaskForm


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


class Form(FlaskForm):
    """A Flask-WTF form (CSRF included) whose messages follow the UI language."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return _translations
