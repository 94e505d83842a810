"""Writing an Excel workbook (.xlsx) that people can read and that runs nothing.

:func:`write_workbook` writes tables as sheets: bold, frozen headers; numbers shown rounded
through a number format while each cell keeps the full value; category cells filled with their
colours; columns as wide as their contents. It applies the rules of :mod:`akhlak_levels._export`
to every text it writes (cells, headers and sheet names): no text starts a formula, and the file
appears whole or not at all.

What cannot be stored as it is, and what is done instead:

- a character XML 1.0 cannot hold (the control characters other than tab, line feed and
  carriage return, lone surrogates, U+FFFE, U+FFFF) becomes U+FFFD, the replacement character
  ``\ufffd``, so the cell shows that something was there; everything else is kept;
- a carriage return and a literal ``_xHHHH_`` are stored with the OOXML escapes (``_x000D_``,
  ``_x005F_``), so Excel and LibreOffice show exactly the text given;
- a text longer than Excel's 32,767 characters is refused (:class:`ValueError` naming the sheet,
  column and row): Excel would cut it;
- a float is written with 16 significant digits (openpyxl's ``%.16g``; Excel shows 15), so the
  cell holds the value to a relative 1e-15; a whole number of 2**53 or more is written as the
  text of its digits (an 18-digit NIP would lose its last digits as an Excel number); NaN and None are empty cells; infinities are the texts ``∞`` and ``−∞``
  (with a minus sign U+2212, which no spreadsheet reads as a formula);
- a sheet name loses the characters Excel forbids (``: \\ / ? * [ ]``), is shortened to 31
  characters, and gets ``~2``, ``~3``... when it would repeat another (Excel ignores case).
"""

from __future__ import annotations

import datetime as _dt
import math
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ._export import atomic_write, spreadsheet_text
from ._validation import Options, check, param_error

__all__ = ["MAX_SHEET_NAME", "MAX_TEXT", "sheet_names", "workbook_text", "write_workbook"]

#: Excel's longest sheet name and longest text in a cell.
MAX_SHEET_NAME = 31
MAX_TEXT = 32_767
#: Whole numbers from here on are not exact as Excel numbers (doubles): they are written as text.
_EXACT_INT = 2**53
#: The largest number Excel takes (larger floats are written as text).
_MAX_EXCEL = 9.99999999999999e307
_MAX_WIDTH, _MIN_WIDTH = 60, 6

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_OOXML_ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)|\r")
_SHEET_FORBIDDEN = re.compile(r"[:\\/?*\[\]\x00-\x1f\ud800-\udfff\ufffe\uffff]")
_HEX = re.compile(r"#?([0-9A-Fa-f]{6})")
_DECIMALS = re.compile(r"\.(0+)")


def workbook_text(value: str) -> str:
    """``value`` as it is stored in a cell: characters XML cannot hold replaced by U+FFFD, then
    neutralised (:func:`akhlak_levels._export.spreadsheet_text`), then a carriage return and a
    literal ``_xHHHH_`` escaped as OOXML requires (a spreadsheet shows the text unescaped).

    Examples
    --------
    >>> workbook_text('=HYPERLINK("http://x","y")')
    '\\'=HYPERLINK("http://x","y")'
    >>> workbook_text("Dinas\\x00A"), workbook_text("a\\rb"), workbook_text("_x0041_")
    ('Dinas\\ufffdA', 'a_x000D_b', '_x005F_x0041_')
    """
    text = spreadsheet_text(_NOT_XML.sub("\ufffd", value))
    return _OOXML_ESCAPE.sub(lambda m: "_x000D_" if m.group() == "\r" else "_x005F_", text)


def sheet_names(names: Sequence[Any]) -> list[str]:
    """Excel-valid, distinct sheet names for ``names``, in order.

    Forbidden characters (``: \\ / ? * [ ]`` and control characters) become ``_``; an apostrophe
    that would start or end the name (Excel forbids it) becomes ``’``; a name that starts like a
    formula gets ``’`` in front (the rule of ``spreadsheet_text``, with the apostrophe Excel
    allows there); an empty name becomes ``Sheet``; ``History`` (reserved) becomes
    ``History_``. Names are cut to 31 characters, and one that repeats an earlier name (case
    ignored) is cut shorter and numbered ``~2``, ``~3``...

    Examples
    --------
    >>> sheet_names(["Indeks per unit kerja dan nilai BerAKHLAK 2025", "Indeks per unit kerja dan nilai BerAKHLAK 2026",
    ...              "a/b", "=x", "history"])
    ['Indeks per unit kerja dan nilai', 'Indeks per unit kerja dan nil~2', 'a_b', '’=x', 'history_']
    """
    out: list[str] = []
    taken: set[str] = set()
    for raw in names:
        name = _SHEET_FORBIDDEN.sub("_", str(raw)).strip() or "Sheet"
        if name.startswith(("=", "+", "-", "@")):
            name = "\u2019" + name
        if name.startswith("'"):
            name = "\u2019" + name[1:]
        if name.casefold() == "history":
            name += "_"
        name = _fix_end(name[:MAX_SHEET_NAME])
        k = 1
        candidate = name
        while candidate.casefold() in taken:
            k += 1
            suffix = f"~{k}"
            candidate = _fix_end(name[:MAX_SHEET_NAME - len(suffix)]) + suffix
        taken.add(candidate.casefold())
        out.append(candidate)
    return out


def _fix_end(name: str) -> str:
    return name[:-1] + "\u2019" if name.endswith("'") else name


def _columns(sheet: str, data: Any) -> tuple[list[str], list[list[Any]]]:
    """Headers and columns (lists of Python values) of one sheet's table."""
    if hasattr(data, "to_pydict") and hasattr(data, "column_names"):  # a pyarrow Table
        data = data.to_pydict()
    elif hasattr(data, "columns") and hasattr(data, "__getitem__") and not isinstance(data, Mapping):  # a DataFrame
        data = {c: data[c] for c in data.columns}
    if isinstance(data, Mapping):
        headers = list(data)
        columns = [_as_list(data[h]) for h in headers]
        lengths = {len(c) for c in columns}
        if len(lengths) > 1:
            raise ValueError(f"The columns of sheet {sheet!r} differ in length: "
                             + ", ".join(f"{h!r}: {len(c)}" for h, c in zip(headers, columns)) + ".")
    elif isinstance(data, Sequence) and not isinstance(data, (str, bytes)):
        bad = next((i for i, r in enumerate(data) if not isinstance(r, Mapping)), None)
        if bad is not None:
            raise TypeError(f"Sheet {sheet!r}: record {bad} is a {type(data[bad]).__name__}, not a mapping "
                            "(give a list of dicts or a mapping of columns).")
        headers = list(dict.fromkeys(k for r in data for k in r))
        columns = [[r.get(h) for r in data] for h in headers]
    else:
        raise TypeError(f"Sheet {sheet!r} is a {type(data).__name__}: give a list of dicts (records) or a mapping of "
                        "column name to values.")
    return [str(h) for h in headers], columns


def _as_list(column: Any) -> list[Any]:
    if hasattr(column, "tolist"):  # numpy arrays and pandas Series: Python scalars in one call
        return list(column.tolist())
    if hasattr(column, "to_pylist"):
        return list(column.to_pylist())
    if isinstance(column, (str, bytes)) or not isinstance(column, Sequence):
        raise TypeError(f"A column must be a sequence of values, not {type(column).__name__}.")
    return list(column)


def _value(x: Any) -> tuple[Any, str]:
    """A cell's stored value and its kind: 'empty', 'bool', 'int', 'float', 'date', 'text' or
    'digits' (a whole number too large to be exact in Excel, stored as its digits)."""
    if x is None:
        return None, "empty"
    if hasattr(x, "item") and type(x).__module__ == "numpy":
        x = x.item()
    if isinstance(x, bool):
        return x, "bool"
    if isinstance(x, int):
        return (x, "int") if abs(x) < _EXACT_INT else (str(x), "digits")  # a number: not neutralised
    if isinstance(x, float):
        if math.isnan(x):
            return None, "empty"
        if math.isinf(x):
            return ("\u221e" if x > 0 else "\u2212\u221e"), "text"
        if abs(x) > _MAX_EXCEL:  # past Excel's largest number: its digits as text, minus as U+2212
            return repr(x).replace("-", "\u2212"), "digits"
        return x, "float"
    try:  # pandas.NA, NaT and other missing markers are not equal to themselves
        missing = bool(x != x)  # noqa: PLR0124
    except (TypeError, ValueError):
        missing = False
    if missing:
        return None, "empty"
    if isinstance(x, _dt.datetime):
        if x.tzinfo is not None:  # Excel has no time zones: the same instant in UTC
            x = x.astimezone(_dt.timezone.utc).replace(tzinfo=None)
        return x, "date"
    if isinstance(x, (_dt.date, _dt.time)):
        return x, "date"
    return str(x), "text"


def _shown_width(value: Any, kind: str, decimals: int, percent: bool = False) -> int:
    if kind == "text":
        return max(len(line) for line in value.split("\n"))
    if kind == "float":
        return len(f"{value * 100:.{decimals}f}%") if percent else len(f"{value:.{decimals}f}")
    if kind == "date":
        return 19 if isinstance(value, _dt.datetime) else 10
    return 0 if kind == "empty" else len(str(value))


def _column_letter(i: int) -> str:
    letters = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def write_workbook(path: str | os.PathLike[str], sheets: Mapping[Any, Any], *, lang: str = "id",
                   number_format: str | Mapping[str, str] = "0.0", category_fills: Mapping[str, str] | None = None,
                   freeze_header: bool = True) -> Path:
    """Write ``sheets`` as an Excel workbook at ``path``, whole or not at all.

    Parameters
    ----------
    path : str or PathLike
        The ``.xlsx`` file; written under a temporary name and renamed into place when complete.
    sheets : mapping
        Sheet name -> table, in order. A table is a list of records (dicts; the headers are the
        keys in the order first seen, a missing key an empty cell) or a mapping of column name
        to values (lists, numpy arrays; a pandas DataFrame or pyarrow Table also works).
    lang : {"id", "en"}
        The workbook's language (its document property, used by spreadsheets for spelling and
        hyphenation). Headers and labels are written as given: translate them before.
    number_format : str or mapping, default "0.0"
        Excel number format of the non-whole numbers (floats): the cell keeps the full value and
        shows it rounded. A mapping gives a format per header (others ``"0.0"``). Whole numbers
        (ints) show as they are.
    category_fills : mapping, optional
        Cell text -> colour (``"#66bd63"``): a text cell equal to a key (a category code such as
        ``"A"`` or its label such as ``"Sehat"``) is filled with that colour.
    freeze_header : bool, default True
        Freeze the header row so it stays in view when scrolling.

    Returns
    -------
    pathlib.Path
        ``path``.

    Notes
    -----
    Every text (cells, headers, sheet names) is neutralised: one that starts with ``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return is stored with a ``'`` in front, so no cell is a
    formula (:func:`workbook_text`, :func:`sheet_names` say what else is changed and why).
    Needs openpyxl (``pip install 'akhlak-levels[xlsx]'``). openpyxl writes cell by cell: 100,000
    cells (10,000 rows of 10 columns, 7 of them styled) took 1.4-1.9 s on a shared 2-core machine,
    1.5-1.9 times openpyxl writing the same values with no style; a sheet of per-person scores
    for 100,000 people takes tens of seconds.

    Examples
    --------
    >>> import math, os, tempfile
    >>> from openpyxl import load_workbook
    >>> path = os.path.join(tempfile.mkdtemp(), "laporan.xlsx")
    >>> units = [{"Unit": "Dinas A", "Indeks": 80.1234, "Kategori": "A", "n": 31},
    ...          {"Unit": "=HYPERLINK(\\"http://x\\",\\"y\\")", "Indeks": 61.5, "Kategori": "B", "n": 12},
    ...          {"Unit": "Dinas C", "Indeks": math.nan, "Kategori": None, "n": 3}]
    >>> _ = write_workbook(path, {"Indeks per unit": units}, category_fills={"A": "#66bd63", "B": "#d9ef8b"})
    >>> ws = load_workbook(path)["Indeks per unit"]
    >>> [c.value for c in ws[2]], ws["B2"].number_format, ws.freeze_panes
    (['Dinas A', 80.1234, 'A', 31], '0.0', 'A2')
    >>> ws["A3"].value, ws["A3"].data_type, ws["B4"].value, ws["C2"].fill.fgColor.rgb
    ('\\'=HYPERLINK("http://x","y")', 's', None, 'FF66BD63')
    """
    check("write_workbook", "lang", lang, Options({"id", "en"}))
    if not isinstance(sheets, Mapping) or not sheets:
        raise param_error("write_workbook", "sheets", "a non-empty mapping of sheet name to table", sheets,
                          error=TypeError if not isinstance(sheets, Mapping) else ValueError)
    fills: dict[str, str] = {}
    for key, colour in (category_fills or {}).items():
        m = _HEX.fullmatch(str(colour))
        if m is None:
            raise param_error("write_workbook", "category_fills", "a mapping of text to colours like '#66bd63'", colour)
        fills[str(key)] = m.group(1).upper()
    try:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font, PatternFill
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise ImportError("Writing a workbook needs openpyxl: pip install 'akhlak-levels[xlsx]'.") from None

    # every sheet is checked and converted before the workbook is begun, so an error leaves
    # no half-written worksheet behind
    prepared = [(title, *_prepare(str(raw), data, number_format, fills))
                for title, (raw, data) in zip(sheet_names(list(sheets)), sheets.items())]
    wb = Workbook(write_only=True)
    wb.properties.language = lang
    bold = Font(bold=True)
    fill_of = {k: PatternFill(fill_type="solid", start_color="FF" + c, end_color="FF" + c) for k, c in fills.items()}
    for title, headers, widths, columns in prepared:
        ws = wb.create_sheet(title)
        if freeze_header and headers:
            ws.freeze_panes = "A2"
        for j, width in enumerate(widths):
            ws.column_dimensions[_column_letter(j)].width = width
        if headers:
            header_cells = []
            for h in headers:
                cell = WriteOnlyCell(ws, h)
                cell.font = bold
                header_cells.append(cell)
            ws.append(header_cells)
        # one styled cell per column and style, refilled row after row: openpyxl writes a row as
        # soon as it is appended, so styles are set once per column instead of once per cell
        styled = [_Styled(ws, WriteOnlyCell, fmt, fill_of) for fmt, _ in columns]
        for entries in zip(*(cells for _, cells in columns)):
            ws.append([st.place(e) for st, e in zip(styled, entries)])
    with atomic_write(path, "wb") as fh:
        wb.save(fh)
    return Path(path)


def _prepare(sheet: str, data: Any, number_format: str | Mapping[str, str], fills: Mapping[str, str]
             ) -> tuple[list[str], list[int], list[tuple[str, list[tuple[Any, str, str | None]]]]]:
    """One sheet as stored: its headers, column widths, and per column the number format and
    the cells ``(value, kind, category)``, every text already made safe."""
    raw_headers, raw_columns = _columns(sheet, data)
    headers = [_checked(workbook_text(h), sheet, h, 0) for h in raw_headers]
    widths, columns = [], []
    for header, raw, column in zip(headers, raw_headers, raw_columns):
        fmt = str(number_format.get(raw, "0.0") if isinstance(number_format, Mapping) else number_format)
        m = _DECIMALS.search(fmt)
        decimals = len(m.group(1)) if m else 0
        cells = []
        width = len(header)
        for i, x in enumerate(column):
            v, kind = _value(x)
            category = None
            if kind == "text":
                category = v if v in fills else None
                v = _checked(workbook_text(v), sheet, raw, i + 1)
            cells.append((v, kind, category))
            width = max(width, _shown_width(v, kind, decimals, "%" in fmt))
        widths.append(min(max(width + 2, _MIN_WIDTH), _MAX_WIDTH))
        columns.append((fmt, cells))
    return headers, widths, columns


def _checked(text: str, sheet: str, column: str, row: int) -> str:
    if len(text) > MAX_TEXT:
        where = "the header" if row == 0 else f"row {row}"
        raise ValueError(f"Sheet {sheet!r}, column {column!r}, {where}: a text of {len(text):,} characters; "
                         f"Excel holds at most {MAX_TEXT:,}.")
    return text


class _Styled:
    """The cells of one column that need a style (a number format, a category fill): one
    write-only cell per style, given each row's value in turn."""

    def __init__(self, ws: Any, cell_class: Any, fmt: str, fill_of: Mapping[str, Any]) -> None:
        self.ws, self.cell_class, self.fill_of = ws, cell_class, fill_of
        self.number = cell_class(ws)
        self.number.number_format = fmt
        self.filled: dict[str, Any] = {}

    def place(self, entry: tuple[Any, str, str | None]) -> Any:
        """What to append for one cell: the bare value, or the styled cell holding it."""
        value, kind, category = entry
        if kind == "float":
            cell = self.number
        elif category is not None:
            cell = self.filled.get(category)
            if cell is None:
                cell = self.filled[category] = self.cell_class(self.ws)
                cell.fill = self.fill_of[category]
        else:
            return value
        cell.value = value
        return cell
