"""GET /api/v1/openapi.json stays true: it names exactly the registered routes and is well formed."""
import re

import pytest

API_PREFIX = "/api/v1"
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def _registered_operations(app):
    """{(METHOD, openapi path)} of every Flask route under /api/v1."""
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API_PREFIX + "/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len(API_PREFIX):])
        found |= {(method, path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return found


def _documented_operations(document):
    return {(method.upper(), path) for path, item in document["paths"].items()
            for method in item if method in HTTP_METHODS}


def test_every_registered_route_is_documented_and_every_documented_one_exists(app, document):
    registered = _registered_operations(app)
    documented = _documented_operations(document)
    assert registered - documented == set(), "routes missing from openapi.json"
    assert documented - registered == set(), "openapi.json documents routes that do not exist"


def test_the_contract_of_issue_3_is_documented(document):
    expected = {
        ("POST", "/auth/tokens"), ("DELETE", "/auth/tokens/current"), ("GET", "/villages"), ("POST", "/visits"),
        ("GET", "/tickets"), ("POST", "/tickets"), ("GET", "/tickets/{ticket_id}"), ("PATCH", "/tickets/{ticket_id}"),
        ("POST", "/tickets/{ticket_id}/transitions"), ("POST", "/tickets/{ticket_id}/comments"),
        ("GET", "/tickets/{ticket_id}/events"), ("GET", "/openapi.json"),
    }
    assert expected <= _documented_operations(document)
    ticket = document["components"]["schemas"]["Ticket"]
    assert set(ticket["required"]) == set(ticket["properties"]) == {
        "id", "ref", "village_code", "village_name", "category", "severity", "status", "level", "title",
        "description", "occurred_on", "reported_at", "due_at", "reporter", "sensitive", "flagged", "version",
        "attachments", "duplicate_of", "latitude", "longitude", "accuracy_m"}


def test_the_document_has_the_required_top_level_parts(document):
    assert re.fullmatch(r"3\.\d+\.\d+", document["openapi"])
    assert document["info"]["title"] and document["info"]["version"]
    assert document["servers"] == [{"url": API_PREFIX}]
    assert isinstance(document["paths"], dict) and document["paths"]
    assert all(path.startswith("/") for path in document["paths"])
    bearer = document["components"]["securitySchemes"]["bearerAuth"]
    assert (bearer["type"], bearer["scheme"]) == ("http", "bearer")
    assert document["security"] == [{"bearerAuth": []}]


def _walk(node, where=""):
    """Yield (location, dict) for every dict inside the document."""
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from _walk(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{where}/{index}")


def _resolve(document, ref):
    assert ref.startswith("#/"), ref
    node = document
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, f"unresolved $ref {ref}"
        node = node[part]
    return node


def test_every_ref_resolves(document):
    refs = [(where, node["$ref"]) for where, node in _walk(document) if "$ref" in node]
    assert refs
    for where, ref in refs:
        assert _resolve(document, ref) is not None, where


def test_every_operation_is_well_formed(document):
    """Responses with status codes, unique operation ids, declared path parameters, known security."""
    operation_ids = []
    schemes = set(document["components"]["securitySchemes"])
    for path, item in document["paths"].items():
        templated = set(re.findall(r"{([^}]+)}", path))
        shared = item.get("parameters", [])
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            where = f"{method.upper()} {path}"
            assert operation.get("responses"), where
            for code, response in operation["responses"].items():
                assert re.fullmatch(r"[1-5]\d\d|default", code), where
                response = _resolve(document, response["$ref"]) if "$ref" in response else response
                assert response.get("description"), (where, code)
            parameters = [_resolve(document, p["$ref"]) if "$ref" in p else p
                          for p in shared + operation.get("parameters", [])]
            for parameter in parameters:
                assert parameter["in"] in ("query", "header", "path", "cookie"), where
                assert "schema" in parameter or "content" in parameter, where
                if parameter["in"] == "path":
                    assert parameter.get("required") is True, where
            declared = {p["name"] for p in parameters if p["in"] == "path"}
            assert declared == templated, where
            if "operationId" in operation:
                operation_ids.append(operation["operationId"])
            for requirement in operation.get("security", []):
                assert set(requirement) <= schemes, where
            body = operation.get("requestBody")
            if body is not None:
                body = _resolve(document, body["$ref"]) if "$ref" in body else body
                assert body["content"], where
    assert len(operation_ids) == len(set(operation_ids))


def test_only_token_and_document_endpoints_are_public(document):
    public = {(method.upper(), path) for path, item in document["paths"].items()
              for method, operation in item.items() if method in HTTP_METHODS and operation.get("security") == []}
    assert public == {("POST", "/auth/tokens"), ("GET", "/openapi.json")}


def test_schemas_list_only_properties_they_define_as_required(document):
    for name, schema in document["components"]["schemas"].items():
        if "required" in schema:
            assert set(schema["required"]) <= set(schema.get("properties", {})), name
