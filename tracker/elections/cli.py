"""``flask elections add | edit | remove | list``."""
import click
from flask.cli import AppGroup

from tracker.cli import fail_with
from tracker.elections.lookups import live_election, live_elections
from tracker.elections.models import ELECTION_KINDS, STAGES
from tracker.elections.queries import local_days
from tracker.elections.services import KEEP, create_election, edit_election, remove_election
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.jobs.cli import parse_moment
from tracker.regions.codes import WIB
from tracker.timeutil import utcnow

elections_cli = AppGroup("elections", help="The election calendar.")


def _stage_option(value):
    """``name:YYYY-MM-DD:YYYY-MM-DD`` -> the service's stage dict."""
    parts = value.split(":")
    if len(parts) != 3:
        raise click.BadParameter(f"{value!r}: use name:starts_on:ends_on, e.g. campaign:2026-12-21:2026-12-23",
                                 param_hint="--stage")
    return {"name": parts[0], "starts_on": parts[1], "ends_on": parts[2]}


def _scope_options(f):
    """The scope options shared by add and edit."""
    for option in reversed([
        click.option("--national", is_flag=True, help="Covers every village"),
        click.option("--region", "regions", multiple=True, help="Province or kabupaten/kota code; repeatable"),
        click.option("--village", "villages", multiple=True, help="Participating desa (Pilkades); repeatable"),
        click.option("--villages-file", type=click.File(encoding="utf-8"),
                     help="File of participating desa codes, one per line or separated by spaces/commas"),
        click.option("--stage", "stages", multiple=True, metavar="NAME:START:END",
                     help=f"Override a default stage ({', '.join(STAGES)}); repeatable"),
    ]):
        f = option(f)
    return f


def _scope_from(national, regions, villages, villages_file, required):
    """The service's scope from the options; None when none is given and ``required`` is false."""
    villages = list(villages)
    if villages_file is not None:
        villages += [code for code in villages_file.read().replace(",", " ").split() if code]
    chosen = [s for s, given in (("national", national), ("regions", regions), ("villages", villages)) if given]
    if not chosen and not required:
        return None
    if len(chosen) != 1:
        raise click.UsageError("give exactly one of --national, --region or --village/--villages-file")
    return {"national": True} if national else {"regions": list(regions)} if regions else {"villages": villages}


def _echo_election(verb, election):
    click.echo(f"{verb} election {election.id}: {election.kind} {election.name}, voting {election.voting_on}, "
               f"window {election.window_start} .. {election.window_end}, {len(election.areas)} areas")
    for stage in election.stages:
        click.echo(f"  {stage.name:<9} {stage.starts_on} .. {stage.ends_on}")


def _election_or_fail(election_id):
    election = live_election(election_id)
    if election is None:
        raise click.ClickException(f"no election {election_id}")
    return election


@elections_cli.command("add")
@click.option("--kind", required=True, type=click.Choice(ELECTION_KINDS))
@click.option("--name", required=True, help='e.g. "Pilkades Serentak Karanganyar 2026"')
@click.option("--voting-on", required=True, help="Voting day, YYYY-MM-DD (local date)")
@_scope_options
def add_command(kind, name, voting_on, national, regions, villages, villages_file, stages):
    """Add an election (default stages unless overridden) as the operator."""
    scope = _scope_from(national, regions, villages, villages_file, required=True)
    try:
        election = create_election(None, kind=kind, name=name, voting_on=voting_on, scope=scope,
                                   stages=[_stage_option(s) for s in stages] or None)
    except ValidationError as error:
        fail_with(error)
    db.session.commit()
    _echo_election("created", election)


@elections_cli.command("edit")
@click.argument("election_id", type=int)
@click.option("--name", help="A new name")
@click.option("--voting-on", help="A new voting day, YYYY-MM-DD; stages not given take their defaults from it")
@click.option("--default-stages", is_flag=True, help="Reset every stage not given with --stage to its default")
@_scope_options
def edit_command(election_id, name, voting_on, default_stages, national, regions, villages, villages_file, stages):
    """Change an election as the operator; what is not given stays.

    A scope option replaces the whole area; flags in villages leaving it are cleared.
    """
    election = _election_or_fail(election_id)
    scope = _scope_from(national, regions, villages, villages_file, required=False)
    given_stages = [_stage_option(s) for s in stages]
    try:
        edit_election(
            None, election, name=KEEP if name is None else name, voting_on=KEEP if voting_on is None else voting_on,
            scope=KEEP if scope is None else scope,
            stages=given_stages if given_stages or default_stages else KEEP,
        )
    except ValidationError as error:
        fail_with(error)
    db.session.commit()
    _echo_election("changed", election)


@elections_cli.command("remove")
@click.argument("election_id", type=int)
@click.confirmation_option(prompt="Remove this election and clear its active flags?")
def remove_command(election_id):
    """Remove an election as the operator, clearing its active flags first."""
    election = _election_or_fail(election_id)
    cleared = remove_election(None, election)
    db.session.commit()
    click.echo(f"removed election {election.id}: {election.name}; cleared {cleared} flags")


@elections_cli.command("list")
@click.option("--active", is_flag=True, help="Only elections whose window holds the given moment's WIB date")
@click.option("--at", "at_text", help="ISO 8601 moment for --active (default: now)")
def list_command(active, at_text):
    """List elections, latest voting day first."""
    today = local_days(parse_moment(at_text) if at_text else utcnow())[WIB] if active else None
    for election in live_elections(active_on=today):
        click.echo(f"{election.id:>5} {election.kind:<9} {election.voting_on} "
                   f"{election.window_start}..{election.window_end} {election.scope_kind:<9} {election.name}")
