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
