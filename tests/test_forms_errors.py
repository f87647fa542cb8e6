"""Form errors: the summary on top of a refused form, each entry a link to its field,
and messages in labels, never the internal codes of a choice (issue 14)."""
import re
from html.parser import HTMLParser

import pytest
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict

from tests.plugins.world import KEMIRI
from tests.visits.forms import entry, visit_form
from tracker.forms import Form, apply_errors
from tracker.validation import check_choice


def text(response):
    return response.get_data(as_text=True)


class Page(HTMLParser):
    """The ids of a page and the links of its error summary (href, text)."""

    def __init__(self, body):
        super().__init__()
        self.ids, self.links, self.summaries, self._in_summary, self._depth, self._link = set(), [], [], False, 0, None
        self.feed(body)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if "data-error-summary" in attrs:
            self.summaries.append(attrs)
            self._in_summary, self._depth = True, 0
        if self._in_summary:
            self._depth += tag != "br"
            if tag == "a":
                self._link = [attrs.get("href"), ""]

    def handle_data(self, data):
        if self._link is not None:
            self._link[1] += data

    def handle_endtag(self, tag):
        if not self._in_summary:
            return
        if tag == "a" and self._link is not None:
            self.links.append(tuple(self._link))
            self._link = None
        self._depth -= 1
        if self._depth == 0:
            self._in_summary = False


def assert_summary(body, expected_targets):
    page = Page(body)
    assert len(page.summaries) == 1, "one error summary on the page"
    summary = page.summaries[0]
    assert summary.get("role") == "alert" and summary.get("tabindex") == "-1" and "autofocus" in summary
    targets = [href[1:] for href, _label in page.links]
    assert targets == expected_targets
    for target in targets:
        assert target in page.ids, f"the summary links to #{target}, which is not on the page"
    return page


# --- the summary -----------------------------------------------------------------------------

def test_refused_visit_lists_each_error_with_a_link_to_its_field(world, web):
    response = web(world.babinsa).post("/visits/new", data=visit_form(
        visited_on="2099-01-01", **entry(0, category=""), **entry(1, severity="worst", title="")))
    assert response.status_code == 422
    page = assert_summary(text(response), [
        "visited_on", "tickets-0-category", "tickets-1-severity-0", "tickets-1-title"])
    labels = [label for _href, label in page.links]
    assert labels[0].startswith("Tanggal kunjungan: ")
    assert labels[1] == "Masalah yang didengar (1) · Kategori: Pilih salah satu dari daftar."
    assert labels[2].startswith("Masalah yang didengar (2) · Tingkat keparahan: Pilih salah satu dari: rendah, ")


def test_refused_ticket_lists_each_error_with_a_link_to_its_field(world, web):
    response = web(world.babinsa).post("/tickets/new", data={
        "village_code": KEMIRI, "category": "weather", "severity": "medium", "title": "", "description": ""})
    assert response.status_code == 422
    page = assert_summary(text(response), ["category", "title"])
    assert page.links[0][1] == "Kategori: Pilih salah satu dari daftar."


def test_a_refusal_without_a_field_is_in_the_summary_without_a_link(world, web):
    # Waru is not the Babinsa's: the refusal is named under the village, and in the summary.
    response = web(world.babinsa).post("/tickets/new", data={
        "village_code": "33.13.14.2007", "category": "hoax", "severity": "medium", "title": "Hoaks"})
    assert response.status_code == 403
    assert_summary(text(response), ["village_code"])


def test_a_form_without_errors_has_no_summary(world, web):
    body = text(web(world.babinsa).get("/visits/new"))
    assert "data-error-summary" not in body and "autofocus" not in body


# --- no internal code in any form's messages ---------------------------------------------------

def _form_classes():
    import tracker  # noqa: F401 (the features' forms are imported by create_app)

    found, stack = [], list(Form.__subclasses__())
    while stack:
        cls = stack.pop()
        found.append(cls)
        stack.extend(cls.__subclasses__())
    return sorted(set(found), key=lambda cls: cls.__qualname__)


def _choice_fields(form):
    from tracker.forms import all_fields

    return [f for f in all_fields(form) if getattr(f, "choices", None)]


def internal_codes(field):
    """The field's choice values that are codes: not words of any of its labels in this language."""
    from tracker.forms import _pairs

    pairs = [(str(value), str(label)) for value, label in _pairs(field.choices) if value not in ("", None)]
    labels = " ".join(label.lower() for _value, label in pairs)
    return {value for value, _label in pairs if not re.search(rf"\b{re.escape(value.lower())}\b", labels)}


def _messages(form):
    from tracker.forms import summary_entries

    return [str(message) for _target, _label, message in summary_entries(form)]


@pytest.mark.parametrize("locale", ["id", "en"])
def test_no_error_message_of_any_form_names_an_internal_code(app, world, locale):
    classes = _form_classes()
    checked = set()
    with app.test_request_context(method="POST"), force_locale(locale):
        for cls in classes:
            form = cls(formdata=MultiDict(), meta={"csrf": False})
            fields = _choice_fields(form)
            if not fields:
                continue
            # The form's own checks with a value no choice has, then a service's refusal of each.
            form = cls(formdata=MultiDict({f.name: "not-a-choice" for f in fields}), meta={"csrf": False})
            _fill_view_choices(form)
            form.validate()
            for f in fields:
                errors = {}
                check_choice(errors, f.name, "not-a-choice", [str(v) for v, _l in _pairs_of(f)])
                apply_errors(form, errors)
            for f in fields:
                codes = internal_codes(f)
                for message in _messages(form):
                    named = {code for code in codes if re.search(rf"\b{re.escape(code)}\b", message)}
                    assert not named, f"{cls.__name__}.{f.name}: {message!r} names {named}"
                checked.add(f"{cls.__name__}.{f.name}")
    # The ticket's category and severity are among them, with codes to hide.
    assert {"TicketForm.category", "TicketForm.severity", "VisitForm.tickets-0-category"} <= checked


def _fill_view_choices(form):
    """Choices a view sets (the admin form's units) as an empty list, as for a user with none."""
    from tracker.forms import all_fields

    for f in all_fields(form):
        if hasattr(f, "choices") and f.choices is None:
            f.choices = []


def _pairs_of(field):
    from tracker.forms import _pairs

    return [pair for pair in _pairs(field.choices) if pair[0] not in ("", None)]


def test_the_codes_are_there_to_hide(app):
    """The check above can fail: the API's message lists the codes themselves."""
    from tracker.tickets.forms import TicketForm

    with app.test_request_context(), force_locale("id"):
        form = TicketForm(formdata=None, meta={"csrf": False})
        errors = {}
        check_choice(errors, "category", "weather", ["money_politics", "hoax"])
        assert "money_politics" in str(errors["category"][0])
        assert "money_politics" in internal_codes(form.category)
        apply_errors(form, errors)
        assert "money_politics" not in str(form.category.errors[0])


@pytest.mark.parametrize("locale,words", [("id", "Pilih salah satu dari daftar."), ("en", "Choose one from the list.")])
def test_a_refused_category_reads_in_labels_in_both_languages(world, web, locale, words):
    client = web(world.babinsa)
    client.post(f"/lang/{locale}", data={"next": "/"})
    response = client.post("/visits/new", data=visit_form(**entry(0, category="weather", severity="worst")))
    body = text(response)
    assert response.status_code == 422
    assert words in body
    assert "money_politics" not in body.split("<form")[0] + body.split("</select>")[-1]
    severity = "rendah, sedang, tinggi, kritis" if locale == "id" else "low, medium, high, critical"
    assert severity in body


def test_the_outbox_is_answered_in_labels_too(world, web):
    response = web(world.babinsa).post("/tickets/new", headers={"Accept": "application/json"}, data={
        "village_code": KEMIRI, "category": "weather", "severity": "medium", "title": "Ada"})
    assert response.status_code == 422
    assert response.get_json()["errors"]["category"] == ["Pilih salah satu dari daftar."]


# --- inputs the form holds no field for: the photos ---------------------------------------------

def _photos(n):
    import io

    from tests.attachments import images

    return [(io.BytesIO(images.jpeg()), f"{i}.jpg") for i in range(n)]


def test_too_many_photos_on_a_problem_are_named_under_its_input_and_linked_from_the_summary(world, web):
    data = visit_form(**entry(0), **entry(1))
    data["problems-1-photos"] = _photos(4)
    response = web(world.babinsa).post("/visits/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    body = text(response)
    page = assert_summary(body, ["problems-1-photos"])
    assert page.links[0][1] == "Masalah yang didengar (2) · Foto (paling banyak 3): Paling banyak 3 foto per tiket."
    assert 'aria-describedby="problems-1-photos-error"' in body and 'id="problems-1-photos-error"' in body


def test_too_many_photos_on_a_ticket_are_named_under_the_input(world, web):
    response = web(world.babinsa).post("/tickets/new", content_type="multipart/form-data", data={
        "village_code": KEMIRI, "category": "hoax", "severity": "medium", "title": "Hoaks", "photos": _photos(4)})
    assert response.status_code == 422
    body = text(response)
    page = assert_summary(body, ["photos"])
    assert page.links[0][1].startswith("Foto (paling banyak 3): ")
    assert 'id="photos-error"' in body


def test_a_field_without_a_label_of_its_own_is_summarized_by_its_message_alone(app):
    """No English made up from a field's name (an election's stage dates have no label)."""
    from wtforms import DateField, StringField

    from flask_babel import lazy_gettext

    class Dates(Form):
        campaign_starts_on = DateField()
        notes = StringField(lazy_gettext("Notes"))

    with app.test_request_context(method="POST"), force_locale("en"):
        form = Dates(formdata=MultiDict({"campaign_starts_on": "soon", "notes": "x"}), meta={"csrf": False})
        form.validate()
        apply_errors(form, {"notes": ["Too short."]})
        assert [(t, label) for t, label, _m in form.error_summary()] == [
            ("campaign_starts_on", ""), ("notes", "Notes")]
