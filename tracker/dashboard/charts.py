"""Dashboard charts: pygal SVG rendered on the server and inlined in the page.

The SVG needs no script and fetches nothing, so charts show with
JavaScript off and without internet. Each chart is an image with a title
and a description for screen readers; the page puts a data table beside it.
"""
import re
import xml.etree.ElementTree as ET

import pygal
from flask_babel import format_date, gettext as _, ngettext
from markupsafe import Markup
from pygal.style import Style

from tracker.tickets.labels import CATEGORY_LABELS, SEVERITY_LABELS
from tracker.tickets.models import SEVERITIES

# The severity colours of the whole app (app.css, digests).
SEVERITY_COLOURS = {"low": "#2e7d32", "medium": "#b26a00", "high": "#c0392b", "critical": "#7b1fa2"}
OPEN_COLOUR = "#1f5fa0"
FLAGGED_COLOUR = "#d35400"
WIDTH = 420
LABEL_LENGTH = 20


def _style(colours):
    return Style(
        colors=tuple(colours), font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
        background="transparent", plot_background="#ffffff", opacity="1", opacity_hover=".85",
        label_font_size=13, major_label_font_size=13, legend_font_size=14, value_font_size=12,
        tooltip_font_size=13, no_data_font_size=18, transition="0ms",
    )


def _chart(kind, colours, height, top, **options):
    # A range of at least 0..4 keeps the axis on whole numbers when counts are small.
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


def render(chart, chart_id, title, description):
    """The chart's SVG as safe markup: role="img" with a title and description, no script.

    pygal's tooltip data (read by its script, which we leave out) becomes a
    native ``<title>`` per bar, and coordinates are cut to a tenth of a
    pixel: the page carries a third of the bytes.
    """
    tree = chart.render_tree()
    for child in list(tree):
        if not isinstance(child.tag, str) or child.tag == "title":
            tree.remove(child)
    for defs in tree.iter("defs"):
        for script in defs.findall("script"):
            defs.remove(script)
    _bar_titles(tree, [config["title"] for _values, config in chart.raw_series])
    for node in tree.iter():
        for name, value in node.attrib.items():
            if name in ("x", "y", "width", "height", "d", "x1", "x2", "y1", "y2", "transform", "points"):
                node.set(name, _DECIMALS.sub(r"\1", value))
    tree.set("role", "img")
    tree.set("aria-labelledby", f"{chart_id}-title {chart_id}-desc")
    tree.set("width", "100%")
    title_node = ET.Element("title", id=f"{chart_id}-title")
    title_node.text = title
    desc_node = ET.Element("desc", id=f"{chart_id}-desc")
    desc_node.text = description
    tree.insert(0, desc_node)
    tree.insert(0, title_node)
    return Markup(ET.tostring(tree, encoding="unicode", short_empty_elements=True))


_DECIMALS = re.compile(r"(\d+\.\d)\d+")
_SERIE = re.compile(r"\bserie-(\d+)\b")


def _bar_titles(tree, series_titles):
    """Replace each bar's tooltip ``<desc>`` nodes by a ``<title>`` "series · label: value"."""
    for group in tree.iter("g"):
        match = _SERIE.search(group.get("class", ""))
        if not match:
            continue
        series = series_titles[int(match.group(1))]
        for bar in group.iter("g"):
            descs = {desc.get("class"): desc for desc in bar.findall("desc")}
            if "value" not in descs:
                continue
            for desc in descs.values():
                bar.remove(desc)
            label = descs["x_label"].text if "x_label" in descs else ""
            tip = ET.Element("title")
            tip.text = f"{series} · {label}: {descs['value'].text}" if label else f"{series}: {descs['value'].text}"
            bar.insert(0, tip)


def week_labels(weeks):
    """Short labels for the Mondays of the weekly charts ("7 Sep")."""
    return [format_date(monday, "d MMM") for monday in weeks]


def flow_chart(flow, kind):
    """Stacked bars of new (``kind="new"``) or resolved tickets per week, by severity.

    Both charts of a pair share one vertical scale so they compare at a glance.
    None when there is nothing to draw (the page says so in words).
    """
    weeks = flow["weeks"]
    totals = {k: [sum(flow[k][s][i] for s in SEVERITIES) for i in range(len(weeks))] for k in ("new", "resolved")}
    total = sum(totals[kind])
    if not total:
        return None
    top = max(max(totals["new"]), max(totals["resolved"]))
    chart = _chart(pygal.StackedBar, SEVERITY_COLOURS.values(), 300, top,
                   x_label_rotation=-45, show_minor_x_labels=False, x_labels_major_every=2)
    chart.x_labels = week_labels(weeks)
    for severity in SEVERITIES:
        chart.add(str(SEVERITY_LABELS[severity]), [n or None for n in flow[kind][severity]])
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
    return render(chart, f"chart-{kind}", title, description)


def category_chart(rows):
    """Horizontal stacked bars of open tickets per category, by severity, largest first.

    Long category names are shortened on the chart; the data table has them whole.
    None when no ticket is open.
    """
    if not rows:
        return None
    height = 90 + 34 * len(rows)
    chart = _chart(pygal.HorizontalStackedBar, SEVERITY_COLOURS.values(), height, rows[0][2])
    # pygal draws horizontal bars bottom-up; reverse so the largest is on top.
    ordered = list(reversed(rows))
    chart.x_labels = [_short(CATEGORY_LABELS[category]) for category, _counts, _total in ordered]
    for severity in SEVERITIES:
        chart.add(str(SEVERITY_LABELS[severity]), [counts[severity] or None for _c, counts, _t in ordered])
    description = ngettext(
        "%(num)d open ticket; most in: %(top)s (%(top_n)d).",
        "%(num)d open tickets; most in: %(top)s (%(top_n)d).",
        sum(row[2] for row in rows), top=str(CATEGORY_LABELS[rows[0][0]]), top_n=rows[0][2])
    return render(chart, "chart-category", _("Open tickets by category"), description)


def area_chart(rows, level):
    """Horizontal bars of open and flagged tickets per kecamatan or village, most open on top.

    Areas without tickets stay on the chart as zero: a quiet area is news too.
    """
    height = 90 + 40 * max(len(rows), 1)
    top = max([row["open"] for row in rows] or [0])
    chart = _chart(pygal.HorizontalBar, (OPEN_COLOUR, FLAGGED_COLOUR), height, top)
    ordered = list(reversed(rows))
    chart.x_labels = [_short(row["name"]) for row in ordered]
    chart.add(_("open"), [row["open"] for row in ordered])
    chart.add(_("flagged"), [row["flagged"] for row in ordered])
    if level == "district":
        title = _("Open and flagged tickets per kecamatan")
    else:
        title = _("Open and flagged tickets per village")
    if rows and rows[0]["open"]:
        description = _("Most open tickets: %(name)s (%(open)d open, %(flagged)d flagged).",
                        name=rows[0]["name"], open=rows[0]["open"], flagged=rows[0]["flagged"])
    else:
        description = _("No open tickets.")
    return render(chart, "chart-area", title, description)
