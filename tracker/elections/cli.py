"""``flask elections add | list``."""
import click
from flask.cli import AppGroup
from sqlalchemy import select

from tracker.auth.cli import fail_with
from tracker.elections import bp
from tracker.elections.models import ELECTION_KINDS, STAGES, Election
from tracker.elections.services import create_election, local_days
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.regions.codes import WIB
from tracker.timeutil import utcnow
from tracker.jobs.cli import parse_moment

elections_cli = AppGroup("elections", help="The election calendar.")


def _stage_option(value):
    """``name:YYYY-MM-DD:YYYY-MM-DD`` -> the service's stage dict."""
    parts = value.split(":")
    if len(parts) != 3:
        raise click.BadParameter(f"{value!r}: use name:starts_on:ends_on, e.g. campaign:2026-12-21:2026-12-23",
                                 param_hint="--stage")
    return {"name": parts[0], "starts_on": parts[1], "ends_on": parts[2]}


@elections_cli.command("add")
@click.option("--kind", required=True, type=click.Choice(ELECTION_KINDS))
@click.option("--name", required=True, help='e.g. "Pilkades Serentak Karanganyar 2026"')
@click.option("--voting-on", required=True, help="Voting day, YYYY-MM-DD (local date)")
@click.option("--national", is_flag=True, help="Covers every village")
@click.option("--region", "regions", multiple=True, help="Province or kabupaten/kota code; repeatable")
@click.option("--village", "villages", multiple=True, help="Participating desa (Pilkades); repeatable")
@click.option("--villages-file", type=click.File(encoding="utf-8"),
              help="File of participating desa codes, one per line or separated by spaces/commas")
@click.option("--stage", "stages", multiple=True, metavar="NAME:START:END",
              help=f"Override a default stage ({', '.join(STAGES)}); repeatable")
def add_command(kind, name, voting_on, national, regions, villages, villages_file, stages):
    """Add an election (default stages unless overridden) as the operator."""
    villages = list(villages)
    if villages_file is not None:
        villages += [code for code in villages_file.read().replace(",", " ").split() if code]
    chosen = [s for s, given in (("national", national), ("regions", regions), ("villages", villages)) if given]
    if len(chosen) != 1:
        raise click.UsageError("give exactly one of --national, --region or --village/--villages-file")
    scope = {"national": True} if national else {"regions": list(regions)} if regions else {"villages": villages}
    try:
        election = create_election(None, kind=kind, name=name, voting_on=voting_on, scope=scope,
                                   stages=[_stage_option(s) for s in stages] or None)
    except ValidationError as error:
        fail_with(error)
    db.session.commit()
    click.echo(f"created election {election.id}: {election.kind} {election.name}, voting {election.voting_on}, "
               f"window {election.window_start} .. {election.window_end}, {len(election.areas)} areas")
    for stage in election.stages:
        click.echo(f"  {stage.name:<9} {stage.starts_on} .. {stage.ends_on}")


@elections_cli.command("list")
@click.option("--active", is_flag=True, help="Only elections whose window holds the given moment's WIB date")
@click.option("--at", "at_text", help="ISO 8601 moment for --active (default: now)")
def list_command(active, at_text):
    """List elections, latest voting day first."""
    stmt = select(Election).order_by(Election.voting_on.desc(), Election.id.desc())
    if active:
        today = local_days(parse_moment(at_text) if at_text else utcnow())[WIB]
        stmt = stmt.where(Election.window_start <= today, Election.window_end >= today)
    for election in db.session.execute(stmt).scalars():
        click.echo(f"{election.id:>5} {election.kind:<9} {election.voting_on} "
                   f"{election.window_start}..{election.window_end} {election.scope_kind:<9} {election.name}")


bp.cli.add_command(elections_cli)
