"""Election pages: the calendar, the detail, and the create, edit and remove forms (Kodim and admin)."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from tracker.auth.decorators import roles_required
from tracker.elections import choices
from tracker.elections.forms import ElectionEditForm, ElectionForm, ElectionRemoveForm
from tracker.elections.lookups import area_count
from tracker.elections.models import ELECTION_KINDS, STAGES, Election
from tracker.errors import ValidationError
from tracker.forms import apply_errors
from tracker.elections.services import (
    DEFAULT_OFFSETS, KIND_LABELS, SCOPE_LABELS, STAGE_LABELS, can_manage_election, can_manage_elections,
    create_election, current_stage, default_stages, edit_election, election_villages, elections_for_user,
    get_election, remove_election, user_today,
)
from tracker.pagination import paginate
from tracker.params import page_arg
from tracker.validation import parse_date
from tracker.web import commit_or_rollback


AREAS_SHOWN = 500


def _labels():
    return {"kind_labels": KIND_LABELS, "stage_labels": STAGE_LABELS, "scope_labels": SCOPE_LABELS}


@login_required
def index():
    """The elections touching the user's villages, latest voting day first."""
    page = paginate(elections_for_user(current_user).options(selectinload(Election.stages)),
                    page=page_arg(), per_page=25)
    return render_template("elections/index.html", page=page, today=user_today(current_user),
                           current_stage=current_stage, can_create=can_manage_elections(current_user),
                           **_labels())


def _offsets_table():
    """Rows (kind label, lead-up, campaign, quiet, voting, recap) of the default offsets from voting day D."""
    # TRANSLATORS: the letter naming voting day in offsets like D-60 (Indonesian: H, "hari H").
    letter = _("D")

    def day(offset):
        return letter if offset == 0 else f"{letter}{offset:+d}".replace("-", "−")

    rows = []
    for kind in ELECTION_KINDS:
        lead_up, campaign, recap = DEFAULT_OFFSETS[kind]
        rows.append((KIND_LABELS[kind], day(lead_up), f"{day(campaign)} … {day(-4)}",
                     f"{day(-3)} … {day(-1)}", day(0), f"{day(1)} … {day(recap)}"))
    return rows


def _voting_day(form, errors):
    """The form's voting day when the app can compute stages from it; else None (errors named)."""
    if not form.voting_on.data:
        return None
    return parse_date(errors, "voting_on", form.voting_on.data)


def _fill_defaults(form, kind):
    """Put the default stage dates of the kind and the form's voting day into the form."""
    errors = {}
    voting_on = _voting_day(form, errors)
    if errors:
        apply_errors(form, errors)
        return
    if kind not in ELECTION_KINDS or not voting_on:
        form.form_errors.append(_("Choose the kind and the voting day to see the default stages."))
        return
    for stage in default_stages(kind, voting_on):
        for key in ("starts_on", "ends_on"):
            field = getattr(form, f"{stage['name']}_{key}")
            field.raw_data = []
            field.data = stage[key]


def _prepare_area(form, election=None):
    """Limit the area kinds to the user's, and settle the ticked codes before anything reads them.

    A first view ticks a Kodim's own kabupaten (or the election's area);
    an administrator's desa list opens on the kabupaten of the first desa
    ticked. A posted "whole kecamatan" box becomes the ticks of its desa, so the
    page shown again (a refusal, "Show default stages", another kabupaten)
    shows each desa ticked, and unticking one of them counts.
    """
    form.limit_scope_kinds(choices.scope_kinds(current_user))
    if request.method == "POST":
        ticked = form.villages.data or []
        added = choices.villages_of_districts(current_user, form.districts.data or [])
        form.villages.data = list(dict.fromkeys(ticked + added))
        form.districts.data = []
    elif election is None:
        form.regions.data = choices.own_regions(current_user)
    if current_user.role == "admin" and not form.regency.data:
        codes = choices.region_codes(form.villages.data)
        form.regency.data = codes[0][:5] if codes else ""


def _scope_from(form, kind):
    """The service's scope from the form: a Pilkades' desa, else national or the ticked regions."""
    if kind == "pilkades":
        return {"villages": form.villages.data or []}
    if form.scope_kind.data == "national":
        return {"national": True}
    return {"regions": form.regions.data or []}


def _area_field(kind):
    return "villages" if kind == "pilkades" else "regions"


def _nothing_ticked(form, kind):
    """The message for an area left empty where something must be ticked, else None."""
    if kind not in ELECTION_KINDS or _scope_from(form, kind).get("national"):
        return None
    if getattr(form, _area_field(kind)).data:
        return None
    return _("Choose at least one desa.") if kind == "pilkades" else _("Choose at least one province or kabupaten.")


def _area_context(form, kind):
    """What the template needs to draw the area picker for a kind (None: a new election, any kind)."""
    villages = set(form.villages.data or []) if isinstance(form.villages.data, list) else set()
    # Only an administrator's list is one kabupaten's; a Kodim sees all of his desa.
    regency = (form.regency.data or None) if current_user.role == "admin" else None
    groups = choices.village_groups(current_user, regency) if kind in (None, "pilkades") else []
    listed = {code for group in groups for code in group.codes}
    elsewhere = [code for code in villages if isinstance(code, str) and code not in listed]
    names = choices.named(elsewhere)
    return {
        "village_groups": groups, "chosen_villages": villages,
        "chosen_elsewhere": [(code, names.get(code, "")) for code in sorted(elsewhere)],
        "region_groups": choices.region_groups(current_user) if kind != "pilkades" else [],
        "chosen_regions": set(form.regions.data or []),
        "regencies": choices.regencies(current_user) if current_user.role == "admin" and kind in (None, "pilkades") else [],
        "area_kind": kind,
    }


def _stage_overrides(form, kind):
    """The stages whose dates differ from the defaults (a missing date keeps its default).

    None when there are no defaults to compare with; the service then names
    what is wrong with the kind or the voting day.
    """
    voting_on = _voting_day(form, {})
    if kind not in ELECTION_KINDS or not voting_on:
        return None
    overrides = []
    for stage in default_stages(kind, voting_on):
        starts_on = getattr(form, f"{stage['name']}_starts_on").data or stage["starts_on"]
        ends_on = getattr(form, f"{stage['name']}_ends_on").data or stage["ends_on"]
        if (starts_on, ends_on) != (stage["starts_on"], stage["ends_on"]):
            overrides.append({"name": stage["name"], "starts_on": starts_on, "ends_on": ends_on})
    return overrides


def _save(form, save, done, kind):
    """Run ``save()`` (returns the election); commit, flash ``done``: ``(redirect, 200)``.

    On a service error nothing is kept: the form shows the messages (the
    area's under its picker; an empty one in the form's words, not the
    API's) and the answer is ``(None, 422)`` when invalid or ``(None, 403)``
    when not allowed.
    """
    empty = _nothing_ticked(form, kind)

    def work():
        try:
            return save()
        except ValidationError as error:
            if empty:
                error.errors["scope"] = [empty]
            raise

    outcome = commit_or_rollback(work, form, fields={"scope": _area_field(kind)})
    if not outcome.is_done:
        return None, outcome.status
    flash(done % {"name": outcome.value.name}, "success")
    return redirect(url_for("elections.detail", election_id=outcome.value.id)), 200


def _render_form(form, election, kind, status):
    return render_template("elections/form.html", form=form, stages=STAGES, offsets=_offsets_table(),
                           election=election, **_area_context(form, kind), **_labels()), status


def _refreshing():
    """The page is asked again, not submitted: default stages, or another kabupaten's desa."""
    return request.method == "POST" and ("preview" in request.form or "pick" in request.form)


@roles_required("kodim", "admin")
def new():
    """Create an election; "Show default stages" fills the stage dates for the kind and day."""
    form = ElectionForm()
    _prepare_area(form)
    status = 200
    kind = form.kind.data
    if _refreshing():
        if "preview" in request.form:
            _fill_defaults(form, kind)
    elif form.validate_on_submit():
        answer, status = _save(form, lambda: create_election(
            current_user, kind=kind, name=form.name.data, voting_on=form.voting_on.data,
            scope=_scope_from(form, kind), stages=_stage_overrides(form, kind),
        ), _("Election %(name)s created."), kind)
        if answer is not None:
            return answer
    elif request.method == "POST":
        status = 422
    return _render_form(form, None, None, status)


def _managed_election(election_id):
    """The election for its edit and remove pages: 404 outside the user's villages, 403 if not his."""
    election = get_election(current_user, election_id)
    if election is None:
        abort(404)
    if not can_manage_election(current_user, election):
        abort(403)
    return election


def _fill_from(form, election):
    """Put the election as it is into the edit form."""
    form.name.data = election.name
    form.voting_on.data = election.voting_on
    codes = [area.region_code for area in election.areas]
    if election.scope_kind == "villages":
        form.villages.data = codes
    else:
        form.scope_kind.data = election.scope_kind
        form.regions.data = codes
    for stage in election.stages:
        getattr(form, f"{stage.name}_starts_on").data = stage.starts_on
        getattr(form, f"{stage.name}_ends_on").data = stage.ends_on


def _edited_stages(form, election):
    """The form's stages for ``edit_election``.

    A new voting day with every stage date as it was recomputes the
    default stages from the new day; otherwise the dates shown count, as
    on creation.
    """
    untouched = all(
        (getattr(form, f"{s.name}_starts_on").data, getattr(form, f"{s.name}_ends_on").data)
        == (s.starts_on, s.ends_on)
        for s in election.stages
    )
    if untouched and form.voting_on.data != election.voting_on:
        return []
    return _stage_overrides(form, election.kind)


@roles_required("kodim", "admin")
def edit(election_id):
    """Change an election's name, voting day, area or stages."""
    election = _managed_election(election_id)
    form = ElectionEditForm()
    if request.method == "GET":
        _fill_from(form, election)
    _prepare_area(form, election)
    status = 200
    if _refreshing():
        if "preview" in request.form:
            _fill_defaults(form, election.kind)
    elif form.validate_on_submit():
        def change():
            edit_election(current_user, election, name=form.name.data, voting_on=form.voting_on.data,
                          scope=_scope_from(form, election.kind), stages=_edited_stages(form, election))
            return election

        answer, status = _save(form, change, _("Election %(name)s changed."), election.kind)
        if answer is not None:
            return answer
    elif request.method == "POST":
        status = 422
    return _render_form(form, election, election.kind, status)


@roles_required("kodim", "admin")
def remove(election_id):
    """Ask, then remove an election, clearing its active flags."""
    election = _managed_election(election_id)
    form = ElectionRemoveForm()
    if form.validate_on_submit():
        name = election.name
        outcome = commit_or_rollback(lambda: remove_election(current_user, election))
        if not outcome.is_done:
            abort(outcome.status)
        flash(_("Election %(name)s removed; %(n)d active flags cleared.", name=name, n=outcome.value), "success")
        return redirect(url_for("elections.index"))
    return render_template("elections/remove.html", election=election, form=form, **_labels())


@login_required
def detail(election_id):
    """An election: its stages (today's marked) and its area; its flags are on the warnings page."""
    election = get_election(current_user, election_id)
    if election is None:
        abort(404)
    today = user_today(current_user)
    return render_template(
        "elections/detail.html", election=election, today=today, stage=current_stage(election, today),
        areas=election_villages(election, limit=AREAS_SHOWN), area_count=area_count(election),
        can_manage=can_manage_election(current_user, election), **_labels(),
    )
