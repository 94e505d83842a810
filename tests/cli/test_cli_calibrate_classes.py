"""``akhlak-levels calibrate FILE -q ID --classes K``: K latent classes for research, printed and
written exactly as ``calibrate(..., n_classes=K)`` fits them (fit report, class sizes, answer
probabilities per item and option), for a questionnaire without level keys (bfi, EPI) and for a
vote instrument; what would pass them off as a level model exits 2 naming why."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest

import akhlak_levels as al
from akhlak_levels.cli import main
from akhlak_levels.cli._classes import NOT_A_MODEL, SIZE_ROW
from akhlak_levels.culture import simulate_votes
from akhlak_levels.model import INDICATOR_SEP, view_for_items

DATA = Path(__file__).resolve().parents[1] / "data"
BFI = str(DATA / "bfi-questionnaire.json")
EPI = str(DATA / "epi-questionnaire.json")


def _doc(d):
    """A ``to_dict`` document as JSON reads it, without the time it was made."""
    d = json.loads(json.dumps(d))
    del d["provenance"]["created"]
    return d


def cli(*args):
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in args], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _mixture_export(path, q, n, seed):
    """``n`` respondents of ``q`` drawn from two classes (35% answering high, the rest low), as
    CSV; returns the path, the codes and who was drawn high."""
    rng = np.random.default_rng(seed)
    k = np.array([it.n_options for it in q.items])
    high = rng.random(n) < 0.35
    shift = np.where(high[:, None], 0.75, 0.25)
    u = np.clip(shift + 0.3 * rng.standard_normal((n, len(k))), 0, 0.999)
    codes = 1 + np.floor(u * k).astype(int)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["respondent_id", *q.item_ids])
        w.writerows([f"R{r}", *row] for r, row in enumerate(codes.tolist()))
    return str(path), codes, high


@pytest.fixture(scope="module")
def bfi_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bfi")
    q = al.load_questionnaire(BFI)
    path, codes, high = _mixture_export(tmp / "bfi.csv", q, 600, seed=1)
    runs = {ext: cli("calibrate", path, "-q", BFI, "--classes", 2, "--seed", 0, "--n-init", 2, "--quiet",
                     "-o", tmp / f"classes.{ext}") for ext in ("json", "csv")}
    lc = al.calibrate(q, path, n_classes=2, n_init=2, random_state=0)
    return tmp, q, high, runs, lc


def test_the_report_and_json_are_what_calibrate_fits(bfi_run):
    tmp, q, _, runs, lc = bfi_run
    code, out, err = runs["json"]
    assert (code, err) == (0, "")
    assert out.startswith(al.fit_report(lc) + "\n")  # ML and smoothed lines, labelled as fit_report labels them
    assert "at the maximum likelihood: log-likelihood" in out and "at the smoothed estimates" in out
    assert _doc(json.loads((tmp / "classes.json").read_text(encoding="utf-8"))) == _doc(lc.to_dict())
    assert out.rstrip().endswith(f"wrote {tmp / 'classes.json'} (latent classes for research: not a model, it scores no one)")


def test_the_printed_table_and_the_csv_hold_sizes_and_answer_probabilities(bfi_run):
    tmp, q, _, runs, lc = bfi_run
    code, out, _ = runs["csv"]
    assert code == 0
    with open(tmp / "classes.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["item", "option", "label", "class 1", "class 2"]
    assert rows[1][:3] == [SIZE_ROW, "", ""]
    np.testing.assert_allclose([float(v) for v in rows[1][3:]], lc.class_weights, rtol=0, atol=0)
    body = rows[2:]
    assert [(r[0], int(r[1])) for r in body] == [(it.id, c) for it in q.items for c in range(1, it.n_options + 1)]
    probs = np.array([[float(v) for v in r[3:]] for r in body])
    np.testing.assert_allclose(probs, np.concatenate(lc.item_probabilities), rtol=0, atol=0)
    assert body[0][2] == q.items[0].options[0]["en"] == "Very Inaccurate"
    # printed: the same figures to 3 decimals, a row per item and option after the sizes
    lines = out.split("answer probabilities per item and option at the maximum likelihood (class sizes first):\n")[1]
    printed = [line.split() for line in lines.splitlines()[2:] if re.match(r"[A-Z]\d", line)]
    assert len(printed) == len(body)
    np.testing.assert_allclose(np.array([[float(v) for v in p[2:4]] for p in printed]), probs, atol=5e-4 + 1e-12)
    for j, it in enumerate(q.items):  # each class's answers to an item sum to 1
        np.testing.assert_allclose(lc.item_probabilities[j].sum(axis=0), 1.0, atol=1e-12)


def test_the_classes_find_the_two_groups_drawn(bfi_run):
    _, _, high, _, lc = bfi_run
    # classes are named by size: class 1 the 65% drawn low, class 2 the 35% drawn high (binomial sd 0.02)
    np.testing.assert_allclose(lc.class_weights, [0.65, 0.35], atol=0.06)
    assert ((lc.modal_class == 2) == high).mean() > 0.95


def test_an_unkeyed_questionnaire_without_classes_is_pointed_to_them(tmp_path):
    path, *_ = _mixture_export(tmp_path / "epi.csv", al.load_questionnaire(EPI), 400, seed=4)
    code, _, err = cli("calibrate", path, "-q", EPI, "-o", tmp_path / "m.json")
    assert code == 3
    assert "--classes K fits K latent classes without keys" in err and "n_classes" not in err


def test_one_class_of_epi_is_the_share_of_each_answer(tmp_path):
    q = al.load_questionnaire(EPI)
    path, codes, _ = _mixture_export(tmp_path / "epi.csv", q, 300, seed=2)
    code, out, err = cli("calibrate", path, "-q", EPI, "--classes", 1, "--seed", 0, "--n-init", 1, "--quiet",
                         "-o", tmp_path / "one.csv")
    assert (code, err) == (0, "")
    assert "1 latent class (for research, not levels)" in out and "entropy R2 undefined (one class)" in out
    with open(tmp_path / "one.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))[1:]
    assert rows[0] == [SIZE_ROW, "", "", "1.0"]
    shares = [float(np.mean(codes[:, j] == c)) for j, it in enumerate(q.items) for c in range(1, it.n_options + 1)]
    np.testing.assert_allclose([float(r[3]) for r in rows[1:]], shares, rtol=0, atol=1e-12)


def test_a_vote_instrument_gets_classes_over_the_behaviours_picked(tmp_path):
    vq = al.load_questionnaire("berakhlak-culture-map")
    votes, _ = simulate_votes(vq, 400, random_state=3)
    labels = [b.label["id"] for b in vq.behaviours]
    path = tmp_path / "votes.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["respondent_id"] + [v.id for v in vq.vote_questions])
        for rid, picks in zip(votes.respondent_ids, votes.picks):
            w.writerow([rid] + [", ".join(labels[int(b)] for b in row if b >= 0) for row in picks])
    code, out, err = cli("calibrate", path, "-q", vq.id, "--classes", 2, "--seed", 0, "--n-init", 1, "--quiet",
                         "-o", tmp_path / "v.json")
    assert (code, err) == (0, "")
    lc = al.calibrate(vq, al.read_votes(str(path), vq), n_classes=2, n_init=1, random_state=0)
    assert _doc(json.loads((tmp_path / "v.json").read_text(encoding="utf-8"))) == _doc(lc.to_dict())
    view = view_for_items(vq, lc.item_ids)
    first = lc.item_ids[0]
    assert first.startswith(f"personal{INDICATOR_SEP}") and view.item(first).n_options == 2
    rows = [line.split() for line in out.splitlines() if line.startswith(f"{first} ")]
    assert [r[1] for r in rows] == ["1", "2"]  # not picked, picked
    # at the maximum likelihood the classes' mixture reproduces how often each behaviour was picked
    picked = np.array([p[1] for p in lc.item_probabilities]) @ lc.class_weights  # row 2: picked
    personal = vq.vote_questions[0].id
    counts = np.zeros(len(vq.behaviours))
    q0 = [v.id for v in vq.vote_questions].index(personal)
    for row in votes.picks[:, q0, :]:
        counts[row[row >= 0]] += 1
    np.testing.assert_allclose(picked, counts / len(votes), atol=1e-6)


@pytest.mark.parametrize("extra, why", [
    (["--labels", "unit"], "leave out --labels (expert levels train a level model: --labels COLUMN without --classes)"),
    (["--method", "logistic"], "--method logistic learns the five labelled levels: leave out --classes or --method"),
    (["--prior", "0.2,0.2,0.2,0.2,0.2"], "--prior sets the probabilities of the five levels: leave it out"),
    (["-o", "model.json"], "-o model.json names a model: write the classes as -o classes.json"),
    (["-o", "out/bfi-model-2025.json"], "names a model"),
])
def test_what_would_pass_classes_off_as_a_level_model_exits_2(bfi_run, extra, why):
    tmp, *_ = bfi_run
    code, out, err = cli("calibrate", tmp / "bfi.csv", "-q", BFI, "--classes", 2, *extra)
    assert (code, out) == (2, "")
    assert err.startswith(f"akhlak-levels calibrate: error: {NOT_A_MODEL}; ") and why in err


def test_other_misuse_exits_2(bfi_run, capsys):
    tmp, *_ = bfi_run
    code, _, err = cli("calibrate", tmp / "bfi.csv", "-q", BFI, "--classes", 2, "-o", "classes.xlsx")
    assert code == 2 and "-o with --classes must end in .json (the classes) or .csv (the table), got 'classes.xlsx'" in err
    code, _, _ = cli("calibrate", tmp / "bfi.csv", "-q", BFI, "--classes", 0)
    assert code == 2 and "argument --classes: expected at least 1, got 0" in capsys.readouterr().err  # argparse's
    code, _, err = cli("calibrate", tmp / "bfi.csv", "-q", BFI)
    assert code == 2 and "-o MODEL.json is needed: where to save the model (JSON); or give --classes K" in err


def test_too_many_classes_for_the_respondents_is_invalid_input(bfi_run):
    tmp, *_ = bfi_run
    code, _, err = cli("calibrate", tmp / "bfi.csv", "-q", BFI, "--classes", 6, "--quiet")
    assert code == 3 and "Too few respondents: 600 for a model with 755 parameters (6 classes x options)" in err
