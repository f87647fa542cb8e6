"""Rendering digests: each in its recipient's language and time zone, as text and HTML.

Digests are rendered language by language: each language's strings, labels
and date formats are looked up once for all the digests in it, which a
morning run (thousands of digests) would otherwise repeat tens of thousands
of times. Links are absolute (BASE_URL), built without a request.
"""
from collections import defaultdict
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date, format_datetime as babel_format_datetime
from flask import current_app
from flask_babel import force_locale, get_locale, get_translations
from jinja2 import pass_context
from markupsafe import Markup
from werkzeug.routing import BuildError

from tracker.elections.services import STAGE_LABELS
from tracker.jobs.health import sweep_outages
from tracker.regions.codes import TIMEZONE_LABELS
from tracker.tickets.labels import CATEGORY_LABELS, SEVERITY_LABELS, STATUS_LABELS
from tracker.timeutil import as_utc


def links_builder():
    """A function building absolute links for emails: ``build(endpoint, **values)``.

    Each link is BASE_URL + the endpoint's path, or None if there is no such
    page. Built from the URL map, bound once for many links, so it works in
    CLI commands and jobs where no request exists.
    """
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
    )

    def build(endpoint, **values):
        try:
            return adapter.build(endpoint, values, force_external=True)
        except BuildError:
            return None

    return build


class _Language:
    """One language's strings and formats, resolved once for rendering many digests.

    Made inside ``force_locale``: it holds flask_babel's catalogue for that
    locale and caches every lookup (messages, label maps, dates), which a
    morning run repeats tens of thousands of times. ``template_functions``
    are the ``_``/``gettext``/``ngettext`` the digest templates call, with
    Jinja's newstyle semantics (the message is a format string; in HTML the
    message is markup and its variables are escaped).
    """

    def __init__(self):
        self.locale = get_locale()
        self.translations = get_translations()
        self._messages = {}
        self._days = {}
        self._formatters = {}
        self.labels = {
            "category_labels": {code: str(label) for code, label in CATEGORY_LABELS.items()},
            "severity_labels": {code: str(label) for code, label in SEVERITY_LABELS.items()},
            "status_labels": {code: str(label) for code, label in STATUS_LABELS.items()},
            "stage_labels": {code: str(label) for code, label in STAGE_LABELS.items()},
        }

        def template_gettext(context, string, **variables):
            message = self.message(string)
            if context.eval_ctx.autoescape:
                message = Markup(message)
            return message % variables

        def template_ngettext(context, singular, plural, num, **variables):
            variables.setdefault("num", num)
            message = self.plural(singular, plural, num)
            if context.eval_ctx.autoescape:
                message = Markup(message)
            return message % variables

        gettext_function = pass_context(template_gettext)
        self.template_functions = {
            "_": gettext_function, "gettext": gettext_function, "ngettext": pass_context(template_ngettext),
        }

    def message(self, string):
        try:
            return self._messages[string]
        except KeyError:
            return self._messages.setdefault(string, self.translations.ugettext(string))

    def plural(self, singular, plural, num):
        key = (singular, plural, num)
        try:
            return self._messages[key]
        except KeyError:
            return self._messages.setdefault(key, self.translations.ungettext(singular, plural, num))

    def gettext(self, string, **variables):
        """As flask_babel's ``gettext``."""
        message = self.message(string)
        return message % variables if variables else message

    def ngettext(self, singular, plural, num, **variables):
        """As flask_babel's ``ngettext``."""
        variables.setdefault("num", num)
        return self.plural(singular, plural, num) % variables

    def day(self, value):
        """E.g. "17 Agu 2026" (as flask_babel's ``format_date(value, "d MMM yyyy")``)."""
        if not value:
            return ""
        try:
            return self._days[value]
        except KeyError:
            return self._days.setdefault(value, babel_format_date(value, "d MMM yyyy", locale=self.locale))

    def formatter(self, timezone, at):
        key = (timezone, at)
        if key not in self._formatters:
            self._formatters[key] = _Formatter(self, timezone, at)
        return self._formatters[key]


class _Formatter:
    """Dates, ages and countdowns in one language and time zone, as of ``at`` (cached)."""

    def __init__(self, language, timezone, at):
        self.language = language
        self.tz = ZoneInfo(timezone)
        self.tz_label = TIMEZONE_LABELS.get(timezone, "WIB")
        self.at = at
        self._moments = {}
        self._ages = {}

    def day(self, value):
        return self.language.day(value)

    def moment(self, value):
        if value not in self._moments:
            local = babel_format_datetime(as_utc(value), "d MMM yyyy HH:mm", tzinfo=self.tz,
                                          locale=self.language.locale)
            self._moments[value] = f"{local} {self.tz_label}"
        return self._moments[value]

    def age(self, reported_at):
        hours = int((self.at - reported_at).total_seconds() // 3600)
        if hours not in self._ages:
            if hours < 24:
                text = self.language.ngettext("%(num)d hour", "%(num)d hours", max(hours, 0))
            else:
                text = self.language.ngettext("%(num)d day", "%(num)d days", hours // 24)
            self._ages[hours] = text
        return self._ages[hours]

    def countdown(self, stage):
        """E.g. "Masa tenang Pilkades dimulai dalam 3 hari", or how long an active stage runs."""
        _, ngettext = self.language.gettext, self.language.ngettext
        # Labelled here, not from stage_label, so the text is in the recipient's language.
        names = {"stage": self.language.labels["stage_labels"][stage["stage"]],
                 "election": stage["election_name"]}
        start = stage["days_until_start"]
        if start > 0:
            return ngettext("%(stage)s of %(election)s starts in %(num)d day (%(date)s)",
                            "%(stage)s of %(election)s starts in %(num)d days (%(date)s)", start,
                            date=self.day(stage["starts_on"]), **names)
        if start == 0:
            return _("%(stage)s of %(election)s starts today", **names)
        return _("%(stage)s of %(election)s is under way until %(date)s",
                 date=self.day(stage["ends_on"]), **names)

    def voting(self, election):
        """E.g. "voting in 12 days (9 Dec 2026)"."""
        _, ngettext = self.language.gettext, self.language.ngettext
        days, day = election["days_until_voting"], self.day(election["voting_on"])
        if days < 0:
            return _("voted on %(date)s", date=day)
        if days == 0:
            return _("voting today (%(date)s)", date=day)
        return ngettext("voting in %(num)d day (%(date)s)", "voting in %(num)d days (%(date)s)", days, date=day)


def _render(digest, language, templates, urls, outages=()):
    """(subject, plain text, HTML) of one digest in ``language`` (inside its force_locale).

    ``outages``: the sweep's outages around the digests being rendered; those
    that made it late since the previous digest are said at the top.
    """
    user = digest.user
    fmt = language.formatter(user.unit.timezone, digest.at)
    sweep_outages_shown = [
        {"since": fmt.moment(outage.since), "until": fmt.moment(outage.until) if outage.until else None}
        for outage in outages if outage.overlaps(digest.since, digest.at)
    ]
    if digest.is_empty:
        summary = language.gettext("nothing new")
    else:
        summary = language.gettext("%(flagged)d flagged, %(new)d new",
                                   flagged=digest.counts["flagged"], new=digest.counts["new"])
    subject = f"[Waspada] {user.unit.name} · {fmt.day(digest.day)} · {summary}"
    # The templates get everything from here (no request, no context processors).
    context = {
        "digest": digest, "user": user, "unit": user.unit, "subject": subject, "fmt": fmt,
        "sweep_outages": sweep_outages_shown, **language.labels, **language.template_functions,
        "home_url": urls["home"], "settings_url": urls["settings"],
        "preview_url": urls["build"]("digests.preview", date=digest.day.isoformat()),
    }
    text, html = templates
    return subject, text.render(context), html.render(context)


def render_digests(digests):
    """(subject, plain text, HTML) of each digest, in order, each in its recipient's language.

    Digests are rendered language by language, so each language's strings
    and formats are looked up once for all of them. The sweep's outages
    during the nights they cover are read once for all of them too.
    """
    outages = sweep_outages(min(d.since for d in digests), max(d.at for d in digests)) if digests else []
    url = links_builder()
    urls = {"build": url, "home": url("main.index"), "settings": url("auth.settings")}
    environment = current_app.jinja_env
    templates = (environment.get_template("email/digest.txt"), environment.get_template("email/digest.html"))
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    by_locale = defaultdict(list)
    for position, digest in enumerate(digests):
        by_locale[digest.user.locale or default].append(position)
    rendered = [None] * len(digests)
    for locale, positions in by_locale.items():
        with force_locale(locale):
            language = _Language()
            for position in positions:
                rendered[position] = _render(digests[position], language, templates, urls, outages)
    return rendered


def render_digest(digest):
    """(subject, plain text, HTML) of a digest, in the recipient's language."""
    return render_digests([digest])[0]

