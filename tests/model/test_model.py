"""LevelModel: construction from probabilities, JSON round trips, refusing what does not fit."""

import json

import numpy as np
import pytest

import akhlak_levels as al


def _random_probs(q, rng):
    return [rng.dirichlet(np.ones(it.n_options), size=5).T for it in q.items]


def test_from_probabilities_round_trips_through_item_probabilities(sel):
    rng = np.random.default_rng(3)
    probs = _random_probs(sel, rng)
    prior = np.array([0.1, 0.15, 0.3, 0.25, 0.2])
    m = al.LevelModel.from_probabilities(sel, probs, prior)
    for p, back in zip(probs, m.item_probabilities):
        np.testing.assert_allclose(back, p, rtol=1e-12)
    np.testing.assert_allclose(m.prior, prior, rtol=1e-12)
    assert m.kind == "latent-class"
    assert m.provenance["method"] == "from_probabilities"
    assert m.provenance["library_version"] == al.__version__


def test_save_and_load_give_the_same_model(sel, tmp_path):
    m = al.LevelModel.from_probabilities(sel, _random_probs(sel, np.random.default_rng(4)), None)
    path = tmp_path / "m.json"
    m.save(path)
    back = al.load_model(path)
    assert back.hash == m.hash
    for a, b in zip(m.weights, back.weights):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(m.log_prior, back.log_prior)
    rs, _ = al.simulate(sel, 50, m, random_state=1)
    np.testing.assert_array_equal(al.assess(sel, rs, m).probabilities, al.assess(sel, rs, str(path)).probabilities)


def test_the_saved_file_is_plain_json_not_pickle(sel, tmp_path):
    path = tmp_path / "m.json"
    sel.default_model.save(path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["format"] == "akhlak-levels/level-model"
    assert doc["questionnaire"] == {"id": sel.id, "version": sel.version, "hash": sel.content_hash}


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda p: p.__setitem__(0, p[0][:3]), "item 'SE01': expected shape (5, 5) (got (3, 5))"),
        (lambda p: p.__setitem__(1, p[1] * 2), "item 'SE02': each level's column must sum to 1"),
        (lambda p: p[2].__setitem__((0, 0), 0.0), "item 'SE03': probabilities must be finite and > 0"),
    ],
    ids=["wrong-shape", "columns-not-summing-to-one", "zero-cell"],
)
def test_from_probabilities_names_the_bad_item(sel, mutate, message):
    probs = _random_probs(sel, np.random.default_rng(5))
    mutate(probs)
    with pytest.raises(al.ModelError) as err:
        al.LevelModel.from_probabilities(sel, probs)
    assert message in str(err.value)


@pytest.mark.parametrize("prior", [[0.5, 0.5, 0, 0, 0], [0.2] * 4, [0.3] * 5])
def test_a_bad_prior_is_refused(sel, prior):
    with pytest.raises(al.ModelError, match="prior must be 5 positive numbers summing to 1"):
        al.LevelModel.from_probabilities(sel, _random_probs(sel, np.random.default_rng(6)), prior)


def test_a_model_refuses_to_score_another_questionnaire(sel, berakhlak):
    with pytest.raises(al.ModelError, match="belongs to questionnaire 'socio-emotional-levels'.*not to 'berakhlak'"):
        al.assess(berakhlak, al.read_responses(np.full((1, berakhlak.n_items), 3.0), berakhlak), sel.default_model)


def test_a_model_refuses_a_changed_version_of_its_questionnaire(sel, tmp_path):
    doc = dict(sel.document)
    doc = json.loads(json.dumps(doc))
    doc["items"][0]["reverse"] = not doc["items"][0].get("reverse", False)
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    changed = al.load_questionnaire(str(path))
    rs = al.read_responses(np.full((2, changed.n_items), 3.0), changed)
    with pytest.raises(al.ModelError, match="hash"):
        al.assess(changed, rs, sel.default_model)


def _saved(sel, tmp_path):
    path = tmp_path / "m.json"
    sel.default_model.save(path)
    return path, json.loads(path.read_text(encoding="utf-8"))


def test_a_hand_edited_model_with_an_extra_item_is_refused(sel, tmp_path):
    path, doc = _saved(sel, tmp_path)
    doc["items"].append({"id": "SE99", "weights": doc["items"][0]["weights"]})
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(al.ModelError, match=r"the model's items must be the questionnaire's items in order \(38 items\)"):
        al.load_model(path)


def test_a_hand_edited_model_with_a_missing_option_row_is_refused(sel, tmp_path):
    path, doc = _saved(sel, tmp_path)
    doc["items"][4]["weights"].pop()
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(al.ModelError) as err:
        al.load_model(path)
    (problem,) = err.value.problems
    assert (problem.item, problem.path, problem.value) == ("SE05", "$.items[4].weights", [4, 5])


def test_a_hand_edited_model_that_breaks_the_schema_lists_every_violation(sel, tmp_path):
    path, doc = _saved(sel, tmp_path)
    doc["log_prior"] = "uniform"
    doc["items"][0]["weights"][0][0] = "high"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(al.SchemaError) as err:
        al.load_model(path)
    assert {p.path for p in err.value.problems} == {"$.log_prior", "$.items[0].weights[0][0]"}
    assert all(p.file == str(path) for p in err.value.problems)


def test_a_model_for_another_questionnaire_version_is_refused_on_load(sel, tmp_path):
    path, doc = _saved(sel, tmp_path)
    doc["questionnaire"]["version"] = "0.9"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(al.ModelError, match="version '0.9'"):
        al.load_model(path)


def test_a_missing_model_file_is_named(tmp_path):
    with pytest.raises(al.ModelError, match="No model file at"):
        al.load_model(tmp_path / "nope.json")


def test_model_hash_depends_on_weights_not_on_provenance(sel):
    m = sel.default_model
    probs = [p.copy() for p in m.item_probabilities]
    same = al.LevelModel.from_probabilities(sel, probs, m.prior, kind="theory-prior", provenance={"note": "other"})
    assert np.allclose(same.weights[0], m.weights[0])
    probs[0] = probs[0][:, [1, 0, 2, 3, 4]]
    other = al.LevelModel.from_probabilities(sel, probs, m.prior)
    assert other.hash != m.hash


def test_supervised_models_expose_no_item_probabilities(sel):
    m = sel.default_model
    from dataclasses import replace

    logistic = replace(m, kind="logistic")
    assert logistic.item_probabilities is None
    with pytest.raises(al.ModelError, match="regression weights"):
        al.simulate(sel, 3, logistic)
