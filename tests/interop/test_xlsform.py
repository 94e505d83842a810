"""The XLSForm export, checked by pyxform (the reference converter) and ODK Validate, and read
back: a KoBo/ODK export of the form (question names as headers, choice names as values) is the
library's coded layout."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from akhlak_levels import QuestionnaireError, load_questionnaire, read_responses, read_votes, simulate
from akhlak_levels.interop import export_form, to_xlsform, xlsform_sheets
from akhlak_levels.model import simulate_votes

from form_tools import java_for_odk_validate  # tests/ has no __init__: pytest puts this folder on sys.path

pyxform = pytest.importorskip("pyxform.xls2xform")

BUNDLED = ["berakhlak", "socio-emotional-levels", "berakhlak-culture-map"]
NS = {"h": "http://www.w3.org/1999/xhtml", "x": "http://www.w3.org/2002/xforms"}


def _convert(path, validate=False):
    warnings: list[str] = []
    result = pyxform.convert(str(path), warnings=warnings, validate=validate)
    return ET.fromstring(result.xform), warnings


def _choices(root, el):
    """The (names, itext ids) of a select's options, from its secondary instance."""
    nodeset = el.find("x:itemset", NS).get("nodeset")
    list_name = nodeset.split("'")[1]
    inst = next(i for i in root.iter("{http://www.w3.org/2002/xforms}instance") if i.get("id") == list_name)
    items = inst.findall("x:root/x:item", NS)
    return [i.find("x:name", NS).text for i in items], [i.find("x:itextId", NS).text for i in items]


def _itext(root):
    """{lang code: {text id: label}} from the XForm's translations."""
    out = {}
    for tr in root.iter("{http://www.w3.org/2002/xforms}translation"):
        code = tr.get("lang").rsplit("(", 1)[1].rstrip(")")
        out[code] = {t.get("id"): t.find("x:value", NS).text for t in tr.findall("x:text", NS)}
    return out


@pytest.mark.parametrize("qid", BUNDLED)
@pytest.mark.parametrize("languages", [None, "id", ["en"]])
def test_pyxform_converts_every_bundled_instrument_without_warning_and_keeps_every_name_and_text(tmp_path, qid, languages):
    q = load_questionnaire(qid)
    path = to_xlsform(q, tmp_path / "form.xlsx", languages=languages, units=["Biro Umum", "Biro SDM"])
    root, warnings = _convert(path)
    assert warnings == []
    langs = list(q.languages) if languages is None else ([languages] if isinstance(languages, str) else languages)
    itext = _itext(root)
    assert sorted(itext) == sorted(langs)
    body = root.find("h:body", NS)
    selects = {el.get("ref").rsplit("/", 1)[1]: el for el in body if el.tag.endswith(("select1", "select"))}
    for it in q.items:
        el = selects[it.id]
        assert el.tag.endswith("select1")
        values, option_ids = _choices(root, el)
        assert values == [str(c) for c in range(1, it.n_options + 1)]
        label_id = el.find("x:label", NS).get("ref").split("'")[1]
        for lang in langs:
            assert itext[lang][label_id] == it.text[lang]
            assert [itext[lang][o] for o in option_ids] == list(it.option_labels(lang))
    binds = {b.get("nodeset").rsplit("/", 1)[1]: b for b in root.iter("{http://www.w3.org/2002/xforms}bind")}
    for vq in q.vote_questions:
        assert selects[vq.id].tag.endswith("}select")
        assert binds[vq.id].get("constraint") == f"count-selected(.) = {vq.min_picks}"
        names, option_ids = _choices(root, selects[vq.id])
        assert names == list(vq.behaviour_ids)
        for lang in langs:
            assert [itext[lang][o] for o in option_ids] == [q.behaviour(b).label[lang] for b in names]
    assert binds["consent"].get("required") == "true()" and binds["unit"].get("required") == "true()"
    assert all(binds[it.id].get("required") == "true()" for it in q.items)


@pytest.mark.parametrize("qid", BUNDLED)
def test_odk_validate_finds_no_error_in_the_bundled_forms(tmp_path, qid):
    java_for_odk_validate()
    path = to_xlsform(load_questionnaire(qid), tmp_path / "form.xlsx", respondent_id=True)
    _convert(path, validate=True)  # raises ODKValidateError on an invalid form


def test_odk_validate_does_reject_a_broken_form(tmp_path):
    """The check above would catch a broken form: ODK Validate really runs."""
    java_for_odk_validate()
    from akhlak_levels._workbook import write_workbook

    sheets = xlsform_sheets(load_questionnaire("berakhlak-culture-map"), consent=False, unit=False)
    sheets["survey"][0]["constraint"] = "count-selected(.) >> 10"
    path = write_workbook(tmp_path / "broken.xlsx", sheets)
    with pytest.raises(Exception, match="Invalid|invalid"):
        _convert(path, validate=True)


def _kobo_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(header)
        w.writerows(rows)


def test_a_kobo_export_of_the_likert_form_reads_back_to_exactly_the_simulated_answers(tmp_path):
    q = load_questionnaire("socio-emotional-levels")
    rs, _ = simulate(q, 300, missing=0.1, random_state=3)
    sheets = xlsform_sheets(q, units=["Biro Umum", "Biro SDM"], respondent_id=True, required=False)
    names = [row["name"] for row in sheets["survey"]]
    assert names[:3] == ["consent", "unit", "respondent_id"] and names[3:] == list(q.item_ids)
    units = np.where(np.arange(300) % 3 == 0, "Biro Umum", "Biro SDM")
    ids = [f"{197101012000031000 + i:018d}" for i in range(300)]
    header = ["start", "end", *names, "_id", "_uuid", "_submission_time", "_index"]
    rows = []
    for i in range(300):
        answers = ["" if c < 0 else str(c + 1) for c in rs.codes[i]]  # choice names: the codes 1..k
        rows.append(["2024-03-10T09:00:00.000+07:00", "2024-03-10T09:12:00.000+07:00", "OK", units[i], ids[i],
                     *answers, str(1000 + i), f"uuid-{i}", "2024-03-10T09:12:30", str(i + 1)])
    _kobo_csv(tmp_path / "kobo.csv", header, rows)
    back = read_responses(tmp_path / "kobo.csv", q, unit_column="unit", missing_items="missing",
                          ignore_columns=["start", "end", "consent", "_id", "_uuid", "_submission_time", "_index"])
    np.testing.assert_array_equal(back.codes, rs.codes)
    assert back.respondent_ids.tolist() == ids
    assert back.unit.tolist() == units.tolist()


def test_a_kobo_export_of_the_vote_form_reads_back_to_exactly_the_simulated_votes(tmp_path):
    q = load_questionnaire("berakhlak-culture-map")
    votes, _ = simulate_votes(q, 200, random_state=5)
    names = [row["name"] for row in xlsform_sheets(q, unit=False, consent=False)["survey"]]
    assert names == [vq.id for vq in q.vote_questions]
    behaviours = np.array([b.id for b in q.behaviours])
    # KoBo writes a select_multiple as the choice names joined by spaces, and one 0/1 column each
    header = list(names)
    for vq in q.vote_questions:
        header += [f"{vq.id}/{b}" for b in vq.behaviour_ids]
    rows = []
    for r in range(200):
        joined, indicators = [], []
        for j, vq in enumerate(q.vote_questions):
            picked = [p for p in votes.picks[r, j] if p >= 0]
            joined.append(" ".join(behaviours[picked]))
            chosen = set(behaviours[picked])
            indicators += ["1" if b in chosen else "0" for b in vq.behaviour_ids]
        rows.append(joined + indicators)
    _kobo_csv(tmp_path / "votes.csv", header, rows)
    # the 0/1 columns alone are the library's indicator layout
    only_indicators = tmp_path / "indicators.csv"
    _kobo_csv(only_indicators, header[len(names):], [row[len(names):] for row in rows])
    back = read_votes(only_indicators, q)
    np.testing.assert_array_equal(back.picks, votes.picks)


def test_export_form_picks_the_format_from_the_suffix_and_refuses_what_it_cannot_tell(tmp_path):
    assert export_form("berakhlak", tmp_path / "f.xlsx").stat().st_size > 0
    with pytest.raises(ValueError, match=r"cannot tell the format from the file name .*f\.json.*pass to="):
        export_form("berakhlak", tmp_path / "f.json")
    with pytest.raises(ValueError, match=r"The 'to' parameter of export_form must be one of"):
        export_form("berakhlak", tmp_path / "f.json", to="odt")
    assert not (tmp_path / "f.json").exists()


def test_options_are_checked_with_errors_naming_the_parameter():
    q = load_questionnaire("berakhlak")
    with pytest.raises(ValueError, match=r"'languages' parameter of xlsform_sheets must be one or more of \['id', 'en'\]"):
        xlsform_sheets(q, languages="fr")
    with pytest.raises(ValueError, match=r"'units' parameter of xlsform_sheets must be distinct"):
        xlsform_sheets(q, units=["A", "A"])
    with pytest.raises(ValueError, match=r"'units' were given but unit=False"):
        xlsform_sheets(q, units=["A"], unit=False)


def _edited(qid, edit):
    import copy

    from akhlak_levels.questionnaire import questionnaire_from_dict

    doc = copy.deepcopy(dict(load_questionnaire(qid).document))
    edit(doc)
    return questionnaire_from_dict(doc)


def test_a_name_or_text_a_form_cannot_carry_exactly_is_refused_naming_the_item():
    """Ids are XML names by the questionnaire schema already; an item named like a question the
    form adds, or a text a spreadsheet would change, is refused with every problem named."""

    def bad(doc):
        doc["items"][0]["id"] = "consent"
        doc["items"][1]["text"]["en"] = "=HYPERLINK(1)"

    q = _edited("berakhlak", bad)
    with pytest.raises(QuestionnaireError, match="cannot be exported as an XLSForm exactly") as err:
        xlsform_sheets(q)
    problems = {(p.item, p.value) for p in err.value.problems}
    assert problems == {("consent", "consent"), ("BP1b", "=HYPERLINK(1)")}
    # the Indonesian form alone does not show the English text: only the name is a problem
    with pytest.raises(QuestionnaireError) as err:
        xlsform_sheets(q, languages="id")
    assert {p.item for p in err.value.problems} == {"consent"}
