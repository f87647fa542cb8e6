"""The Babinsa's digest: his news (``tracker.news``) since his previous digest.

A Babinsa who set an email and switched digests on gets, at the same hour
as the commanders, the lines of his news feed added since his previous
digest: others' comments, status changes, escalations and rejections (with
their reasons) on the tickets he filed, commented on or acted on, inside his
scope. ``services.decide_digests`` decides them into the outbox beside the
commanders' digests; a day without news is recorded as skipped, not mailed.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import force_locale

from tracker.auth.models import User
from tracker.digests import audiences
from tracker.digests.render import _Language, links_builder
from tracker.news.services import feed_since


@dataclass
class NewsDigest:
    """One Babinsa's digest for one local date: ``items`` (dicts ``item``, ``url``) of ``total`` news lines."""

    user: User
    day: date
    at: datetime
    since: datetime
    items: list
    total: int

    @property
    def more(self):
        return max(self.total - len(self.items), 0)

    @property
    def is_empty(self):
        return not self.total


def build_news_digests(pairs, at):
    """The news digests of (Babinsa, local date) pairs as of ``at``: {user id: NewsDigest}.

    His news (``news.services.feed_since``: scoped, others' lines only) from
    his previous digest's decision, or the 24 hours before ``at`` for a
    first one: the first DIGEST_LIST_CAP lines, newest first, and how many
    there are. Three statements per Babinsa (his villages, the count, the
    lines), where the commanders' sections are set-based: only Babinsa who
    set an email and switched digests on get one.
    """
    pairs = list(pairs)
    if not pairs:
        return {}
    cap = current_app.config["DIGEST_LIST_CAP"]
    url = links_builder()
    previous = audiences.previous_digests(pairs)
    digests = {}
    for user, day in pairs:
        since = previous.get(user.id) or at - timedelta(days=1)
        items, total = feed_since(user, since, at, cap)
        digests[user.id] = NewsDigest(
            user=user, day=day, at=at, since=since, total=total,
            items=[{"item": item, "url": url("tickets.detail", ticket_id=item.ticket_id)} for item in items],
        )
    return digests


def _render(digest, language, templates, urls):
    """(subject, plain text, HTML) of one news digest in ``language`` (inside its force_locale)."""
    user = digest.user
    fmt = language.formatter(user.unit.timezone, digest.at)
    summary = language.ngettext("%(num)d new", "%(num)d new", digest.total)
    subject = f"[Waspada] {language.gettext('News')} · {fmt.day(digest.day)} · {summary}"
    context = {
        "digest": digest, "user": user, "subject": subject, "fmt": fmt,
        **language.labels, **language.template_functions,
        "settings_url": urls["settings"], "news_url": urls["news"],
    }
    text, html = templates
    return subject, text.render(context), html.render(context)


def render_news_digests(digests):
    """(subject, plain text, HTML) of each news digest, in order, each in its Babinsa's language."""
    if not digests:
        return []
    url = links_builder()
    urls = {"settings": url("auth.settings"), "news": url("news.index")}
    environment = current_app.jinja_env
    templates = (environment.get_template("email/news.txt"), environment.get_template("email/news.html"))
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    languages, rendered = {}, []
    for digest in digests:
        locale = digest.user.locale or default
        with force_locale(locale):
            language = languages.setdefault(locale, _Language())
            rendered.append(_render(digest, language, templates, urls))
    return rendered
