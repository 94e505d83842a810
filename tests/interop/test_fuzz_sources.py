"""Fuzzing the tools' adapters (``source_format=``): any export, broken or not, ends in the
library's own error or in exactly the respondents it holds.

Each test draws an export as the tool writes it (group paths of any depth and text, metadata
columns, codes or labels, a Bundle with nested groups, statuses and value types, LimeSurvey's
``Q[SQ001]`` columns and KoBo's two forms of a ``select_multiple``), applies one mutation whose
effect is known, and checks the one invariant: a read is exact, a refusal is an
:class:`akhlak_levels.AkhlakLevelsError`; some inputs must be read, some must be refused.
"""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import akhlak_levels as al
from akhlak_levels.model import simulate_votes

Q = al.load_questionnaire("socio-emotional-levels")
V = al.load_questionnaire("berakhlak-culture-map")
CODES = al.simulate(Q, 30, missing=0.15, random_state=7)[0].codes
PICKS = simulate_votes(V, 20, random_state=8)[0].picks
FUZZ = settings(max_examples=settings.default.max_examples, suppress_health_check=[HealthCheck.function_scoped_fixture])
MUST_READ, EITHER, MUST_FAIL = "must read", "either", "must fail"

segments = st.one_of(st.sampled_from(["grp", "bagian-1", "g_2", "meta", "SE01", "personal", "x/y", "a-b"]),
                     st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=6))


def _write(path, header, rows, delimiter):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow(header)
        w.writerows(rows)


def _outcome(kind, read):
    """Run ``read``; check it against ``kind``; return the result or None when refused."""
    try:
        got = read()
    except al.AkhlakLevelsError:
        assert kind != MUST_READ, "a sound export was refused"
        return None
    assert kind != MUST_FAIL, "a broken export was read"
    return got


@FUZZ
@given(data=st.data(), tool=st.sampled_from(["kobo", "odk"]))
def test_kobo_and_odk_exports_read_exactly_or_fail_with_the_librarys_error(tmp_path_factory, data, tool):
    n = data.draw(st.integers(1, 8), label="n")
    rows = data.draw(st.lists(st.integers(0, len(CODES) - 1), min_size=n, max_size=n, unique=True), label="rows")
    codes = CODES[rows]
    sep = "/" if tool == "kobo" else "-"
    paths = data.draw(st.lists(st.lists(segments, max_size=3), min_size=Q.n_items, max_size=Q.n_items), label="groups")
    labels = data.draw(st.booleans(), label="labels")
    header, columns = [], []
    for j, it in enumerate(Q.items):
        header.append(sep.join([*paths[j], it.id]))
        names = np.array([*(it.option_labels("id") if labels else map(str, range(1, it.n_options + 1))), ""], dtype=object)
        columns.append(names[codes[:, j]].tolist())
    meta = ["_uuid", "_submission_time", "_index", "meta/instanceID"] if tool == "kobo" else \
        ["SubmissionDate", "KEY", "meta-instanceID", "ReviewState"]
    header, columns = [*meta, "consent", *header], [*([f"m{i}" for i in range(n)] for _ in meta), ["OK"] * n, *columns]
    mutation = data.draw(st.sampled_from(["none", "junk cell", "drop item", "same ending", "random prefix"]))
    kind, expected = MUST_READ, codes.copy()
    if any(any(s.strip() != s or not s.strip() or s in ("consent",) for s in p) for p in paths) or \
            any(h.strip() != h for h in header):
        kind = EITHER  # a prefix of spaces only, or one ending where a name could: either, read exactly
    if mutation == "junk cell":
        r, j = data.draw(st.integers(0, n - 1)), data.draw(st.integers(0, Q.n_items - 1))
        columns[len(meta) + 1 + j][r] = "zz-" + data.draw(st.text("qxz", min_size=1, max_size=4))
        kind = MUST_FAIL
    elif mutation == "drop item":
        j = data.draw(st.integers(0, Q.n_items - 1))
        del header[len(meta) + 1 + j], columns[len(meta) + 1 + j]
        expected[:, j] = al.MISSING
    elif mutation == "same ending":
        j = data.draw(st.integers(1, Q.n_items - 1))
        header[len(meta) + 1 + j] = sep.join(["other", Q.items[0].id])
        kind = MUST_FAIL
    elif mutation == "random prefix":
        header[len(meta) + 1] = data.draw(st.text(max_size=8)) + sep + Q.items[0].id
        kind = EITHER
    path = tmp_path_factory.mktemp("kobo") / "export.csv"
    _write(path, header, list(zip(*columns)), ";" if tool == "kobo" else ",")
    got = _outcome(kind, lambda: al.read_responses(path, Q, source_format=tool, missing_items="missing"))
    if got is not None:
        np.testing.assert_array_equal(got.codes, expected)
        assert len(got) == n and "consent" in got.ignored_columns


def _depth(node) -> int:
    """How deep a JSON document nests objects and arrays (recursively: the test's own count)."""
    if isinstance(node, dict):
        return 1 + max(map(_depth, node.values()), default=0)
    if isinstance(node, list):
        return 1 + max(map(_depth, node), default=0)
    return 0


def _bundle(codes, statuses, forms, nesting, extra):
    entries = []
    for r, row in enumerate(codes.tolist()):
        items = []
        for j, c in enumerate(row):
            if c < 0:
                continue
            value = {"coding": {"valueCoding": {"code": str(c + 1)}}, "integer": {"valueInteger": c + 1},
                     "string": {"valueString": str(c + 1)}}[forms[j]]
            items.append({"linkId": Q.items[j].id, "answer": [value]})
        for depth in range(nesting[r]):
            items = [{"linkId": f"g{depth}", "item": items}]
        entries.append({"resource": {"resourceType": "QuestionnaireResponse", "id": f"r{r}", "status": statuses[r],
                                     "identifier": {"value": f"P{r}"}, "item": items + extra[r]}})
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


@FUZZ
@given(data=st.data())
def test_fhir_bundles_read_exactly_or_fail_with_the_librarys_error(tmp_path_factory, data):
    n = data.draw(st.integers(1, 6), label="n")
    codes = CODES[:n]
    statuses = data.draw(st.lists(st.sampled_from(["completed", "completed", "in-progress", "amended"]), min_size=n,
                                  max_size=n), label="statuses")
    forms = data.draw(st.lists(st.sampled_from(["coding", "integer", "string"]), min_size=Q.n_items,
                               max_size=Q.n_items), label="forms")
    nesting = data.draw(st.lists(st.integers(0, 12), min_size=n, max_size=n), label="nesting")
    stranger = data.draw(st.sampled_from([None, "SE99", "consent", "unit"]), label="extra linkId")
    extra = [[] for _ in range(n)]
    if stranger is not None:
        extra[0] = [{"linkId": stranger, "answer": [{"valueString": "Biro Umum"}
                                                    if stranger != "consent" else {"valueBoolean": True}]}]
    on_invalid = data.draw(st.sampled_from(["raise", "missing"]), label="on_invalid")
    doc = _bundle(codes, statuses, forms, nesting, extra)
    deep = _depth(doc) > 32  # the readers' bound on JSON nesting
    kind = MUST_FAIL if (deep or stranger == "SE99" or (on_invalid == "raise" and set(statuses) != {"completed"})) \
        else MUST_READ
    path = tmp_path_factory.mktemp("fhir") / "bundle.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    got = _outcome(kind, lambda: al.read_responses(path, Q, on_invalid=on_invalid, missing_items="missing"))
    if got is not None:
        np.testing.assert_array_equal(got.codes, codes)
        assert got.respondent_ids.tolist() == [f"P{r}" for r in range(n)]
        for s in {"in-progress", "amended"}:
            assert got.flags[f"status:{s}"].tolist() == [x == s for x in statuses]


@FUZZ
@given(data=st.data(), tool=st.sampled_from(["kobo", "limesurvey"]))
def test_select_multiple_columns_read_exactly_or_fail_with_the_librarys_error(tmp_path_factory, data, tool):
    n = data.draw(st.integers(1, 6), label="n")
    picks = PICKS[:n].copy()
    ids = [b.id for b in V.behaviours]
    header, columns = [], []
    chosen = [[{ids[p] for p in picks[r, qi] if p >= 0} for r in range(n)] for qi in range(len(V.vote_questions))]
    mutation = data.draw(st.sampled_from(["none", "flip one", "clear one question", "blank joined"]), label="mutation")
    r0, q0 = data.draw(st.integers(0, n - 1)), data.draw(st.integers(0, len(V.vote_questions) - 1))
    b0 = data.draw(st.sampled_from(V.vote_questions[q0].behaviour_ids))
    kind, expected = MUST_READ, picks.copy()
    split = [[set(s) for s in per_q] for per_q in chosen]
    if mutation == "flip one":  # one 0/1 cell changed: 9 or 11 picks, or (KoBo) the two forms disagree
        split[q0][r0] ^= {b0}
        kind = MUST_FAIL
    elif mutation == "clear one question":  # nothing ticked: the question unanswered
        split[q0][r0] = set()
        chosen[q0][r0] = set()
        expected[r0, q0] = -1
    joined = [[" ".join(sorted(s)) for s in per_q] for per_q in chosen]
    if mutation == "blank joined" and tool == "kobo":
        joined[q0][r0] = ""
        kind = MUST_FAIL  # the column says nothing where the 0/1 columns say ten: they disagree
    for qi, vq in enumerate(V.vote_questions):
        if tool == "kobo":
            header.append(f"grp/{vq.id}")
            columns.append(joined[qi])
        for k, b in enumerate(vq.behaviour_ids, 1):
            header.append(f"grp/{vq.id}/{b}" if tool == "kobo" else f"{vq.id}[SQ{k:03d}]")
            yes, no = ("1", "0") if tool == "kobo" else ("Y", "")
            columns.append([yes if b in split[qi][r] else no for r in range(n)])
    meta = ["_uuid", "_submission_time"] if tool == "kobo" else ["id", "submitdate", "lastpage"]
    header = [*meta, *header]
    columns = [*([str(i) for i in range(n)] for _ in meta), *columns]
    path = tmp_path_factory.mktemp("votes") / "export.csv"
    _write(path, header, list(zip(*columns)), ";" if tool == "kobo" else ",")
    got = _outcome(kind, lambda: al.read_votes(path, V, source_format=tool))
    if got is not None:
        np.testing.assert_array_equal(got.picks, expected)


def test_the_fuzzed_strategies_make_sound_exports_that_read(tmp_path):
    """The plain case of each fuzz test reads (the strategies are not all refusals)."""
    doc = _bundle(CODES[:3], ["completed"] * 3, ["coding"] * Q.n_items, [2, 0, 5], [[], [], []])
    got = al.read_responses(doc, Q, source_format="fhir", missing_items="missing")
    np.testing.assert_array_equal(got.codes, CODES[:3])
    with pytest.raises(al.ResponseError, match="nests objects and arrays more than 32 levels"):
        al.read_responses(_bundle(CODES[:1], ["completed"], ["coding"] * Q.n_items, [13], [[]]), Q)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='ab"\\[]{}\n\u00e9'),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(alphabet='a"\\[{', max_size=3), inner, max_size=3),
    max_leaves=25)


@settings(max_examples=4 * settings.default.max_examples)
@given(doc=json_values, indent=st.sampled_from([None, 1]))
def test_the_nesting_bound_read_from_the_text_equals_the_parsed_depth(doc, indent):
    """The Bundle's depth is read from its brackets outside strings before it is parsed: for any
    JSON (strings full of brackets, quotes and backslashes) it is the depth of the parsed document."""
    from akhlak_levels._readers._sources import text_depth

    assert text_depth(json.dumps(doc, indent=indent)) == _depth(doc)


CONSENT_TITLE = "Jawaban Anda dipakai untuk memetakan budaya kerja dan tingkat sosial-emosional secara berkelompok."
TITLE_META = {"limesurvey": ["id", "submitdate", "lastpage", "startlanguage", "seed", "token", "ipaddr"],
              "google-forms": ["Timestamp", "Email Address", "Score"],
              "microsoft-forms": ["ID", "Start time", "Completion time", "Email", "Name", "Last modified time"],
              "surveyjs": []}


@FUZZ
@given(data=st.data(), tool=st.sampled_from(sorted(TITLE_META)))
def test_limesurvey_google_microsoft_and_surveyjs_exports_read_exactly_or_fail(tmp_path_factory, data, tool):
    n = data.draw(st.integers(1, 8), label="n")
    rows = data.draw(st.lists(st.integers(0, len(CODES) - 1), min_size=n, max_size=n, unique=True), label="rows")
    codes = CODES[rows]
    by_title = tool in ("google-forms", "microsoft-forms")
    labels = by_title or data.draw(st.booleans(), label="labels")
    meta = data.draw(st.lists(st.sampled_from(TITLE_META[tool]), unique=True), label="meta") if TITLE_META[tool] else []
    table = {m: [f"{m}-{r}" for r in range(n)] for m in meta}
    consent = {"google-forms": CONSENT_TITLE, "microsoft-forms": CONSENT_TITLE.upper()}.get(tool, "consent")
    table[consent] = ["Saya setuju"] * n
    table["Unit kerja" if by_title else "unit"] = [f"U{r % 3}" for r in range(n)]
    for j, it in enumerate(Q.items):
        names = np.array([*(it.option_labels("id") if labels else map(str, range(1, it.n_options + 1))), ""], dtype=object)
        table[it.text["id"] if by_title else it.id] = names[codes[:, j]].tolist()
    order = data.draw(st.permutations(list(table)), label="order")
    mutation = data.draw(st.sampled_from(["none", "junk cell", "unknown column"]), label="mutation")
    kind = MUST_READ
    if mutation == "junk cell":
        col = data.draw(st.sampled_from([c for c in order if c in Q.item_ids or any(c == it.text["id"] for it in Q.items)]))
        table[col][data.draw(st.integers(0, n - 1))] = "zz" + data.draw(st.text("qxz", max_size=3))
        kind = MUST_FAIL
    elif mutation == "unknown column":
        table["Kolom lain " + data.draw(st.text("abc", max_size=3))] = ["x"] * n
        order.append(next(reversed(table)))
        kind = MUST_FAIL
    folder = tmp_path_factory.mktemp(tool)
    if tool == "surveyjs":  # a list of survey.data objects: unanswered questions left out
        source = [{c: table[c][r] for c in order if table[c][r] != ""} for r in range(n)]
    else:
        source = folder / "export.csv"
        _write(source, order, [[table[c][r] for c in order] for r in range(n)], ",")
    got = _outcome(kind, lambda: al.read_responses(source, Q, source_format=tool, missing_items="missing"))
    if got is not None:
        np.testing.assert_array_equal(got.codes, codes)
        assert got.unit.tolist() == [f"U{r % 3}" for r in range(n)]
        assert set(got.ignored_columns) == {*meta, consent}
