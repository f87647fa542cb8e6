"""Dashboard charts: pygal SVG drawn on the server and served as images of their own.

Drawing a chart costs pygal tens of milliseconds, so the page draws none:
it shows each chart as an ``<img>`` of ``/dashboard/chart/<name>.svg`` with
a text alternative and a data table, and the image response draws it from
the user's own scoped numbers. The URL carries ``v``, a digest of those
numbers and the language, so a browser refetches a chart exactly when what
it shows has changed; drawn SVG is also kept in a small in-process cache
under that digest, so the same numbers are drawn once for everyone who has
them. The SVG needs no script and fetches nothing, so charts show without
internet access to anything but the app.
"""
import hashlib
import re
import threading
import xml.etree.ElementTree as ET
from collections import OrderedDict
from dataclasses import dataclass

import pygal
from flask_babel import format_date, get_locale, gettext as _, ngettext
from pygal.style import Style

from tracker.tickets.labels import CATEGORY_LABELS, SEVERITY_LABELS
from tracker.tickets.models import SEVERITIES

NAMES = ("new", "resolved", "category", "area")
# The severity colours of the whole app (app.css, digests).
SEVERITY_COLOURS = {"low": "#2e7d32", "medium": "#b26a00", "high": "#c0392b", "critical": "#7b1fa2"}
OPEN_COLOUR = "#1f5fa0"
FLAGGED_COLOUR = "#d35400"
WIDTH = 420
FLOW_HEIGHT = 300
LABEL_LENGTH = 20
# Part of every chart's version: raise it when the drawing changes, so browsers fetch the new one.
DRAWING = 2
# Drawn charts kept per process: a few kilobytes each.
CACHE_SIZE = 256


@dataclass(frozen=True)
class Figure:
    """What the page needs to show one chart as an image, and the image response to draw it."""

    name: str
    version: str
    title: str
    description: str
    width: int
    height: int


def figure(name, data, level=None):
    """The chart ``name`` over ``data`` (see ``services.chart_data``), without drawing it.

    ``level`` is the area chart's breakdown ("district" or "village").
    None when there is nothing to draw: the page says so in words.
    """
    text = _TEXTS[name](data, level)
    if text is None:
        return None
    title, description, height = text
    return Figure(name, version(name, data, level), title, description, WIDTH, height)


def version(name, data, level=None):
    """A digest of everything a chart shows: its name, numbers and language."""
    key = repr((name, level, str(get_locale()), data, DRAWING)).encode()
    return hashlib.blake2b(key, digest_size=16).hexdigest()


_cache = OrderedDict()
_cache_lock = threading.Lock()


def svg(fig, data):
    """The figure's SVG document as bytes, drawn once per version (least recently used dropped)."""
    with _cache_lock:
        document = _cache.get(fig.version)
        if document is not None:
            _cache.move_to_end(fig.version)
            return document
    document = render(_DRAW[fig.name](data, fig.height), fig)
    with _cache_lock:
        _cache[fig.version] = document
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return document


def _style(colours):
    return Style(
        colors=tuple(colours), font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
        background="transparent", plot_background="#ffffff", opacity="1", opacity_hover="1",
        label_font_size=13, major_label_font_size=13, legend_font_size=14, value_font_size=12,
        no_data_font_size=18, transition="0ms",
    )


def _chart(kind, colours, height, top, **options):
    # A range of at least 0..4 keeps the axis on whole numbers when counts are small.
    # No tooltips: an SVG shown as an image is not interactive.
    return kind(
        style=_style(colours), width=WIDTH, height=height, js=[], disable_xml_declaration=True,
        legend_at_bottom=True, legend_at_bottom_columns=2, margin=8, spacing=8,
        truncate_label=-1, truncate_legend=-1, range=(0, max(top, 4)), min_scale=2, max_scale=6,
        **options,
    )


def _short(label, length=LABEL_LENGTH):
    """A label cut to fit beside a bar on a phone; the data table has it whole."""
    label = str(label)
    return label if len(label) <= length else label[:length - 1].rstrip() + "…"


def _wrapped(label, length=LABEL_LENGTH, lines=3):
    """A label on up to ``lines`` lines of ``length`` characters (broken at spaces and
    after "/"), the last one shortened with "…" only when even that is too little."""
    pieces = []  # (text, glued to the piece before it)
    for word in str(label).split():
        parts = re.findall(r"[^/]+/?|/", word)
        pieces.extend((part, i > 0) for i, part in enumerate(parts))
    result, line = [], ""
    for text, glued in pieces:
        joined = text if not line else (line + text if glued else f"{line} {text}")
        if len(joined) <= length or not line:
            line = joined
        else:
            result.append(line)
            line = text
    result.append(line)
    if len(result) > lines:
        result = result[:lines - 1] + [result[lines - 1][:length - 1].rstrip() + "…"]
    return [_short(item, length) for item in result]


def _wrap_labels(chart, labels):
    """Set the chart's category labels, each on up to two lines.

    pygal draws one line per label and sizes its margin from the label's
    length, so it gets each label's longest line; ``render`` then puts the
    lines back (``chart.wrapped_labels``: that line -> all lines).
    """
    chart.x_labels, chart.wrapped_labels = [], {}
    for label in labels:
        lines = _wrapped(label)
        key = max(lines, key=len)
        if len(lines) > 1 and key not in chart.wrapped_labels:
            chart.wrapped_labels[key] = lines
            chart.x_labels.append(key)
        else:
            chart.x_labels.append(lines[0] if len(lines) == 1 else _short(label))


_DECIMALS = re.compile(r"(\d+\.\d)\d+")
_COORDINATES = ("x", "y", "width", "height", "d", "x1", "x2", "y1", "y2", "transform", "points")


def render(chart, fig):
    """The chart as a standalone SVG document: role="img" with a title and description, no script.

    pygal's comments, script hooks and tooltips (an image is not
    interactive) are dropped and coordinates cut to a tenth of a pixel: a
    third of the bytes.
    """
    tree = chart.render_tree()
    wrapped = getattr(chart, "wrapped_labels", {})
    for node in tree.iter("text"):
        lines = wrapped.get(node.text)
        if lines and not len(node):
            node.text = None
            for i, line in enumerate(lines):
                # The first line rises by half the block, the others follow a line below.
                dy = f"{-0.55 * (len(lines) - 1):.2f}em" if i == 0 else "1.1em"
                ET.SubElement(node, "tspan", x=node.get("x", "0"), dy=dy).text = line
    for child in list(tree):
        if not isinstance(child.tag, str):
            tree.remove(child)
    for node in list(tree.iter()):
        for child in list(node):
            if child.tag in ("title", "desc", "script"):
                node.remove(child)
        for name, value in node.attrib.items():
            if name in _COORDINATES:
                node.set(name, _DECIMALS.sub(r"\1", value))
    chart_id = f"chart-{fig.name}"
    tree.set("role", "img")
    tree.set("aria-labelledby", f"{chart_id}-title {chart_id}-desc")
    tree.set("width", str(fig.width))
    tree.set("height", str(fig.height))
    title_node = ET.Element("title", id=f"{chart_id}-title")
    title_node.text = fig.title
    desc_node = ET.Element("desc", id=f"{chart_id}-desc")
    desc_node.text = fig.description
    tree.insert(0, desc_node)
    tree.insert(0, title_node)
    return ET.tostring(tree, encoding="utf-8", xml_declaration=False, short_empty_elements=True)


def week_labels(weeks):
    """Short labels for the Mondays of the weekly charts ("7 Sep")."""
    return [format_date(monday, "d MMM") for monday in weeks]


def _flow_totals(flow, kind):
    return [sum(flow[kind][s][i] for s in SEVERITIES) for i in range(len(flow["weeks"]))]


def _flow_text(flow, kind):
    total = sum(_flow_totals(flow, kind))
    if not total:
        return None
    weeks = flow["weeks"]
    if kind == "new":
        title = _("New tickets per week")
        description = ngettext("%(num)d new ticket in the last %(weeks)d weeks, from %(start)s.",
                               "%(num)d new tickets in the last %(weeks)d weeks, from %(start)s.",
                               total, weeks=len(weeks), start=format_date(weeks[0]))
    else:
        title = _("Resolved tickets per week")
        description = ngettext("%(num)d ticket resolved in the last %(weeks)d weeks, from %(start)s.",
                               "%(num)d tickets resolved in the last %(weeks)d weeks, from %(start)s.",
                               total, weeks=len(weeks), start=format_date(weeks[0]))
    return title, description, FLOW_HEIGHT


def _flow_draw(flow, kind, height):
    """Stacked bars of new or resolved tickets per week, by severity.

    Both charts of a pair share one vertical scale so they compare at a glance.
    """
    top = max(max(_flow_totals(flow, "new")), max(_flow_totals(flow, "resolved")))
    chart = _chart(pygal.StackedBar, SEVERITY_COLOURS.values(), height, top,
                   x_label_rotation=-45, show_minor_x_labels=False, x_labels_major_every=2)
    chart.x_labels = week_labels(flow["weeks"])
    for severity in SEVERITIES:
        chart.add(str(SEVERITY_LABELS[severity]), [n or None for n in flow[kind][severity]])
    return chart


def _category_text(rows, _level):
    if not rows:
        return None
    description = ngettext(
        "%(num)d open ticket; most in: %(top)s (%(top_n)d).",
        "%(num)d open tickets; most in: %(top)s (%(top_n)d).",
        sum(row[2] for row in rows), top=str(CATEGORY_LABELS[rows[0][0]]), top_n=rows[0][2])
    return _("Open tickets by category"), description, 90 + 44 * len(rows)


def _category_draw(rows, height):
    """Horizontal stacked bars of open tickets per category, by severity, largest on top.

    Long category names are shortened on the chart; the data table has them whole.
    """
    chart = _chart(pygal.HorizontalStackedBar, SEVERITY_COLOURS.values(), height, rows[0][2])
    # pygal draws horizontal bars bottom-up; reverse so the largest is on top.
    ordered = list(reversed(rows))
    _wrap_labels(chart, [CATEGORY_LABELS[category] for category, _counts, _total in ordered])
    for severity in SEVERITIES:
        chart.add(str(SEVERITY_LABELS[severity]), [counts[severity] or None for _c, counts, _t in ordered])
    return chart


def _area_text(rows, level):
    if level is None:
        return None
    if level == "district":
        title = _("Open and flagged tickets per kecamatan")
    else:
        title = _("Open and flagged tickets per village")
    if rows and rows[0]["open"]:
        description = _("Most open tickets: %(name)s (%(open)d open, %(flagged)d flagged).",
                        name=rows[0]["name"], open=rows[0]["open"], flagged=rows[0]["flagged"])
    else:
        description = _("No open tickets.")
    return title, description, 90 + 40 * max(len(rows), 1)


def _area_draw(rows, height):
    """Horizontal bars of open and flagged tickets per kecamatan or village, most open on top.

    Areas without tickets stay on the chart as zero: a quiet area is news too.
    """
    top = max([row["open"] for row in rows] or [0])
    chart = _chart(pygal.HorizontalBar, (OPEN_COLOUR, FLAGGED_COLOUR), height, top)
    ordered = list(reversed(rows))
    _wrap_labels(chart, [row["name"] for row in ordered])
    chart.add(_("open"), [row["open"] for row in ordered])
    chart.add(_("flagged"), [row["flagged"] for row in ordered])
    return chart


_TEXTS = {
    "new": lambda flow, _level: _flow_text(flow, "new"),
    "resolved": lambda flow, _level: _flow_text(flow, "resolved"),
    "category": _category_text,
    "area": _area_text,
}
_DRAW = {
    "new": lambda flow, height: _flow_draw(flow, "new", height),
    "resolved": lambda flow, height: _flow_draw(flow, "resolved", height),
    "category": _category_draw,
    "area": _area_draw,
}
