"""The early-warning fixtures (area, elections, tickets, tokens) serve the job tests too."""
from tests.warnings.conftest import (  # noqa: F401
    api_token, area, bulk_tickets, english, make_election, make_ticket, run_sweep,
)
