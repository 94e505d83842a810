"""Each JSON Schema is valid draft 2020-12, accepts its valid example and rejects its invalid one
with every violation reported at its JSON path."""

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

import akhlak_levels as al
from akhlak_levels import _schema

DATA = Path(__file__).parent / "data" / "schemas"


def _load(name):
    return json.loads((DATA / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", _schema.SCHEMAS)
def test_schema_is_valid_draft_2020_12(name):
    schema = _schema.load_schema(name)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("name", _schema.SCHEMAS)
def test_valid_example_passes(name):
    _schema.validate(_load(f"{name}.valid.json"), name)


def test_the_valid_model_example_loads_for_its_questionnaire():
    q = al.load_questionnaire(str(DATA / "questionnaire.valid.json"))
    m = al.load_model(DATA / "model.valid.json", q)
    assert m.hash == q.default_model.hash


def test_the_tiny_valid_questionnaire_loads_and_scores(tmp_path):
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(_load("questionnaire.valid.json")), encoding="utf-8")
    q = al.load_questionnaire(str(path))
    a = al.assess(q, [{"A1": "Setuju", "A2": "disagree", "C1": "Lima"}])
    assert a.scale_score("s").tolist() == [100.0]
    assert a.probabilities.argmax(axis=1).tolist() == [3]  # level 4: agrees with A1, rejects A2


@pytest.mark.parametrize(
    "name, expected_paths",
    [
        ("questionnaire", {"$.id", "$.title", "$.response_formats[0].points", "$.items[0]", "$.items[1]"}),
        ("responses", {"$.format_version", "$.questionnaire", "$.respondents[0].respondent_id", "$.respondents[0].answers"}),
        ("model", {"$", "$.kind", "$.log_prior", "$.questionnaire.hash", "$.items[0].weights[0]"}),
    ],
)
def test_invalid_example_is_rejected_with_every_path(name, expected_paths):
    with pytest.raises(al.SchemaError) as err:
        _schema.validate(_load(f"{name}.invalid.json"), name, source=f"{name}.invalid.json")
    paths = {p.path for p in err.value.problems}
    assert expected_paths <= paths
    assert f"The {name} document in {name}.invalid.json does not match its schema" in str(err.value)


def test_a_saved_model_is_valid_and_a_broken_one_is_not(sel):
    doc = sel.default_model.to_dict()
    _schema.validate(doc, "model")
    doc["log_prior"] = doc["log_prior"][:4]
    doc["kind"] = "neural-net"
    doc["questionnaire"]["hash"] = "md5:abc"
    doc["items"][3]["weights"][0] = [0.1, 0.2]
    with pytest.raises(al.SchemaError) as err:
        _schema.validate(doc, "model")
    assert {p.path for p in err.value.problems} >= {
        "$.log_prior", "$.kind", "$.questionnaire.hash", "$.items[3].weights[0]"
    }


def test_schemas_ship_inside_the_package():
    from importlib import resources

    for name in _schema.SCHEMAS:
        assert resources.files("akhlak_levels").joinpath(f"schemas/{name}.schema.json").is_file()


def _nested(depth):
    doc: list = []
    inner = doc
    for _ in range(depth - 1):
        inner.append([])
        inner = inner[0]
    return doc


@pytest.mark.parametrize("name", _schema.SCHEMAS)
def test_a_document_nested_deeper_than_the_limit_is_refused_before_the_schema_walks_it(name):
    """Audit: 500 levels parse, then validation or a recursive walk overflowed Python's stack."""
    doc = {"respondents": _nested(800)}
    with pytest.raises(al.SchemaError) as err:
        _schema.validate(doc, name, source="deep.json")
    assert str(err.value).startswith(
        f"The {name} document in deep.json nests objects and arrays more than {_schema.MAX_DEPTH} levels deep "
        f"(at $.respondents{'[0]' * (_schema.MAX_DEPTH - 1)}); a {name} document is a few levels deep."
    )
    assert err.value.problems[0].path == "$.respondents" + "[0]" * (_schema.MAX_DEPTH - 1)


def test_the_depth_limit_counts_objects_and_arrays_not_values():
    _schema.check_depth(_nested(_schema.MAX_DEPTH), "model")
    with pytest.raises(al.SchemaError, match=r"more than 32 levels deep \(at \$\[0\]"):
        _schema.check_depth(_nested(_schema.MAX_DEPTH + 1), "model")
    _schema.check_depth({"a": "x" * 10_000, "b": [1, 2.5, None, True]}, "model", limit=2)


def test_read_json_refuses_a_file_over_its_limit_before_reading_it(tmp_path):
    path = tmp_path / "big.json"
    path.write_text("[" + "0," * 600 + "0]", encoding="utf-8")
    with pytest.raises(al.SchemaError, match=r"The model file .*big\.json is 0\.0 MiB \(1,203 bytes\); a model file may be at most 0\.0 MiB \(1,000 bytes\)"):
        _schema.read_json(str(path), "model", max_bytes=1000)
    assert len(_schema.read_json(str(path), "model", max_bytes=1203)) == 601
