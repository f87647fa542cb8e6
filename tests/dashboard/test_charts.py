"""Chart rendering: self-contained, accessible SVG in the app's severity colours."""
from datetime import date, timedelta

from tracker.dashboard import charts
from tracker.tickets.labels import CATEGORY_LABELS, SEVERITY_LABELS
from tracker.tickets.models import SEVERITIES


def flow(new_critical):
    weeks = [date(2026, 9, 7) + timedelta(weeks=i) for i in range(12)]
    empty = {s: [0] * 12 for s in SEVERITIES}
    new = {s: list(v) for s, v in empty.items()}
    new["critical"][11] = new_critical
    new["low"][3] = 2
    return {"weeks": weeks, "new": new, "resolved": empty}


def test_flow_chart_is_an_image_with_title_description_and_no_script(app):
    svg = str(charts.flow_chart(flow(3), "new"))
    assert svg.startswith("<svg ")
    assert 'role="img"' in svg and 'aria-labelledby="chart-new-title chart-new-desc"' in svg
    assert '<title id="chart-new-title">' in svg
    assert "5 tiket baru dalam 12 minggu terakhir, sejak 7 Sep 2026." in svg
    assert "<script" not in svg and "<!--" not in svg
    assert "#7b1fa2" in svg and "#2e7d32" in svg


def test_bars_carry_a_native_tooltip_instead_of_script_data(app):
    svg = str(charts.flow_chart(flow(3), "new"))
    assert f'<g class="bar"><title>{SEVERITY_LABELS["critical"]} · 23 Nov: 3</title>' in svg
    assert '<desc class="value">' not in svg


def test_a_week_without_tickets_draws_no_chart(app):
    assert charts.flow_chart(flow(0) | {"new": {s: [0] * 12 for s in SEVERITIES}}, "new") is None
    assert charts.flow_chart(flow(3), "resolved") is None
    assert charts.category_chart([]) is None


def test_names_with_markup_are_escaped(app):
    rows = [{"code": "33.13.14.2005", "name": "<img src=x onerror=alert(1)>", "open": 2, "flagged": 1}]
    svg = str(charts.area_chart(rows, "village"))
    assert "<img" not in svg
    assert "&lt;img src=x" in svg


def test_long_category_names_are_shortened_on_the_chart_only(app):
    label = str(CATEGORY_LABELS["neutrality"])
    rows = [("neutrality", dict.fromkeys(SEVERITIES, 1), 4)]
    svg = str(charts.category_chart(rows))
    assert len(label) > charts.LABEL_LENGTH
    assert f">{label[:charts.LABEL_LENGTH - 1].rstrip()}…<" in svg
    assert f">{label}<" not in svg
