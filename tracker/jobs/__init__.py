"""Scheduler jobs: each run claims its (job, slot) row so it happens once."""
