"""The OpenAPI description served at /openapi.json: structurally valid OpenAPI 3.1, listing every
route of the application with its methods, its schemas valid JSON Schema, and the server's real
answers valid against the schemas it declares."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

from jsonschema import Draft202012Validator  # noqa: E402

SEL = "socio-emotional-levels"
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


@pytest.fixture(scope="module")
def spec(small_limits_server):
    from conftest import Client

    status, headers, doc = Client(small_limits_server.port).call("GET", "/openapi.json")
    assert status == 200 and headers["content-type"] == "application/json"
    return doc


def _refs(node, found):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                found.append(v)
            else:
                _refs(v, found)
    elif isinstance(node, list):
        for v in node:
            _refs(v, found)
    return found


def _pointer(doc, ref):
    assert ref.startswith("#/"), ref
    node = doc
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def test_it_is_structurally_openapi_3_1(spec):
    assert re.fullmatch(r"3\.1\.\d+", spec["openapi"])
    assert isinstance(spec["info"]["title"], str) and isinstance(spec["info"]["version"], str)
    assert set(spec) <= {"openapi", "info", "jsonSchemaDialect", "servers", "paths", "webhooks", "components", "security", "tags", "externalDocs"}
    ids = []
    for path, item in spec["paths"].items():
        assert path.startswith("/")
        assert set(item) <= METHODS | {"parameters", "summary", "description"}
        for method, op in item.items():
            ids.append(op["operationId"])
            assert op["responses"] and all(re.fullmatch(r"[1-5]\d\d|default", c) for c in op["responses"])
            assert all(isinstance(r["description"], str) for r in op["responses"].values())
            declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert declared == set(re.findall(r"{(\w+)}", path)), (path, method)
            assert all(p["required"] is True for p in op.get("parameters", []) if p["in"] == "path")
    assert len(ids) == len(set(ids))  # operationIds unique
    for ref in _refs(spec, []):  # every reference resolves inside the document
        _pointer(spec, ref)
    for name, schema in spec["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema)


def test_it_lists_every_route_with_its_methods(spec, small_limits_server):
    routes = {r.path: {m.lower() for m in r.methods} - {"head"} for r in small_limits_server.app.routes.routes}
    documented = {path: set(item) & METHODS for path, item in spec["paths"].items()}
    assert documented == routes
    assert len(routes) == 7


def _validator(spec, name):
    return Draft202012Validator({"$ref": f"#/components/schemas/{name}", "components": spec["components"]})


def test_the_answers_match_the_declared_schemas(spec, client):
    calls = [
        ("POST", f"/v1/questionnaires/{SEL}/score", {"answers": {"SE01": 4}, "respondent_id": "a"}, "Scored"),
        ("POST", "/v1/questionnaires/berakhlak/score", {"answers": {"BP1a": "Selalu"}}, "Scored"),
        ("POST", f"/v1/questionnaires/{SEL}/score-batch", {"respondents": [{"answers": {}}, {"answers": {"SE02": 1}}]}, "BatchResult"),
        ("POST", f"/v1/questionnaires/{SEL}/validate", {"respondents": [{"answers": {"SE02": 9}}]}, "Validation"),
        ("GET", f"/v1/questionnaires/{SEL}", None, "Questionnaire"),
        ("POST", f"/v1/questionnaires/{SEL}/score", {"answers": {"SE01": "x"}}, "Error"),
        ("GET", "/v1/questionnaires/nope", None, "Error"),
    ]
    for method, path, body, schema in calls:
        status, _, doc = client.call(method, path, body)
        assert status in (200, 404, 422)
        errors = [e.message for e in _validator(spec, schema).iter_errors(doc)]
        assert errors == [], (path, errors)
        if body is not None and method == "POST" and status == 200:
            request = "ScoreRequest" if path.endswith("/score") else "BatchRequest"
            assert [e.message for e in _validator(spec, request).iter_errors(body)] == []
    # and the schemas refuse what the server refuses
    assert list(_validator(spec, "ScoreRequest").iter_errors({"answer": {}}))
    assert list(_validator(spec, "Scored").iter_errors({"respondent_id": None, "result": {"level": 9}}))


def test_the_questionnaire_parameter_lists_the_served_ids(spec):
    for path, item in spec["paths"].items():
        for op in item.values():
            for p in op.get("parameters", []):
                assert p["schema"] == {"enum": ["berakhlak", "socio-emotional-levels"]}, path
