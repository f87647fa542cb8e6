"""The ticket page shows its early-warning flags and names stages in words."""
from datetime import date, timedelta

from tracker.elections.services import create_election
from tracker.tickets.services import create_ticket
from tracker.timeutil import utcnow
from tracker.warnings.services import sweep


def test_a_flagged_ticket_page_lists_the_flag_and_the_stage_label(app, db, demo, client, login):
    babinsa = demo["babinsa.waru"]
    ticket = create_ticket(babinsa, village_code="33.13.14.2007", category="hoax", severity="critical",
                           title="Hoaks jelang pemungutan suara")
    create_election(None, kind="pilkada", name="Pilkada Uji", voting_on=date.today() + timedelta(days=2),
                    scope={"regions": ["33.13"]})
    db.session.commit()
    sweep(utcnow())
    db.session.commit()

    login("babinsa.waru")
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)

    assert "Pilkada Uji" in page
    assert "Masa tenang" in page
    assert "quiet" not in page.split('id="timeline"')[1]
