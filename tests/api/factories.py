"""The API tests' world: Kodim 0727 and a second kabupaten, one user per role, bearer headers.

Kodim 0727 covers Karanganyar (33.13); its Koramil Kebakkramat (33.13.14)
and Koramil Jaten (33.13.11) cover one kecamatan each. A second Kodim covers
Wonogiri (33.12), a kabupaten outside Kodim 0727's area.
"""
from datetime import datetime, timezone

from tracker.auth.services import issue_token
from tracker.extensions import db
from tracker.tickets.services import create_ticket

NOW = datetime(2026, 3, 10, 2, 0, tzinfo=timezone.utc)  # 09:00 WIB

WONOGIRI_CSV = "code,name\n33.12,Kabupaten Wonogiri\n33.12.01,Pracimantoro\n33.12.01.2001,Gedong\n"


class ApiWorld:
    """Users by role name, tickets by scope case, and a bearer header for anyone."""

    def __init__(self, users, client):
        self.users = users
        self.tickets = {}
        self.client = client
        self._headers = {}

    def headers(self, who):
        """Authorization headers for a user name of the world (one token each)."""
        if who not in self._headers:
            token, _row = issue_token(self.users[who])
            db.session.commit()
            self._headers[who] = {"Authorization": f"Bearer {token}"}
        return self._headers[who]

    def get(self, who, url, **kwargs):
        return self.client.get(url, headers=self.headers(who), **kwargs)

    def post(self, who, url, body=None, **kwargs):
        return self.client.post(url, json=body, headers=self.headers(who), **kwargs)

    def patch(self, who, url, body=None, **kwargs):
        return self.client.patch(url, json=body, headers=self.headers(who), **kwargs)

    def open_ticket(self, who, **fields):
        """Create a ticket through the service, as ``who``; returns its id."""
        values = {"category": "hoax", "severity": "medium", "title": "A problem"}
        values.update(fields)
        ticket = create_ticket(self.users[who], **values)
        db.session.commit()
        return ticket.id
