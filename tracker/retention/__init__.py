"""Retention of personal data (UU 27/2022): the names in old closed tickets are removed, the statistics stay."""
