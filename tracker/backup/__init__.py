"""Backups that restore: ``flask backup create`` and ``flask backup restore`` (SQLite and PostgreSQL)."""
