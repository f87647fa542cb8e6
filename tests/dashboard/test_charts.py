"""Chart drawing: self-contained, accessible SVG documents in the app's severity colours."""
from datetime import date, timedelta

from tracker.dashboard import charts
from tracker.tickets.labels import CATEGORY_LABELS
from tracker.tickets.models import SEVERITIES


def flow(new_critical):
    weeks = [date(2026, 9, 7) + timedelta(weeks=i) for i in range(12)]
    empty = {s: [0] * 12 for s in SEVERITIES}
    new = {s: list(v) for s, v in empty.items()}
    new["critical"][11] = new_critical
    new["low"][3] = 2
    return {"weeks": weeks, "new": new, "resolved": empty}


def draw(name, data, level=None):
    return charts.svg(charts.figure(name, data, level), data).decode()


def test_flow_chart_is_a_standalone_image_with_title_description_and_no_script(app):
    svg = draw("new", flow(3))
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert 'role="img"' in svg and 'aria-labelledby="chart-new-title chart-new-desc"' in svg
    assert 'width="420" height="300"' in svg
    assert '<title id="chart-new-title">' in svg
    assert "5 tiket baru dalam 12 minggu terakhir, sejak 7 Sep 2026." in svg
    assert "<script" not in svg and "<!--" not in svg
    assert "#7b1fa2" in svg and "#2e7d32" in svg


def test_the_figure_carries_the_text_alternative_without_drawing(app):
    fig = charts.figure("new", flow(3))
    assert fig.title == "Tiket baru per minggu"
    assert fig.description == "5 tiket baru dalam 12 minggu terakhir, sejak 7 Sep 2026."
    assert (fig.width, fig.height) == (420, 300)


def test_an_image_carries_no_tooltip_data(app):
    # An SVG shown through <img> is not interactive: pygal's tooltip nodes are dead weight.
    svg = draw("new", flow(3))
    assert "<desc" in svg  # the chart's own description
    assert svg.count("<desc") == 1
    assert svg.count("<title") == 1


def test_a_week_without_tickets_draws_no_chart(app):
    assert charts.figure("new", flow(0) | {"new": {s: [0] * 12 for s in SEVERITIES}}) is None
    assert charts.figure("resolved", flow(3)) is None
    assert charts.figure("category", []) is None
    assert charts.figure("area", [], None) is None


def test_the_version_follows_the_numbers_and_the_language(app):
    from flask_babel import force_locale

    assert charts.figure("new", flow(3)).version == charts.figure("new", flow(3)).version
    assert charts.figure("new", flow(3)).version != charts.figure("new", flow(4)).version
    same_numbers = flow(3) | {"resolved": flow(3)["new"]}
    assert charts.figure("new", same_numbers).version != charts.figure("resolved", same_numbers).version
    with force_locale("en"):
        english = charts.figure("new", flow(3))
    assert english.version != charts.figure("new", flow(3)).version
    assert "5 new tickets" in english.description


def test_a_drawn_chart_is_reused_for_the_same_numbers(app, monkeypatch):
    data = flow(7)
    fig = charts.figure("new", data)
    first = charts.svg(fig, data)

    def drawn_again(*_args):
        raise AssertionError("drawn again")

    monkeypatch.setattr(charts, "render", drawn_again)
    assert charts.svg(fig, data) is first


def test_names_with_markup_are_escaped(app):
    rows = [{"code": "33.13.14.2005", "name": "<img src=x onerror=alert(1)>", "open": 2, "flagged": 1}]
    svg = draw("area", rows, "village")
    assert "<img" not in svg
    assert "&lt;img src=x" in svg


def test_long_category_names_are_wrapped_whole_on_the_chart(app):
    label = str(CATEGORY_LABELS["neutrality"])   # "netralitas ASN/kepala desa"
    rows = [("neutrality", dict.fromkeys(SEVERITIES, 1), 4)]
    svg = draw("category", rows)
    assert len(label) > charts.LABEL_LENGTH
    assert ">netralitas ASN/</tspan>" in svg and ">kepala desa</tspan>" in svg
    assert "…" not in svg


def test_a_label_longer_than_three_lines_is_shortened(app):
    assert charts._wrapped("pelanggaran kampanye/perusakan APK") == ["pelanggaran", "kampanye/perusakan", "APK"]
    assert charts._wrapped("neutrality of civil servants / village heads") == [
        "neutrality of civil", "servants / village", "heads"]
    lines = charts._wrapped(" ".join(["word"] * 20))
    assert len(lines) == 3 and lines[-1].endswith("…")
    assert all(len(line) <= charts.LABEL_LENGTH for line in lines)
