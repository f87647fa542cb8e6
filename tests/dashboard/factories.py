"""The dashboard tests' moment."""
from datetime import datetime, timezone

# Wednesday 25 Nov 2026, 10:00 WIB: the week started Monday 23 Nov (local).
NOW = datetime(2026, 11, 25, 3, 0, tzinfo=timezone.utc)
