"""Waves matched by respondent id: waves scored alike, unique ids within a wave, and one
assessment split by its wave column with missing groups named."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import akhlak_levels as al
from akhlak_levels.growth import progress, reliable_change, transitions
from growth_helpers import BER, SEL, made, onehot, unit_waves


def test_waves_from_different_questionnaires_or_models_are_refused():
    a = made(SEL, ["a"], probs=onehot([1]))
    b = made(BER, ["a"], scores=np.full((1, 7), 50.0))
    with pytest.raises(al.ModelError, match="same questionnaire.*socio-emotional-levels.*berakhlak"):
        reliable_change(a, b)
    other = replace(a, model_hash="sha256:0000", model_kind="latent-class")
    with pytest.raises(al.ModelError, match="same level model"):
        transitions(a, other)
    with pytest.raises(TypeError, match="Assessment"):
        reliable_change(a, "not an assessment")


def test_duplicate_ids_within_a_wave_are_refused():
    a = made(SEL, ["a", "a", "b"], probs=onehot([1, 2, 3]))
    with pytest.raises(ValueError, match=r"unique within a wave; wave before repeats \['a'\]"):
        reliable_change(a, a)


def test_one_assessment_is_split_by_its_wave_column_and_missing_groups_are_named():
    w = unit_waves([[6, 6]], seed=2)["2020"]
    waves = np.array(["2024"] * 6 + ["2023"] * 6)
    units = w.unit.copy()
    units[:2] = ""
    t = progress(replace(w, wave=waves, unit=units), by="unit", min_group_size=1)
    assert list(t.waves) == ["2023", "2024"]
    assert "(missing)" in t.group.tolist()
    t2 = progress([replace(w, groups={"eselon": np.array(["II"] * 12)})], by="eselon", waves=["2023"])
    assert t2.group.tolist() == ["(all)", "II"]


def test_the_instrument_of_a_wave_is_looked_up_and_only_an_unknown_id_is_passed_over(monkeypatch):
    """The continuity correction of scale RCIs needs the instrument. An id that is not bundled
    means "not known" (None), and a stored id is never opened as a path; any other failure to
    load the bundled file is a real error and propagates, never silently dropping the
    correction."""
    from akhlak_levels.growth import _waves

    known = made(SEL, ["a"], probs=onehot([1]))
    assert _waves.questionnaire_of(known) is not None
    assert _waves.questionnaire_of(replace(known, questionnaire_id="not-bundled")) is None
    assert _waves.questionnaire_of(replace(known, questionnaire_id="../questionnaires/berakhlak.json")) is None
    assert _waves.questionnaire_of(replace(known, questionnaire_hash="sha256:other")) is None

    def broken(_id):
        raise PermissionError("questionnaires folder is unreadable")

    monkeypatch.setattr(_waves, "bundled_questionnaire", broken)
    with pytest.raises(PermissionError, match="unreadable"):
        _waves.questionnaire_of(known)


def test_a_non_finite_posterior_never_gets_a_level_when_levels_are_re_thresholded():
    """assess gives level 0 and a flag to a respondent whose posterior overflowed (NaN); the
    growth functions' own re-thresholding must agree (NaN's argmax would be level 1)."""
    from akhlak_levels.growth import _waves

    p = np.vstack([np.full(5, np.nan), onehot([4])[0]])
    a = made(SEL, ["a", "b"], probs=p)
    assert _waves.hard_levels(a, 0.5).tolist() == [0, 4]
    assert _waves.hard_levels(a, 0.0).tolist() == [0, 4]
