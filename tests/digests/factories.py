"""The digest tests' starting moment."""
from datetime import datetime, timezone

T0 = datetime(2026, 11, 27, 0, 0, tzinfo=timezone.utc)
