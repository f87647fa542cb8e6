"""Visit tests use the ticket tests' world and clients."""
from tests.tickets.conftest import make_ticket, web, world  # noqa: F401
