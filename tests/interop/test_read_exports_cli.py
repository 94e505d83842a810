"""``--source-format`` on the command line: the commands that read answers take it, for items and
votes alike, and what it refuses is said with the flag (no Python)."""

from __future__ import annotations

import csv
import io

import numpy as np

from akhlak_levels.cli import main

from test_read_exports import N, _fhir_bundle, _kobo, _simulated


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in args], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_validate_and_score_read_a_kobo_export_with_group_paths_by_name(tmp_path):
    q, codes, ids, units = _simulated("socio-emotional-levels", seed=11)
    path = _kobo(q, tmp_path, codes, ids, units)
    code, out, err = run("validate", path, "-q", q.id, "--source-format", "kobo", "--quiet")
    assert code == 0, err
    assert f"respondents: {N}\n" in out and "columns set aside: ['start', 'end', 'intro/consent', '_id', '_uuid'" in out
    code, out, err = run("score", path, "-q", q.id, "--source-format", "kobo", "-o", tmp_path / "levels.csv",
                         "--quiet")
    assert code == 0, err
    with open(tmp_path / "levels.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["respondent_id"] for r in rows] == ids.tolist() and [r["unit"] for r in rows] == units.tolist()


def test_culture_map_reads_a_fhir_bundle_and_names_a_response_not_completed_with_the_flag(tmp_path):
    q, picks, ids, units = _simulated("berakhlak-culture-map", seed=12)
    path = _fhir_bundle(q, tmp_path, picks, ids, units, status={3: "in-progress"})
    code, out, err = run("culture-map", path, "-q", q.id, "--source-format", "fhir", "--quiet")
    assert code != 0
    assert "row 4" in err and "QuestionnaireResponse/qr3: status 'in-progress', not 'completed'" in err
    assert "--on-invalid missing" in err and "on_invalid=" not in err
    code, out, err = run("culture-map", path, "-q", q.id, "--source-format", "fhir", "--on-invalid", "missing",
                         "--quiet")
    assert code == 0, err
    assert np.asarray(picks).shape[0] == N


def test_an_unknown_tool_is_a_usage_error_listing_the_tools(tmp_path, capsys):
    try:
        code, _, err = run("validate", tmp_path / "x.csv", "-q", "berakhlak", "--source-format", "kobotoolbox")
    except SystemExit as exc:  # argparse's own usage error
        code, err = exc.code, ""
    err += capsys.readouterr().err
    assert code == 2
    assert "invalid choice: 'kobotoolbox'" in err and "'limesurvey'" in err and "'microsoft-forms'" in err
