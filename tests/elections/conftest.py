"""The early-warning fixtures (area, elections, tickets, tokens) serve the election tests too."""
from tests.warnings.conftest import api_token, area, bulk_tickets, make_election, make_ticket, run_sweep  # noqa: F401
