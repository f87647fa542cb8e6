"""Tickets: filing, the life cycle, queues, list, CSV export."""
