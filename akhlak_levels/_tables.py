"""Tidy result tables: columns of arrays turned into JSON-ready records, a DataFrame, or the
compact HTML table a notebook shows (``_repr_html_``)."""

from __future__ import annotations

import html
import inspect
import math
from typing import Any, Mapping

import numpy as np


def json_value(v: Any) -> Any:
    """A numpy scalar as a plain Python value; NaN and infinities as None."""
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return f if math.isfinite(f) else None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.str_):
        return str(v)
    if isinstance(v, tuple):
        return [json_value(x) for x in v]
    return v


def records(columns: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One JSON-ready dict per row of equally long columns."""
    names = list(columns)
    lists = []
    for name in names:
        v = columns[name]
        if isinstance(v, np.ndarray) and v.dtype.kind == "f":
            lists.append([x if math.isfinite(x) else None for x in v.tolist()])
        else:
            lists.append([json_value(x) for x in (v.tolist() if isinstance(v, np.ndarray) and v.dtype.kind != "O" else v)])
    return [dict(zip(names, row)) for row in zip(*lists)]


def frame(columns: Mapping[str, Any]) -> Any:
    """A pandas DataFrame of the columns (needs pandas)."""
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise ImportError("to_frame needs pandas: pip install 'akhlak-levels[frames]'.") from None
    return pd.DataFrame({k: (np.asarray(v) if not isinstance(v, (list, tuple)) else list(v)) for k, v in columns.items()})


# --------------------------------------------------------------------------- HTML (notebooks)

#: Rows a result table shows in a notebook: the first half and the last half of these.
HTML_MAX_ROWS = 20


def _html_cell(v: Any, digits: int) -> tuple[str, bool]:
    """A value as an escaped table cell, and whether it is a number (right-aligned)."""
    if v is None:
        return "", False
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v)), False
    if isinstance(v, (int, np.integer)):
        return str(int(v)), True
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if math.isnan(f):
            return "", True
        return (f"{f:.{digits}f}" if math.isfinite(f) else ("inf" if f > 0 else "-inf")), True
    if isinstance(v, (list, tuple, np.ndarray)):
        return ", ".join(_html_cell(x, digits)[0] for x in (v.tolist() if isinstance(v, np.ndarray) else v)), False
    return html.escape(str(v)), False


def html_table(
    columns: Mapping[str, Any],
    *,
    max_rows: int = HTML_MAX_ROWS,
    digits: int = 2,
    caption: str | None = None,
    total_rows: int | None = None,
) -> str:
    """A compact HTML table of equally long columns, as a notebook shows a result table.

    Numbers are rounded to ``digits`` decimals, NaN and None are empty cells, text (headers,
    cells and the caption) is HTML-escaped. A table longer than ``max_rows`` shows its first and
    last rows around a row of ellipses.

    Parameters
    ----------
    columns : mapping of str to sequence
    max_rows : int, default=20
    digits : int, default=2
    caption : str, default=None
    total_rows : int, default=None
        The length of the whole table when ``columns`` hold only its first ``ceil(max_rows / 2)``
        and last ``floor(max_rows / 2)`` rows (as :func:`html_repr` takes them from a large table).

    Returns
    -------
    str

    Examples
    --------
    >>> print(html_table({"unit": ["<b>A</b>", "B"], "index": [60.84656084656084, float("nan")]}))
    <table class="akhlak-levels" border="1" style="border-collapse:collapse;font-size:0.85em">
    <thead><tr><th>unit</th><th>index</th></tr></thead>
    <tbody>
    <tr><td>&lt;b&gt;A&lt;/b&gt;</td><td style="text-align:right">60.85</td></tr>
    <tr><td>B</td><td style="text-align:right"></td></tr>
    </tbody>
    </table>
    """
    names = list(columns)
    n = len(columns[names[0]]) if names else 0
    total = n if total_rows is None else total_rows
    head, tail = (max_rows + 1) // 2, max_rows // 2
    if total_rows is None and n > max_rows:
        picks: list[int | None] = [*range(head), None, *range(n - tail, n)]
    elif total_rows is not None and total_rows > n:
        picks = [*range(min(head, n)), None, *range(min(head, n), n)]
    else:
        picks = list(range(n))
    data = {k: (v.tolist() if isinstance(v, np.ndarray) and v.ndim == 1 else list(v)) for k, v in columns.items()}
    out = ['<table class="akhlak-levels" border="1" style="border-collapse:collapse;font-size:0.85em">']
    if caption:
        out.append(f"<caption>{html.escape(caption)}</caption>")
    out.append("<thead><tr>" + "".join(f"<th>{html.escape(str(k))}</th>" for k in names) + "</tr></thead>")
    out.append("<tbody>")
    for i in picks:
        if i is None:
            more = total - (len(picks) - 1)
            out.append(f'<tr title="{more} more rows">' + "<td>&#8230;</td>" * len(names) + "</tr>")
            continue
        cells = []
        for k in names:
            text, numeric = _html_cell(data[k][i], digits)
            cells.append(f'<td style="text-align:right">{text}</td>' if numeric else f"<td>{text}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody>")
    out.append("</table>")
    return "\n".join(out)


def _all_columns(table: Any) -> dict[str, Any]:
    """The columns a result table exports: ``columns()`` (an Assessment), ``_columns()`` (with
    the table ``to_records`` gives by default, for one of several tables), or ``COLUMNS``."""
    if callable(getattr(table, "columns", None)):
        return dict(table.columns())
    if callable(getattr(table, "_columns", None)):
        required = [p for p in inspect.signature(table._columns).parameters.values() if p.default is p.empty]
        args = [inspect.signature(table.to_records).parameters[p.name].default for p in required]
        return dict(table._columns(*args))
    return {c: getattr(table, c) for c in table.COLUMNS}


def _respondent_columns(rs: Any, idx: np.ndarray) -> dict[str, Any]:
    """The rows ``idx`` of a set of responses or votes: ids, unit, wave and groups, then each
    item's answer as shown (1..k) or each vote question's picked behaviour positions."""
    cols: dict[str, Any] = {"respondent_id": np.asarray(rs.respondent_ids)[idx]}
    for name in ("unit", "wave"):
        v = getattr(rs, name, None)
        if v is not None:
            cols[name] = np.asarray(v)[idx]
    for g, v in getattr(rs, "groups", {}).items():
        cols[g] = np.asarray(v)[idx]
    if hasattr(rs, "codes"):
        values = rs.take(idx).values
        for j, item in enumerate(rs.item_ids):
            cols[item] = values[:, j]
    else:
        picks = np.asarray(rs.picks)[idx]
        for q in range(picks.shape[1]):
            cols[f"picks_{q + 1}"] = [row[row >= 0].tolist() for row in picks[:, q]]
    return cols


def html_repr(table: Any) -> str:
    """``_repr_html_`` of a result table (a notebook's view of it): its first and last
    :data:`HTML_MAX_ROWS` rows as a compact :func:`html_table`, captioned with its ``repr``.
    Columns without any value (NaN throughout, e.g. the level columns of an instrument without
    a level model) are left out, and the caption says how many.

    Only the rows shown are formatted (a table of a million respondents shows as fast as one of
    twenty). Result classes take it as ``_repr_html_ = html_repr``.

    Examples
    --------
    >>> from akhlak_levels import assess, load_questionnaire, simulate
    >>> q = load_questionnaire("socio-emotional-levels")
    >>> page = assess(q, simulate(q, 100, random_state=0)[0])._repr_html_()
    >>> page.count("<tr>"), page.count('<tr title="80 more rows">')   # the header and 20 rows; the rest elided
    (21, 1)
    """
    try:
        n = len(table)
    except TypeError:
        n = len(next(iter(_all_columns(table).values()), ()))
    head, tail = (HTML_MAX_ROWS + 1) // 2, HTML_MAX_ROWS // 2
    idx = np.r_[0:head, n - tail : n] if n > HTML_MAX_ROWS else np.arange(n)
    empty: list[str] = []
    if hasattr(table, "respondent_ids") and (hasattr(table, "codes") or hasattr(table, "picks")):
        cols = _respondent_columns(table, idx)
    else:
        if len(idx) < n and callable(getattr(table, "take", None)):
            table_rows, idx = table.take(idx), np.arange(len(idx))
        else:
            table_rows = table
        full = _all_columns(table_rows)
        if table_rows is table:  # the whole columns at hand: leave out those with no value at all
            empty = [k for k, v in full.items() if isinstance(v, np.ndarray) and v.dtype.kind == "f" and v.size
                     and np.isnan(v).all()]
            full = {k: v for k, v in full.items() if k not in empty}
        cols = {k: (np.asarray(v)[idx] if isinstance(v, np.ndarray) else [v[i] for i in idx]) for k, v in full.items()}
    note = f" ({len(empty)} columns without any value left out)" if empty else ""
    return html_table(cols, max_rows=HTML_MAX_ROWS, caption=repr(table) + note, total_rows=n)
