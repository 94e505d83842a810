"""A level model that cannot score anyone is refused where it is made or loaded: weights and log
prior that are not finite, ordinal thresholds that do not strictly increase, files too large or
nested too deeply to read, and questionnaire ids that are not bundled (compared, never opened)."""

import json
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import akhlak_levels as al
from akhlak_levels.model import MAX_MODEL_BYTES, model_size_limit

SEL = al.load_questionnaire("socio-emotional-levels")


def _direct(kind="logistic", weights=None, log_prior=None, q=SEL):
    weights = [np.zeros((it.n_options, 5)) for it in q.items] if weights is None else weights
    return al.LevelModel(
        questionnaire_id=q.id,
        questionnaire_version=q.version,
        questionnaire_hash=q.content_hash,
        item_ids=q.item_ids,
        weights=tuple(weights),
        log_prior=np.zeros(5) if log_prior is None else np.asarray(log_prior, dtype=float),
        kind=kind,
    )


def _write(tmp_path, doc, name="m.json"):
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- finite weights


@pytest.mark.parametrize("kind", ["logistic", "latent-class", "ordinal"])
def test_a_saved_model_with_a_nan_weight_is_refused_naming_item_option_and_level(sel, tmp_path, kind):
    """Audit: a logistic model with a NaN weight loaded and labelled respondents level 1."""
    doc = sel.default_model.to_dict()
    doc["kind"] = kind
    if kind == "ordinal":
        doc["log_prior"] = [-1.0, 0.0, 1.0, 2.0, 0.0]
        for it in doc["items"]:
            it["weights"] = [[0.1] * 5 for _ in it["weights"]]
    doc["items"][2]["weights"][1][3] = float("nan")
    with pytest.raises(al.ModelError) as err:
        al.load_model(_write(tmp_path, doc))
    assert (
        "item 'SE03', at $.items[2].weights[1][3]: the weight of option 2 at level 4 must be a finite number (got nan)"
        in str(err.value)
    )
    assert len(err.value.problems) == 1  # the other checks of that item are not run on a NaN


def test_an_infinite_weight_written_as_1e999_is_refused(sel, tmp_path):
    text = json.dumps({**sel.default_model.to_dict(), "kind": "logistic"}).replace(
        json.dumps(sel.default_model.to_dict()["items"][0]["weights"][0][0]), "-1e999", 1
    )
    path = tmp_path / "m.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(al.ModelError, match=r"item 'SE01'.*option 1 at level 1 must be a finite number \(got -inf\)"):
        al.load_model(path)


def test_a_non_finite_log_prior_is_refused_naming_the_level(sel, tmp_path):
    doc = {**sel.default_model.to_dict(), "kind": "logistic"}
    doc["log_prior"] = [0.0, 0.0, float("inf"), 0.0, 0.0]
    with pytest.raises(al.ModelError, match=r"\$\.log_prior\[2\]: the log prior of level 3 must be a finite number \(got inf\)"):
        al.load_model(_write(tmp_path, doc))


def test_a_model_built_with_non_finite_weights_is_refused_naming_each_cell():
    weights = [np.zeros((it.n_options, 5)) for it in SEL.items]
    weights[0][4, 0] = np.nan
    weights[5][0, 2] = -np.inf
    with pytest.raises(al.ModelError) as err:
        _direct(weights=weights)
    text = str(err.value)
    assert "item 'SE01', at $.items[0].weights[4][0]: the weight of option 5 at level 1 must be a finite number (got nan)" in text
    assert "item 'SE06', at $.items[5].weights[0][2]: the weight of option 1 at level 3 must be a finite number (got -inf)" in text


def test_every_non_finite_weight_is_counted_and_the_first_hundred_named():
    weights = [np.full((it.n_options, 5), np.nan) for it in SEL.items]
    with pytest.raises(al.ModelError) as err:
        _direct(weights=weights)
    n_cells = int(sum(it.n_options for it in SEL.items)) * 5
    assert len(err.value.problems) == 101
    assert err.value.problems[-1].message == f"{n_cells - 100} more weights are not finite numbers"


def test_from_probabilities_names_the_option_and_level_that_is_not_finite(sel):
    probs = [np.full((it.n_options, 5), 1 / it.n_options) for it in sel.items]
    probs[3][1, 2] = np.inf
    with pytest.raises(al.ModelError, match=r"item 'SE04': probabilities must be finite and > 0 \(smooth zero cells\); option 2 at level 3 is not \(got inf\)"):
        al.LevelModel.from_probabilities(sel, probs)


def test_a_model_of_an_unknown_kind_or_shape_is_refused():
    with pytest.raises(al.ModelError, match=r"The 'kind' parameter of LevelModel must be"):
        _direct(kind="bayes-net")
    with pytest.raises(al.ModelError, match=r"expected 5 log prior entries, one per level"):
        _direct(log_prior=np.zeros(4))
    weights = [np.zeros((it.n_options, 5)) for it in SEL.items]
    weights[1] = np.zeros((5, 4))
    with pytest.raises(al.ModelError, match=r"item 'SE02': expected a table of \(options >= 2\) x 5 weights \(got \(5, 4\)\)"):
        _direct(weights=weights)


# --------------------------------------------------------------------------- ordinal thresholds


@pytest.mark.parametrize("thresholds", [[1.0, 0.0, -1.0, 2.0], [0.0, 0.0, 1.0, 2.0], [-1.0, 0.0, 1.0, np.nan]])
def test_an_ordinal_model_whose_thresholds_do_not_strictly_increase_is_refused(thresholds):
    """Audit: thresholds [1, 0, -1, 2] gave probabilities summing to 1.46 for everyone."""
    with pytest.raises(al.ModelError, match=r"theta|thresholds"):
        _direct(kind="ordinal", log_prior=[*thresholds, 0.0])


def test_an_ordinal_model_whose_rows_do_not_repeat_one_value_is_refused():
    weights = [np.zeros((it.n_options, 5)) for it in SEL.items]
    weights[0][2] = [0.0, 0.1, 0.2, 0.3, 0.4]
    with pytest.raises(al.ModelError, match=r"item 'SE01'.*must repeat one value \(-beta\)"):
        _direct(kind="ordinal", weights=weights, log_prior=[-1.0, 0.0, 1.0, 2.0, 0.0])


@given(
    thresholds=st.lists(st.floats(-5, 5), min_size=4, max_size=4),
    betas=st.lists(st.floats(-3, 3), min_size=3, max_size=3),
)
def test_an_ordinal_model_is_accepted_exactly_when_its_probabilities_sum_to_one(thresholds, betas):
    weights = [np.zeros((it.n_options, 5)) for it in SEL.items]
    for i, b in enumerate(betas):
        weights[i][1] = -b
    increasing = bool(np.all(np.diff(thresholds) > 0))
    if not increasing:
        with pytest.raises(al.ModelError, match="must strictly increase"):
            _direct(kind="ordinal", weights=weights, log_prior=[*thresholds, 0.0])
        return
    m = _direct(kind="ordinal", weights=weights, log_prior=[*thresholds, 0.0])
    codes = np.array([[1] * SEL.n_items, [0] * SEL.n_items, [-1] * SEL.n_items], dtype=np.int8)
    p = al.assess(SEL, al.ResponseSet(SEL, np.array(["a", "b", "c"]), codes), m).probabilities
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-12)
    assert (p >= 0).all()


# --------------------------------------------------------------------------- file size and depth


def test_a_model_file_over_the_size_limit_is_refused_before_it_is_read(sel, tmp_path):
    """Audit: a 42 MB model took 147 s to be refused. Now the size is checked before reading."""
    doc = sel.default_model.to_dict()
    one = len(json.dumps(doc["items"]))
    doc["items"] = doc["items"] * (MAX_MODEL_BYTES // one + 1)
    path = _write(tmp_path, doc)
    assert path.stat().st_size > MAX_MODEL_BYTES
    start = time.perf_counter()
    with pytest.raises(al.SchemaError, match=r"The model file .*m\.json is [\d.]+ MiB .*; a model file may be at most 8\.0 MiB"):
        al.load_model(path)
    assert time.perf_counter() - start < 0.5


def test_a_model_file_larger_than_any_model_of_its_questionnaire_is_refused_before_the_schema_walks_it(sel, tmp_path):
    """Under the 8 MiB ceiling, the bound is the questionnaire's own: 64 bytes per weight + 1 MiB."""
    limit = model_size_limit(sel)
    assert limit == 2**20 + 64 * 5 * int(sel.n_options.sum())
    doc = sel.default_model.to_dict()
    doc["items"] = doc["items"] * (limit // len(json.dumps(doc["items"])) + 1)
    path = _write(tmp_path, doc)
    size = path.stat().st_size
    assert limit < size < MAX_MODEL_BYTES
    message = (
        rf"The model file .*m\.json is {size:,} bytes, more than any level model of questionnaire "
        rf"'socio-emotional-levels' \(38 items, 190 options\) takes: at most {limit:,} bytes"
    )
    start = time.perf_counter()
    with pytest.raises(al.ModelError, match=message):
        al.load_model(path)  # the bundled questionnaire it names: checked once parsed
    with pytest.raises(al.ModelError, match=message):
        al.load_model(path, sel)  # the questionnaire passed: checked before reading
    assert time.perf_counter() - start < 1.0
    real = _write(tmp_path, sel.default_model.to_dict(), "real.json")
    assert real.stat().st_size < limit / 10


def test_a_model_nested_too_deeply_for_the_parser_is_a_schema_error_naming_the_file(sel, tmp_path):
    """Audit: deeply nested JSON raised a RecursionError from load_model."""
    text = json.dumps(sel.default_model.to_dict())[:-1] + ', "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    path = tmp_path / "deep.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(al.SchemaError, match=r"The model file .*deep\.json nests objects and arrays too deeply to be read"):
        al.load_model(path)


def test_a_model_nested_deeper_than_the_limit_in_its_provenance_is_refused_with_the_path(sel, tmp_path):
    """500 levels parse, but walking them (validation, the model hash) overflowed the stack."""
    doc = sel.default_model.to_dict()
    deep: list = []
    doc["provenance"]["notes"] = deep
    for _ in range(500):
        deep.append([])
        deep = deep[0]
    path = _write(tmp_path, doc)
    with pytest.raises(al.SchemaError, match=r"The model document in .*m\.json nests") as err:
        al.load_model(path)
    assert "nests objects and arrays more than 32 levels deep (at $.provenance.notes[0][0]" in str(err.value)


# --------------------------------------------------------------------------- the questionnaire a model names


def test_the_questionnaire_id_in_a_model_is_compared_never_opened(tmp_path):
    """Audit: a model whose questionnaire id is a path made load_model open that path."""
    valid = json.loads((Path(__file__).parents[1] / "data" / "schemas" / "questionnaire.valid.json").read_text("utf-8"))
    qpath = _write(tmp_path, valid, "tiny.json")
    q = al.load_questionnaire(str(qpath))
    doc = q.default_model.to_dict()
    doc["questionnaire"]["id"] = str(qpath)
    with pytest.raises(al.ModelError, match=r"names questionnaire '.*tiny\.json', which is not bundled \(bundled ones are \['berakhlak', 'berakhlak-culture-map', 'socio-emotional-levels'\]\); pass questionnaire="):
        al.load_model(_write(tmp_path, doc))
    doc["questionnaire"]["id"] = "../questionnaires/berakhlak"
    with pytest.raises(al.ModelError, match=r"names questionnaire '\.\./questionnaires/berakhlak', which is not bundled"):
        al.load_model(_write(tmp_path, doc))
    assert al.load_model(_write(tmp_path, q.default_model.to_dict()), q).hash == q.default_model.hash


def test_a_save_that_fails_midway_leaves_no_partial_model_and_an_old_file_unchanged(tmp_path, monkeypatch):
    import json as _json

    from akhlak_levels.model import _model

    m = al.load_questionnaire("socio-emotional-levels").default_model
    path = tmp_path / "model.json"
    path.write_text("old", encoding="utf-8")

    def dies_halfway(doc, fh, **kw):
        fh.write(_json.dumps(doc)[:1000])
        raise OSError("disk full")

    monkeypatch.setattr(_model.json, "dump", dies_halfway)
    with pytest.raises(OSError, match="disk full"):
        m.save(path)
    assert path.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json"]  # no temporary file left
    monkeypatch.undo()
    m.save(tmp_path / "new.json")
    assert al.load_model(tmp_path / "new.json").hash == m.hash
