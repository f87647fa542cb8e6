"""Ticket counters kept with the data: totals and dashboards read a few hundred rows instead of every ticket."""
