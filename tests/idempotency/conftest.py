"""The attachments' fixtures (tickets, bearer tokens), for the API's idempotency tests."""
from tests.attachments.conftest import bearer, tickets  # noqa: F401  (fixtures)
