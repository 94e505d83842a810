"""Round trips through each survey tool's export (issue 14, items 2 and 4).

For every tool and every bundled instrument: the form is made by ``export_form`` (its names,
titles, codes and labels are taken from the file written), answers are simulated, written as that
tool exports them, with its quirks (KoBo's group paths, ``;`` and both forms of a
``select_multiple``; ODK Central's ``-`` between groups; LimeSurvey's codes and ``Q[SQ001]``
columns; a FHIR ``Bundle`` validated by ``fhir.resources``; Google's ``", "``-joined checkboxes;
Microsoft's ``;``-joined ones), and read back with ``source_format``: exactly the simulated
answers, ids and units come back. Each tool is also told apart under ``"auto"``, and the errors
of a broken export are exact.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from akhlak_levels import ResponseError, ResponseSet, load_questionnaire, read_responses, read_votes, simulate
from akhlak_levels.interop import export_form
from akhlak_levels.model import simulate_votes

INSTRUMENTS = ("berakhlak", "socio-emotional-levels", "berakhlak-culture-map")
UNITS = ("Biro Umum", "Biro SDM")
N = 36


# --------------------------------------------------------------------------- simulated answers


def _simulated(qid: str, seed: int = 0):
    """Answers to ``qid``: a ResponseSet (berakhlak has no level model: codes drawn uniformly,
    one in ten missing) or a VoteSet; with NIP-like ids and a unit per respondent."""
    q = load_questionnaire(qid)
    ids = np.array([f"{197001012000031000 + 7 * i:018d}" for i in range(N)])
    units = np.array([UNITS[i % 2] for i in range(N)])
    if q.vote_questions:
        votes, _ = simulate_votes(q, N, random_state=seed)
        return q, votes.picks, ids, units
    if qid == "berakhlak":
        rng = np.random.default_rng(seed)
        codes = (rng.random((N, q.n_items)) * q.n_options[None, :]).astype(np.int8)
        codes[rng.random(codes.shape) < 0.1] = -1
    else:
        codes = simulate(q, N, missing=0.1, random_state=seed)[0].codes
    return q, ResponseSet(q, ids, codes).codes, ids, units


def _form(q, tmp_path: Path, to: str) -> dict:
    """What ``export_form`` wrote for tool ``to``: names -> labels (Indonesian) per question."""
    if to == "xlsform":
        import openpyxl

        wb = openpyxl.load_workbook(export_form(q, tmp_path / "form.xlsx", units=UNITS, respondent_id=True,
                                                required=False), read_only=True)
        survey, choices = (list(wb[s].iter_rows(values_only=True)) for s in ("survey", "choices"))
        head, chead = list(survey[0]), list(choices[0])
        lists: dict[str, dict[str, str]] = {}
        for row in choices[1:]:
            c = dict(zip(chead, row))
            lists.setdefault(c["list_name"], {})[str(c["name"])] = c["label::Indonesian (id)"]
        out = {}
        for row in survey[1:]:
            r = dict(zip(head, row))
            kind = r["type"].split()
            out[r["name"]] = lists.get(kind[1], {}) if len(kind) > 1 else {}
        return out
    if to == "fhir":
        doc = json.loads(export_form(q, tmp_path / "form.json", to="fhir", units=UNITS, respondent_id=True).read_text())
        return {i["linkId"]: {o.get("valueCoding", {}).get("code", o.get("valueString")): None
                              for o in i.get("answerOption", [])} for i in doc["item"]}
    if to == "surveyjs":
        doc = json.loads(export_form(q, tmp_path / "form.json", to="surveyjs", units=UNITS, respondent_id=True).read_text())
        return {e["name"]: e for p in doc["pages"] for e in p["elements"]}
    script = export_form(q, tmp_path / "form.gs", units=UNITS, respondent_id=True).read_text()
    return {"script": script}


def _labels(q, codes: np.ndarray, j: int) -> np.ndarray:
    """The Indonesian labels of item ``j``'s answers ("" where missing)."""
    it = q.items[j]
    return np.array([*it.option_labels("id"), ""], dtype=object)[codes[:, j]]


def _joined(q, picks: np.ndarray, qi: int, sep: str, by: str = "id") -> list[str]:
    names = [b.id if by == "id" else b.label["id"] for b in q.behaviours]
    return [sep.join(names[p] for p in row if p >= 0) for row in picks[:, qi].tolist()]


def _write_csv(path: Path, header, rows, delimiter=",") -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow(header)
        w.writerows(rows)
    return path


def _write_xlsx(path: Path, header, rows) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


# --------------------------------------------------------------------------- the tools' exports


def _kobo(q, tmp_path, answers, ids, units, *, values="xml", sep="/", kind="csv", odk=False):
    """A KoBo (or, ``odk``, ODK Central) export: group paths in the headers, metadata columns,
    choice names (XML values) or labels, a select_multiple as its column and as 0/1 columns."""
    form = _form(q, tmp_path, "xlsform")
    assert set(form) >= {"consent", "unit", "respondent_id"}
    cols: dict[str, list] = {}
    cols[f"intro{sep}consent"] = ["OK"] * N
    cols[f"intro{sep}unit"] = list(units)
    cols[f"intro{sep}respondent_id"] = list(ids)
    if q.vote_questions:
        for qi, vq in enumerate(q.vote_questions):
            assert set(form[vq.id]) == set(vq.behaviour_ids)
            cols[f"votes{sep}{vq.id}"] = _joined(q, answers, qi, " ")
            picked = [set(s.split()) for s in cols[f"votes{sep}{vq.id}"]]
            for b in vq.behaviour_ids:
                cols[f"votes{sep}{vq.id}/{b}"] = ["1" if b in p else "0" for p in picked]
    else:
        for j, it in enumerate(q.items):
            assert list(form[it.id]) == [str(c) for c in range(1, it.n_options + 1)]
            group = f"items{sep}part{1 + j % 2}{sep}"
            if values == "xml":
                cols[group + it.id] = [str(c + 1) if c >= 0 else "" for c in answers[:, j].tolist()]
            else:
                labels = np.array([*form[it.id].values(), ""], dtype=object)
                cols[group + it.id] = labels[answers[:, j]].tolist()
    meta_front = {"SubmissionDate": ["2024-03-10T02:12:30.000Z"] * N} if odk else \
        {"start": ["2024-03-10T09:00:00.000+07:00"] * N, "end": ["2024-03-10T09:12:00.000+07:00"] * N}
    meta_back = {"meta-instanceID": [f"uuid:{i}" for i in range(N)], "KEY": [f"uuid:{i}" for i in range(N)],
                 "SubmitterID": ["5"] * N, "SubmitterName": ["enum"] * N, "AttachmentsPresent": ["0"] * N,
                 "AttachmentsExpected": ["0"] * N, "Status": [""] * N, "ReviewState": [""] * N,
                 "DeviceID": ["collect:x"] * N, "Edits": ["0"] * N, "FormVersion": ["1"] * N} if odk else \
        {"_id": [str(1000 + i) for i in range(N)], "_uuid": [f"u-{i}" for i in range(N)],
         "_submission_time": ["2024-03-10T02:12:30"] * N, "_validation_status": [""] * N, "_notes": [""] * N,
         "_status": ["submitted_via_web"] * N, "_submitted_by": [""] * N, "__version__": ["vabc"] * N,
         "_tags": [""] * N, "_index": [str(i + 1) for i in range(N)], "meta/instanceID": [f"uuid:{i}" for i in range(N)]}
    table = {**meta_front, **cols, **meta_back}
    header, rows = list(table), [list(r) for r in zip(*table.values())]
    if kind == "xlsx":
        return _write_xlsx(tmp_path / "export.xlsx", header, rows)
    return _write_csv(tmp_path / "export.csv", header, rows, ";" if not odk else ",")


def _limesurvey(q, tmp_path, answers, ids, units, *, values="codes"):
    """A LimeSurvey response export (CSV, "Question code" headings; "Answer codes" or "Full
    answers"): its metadata columns, a multiple-choice question as ``Q[SQ001]`` columns of Y/""."""
    table: dict[str, list] = {"id": [str(i + 1) for i in range(N)], "submitdate": ["2024-03-10 09:12:30"] * N,
                              "lastpage": ["3"] * N, "startlanguage": ["id"] * N, "seed": ["12345"] * N,
                              "startdate": ["2024-03-10 09:00:00"] * N, "datestamp": ["2024-03-10 09:12:30"] * N,
                              "consent": ["Y"] * N, "unit": list(units), "respondent_id": list(ids)}
    if q.vote_questions:
        for qi, vq in enumerate(q.vote_questions):
            picked = [set(s.split()) for s in _joined(q, answers, qi, " ")]
            for n, b in enumerate(vq.behaviour_ids, 1):
                table[f"{vq.id}[SQ{n:03d}]"] = ["Y" if b in p else "" for p in picked]
    else:
        for j, it in enumerate(q.items):
            table[it.id] = ([str(c + 1) if c >= 0 else "" for c in answers[:, j].tolist()] if values == "codes"
                            else _labels(q, answers, j).tolist())
    return _write_csv(tmp_path / "results-survey123.csv", list(table), [list(r) for r in zip(*table.values())])


def _surveyjs(q, tmp_path, answers, ids, units):
    """A JSON list of SurveyJS ``survey.data`` objects (unanswered questions left out)."""
    form = _form(q, tmp_path, "surveyjs")
    records = []
    for r in range(N):
        rec = {"consent": True, "unit": str(units[r]), "respondent_id": str(ids[r])}
        if q.vote_questions:
            for qi, vq in enumerate(q.vote_questions):
                rec[vq.id] = _joined(q, answers[r:r + 1], qi, " ")[0].split()
        else:
            for j, it in enumerate(q.items):
                if answers[r, j] >= 0:
                    values = [c["value"] for c in form[it.id]["choices"]]
                    rec[it.id] = values[answers[r, j]]
        records.append(rec)
    path = tmp_path / "survey-data.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    return path


def _fhir_bundle(q, tmp_path, answers, ids, units, *, status=None, nested=True, extra=None):
    """A FHIR Bundle of QuestionnaireResponses (the items nested in a group when ``nested``; the
    id as ``identifier.value``), validated by fhir.resources before it is written."""
    form = _form(q, tmp_path, "fhir")
    entries = []
    for r in range(N):
        items = []
        if q.vote_questions:
            for qi, vq in enumerate(q.vote_questions):
                codes = _joined(q, answers[r:r + 1], qi, " ")[0].split()
                assert set(codes) <= set(form[vq.id])
                items.append({"linkId": vq.id, "answer": [{"valueCoding": {"code": c}} for c in codes]})
        else:
            for j, it in enumerate(q.items):
                if answers[r, j] >= 0:
                    code = list(form[it.id])[answers[r, j]]
                    items.append({"linkId": it.id, "answer": [{"valueCoding": {"code": code, "display": "x"}}]})
        if nested:
            items = [{"linkId": "answers", "item": items}]
        items = [{"linkId": "consent", "answer": [{"valueBoolean": True}]},
                 {"linkId": "unit", "answer": [{"valueString": str(units[r])}]}, *items, *(extra or [])]
        entries.append({"resource": {"resourceType": "QuestionnaireResponse", "id": f"qr{r}",
                                     "identifier": {"value": str(ids[r])}, "questionnaire": f"Questionnaire/{q.id}",
                                     "status": (status or {}).get(r, "completed"), "item": items}})
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    pytest.importorskip("fhir.resources.R4B.bundle").Bundle.model_validate(bundle)  # the test extra has it
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    return path


def _google(q, tmp_path, answers, ids, units):
    """A Google Forms CSV: Timestamp, then each question headed by its title, labels as values,
    ticked boxes joined by ", "."""
    script = _form(q, tmp_path, "google")["script"]
    consent = "Jawaban Anda dipakai untuk memetakan budaya kerja dan tingkat sosial-emosional secara berkelompok."
    table: dict[str, list] = {"Timestamp": ["2024/03/20 09:15:00"] * N, consent: ["Saya setuju"] * N,
                              "Unit kerja": list(units), "NIP (18 digit)": list(ids)}
    assert all(json.dumps(t)[1:-1] in script for t in ("Unit kerja", "NIP (18 digit)", consent[:40]))
    if q.vote_questions:
        for qi, vq in enumerate(q.vote_questions):
            assert json.dumps(vq.text["id"])[1:-1] in script
            table[vq.text["id"]] = _joined(q, answers, qi, ", ", by="label")
    else:
        for j, it in enumerate(q.items):
            assert json.dumps(it.text["id"])[1:-1] in script
            table[it.text["id"]] = _labels(q, answers, j).tolist()
    return _write_csv(tmp_path / "Form responses 1.csv", list(table), [list(r) for r in zip(*table.values())])


def _microsoft(q, tmp_path, answers, ids, units):
    """A Microsoft Forms XLSX: ID, times, Email, Name, then the titles; ticked boxes joined by ";"
    with a trailing ";"."""
    table: dict[str, list] = {"ID": list(range(1, N + 1)), "Start time": ["3/20/24 9:10:00"] * N,
                              "Completion time": ["3/20/24 9:15:00"] * N, "Email": ["anonymous"] * N, "Name": [""] * N,
                              "Last modified time": [""] * N, "Unit kerja": list(units), "NIP (18 digit)": list(ids)}
    if q.vote_questions:
        for qi, vq in enumerate(q.vote_questions):
            table[vq.text["id"]] = [s + ";" for s in _joined(q, answers, qi, ";", by="label")]
    else:
        for j, it in enumerate(q.items):
            table[it.text["id"]] = _labels(q, answers, j).tolist()
    return _write_xlsx(tmp_path / "Survey.xlsx", list(table), [list(r) for r in zip(*table.values())])


def _kobo_labels(q, tmp_path, answers, ids, units):
    """KoBo's "Labels" export with "Include groups in headers": headers are the group label and the
    question label joined by "/", values are labels; a select_multiple as its 0/1 columns only
    ("separate columns"), headed ``<question label>/<choice label>``, as formpack heads them."""
    form = _form(q, tmp_path, "xlsform")
    consent = "Jawaban Anda dipakai untuk memetakan budaya kerja dan tingkat sosial-emosional secara berkelompok."
    table: dict[str, list] = {"start": ["2024-03-10T09:00:00"] * N, f"Persetujuan/{consent}": ["OK"] * N,
                              "Identitas/Unit kerja": list(units), "Identitas/NIP (18 digit)": list(ids)}
    if q.vote_questions:
        for qi, vq in enumerate(q.vote_questions):
            picked = [set(s.split()) for s in _joined(q, answers, qi, " ")]
            for b in vq.behaviour_ids:
                table[f"Budaya kerja/{vq.text['id']}/{q.behaviour(b).label['id']}"] = \
                    ["1" if b in p else "0" for p in picked]
    else:
        for j, it in enumerate(q.items):
            labels = np.array([*form[it.id].values(), ""], dtype=object)
            table[f"Bagian {1 + j % 2} - Perilaku/{it.text['id']}"] = labels[answers[:, j]].tolist()
    table.update({"_id": [str(i) for i in range(N)], "_uuid": [f"u{i}" for i in range(N)],
                  "_submission_time": ["2024-03-10T02:12:30"] * N})
    return _write_csv(tmp_path / "labels.csv", list(table), [list(r) for r in zip(*table.values())], ";")


WRITERS = {
    "kobo": _kobo,
    "kobo-labels": lambda *a: _kobo(*a, values="labels"),
    "kobo-xlsx": lambda *a: _kobo(*a, kind="xlsx"),
    "kobo-label-headers": _kobo_labels,
    "odk": lambda *a: _kobo(*a, sep="-", odk=True),
    "limesurvey": _limesurvey,
    "limesurvey-full-answers": lambda *a: _limesurvey(*a, values="labels"),
    "surveyjs": _surveyjs,
    "fhir": _fhir_bundle,
    "google-forms": _google,
    "microsoft-forms": _microsoft,
}
#: The tools told apart under "auto" (Google's export has only "Timestamp" to show it, SurveyJS none).
DETECTED = {"kobo", "kobo-labels", "kobo-xlsx", "kobo-label-headers", "odk", "limesurvey", "limesurvey-full-answers", "fhir",
            "microsoft-forms"}


def _read(path, q, fmt):
    if q.vote_questions:
        return read_votes(path, q, source_format=fmt)
    return read_responses(path, q, source_format=fmt)


@pytest.mark.parametrize("qid", INSTRUMENTS)
@pytest.mark.parametrize("tool", list(WRITERS))
def test_each_tools_export_reads_back_to_exactly_the_simulated_answers(tmp_path, tool, qid):
    q, answers, ids, units = _simulated(qid, seed=len(tool))
    path = WRITERS[tool](q, tmp_path, answers, ids, units)
    fmt = tool.split("-label")[0].split("-xlsx")[0].split("-full")[0]
    back = _read(path, q, fmt)
    got = back.picks if q.vote_questions else back.codes
    np.testing.assert_array_equal(got, answers)
    assert back.respondent_ids.tolist() == ids.tolist()
    assert back.unit.tolist() == units.tolist()
    assert not back.flags.any().any()
    if not q.vote_questions:  # the consent acknowledgement and the tool's metadata are set aside, and listed
        consent = [c for c in back.ignored_columns if c.endswith("consent") or "Jawaban Anda dipakai" in c]
        assert len(consent) == (tool != "microsoft-forms")  # listed as the file heads it
        assert {"_uuid", "meta/instanceID", "KEY", "submitdate", "Timestamp", "Completion time"} & \
            set(back.ignored_columns) or tool in ("surveyjs", "fhir")
    if tool in DETECTED:  # the same under "auto"
        again = _read(path, q, "auto")
        np.testing.assert_array_equal(again.picks if q.vote_questions else again.codes, answers)


# --------------------------------------------------------------------------- exact errors


def test_a_fhir_response_not_completed_is_refused_naming_the_entry_or_flagged_when_asked(tmp_path):
    q, answers, ids, units = _simulated("socio-emotional-levels", seed=1)
    path = _fhir_bundle(q, tmp_path, answers, ids, units, status={4: "in-progress", 9: "amended"})
    with pytest.raises(ResponseError) as exc:
        read_responses(path, q, source_format="fhir")
    text = str(exc.value)
    assert "2 QuestionnaireResponses in" in text and "on_invalid='missing'" in text
    assert f"file {path}, row 5, at $.entry[4].resource.status: QuestionnaireResponse/qr4: status 'in-progress', " \
           "not 'completed'" in text
    assert "row 10" in text and "QuestionnaireResponse/qr9: status 'amended'" in text
    back = read_responses(path, q, on_invalid="missing")  # detected as a Bundle under "auto"
    np.testing.assert_array_equal(back.codes, answers)  # the answers are kept, the respondents flagged
    assert np.flatnonzero(back.flags["status:in-progress"]).tolist() == [4]
    assert np.flatnonzero(back.flags["status:amended"]).tolist() == [9]
    assert back.flags.for_respondent(4) == ("status:in-progress",)


def test_a_vote_bundle_not_completed_is_flagged_on_the_voteset_too(tmp_path):
    q, picks, ids, units = _simulated("berakhlak-culture-map", seed=2)
    path = _fhir_bundle(q, tmp_path, picks, ids, units, status={0: "stopped"})
    with pytest.raises(ResponseError, match=r"row 1, .*QuestionnaireResponse/qr0: status 'stopped'"):
        read_votes(path, q)
    back = read_votes(path, q, on_invalid="missing")
    np.testing.assert_array_equal(back.picks, picks)
    assert np.flatnonzero(back.flags["status:stopped"]).tolist() == [0]


def test_an_unknown_link_id_is_refused_naming_the_resource_unless_unknown_columns_are_ignored(tmp_path):
    q, answers, ids, units = _simulated("socio-emotional-levels", seed=3)
    extra = [{"linkId": "SE99", "answer": [{"valueCoding": {"code": "2"}}]}]
    path = _fhir_bundle(q, tmp_path, answers, ids, units, extra=extra)
    with pytest.raises(ResponseError) as exc:
        read_responses(path, q, source_format="fhir")
    assert f"file {path}, row 1, item 'SE99', at $.entry[0].resource: QuestionnaireResponse/qr0: linkId 'SE99' is " \
           "no question of 'socio-emotional-levels' nor a named column" in str(exc.value)
    assert str(exc.value).count("linkId 'SE99'") == 20 and "and 16 more problems" in str(exc.value)  # one per resource
    back = read_responses(path, q, source_format="fhir", unknown_columns="ignore")
    np.testing.assert_array_equal(back.codes, answers)
    assert "SE99" in back.ignored_columns
    grouped = read_responses(path, q, source_format="fhir", group_columns=["SE99"])  # a named column is no stranger
    assert grouped.groups["SE99"].tolist() == ["2"] * N


def test_a_fhir_bundle_that_cannot_be_read_names_the_entry(tmp_path):
    q = load_questionnaire("socio-emotional-levels")
    qr = {"resourceType": "QuestionnaireResponse", "status": "completed",
          "item": [{"linkId": "SE01", "answer": [{"valueCoding": {"code": "1"}}, {"valueCoding": {"code": "2"}}]},
                   {"linkId": "SE02", "answer": [{"valueAttachment": {"url": "x"}}]},
                   {"linkId": "SE03", "answer": ["3"]}, "SE04"]}
    doc = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": "Patient"}},
                                                                     {"resource": qr}]}
    with pytest.raises(ResponseError) as exc:
        read_responses(doc, q, source_format="fhir")
    text = str(exc.value)
    assert "row 1, at $.entry[0].resource: entry 1 is a 'Patient', not a QuestionnaireResponse" in text
    assert "row 2, item 'SE01', " in text and "entry 2: linkId 'SE01': 2 answers to a question that takes one" in text
    assert "entry 2: linkId 'SE02': an answer without a value of a known type" in text
    assert "entry 2: linkId 'SE03': an answer without a value of a known type" in text  # nothing skipped unseen
    assert "row 2, at $.entry[1].resource: entry 2: an item that is not an object (got 'SE04')" in text
    (tmp_path / "twice.json").write_text('{"resourceType": "Bundle", "entry": [], "entry": []}', encoding="utf-8")
    with pytest.raises(ResponseError, match="gives the key 'entry' twice in one object"):
        read_responses(tmp_path / "twice.json", q, source_format="fhir")
    deep = {"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "QuestionnaireResponse", "x": [[[[]]]]}}]}
    for _ in range(40):
        deep["entry"][0]["resource"]["x"] = [deep["entry"][0]["resource"]["x"]]
    with pytest.raises(ResponseError, match="nests objects and arrays more than 32 levels deep"):
        read_responses(deep, q, source_format="fhir")
    with pytest.raises(ResponseError, match="has no entries"):
        read_responses({"resourceType": "Bundle", "entry": []}, q)


def test_a_kobo_joined_column_disagreeing_with_its_01_columns_is_refused_naming_the_row(tmp_path):
    q, picks, ids, units = _simulated("berakhlak-culture-map", seed=4)
    path = _kobo(q, tmp_path, picks, ids, units)
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(";")
    row = lines[7].split(";")  # respondent 6, on row 8 of the file
    on = [j for j, h in enumerate(header) if h.startswith("votes/current/") and row[j] == "1"][0]
    off = [j for j, h in enumerate(header) if h.startswith("votes/current/") and row[j] == "0"][0]
    row[on], row[off] = "0", "1"  # the 0/1 columns now name another behaviour than the joined column
    lines[7] = ";".join(row)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ResponseError) as exc:
        read_votes(path, q, source_format="kobo")
    b_on, b_off = header[on].rsplit("/", 1)[1], header[off].rsplit("/", 1)[1]
    assert str(exc.value) == (
        f"1 answers in {path} differ between a select_multiple column and its 0/1 columns:\n  - file {path}, row 8, "
        f"respondent '{ids[6]}', item 'current': the space-separated column 'current' names {b_on} where its 0/1 "
        f"columns (current/...) name {b_off}")
    # the export as KoBo wrote it, both forms agreeing, reads
    alone = _kobo(q, tmp_path, picks, ids, units)
    np.testing.assert_array_equal(read_votes(alone, q, source_format="kobo").picks, picks)


def test_group_paths_that_end_in_the_same_name_are_refused(tmp_path):
    q = load_questionnaire("socio-emotional-levels")
    header = ["_uuid", "_submission_time", "a/SE01", "b/SE01", *q.item_ids[1:]]
    path = _write_csv(tmp_path / "k.csv", header, [["u", "t", "1", "2", *["3"] * (q.n_items - 1)]], ";")
    with pytest.raises(ResponseError, match=r"columns 3 and 4 have the same header"):
        read_responses(path, q, source_format="kobo")


@pytest.mark.parametrize(("columns", "tool"), [
    (["start", "_uuid", "_submission_time"], "kobo"),
    (["SubmissionDate", "meta-instanceID", "KEY"], "odk"),
    (["id", "submitdate", "lastpage", "startlanguage"], "limesurvey"),
    (["ID", "Start time", "Completion time", "Email"], "microsoft-forms"),
    (["Timestamp", "Email Address"], None),  # Google's export shows no tool: read as it is
    (["_uuid", "submitdate", "lastpage", "_submission_time"], None),  # two tools' marks: not guessed
    (["respondent_id", "unit"], None),
])
def test_auto_tells_a_tool_only_from_its_own_metadata_headers(columns, tool):
    from akhlak_levels._readers._sources import detect

    assert detect(columns) == tool


def test_named_columns_are_never_set_aside_and_source_format_is_checked(tmp_path):
    q, answers, ids, units = _simulated("socio-emotional-levels", seed=5)
    path = _microsoft(q, tmp_path, answers, ids, units)
    back = read_responses(path, q, source_format="microsoft-forms", id_column="ID", unit_column="Unit kerja",
                          ignore_columns=["NIP (18 digit)"])
    assert back.respondent_ids.tolist() == [str(i) for i in range(1, N + 1)]
    assert back.unit.tolist() == units.tolist() and "NIP (18 digit)" in back.ignored_columns
    with pytest.raises(ValueError, match="source_format"):
        read_responses(path, q, source_format="kobotoolbox")
    with pytest.raises(ValueError, match="source_format"):
        read_votes(path, "berakhlak-culture-map", source_format="excel")


def test_a_bundle_read_in_batches_keeps_each_respondents_status_flag(tmp_path):
    from akhlak_levels import iter_responses

    q, answers, ids, units = _simulated("socio-emotional-levels", seed=6)
    path = _fhir_bundle(q, tmp_path, answers, ids, units, status={3: "in-progress", 25: "in-progress"})
    parts = list(iter_responses(path, q, batch_size=10, on_invalid="missing", source_format="fhir"))
    assert [len(p) for p in parts] == [10, 10, 10, 6]
    flagged = np.concatenate([p.flags["status:in-progress"] for p in parts])
    assert np.flatnonzero(flagged).tolist() == [3, 25]
    np.testing.assert_array_equal(np.concatenate([p.codes for p in parts]), answers)


def test_the_respondent_id_comes_from_the_identifier_or_the_answer_and_they_must_agree(tmp_path):
    q, answers, ids, units = _simulated("socio-emotional-levels", seed=7)
    extra = [{"linkId": "respondent_id", "answer": [{"valueString": str(ids[0])}]}]
    path = _fhir_bundle(q, tmp_path, answers, ids, units, extra=extra)  # every resource answers ids[0]
    with pytest.raises(ResponseError) as exc:
        read_responses(path, q, source_format="fhir")
    text = str(exc.value)
    assert ", row 1," not in text and "and 15 more problems" in text  # entry 1 agrees; 35 differ, 20 listed
    assert (f"row 2, at $.entry[1].resource: QuestionnaireResponse/qr1: identifier.value and the respondent_id "
            f"answer differ (got '{ids[1]} / {ids[0]}')") in text
    doc = json.loads(path.read_text())
    for k, e in enumerate(doc["entry"]):
        del e["resource"]["identifier"]
        e["resource"]["item"][-1]["answer"][0]["valueString"] = f"NIP{k}"
    back = read_responses(doc, q)  # the answer alone; a parsed Bundle is told apart under "auto" too
    assert back.respondent_ids.tolist() == [f"NIP{k}" for k in range(N)]


def test_a_question_invalid_in_either_form_is_cleared_and_flagged_when_asked(tmp_path):
    q, picks, ids, units = _simulated("berakhlak-culture-map", seed=9)
    path = _kobo(q, tmp_path, picks, ids, units)
    lines = path.read_text(encoding="utf-8").splitlines()
    header, row = lines[0].split(";"), lines[3].split(";")  # respondent 2
    off = [j for j, h in enumerate(header) if h.startswith("votes/desired/") and row[j] == "0"][0]
    row[off] = "1"  # eleven ticks in the 0/1 columns, ten names in the joined column
    lines[3] = ";".join(row)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ResponseError, match=r"row 4, respondent '[0-9]+', item 'desired': 11 behaviours picked; at most 10"):
        read_votes(path, q, source_format="kobo")
    back = read_votes(path, q, source_format="kobo", on_invalid="missing")
    expected = picks.copy()
    expected[2, 2] = -1
    np.testing.assert_array_equal(back.picks, expected)
    assert np.flatnonzero(back.flags["invalid:desired"]).tolist() == [2]


def test_a_labels_export_with_both_forms_of_a_select_multiple_says_which_setting_to_choose(tmp_path):
    q, picks, ids, units = _simulated("berakhlak-culture-map", seed=10)
    path = _kobo_labels(q, tmp_path, picks, ids, units)
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    for qi, vq in enumerate(q.vote_questions):  # formpack's summary column: the labels joined by spaces
        rows[0].append(f"Budaya kerja/{vq.text['id']}")
        for r, joined in enumerate(_joined(q, picks, qi, " ", by="label")):
            rows[r + 1].append(joined)
    _write_csv(path, rows[0], rows[1:], ";")
    with pytest.raises(ResponseError) as exc:
        read_votes(path, q, source_format="kobo")
    text = str(exc.value)
    assert "its 0/1 columns read, but a select_multiple's own column must read too" in text
    assert 'export "XML values and headers", or the select_multiple as separate columns only' in text
    assert f"row 2, respondent '{ids[0]}', item 'personal': " in text
