"""The ``culture-map`` command on the bundled Google Forms example: what it prints equals the
culture map of the same file, what it writes equals its tables, small groups stay hidden,
spreadsheet formulas are neutralised, and bad input exits 3 with the problems on stderr."""

import csv
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest

from akhlak_levels import culture_map, load_questionnaire, read_votes
from akhlak_levels.cli._culture import COLUMN_GAP, MATCH_MARK, TABLES
from akhlak_levels.cli._main import main

EXAMPLE = Path(__file__).resolve().parents[2] / "questionnaires" / "examples" / "berakhlak-culture-map-google-forms.csv"
QID = "berakhlak-culture-map"
UNIT = "Unit Kerja"
FORMULA = '=HYPERLINK("http://x","y")'


def cli(*args):
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in args], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def q():
    return load_questionnaire(QID)


def expected_map(path, **kw):
    votes = read_votes(path, QID, unit_column=UNIT)
    return culture_map(QID, votes, by="unit", **kw)


def printed_groups(text):
    """The printed blocks by group label: the lines after each ``== label:`` header."""
    blocks, name = {}, None
    for line in text.splitlines():
        head = re.match(r"== (.*): [\d,]+ respondents \(answered: ", line)
        if head:
            name = head.group(1)
            blocks[name] = []
        elif name is not None:
            blocks[name].append(line)
    return blocks


def printed_top_lists(block):
    """The three columns of the printed top lists: (labels, votes, marked) per question."""
    start = block.index("   Top ten:") + 2
    cols = [[], [], []]
    for line in block[start:]:
        if not line.startswith("  ") or not line[2:4].strip().isdigit():
            break
        for j, cell in enumerate(line[5:].split(COLUMN_GAP)):
            cell = cell.strip()
            if cell:
                marked = cell.endswith(MATCH_MARK)
                cell = cell.removesuffix(MATCH_MARK).strip()
                label, votes = cell.rsplit(" (", 1)
                cols[j].append((label, int(votes.rstrip(")")), marked))
    return cols


def test_printed_top_lists_hindering_and_indices_equal_the_culture_map(q):
    code, out, err = cli("culture-map", EXAMPLE, "-q", QID, "--by", UNIT, "--unit-column", UNIT)
    assert code == 0, err
    cm = expected_map(EXAMPLE)
    blocks = printed_groups(out)
    assert list(blocks) == list(cm.group) and cm.group[0] == "(all)" and len(cm.group) == 4
    by_label = {b.label["id"]: b.id for b in q.behaviours}
    for r, name in enumerate(cm.group):
        assert not cm.suppressed[r]
        cols = printed_top_lists(blocks[name])
        tops = [set(cm.top_ids(name, role)) for role in cm.roles]
        for qi, role in enumerate(cm.roles):
            ids = tuple(by_label[label] for label, _, _ in cols[qi])
            assert ids == cm.top_ids(name, role) and len(ids) == 10
            for label, votes, marked in cols[qi]:
                b = by_label[label]
                assert votes == cm.votes[r, qi, cm.behaviours.index(b)]
                assert marked == any(b in tops[j] for j in range(3) if j != qi)
        hindering = [cm.behaviours[h] for h in cm.hindering[r] if h >= 0]
        line = next(s for s in blocks[name] if s.startswith("   Hindering factors: "))
        cur = cm.roles.index("current")
        assert line[len("   Hindering factors: "):] == ", ".join(
            f"{q.behaviour(b).label['id']} {int(cm.votes[r, cur, cm.behaviours.index(b)])} votes" for b in hindering)
        text = "\n".join(blocks[name])
        assert f"Entropy: {cm.entropy[r]:.1f}% [{cm.entropy_low[r]:.1f}, {cm.entropy_high[r]:.1f}] {cm.entropy_band[r]}" in text
        assert f"positive energy: {cm.positive_energy[r]:.1f}%" in text
        assert f"Total health index: {cm.health[r]:.1f} [{cm.health_low[r]:.1f}, {cm.health_high[r]:.1f}] {cm.health_category[r]}" in text
        for v, value in enumerate(cm.values):
            name_v = next(s.name["id"] for s in q.scales if s.id == value)
            assert f"{name_v:<24} {cm.value_index[r, v]:.1f} [" in text and text.count(name_v) == 1
    assert "read 60 respondents" in err


def test_english_labels_and_the_votes_index(q):
    code, out, _ = cli("culture-map", EXAMPLE, "-q", QID, "--unit-column", UNIT, "--by", "unit", "--lang", "en",
                       "--index", "votes", "--quiet")
    assert code == 0
    cm = expected_map(EXAMPLE, index="votes")
    cols = printed_top_lists(printed_groups(out)["(all)"])
    assert [label for label, _, _ in cols[1]] == [q.behaviour(b).label["en"] for b in cm.top_ids("(all)", "current")]
    assert "value index: votes" in out and f"Implementation: {cm.implementation[0]:.1f} [" in out


def test_json_output_holds_every_table_of_the_culture_map(tmp_path):
    path = tmp_path / "map.json"
    code, _, err = cli("culture-map", EXAMPLE, "-q", QID, "--by", UNIT, "--unit-column", UNIT, "-o", path, "--quiet")
    assert code == 0 and f"wrote {path}" in err
    doc = json.loads(path.read_text(encoding="utf-8"))
    cm = expected_map(EXAMPLE)
    for table in TABLES:
        assert doc[table] == json.loads(json.dumps(cm.to_records(table))), table
    assert len(doc["behaviours"]) == 4 * 3 * 74 and len(doc["values"]) == 4 * 7 and len(doc["levels"]) == 4 * 3 * 5
    assert doc["questionnaire"] == QID and doc["by"] == "unit" and doc["index_definition"] == "reach"


def _tampered(tmp_path, small_unit, small_size, renamed):
    """A copy of the example with one unit cut to ``small_size`` respondents and the units
    renamed by ``renamed``."""
    with EXAMPLE.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    u = header.index(UNIT)
    kept, seen = [], 0
    for row in body:
        if row[u] == small_unit:
            seen += 1
            if seen > small_size:
                continue
        kept.append([*row[:u], renamed.get(row[u], row[u]), *row[u + 1:]])
    path = tmp_path / "tampered.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *kept])
    return path


def test_csv_outputs_neutralise_formulas_and_small_units_stay_hidden(tmp_path):
    path = _tampered(tmp_path, "Dinas Kesehatan", 3, {"Bagian Umum": FORMULA})
    out_stem = tmp_path / "map.csv"
    code, out, err = cli("culture-map", path, "-q", QID, "--by", UNIT, "--unit-column", UNIT, "-o", out_stem, "--quiet")
    assert code == 0, err
    cm = expected_map(path)
    small = cm.row("Dinas Kesehatan")
    assert cm.n[small] == 3 and cm.suppressed[small]
    hidden = [g for g, s in zip(cm.group, cm.suppressed) if s]
    blocks = printed_groups(out)
    for g in cm.group:
        text = "\n".join(blocks[g])
        if g in hidden:
            assert "suppressed" in text and "Top ten" not in text and "Entropy" not in text and "votes" not in text
        else:
            assert "Top ten" in text and "Entropy" in text
    written = {t: list(csv.DictReader(io.StringIO((tmp_path / f"map-{t}.csv").read_text(encoding="utf-8"), newline="")))
               for t in TABLES}
    assert not (tmp_path / "map.csv").exists()
    groups = {rec["group"]: rec for rec in written["groups"]}
    assert "'" + FORMULA in groups and FORMULA not in groups  # text made inert for spreadsheets
    assert all(not rec["group"].startswith("=") for t in TABLES for rec in written[t])
    assert groups["Dinas Kesehatan"]["n"] == "3"
    def cell(g):
        return "'" + g if g.startswith("=") else g

    for g in hidden:
        rec = groups[cell(g)]
        assert rec["entropy"] == rec["health"] == rec["top_current"] == rec["hindering"] == ""
        assert all(r["votes"] == r["share"] == "" for r in written["behaviours"] if r["group"] == cell(g))
        assert all(r["index"] == "" for r in written["values"] if r["group"] == cell(g))
    shown = [g for g in cm.group if g not in hidden]
    assert all(groups[cell(g)]["entropy"] != "" for g in shown)
    n_votes = {g: sum(float(r["votes"]) for r in written["behaviours"] if r["group"] == cell(g)) for g in shown}
    assert n_votes["(all)"] == np.nansum(cm.votes[0])


def test_a_bad_file_exits_3_with_the_problems_on_stderr(tmp_path):
    with EXAMPLE.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    rows[1][2] = "bukan perilaku, " + rows[1][2]
    rows[3][3] = "jujur, jujur, " + rows[3][3].split(", ", 2)[2]
    bad = tmp_path / "bad.csv"
    with bad.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    code, out, err = cli("culture-map", bad, "-q", QID, "--unit-column", UNIT, "-o", tmp_path / "x.json")
    assert code == 3 and out == ""
    assert "invalid input" in err and f"file {bad}, row 2" in err and "bukan perilaku" in err
    assert f"file {bad}, row 4" in err
    assert not (tmp_path / "x.json").exists()


@pytest.mark.parametrize(
    "args",
    [["-o", "map.txt"], ["--index", "mean"], ["--min-group-size", "0"], ["--date-column", "Timestamp"]],
    ids=["output-extension", "unknown-index", "min-group-size", "no-date-column"],
)
def test_usage_errors_exit_2(args, capsys):
    code, out, _ = cli("culture-map", EXAMPLE, "-q", QID, *args)
    said = capsys.readouterr().err  # argparse speaks on sys.stderr
    assert code == 2 and out == "" and "error: " in said and args[0] in said


def test_a_likert_questionnaire_is_refused_with_exit_3():
    code, _, err = cli("culture-map", EXAMPLE, "-q", "berakhlak")
    assert code == 3 and "invalid input" in err


def test_the_ranking_is_printed_and_written_as_rank_units_gives_it(tmp_path):
    from akhlak_levels import rank_units

    out = tmp_path / "map.json"
    code, text, err = cli("culture-map", EXAMPLE, "-q", QID, "--by", "unit", "--unit-column", UNIT, "--quiet",
                          "--rank-by", "total_health", "--seed", 7, "-o", out)
    assert code == 0, err
    expected = rank_units(expected_map(EXAMPLE), "total_health", random_state=7)
    assert json.loads(out.read_text(encoding="utf-8"))["ranking"] == json.loads(json.dumps(expected.to_records()))
    shown = text[text.index("Ranking by total_health"):].splitlines()[1:1 + len(expected.group)]
    order = np.argsort(expected.rank, kind="stable")
    for line, i in zip(shown, order):
        assert line.split()[:2] == [str(int(expected.rank[i])), f"[{int(expected.rank_low[i])}-{int(expected.rank_high[i])}]"]
        assert expected.group[i] in line and f"P(first) {expected.p_first[i]:.2f}" in line
    again = cli("culture-map", EXAMPLE, "-q", QID, "--by", "unit", "--unit-column", UNIT, "--quiet",
                "--rank-by", "total_health", "--seed", 7)
    assert again[1] == text  # the same seed, the same output


def test_an_unknown_ranking_statistic_is_a_usage_error():
    code, _, err = cli("culture-map", EXAMPLE, "-q", QID, "--by", "unit", "--unit-column", UNIT, "--rank-by", "luck")
    assert code == 2 and "must be one of" in err and "'luck'" in err


def test_plot_writes_two_figures_per_shown_group_and_none_for_a_hidden_one(tmp_path):
    pytest.importorskip("matplotlib")
    folder = tmp_path / "figures"
    code, _, err = cli("culture-map", EXAMPLE, "-q", QID, "--by", "unit", "--unit-column", UNIT, "--quiet",
                       "--min-group-size", 21, "--plot", folder)
    assert code == 0, err
    cm = expected_map(EXAMPLE, min_group_size=21)
    shown = [r for r in range(len(cm.group)) if not cm.suppressed[r]]
    assert 0 < len(shown) < len(cm.group)  # units of 20: every unit hidden at 21, everyone shown
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == 2 * len(shown) and names[0] == "000-all-level-profile.png"
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in folder.iterdir())
