"""The client of a request as login records see it: its address and its user agent.

The address is Werkzeug's ``remote_addr``. Behind ``TRUSTED_PROXIES``
reverse proxies, create_app installs Werkzeug's ProxyFix, which takes the
client's address from ``X-Forwarded-For`` that many hops deep and no deeper:
anyone can send the header, so only what the trusted proxies appended counts.
"""
import ipaddress

from flask import request

UNKNOWN_ADDRESS = "unknown"
# The size of the user_agent column.
AGENT_LENGTH = 255


def client_address():
    """The request's client IP address in its normal form, or "unknown" when there is none."""
    try:
        return str(ipaddress.ip_address(request.remote_addr or ""))
    except ValueError:
        return UNKNOWN_ADDRESS


def client_agent():
    """The request's User-Agent, without NUL characters and cut to the column's size; None when absent."""
    agent = (request.user_agent.string or "").replace("\x00", "").strip()
    return agent[:AGENT_LENGTH] or None
