"""How a questionnaire is found: a bundled id resolves only inside the bundle and is never
shadowed by a file; a path is a path (path-like, or a string with a separator or ending in
.json); anything else is an unknown id. Questionnaire files too large or nested too deeply are
refused with the library's own error, naming the file."""

import json
import os
from pathlib import Path

import pytest

import akhlak_levels as al
from akhlak_levels.questionnaire import MAX_QUESTIONNAIRE_BYTES, bundled_questionnaire, questionnaire_from_dict

TINY = json.loads((Path(__file__).parent / "data" / "schemas" / "questionnaire.valid.json").read_text("utf-8"))
BUNDLE = Path(al.load_questionnaire("berakhlak").source).parent


def _write(path, doc=TINY):
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_an_id_climbing_out_of_the_bundle_is_not_resolved_inside_it(tmp_path, monkeypatch):
    """Audit: "../x" was joined to the bundle folder and loaded a file outside it."""
    _write(tmp_path / "outside.json")
    monkeypatch.chdir(tmp_path)
    climbing = os.path.relpath(tmp_path / "outside", BUNDLE)  # e.g. ../../tmp/.../outside
    assert (BUNDLE / f"{climbing}.json").resolve() == (tmp_path / "outside.json").resolve()
    with pytest.raises(al.QuestionnaireError, match=r"No questionnaire file at '\.\./"):
        al.load_questionnaire(climbing)
    assert bundled_questionnaire(climbing) is None


def test_a_file_named_like_a_bundled_id_does_not_replace_it(tmp_path, monkeypatch):
    """Audit: a file named "berakhlak" in the working directory silently replaced the bundled one."""
    _write(tmp_path / "berakhlak")
    monkeypatch.chdir(tmp_path)
    with pytest.warns(UserWarning, match=r"'berakhlak' names the bundled questionnaire, which is used; .* To load the file, pass '\./berakhlak'"):
        q = al.load_questionnaire("berakhlak")
    assert q.id == "berakhlak" and Path(q.source).parent == BUNDLE
    assert al.load_questionnaire("./berakhlak").id == "tiny"
    assert al.load_questionnaire(Path("berakhlak")).id == "tiny"  # a path-like is a path


def test_a_string_that_is_neither_a_bundled_id_nor_a_path_is_an_unknown_id(tmp_path, monkeypatch):
    _write(tmp_path / "mine")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(
        al.QuestionnaireError,
        match=r"Unknown questionnaire 'mine'\. Bundled ones are \['berakhlak', 'berakhlak-culture-map', 'socio-emotional-levels'\]; .* A file named 'mine' is in the working directory: to load it, pass '\./mine'\.",
    ):
        al.load_questionnaire("mine")
    assert al.load_questionnaire("./mine").id == "tiny"
    with pytest.raises(al.QuestionnaireError, match=r"Unknown questionnaire 'Berakhlak'"):
        al.load_questionnaire("Berakhlak")


def test_paths_are_paths(tmp_path, monkeypatch):
    _write(tmp_path / "tiny.json")
    (tmp_path / "sub").mkdir()
    _write(tmp_path / "sub" / "q")
    monkeypatch.chdir(tmp_path)
    assert al.load_questionnaire("tiny.json").id == "tiny"
    assert al.load_questionnaire(os.path.join("sub", "q")).id == "tiny"
    assert al.load_questionnaire(str(tmp_path / "tiny.json")).id == "tiny"
    with pytest.raises(al.QuestionnaireError, match=r"No questionnaire file at 'berakhlak\.json'"):
        al.load_questionnaire("berakhlak.json")


def test_something_that_is_no_id_or_path_is_a_type_error():
    with pytest.raises(TypeError, match=r"The 'id_or_path' parameter of load_questionnaire must be a bundled id, a path or a Questionnaire\. Got int instead\."):
        al.load_questionnaire(3)


def test_bundled_questionnaire_compares_ids():
    assert bundled_questionnaire("socio-emotional-levels") is al.load_questionnaire("socio-emotional-levels")
    for qid in ("berakhlak.json", "./berakhlak", "/berakhlak", "", None, 3):
        assert bundled_questionnaire(qid) is None


# --------------------------------------------------------------------------- size and depth


def test_a_questionnaire_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.json"
    with open(path, "wb") as fh:
        fh.truncate(MAX_QUESTIONNAIRE_BYTES + 1)  # not even JSON: it is never read
    with pytest.raises(al.SchemaError, match=r"The questionnaire file .*huge\.json is 8\.0 MiB \(8,388,609 bytes\); a questionnaire file may be at most 8\.0 MiB"):
        al.load_questionnaire(str(path))


def test_a_questionnaire_nested_too_deeply_for_the_parser_is_a_schema_error_naming_the_file(tmp_path):
    """Audit: deeply nested JSON raised a RecursionError from load_questionnaire."""
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(al.SchemaError, match=r"The questionnaire file .*deep\.json nests objects and arrays too deeply to be read"):
        al.load_questionnaire(str(path))


def test_a_questionnaire_nested_deeper_than_the_limit_is_refused_before_validation(tmp_path):
    doc = json.loads(json.dumps(TINY))
    deep = doc["title"]
    for _ in range(600):
        deep["x"] = {}
        deep = deep["x"]
    path = _write(tmp_path / "deep.json", doc)
    with pytest.raises(al.SchemaError, match=r"The questionnaire document in .*deep\.json nests objects and arrays more than 32 levels deep \(at \$\.title\.x\.x"):
        al.load_questionnaire(str(path))
    with pytest.raises(al.SchemaError, match=r"more than 32 levels deep"):
        questionnaire_from_dict(doc)
