"""No input produces a 500: every rule of the URL map, every method, every role.

The walk is driven by ``app.url_map`` itself, so a new route is covered the
day it is added, without anyone writing a test for it. Each rule is called
with hostile path values (huge, zero, overlong, traversal), a hostile query
string on every parameter name the app reads, and hostile form and JSON
bodies (wrong types, extreme dates, overlong text, nesting). Any 5xx fails,
naming the request.
"""
import pytest

pytestmark = pytest.mark.slow

HUGE = "9" * 30
INT_VALUES = ("0", "1", str(2**63), HUGE)
STRING_VALUES = ("x", "33.13.14.2005", "." * 3, "a" * 3000, "%C2%B2", "..%2F..%2Fetc")
QUERY_NAMES = (
    "page", "per_page", "limit", "q", "status", "severity", "category", "village_code",
    "district_code", "regency_code", "date_from", "date_to", "after", "flagged", "overdue",
    "level", "user", "size", "active", "at", "count", "code", "kind", "next", "on", "filter",
    "role", "unit", "sort",
)
QUERY_VALUES = (HUGE, "-5", "\u00b2", "9999-12-31", "0001-01-01", "a" * 5000, "", "[]", "true")
TEXT_FIELDS = (
    "username", "password", "title", "description", "reason", "body", "name", "kind",
    "voting_on", "occurred_on", "visited_on", "village_code", "category", "severity",
    "action", "version", "scope", "codes", "stages", "met_with", "notes", "role", "unit",
    "full_name", "email", "villages", "next", "ticket_id", "visit_id", "sensitive", "parties",
    "latitude", "longitude", "accuracy_m", "client_key", "lang", "is_active", "rank", "nrp",
)
FORM_VARIANTS = (
    {name: "9999-12-31" for name in TEXT_FIELDS},
    {name: "0001-01-01" for name in TEXT_FIELDS},
    {name: HUGE for name in TEXT_FIELDS},
    {name: "x" * 20000 for name in TEXT_FIELDS},
    {name: "-1" for name in TEXT_FIELDS},
)
JSON_VARIANTS = (
    {name: "9999-12-31" for name in TEXT_FIELDS},
    {name: "0001-01-01" for name in TEXT_FIELDS},
    {name: 10**30 for name in TEXT_FIELDS},
    {name: -1 for name in TEXT_FIELDS},
    {name: [] for name in TEXT_FIELDS},
    {name: {"national": True, "regions": [HUGE], "villages": ["0" * 200]} for name in TEXT_FIELDS},
    {name: None for name in TEXT_FIELDS},
    {name: 1.5e308 for name in TEXT_FIELDS},
    {"stages": [{"name": "campaign", "starts_on": "0001-01-01", "ends_on": "9999-12-31"}],
     "kind": "pilkada", "name": "x", "voting_on": "9999-12-31", "scope": {"regions": ["33.13"]}},
    {"stages": [{"name": "voting", "starts_on": "9999-12-31", "ends_on": "9999-12-31"}],
     "kind": "pilkades", "name": "x", "voting_on": "0001-01-01", "scope": {"villages": ["33.13.14.2005"]}},
    ["not", "an", "object"],
    "just a string",
)
ROLES = (None, "babinsa.kemiri", "danramil.kebakkramat", "dandim.karanganyar", "admin")


def _path_variants(rule):
    """Concrete URLs for a rule: every argument takes each hostile value of its type."""
    names = list(rule.arguments)
    if not names:
        return [rule.rule]
    urls = []
    kinds = {name: rule._converters[name].__class__.__name__ for name in names}
    width = max(len(INT_VALUES), len(STRING_VALUES))
    for index in range(width):
        url = rule.rule
        for name in names:
            values = INT_VALUES if "Integer" in kinds[name] else STRING_VALUES
            value = values[index % len(values)]
            for prefix in ("", "int:", "string:", "path:"):
                url = url.replace(f"<{prefix}{name}>", value)
        urls.append(url)
    return urls


def _requests(app):
    """(rule, method, url, kwargs) for every rule and method: each hostile path value,
    then hostile query strings and bodies on one representative URL of the rule."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static":
            continue
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        urls = _path_variants(rule)
        for url in urls:
            for method in methods:
                yield rule, method, url, {}
        representative = urls[1] if len(urls) > 1 else urls[0]
        for method in methods:
            for value in QUERY_VALUES:
                yield rule, method, representative, {"query_string": {name: value for name in QUERY_NAMES}}
            if method == "GET":
                continue
            for form in FORM_VARIANTS:
                yield rule, method, representative, {"data": form}
            for body in JSON_VARIANTS:
                yield rule, method, representative, {"json": body}


@pytest.mark.parametrize("username", ROLES, ids=lambda u: u or "anonymous")
def test_no_request_to_any_route_answers_a_server_error(app, db, client, demo, username):
    headers = {}
    if username:
        response = client.post("/login", data={"username": username, "password": "waspada-demo"})
        assert response.status_code == 302
        token = client.post("/api/v1/auth/tokens",
                            json={"username": username, "password": "waspada-demo"}).get_json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
    failures = []
    count = 0
    for rule, method, url, kwargs in _requests(app):
        request_headers = headers if url.startswith("/api/") else {}
        if url in ("/logout", "/api/v1/auth/tokens/current") and method in ("POST", "DELETE"):
            continue  # would end the session this walk runs in; covered by the auth tests
        count += 1
        try:  # the testing config propagates exceptions instead of answering 500
            status = client.open(url, method=method, headers=request_headers, **kwargs).status_code
        except Exception as error:  # noqa: BLE001 - any exception is the failure being looked for
            status = f"{type(error).__name__}: {str(error)[:100]}"
            db.session.rollback()
        if not isinstance(status, int) or status >= 500:
            failures.append(f"{method} {rule.rule}: {url[:60]} {str(kwargs)[:100]} -> {status}")
    assert count > 500
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures[:40])
