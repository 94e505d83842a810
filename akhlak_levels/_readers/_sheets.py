"""Workbooks (XLSX), Parquet files and pandas DataFrames.

A workbook is read whole whatever its ``<dimension>`` says; merged cells, formulas without a
stored value and sheets whose data is missing are refused, since each would read as empty cells.
"""

from __future__ import annotations

import html
import re
import zipfile
from typing import Any, Callable, Iterator, Sequence
from xml.etree import ElementTree

import numpy as np

from ..errors import AkhlakLevelsError, Problem, ResponseError
from ._table import Column, Table, check_header, sheet_table, shortened, trim_header


def read_xlsx(path: str, sheet: str | int | None) -> Table:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise ImportError("Reading .xlsx needs openpyxl: pip install 'akhlak-levels[xlsx]'.") from None
    with open(path, "rb") as fh:  # openpyxl leaves the file open when it fails to load it
        try:
            declared = _declared_sheets(path)
            wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
        except Exception as exc:
            raise ResponseError(f"The file {path} is not a readable .xlsx workbook: {shortened(str(exc))}") from None
        ws = None
        try:
            ws = _worksheet(wb, declared, sheet, path)
            ws.reset_dimensions()  # the <dimension> written by the program may be wrong: read every row there is
            found = _sheet_rows(ws, path)
            trouble = _sheet_trouble(ws, path)
        except (AkhlakLevelsError, MemoryError):
            raise
        except Exception as exc:  # broken XML, a damaged zip member, ...
            raise ResponseError(
                f"The file {path} is not a readable .xlsx workbook: sheet {getattr(ws, 'title', sheet)!r} cannot be read "
                f"({type(exc).__name__}: {shortened(str(exc))})."
            ) from None
        finally:
            wb.close()
    if trouble:
        raise ResponseError(f"The file {path} has cells that do not read as they show in Excel ({len(trouble)}):", trouble)
    return sheet_table(*found, path)


def _worksheet(wb: Any, declared: list[str], sheet: str | int | None, path: str) -> Any:
    """The worksheet asked for, once every sheet the workbook declares is known to be there (else
    a sheet's index would name the next one)."""
    lost = [name for name in declared if name not in wb.sheetnames]
    if lost or not wb.worksheets:
        raise ResponseError(f"The file {path} is not a readable .xlsx workbook: the data of sheets {lost} is missing (a damaged file).")
    try:
        return wb.worksheets[sheet] if isinstance(sheet, int) else wb[sheet] if sheet is not None else wb.worksheets[0]
    except (IndexError, KeyError):
        raise ResponseError(f"The file {path} has no sheet {sheet!r}: its sheets are {wb.sheetnames}.") from None


def _declared_sheets(path: str) -> list[str]:
    """The names of the worksheets the workbook declares (openpyxl skips one whose data is missing)."""
    with zipfile.ZipFile(path) as z:
        text = z.read("xl/workbook.xml").decode("utf-8", "replace") if "xl/workbook.xml" in z.namelist() else ""
    return [html.unescape(m) for m in re.findall(r'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"', text)]


def _sheet_rows(ws: Any, path: str) -> tuple[list[str], list[list[Any]], list[int], list[int], list[Problem]]:
    """Header, records, their row numbers, skipped rows and ragged rows of a worksheet."""
    it = ws.iter_rows(values_only=True)
    header_row = next(it, None)
    if header_row is None or all(h is None for h in header_row):
        raise ResponseError(f"The file {path} is empty: expected a header row and at least one data row.")
    header = trim_header([("" if h is None else str(h)).strip() for h in header_row])
    width = len(header)
    records, rows, skipped, problems = [], [], [], []
    for r, values in enumerate(it, start=2):
        values = list(values)
        filled = [v is not None and not (isinstance(v, str) and not v.strip()) for v in values]
        if not any(filled):
            skipped.append(r)
            continue
        if any(filled[width:]):  # a value under no header would be dropped unseen
            n = len(filled) - filled[::-1].index(True)
            problems.append(Problem(f"expected {width} fields as in the header, got {n} (a ragged row)", file=path, row=r))
            continue
        if len(values) < width:
            values += [None] * (width - len(values))
        records.append(values[:width])
        rows.append(r)
    return header, records, rows, skipped, problems


_MERGED = re.compile(rb'<(?:[\w.-]+:)?mergeCell\b[^>]*?\bref="([A-Z]+)([0-9]+):([A-Z]+)([0-9]+)"')
_FORMULA = re.compile(rb"<(?:[\w.-]+:)?f[\s>/]")


def _sheet_trouble(ws: Any, path: str) -> list[Problem]:
    """Merged cells and formulas without a stored value: both read as empty cells. The sheet's
    XML is scanned for them (openpyxl's read-only mode does not report them)."""
    merged: set[tuple[bytes, ...]] = set()
    formulas = False
    with ws._get_source() as src:
        tail = b""
        while chunk := src.read(1 << 20):
            block = tail + chunk
            if b"mergeCell" in block:  # a plain search first: the regular expressions are slow on cell data
                merged.update(_MERGED.findall(block))
            if not formulas and (b"<f" in block or b":f" in block):
                formulas = _FORMULA.search(block) is not None
            tail = block[-512:]
    problems = []
    for c1, r1, c2, r2 in sorted(merged, key=lambda m: (int(m[1]), m[0])):
        a, b, top, bottom = c1.decode(), c2.decode(), int(r1), int(r2)
        span = (f"rows {top}-{bottom} of " if bottom > top else f"row {top}, ") + (f"column {a}" if a == b else f"columns {a}-{b}")
        problems.append(Problem(
            f"sheet {ws.title!r}: cells {a}{top}:{b}{bottom} ({span}) are merged: only the first cell holds the value and "
            "the others read as empty; unmerge the cells and fill the value into each of them",
            file=path, row=top, value=f"{a}{top}:{b}{bottom}",
        ))
    return problems + (_uncached_formulas(ws, path) if formulas else [])


def _uncached_formulas(ws: Any, path: str) -> list[Problem]:
    """Formula cells without a stored (cached) value: a program wrote the formula, nothing computed it."""
    problems = []
    with ws._get_source() as src:
        for _, el in ElementTree.iterparse(src):
            tag = el.tag.rsplit("}", 1)[-1]
            if tag == "c":
                parts = {child.tag.rsplit("}", 1)[-1]: child for child in el}
                if "f" in parts and not (parts.get("v") is not None and (parts["v"].text or el.get("t") == "str")):
                    ref = el.get("r", "?")
                    col, row = re.match(r"([A-Z]*)([0-9]*)", ref).groups()  # type: ignore[union-attr]
                    problems.append(Problem(
                        f"sheet {ws.title!r}: cell {ref} (row {row}, column {col}) holds a formula without a stored "
                        "value, which reads as empty: open and save the file in Excel so the values are stored, "
                        "or export to CSV", file=path, row=int(row) if row else None, value=ref,
                    ))
                el.clear()
            elif tag == "row":
                el.clear()
    return problems


def read_parquet(path: str) -> Table:
    """The whole Parquet file at ``path`` as one table."""
    return next(parquet_tables(path, None))


def parquet_tables(path: str, batch_rows: int | None, *, arrow: bool = False) -> Iterator[Table]:
    """The Parquet file at ``path``, ``batch_rows`` records at a time (all at once when None).

    Read with pyarrow: text columns are dictionary-encoded (each distinct answer is coded once);
    other columns are converted as pandas would (``to_pandas``), so a Parquet file reads as the
    DataFrame pandas gives for it. A pandas index stored in the file is data when it has a name
    (e.g. ``respondent_id``, put first as ``reset_index`` does) and is dropped when it has none.
    Records are numbered from 1.

    With ``arrow`` (and ``batch_rows`` None) the columns are also kept as pyarrow arrays (see
    :class:`ArrowColumns`, :func:`arrow_column`), the texts of ``list<string>`` columns read as
    dictionaries; the cells are made as above only for the columns that are used as cells.
    A file that this cannot read is read as without ``arrow``.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
        text = [f.name for f in schema if f.type in ("string", "large_string")]
        pf = pq.ParquetFile(path, read_dictionary=text)  # answers come as dictionaries: each label decoded once
        fields, names = _parquet_names(pf.schema_arrow)
        n = pf.metadata.num_rows
    except Exception as exc:
        raise ResponseError(f"The file {path} is not a readable Parquet file: {shortened(str(exc))}") from None
    if n == 0:
        raise ResponseError(f"The file {path} has no rows.")
    check_header(names, path)
    if arrow and batch_rows is None:
        table = _arrow_table(path, pf, fields, names, n)
        if table is not None:
            yield table
            return
    parts = pf.iter_batches(batch_size=batch_rows, columns=fields) if batch_rows else None
    first = 1
    while first <= n:
        try:
            part = next(parts) if parts is not None else pf.read(columns=fields)
            part.validate(full=True)  # Parquet does not check that text is UTF-8: a damaged file may hold such text
            columns, rows = list(part.columns), part.num_rows
            del part  # each column's buffers are freed once it is converted: the peak is one column, not the table
            data = []
            for j in range(len(columns)):
                col, columns[j] = columns[j], None
                # one dictionary per column (unified here, a column at a time, not the whole table at once)
                data.append(_parquet_column(col.unify_dictionaries() if isinstance(col, pa.ChunkedArray) else col))
                del col
        except StopIteration:
            break
        except Exception as exc:
            raise ResponseError(f"The file {path} is not a readable Parquet file: {shortened(str(exc))}") from None
        yield Table(names, data, np.arange(first, first + rows), path, done=(first - 1 + rows) / n)
        first += rows


def _parquet_names(schema: Any) -> tuple[list[str], list[str]]:
    """The columns to read, in the order pandas gives them after ``reset_index``, and their
    names: a named index comes first under its name; an unnamed one is left out."""
    meta = schema.pandas_metadata or {}
    named = {c.get("field_name"): c.get("name") for c in meta.get("columns", []) if isinstance(c, dict)}
    index = [c for c in meta.get("index_columns", []) if isinstance(c, str) and c in schema.names]
    data = [c for c in schema.names if c not in index]
    fields = [c for c in index if named.get(c) is not None] + data
    return fields, [str(named[c] if c in index else c).strip() for c in fields]


def _is_text(typ: Any) -> bool:
    import pyarrow as pa

    return bool(pa.types.is_string(typ) or pa.types.is_large_string(typ))


def _text_lists(schema: Any, pf: Any) -> dict[str, str]:
    """The leaf column path of each ``list<string>`` (or large) field, by field name."""
    import pyarrow as pa

    lists = {f.name for f in schema if (pa.types.is_list(f.type) or pa.types.is_large_list(f.type))
             and _is_text(f.type.value_type)}
    leaves: dict[str, str] = {}
    for i in range(pf.metadata.num_columns):
        path = pf.schema.column(i).path
        for name in lists:
            if path.startswith(name + ".") and path.count(".") == name.count(".") + 2:
                leaves[name] = path
    return leaves


class ArrowColumns(Sequence[Any]):
    """The columns of a Parquet table kept as pyarrow arrays; ``self[j]`` is the column's cells as
    :func:`parquet_tables` gives them without ``arrow``, made on first use.

    ``types[j]`` is the type a plain read gives the column (the texts of a ``list<string>``
    column are read here as a dictionary, which :meth:`cells` casts back before converting)."""

    def __init__(self, arrays: list[Any], types: list[Any]):
        self.arrays, self.types = arrays, types
        self._made: dict[int, Any] = {}

    def __len__(self) -> int:
        return len(self.arrays)

    def __getitem__(self, j: Any) -> Any:
        if isinstance(j, slice):
            return [self[k] for k in range(len(self))[j]]
        j = int(j) + (len(self) if j < 0 else 0)
        if j not in self._made:
            self._made[j] = self.cells(j)
        return self._made[j]

    def cells(self, j: int, rows: np.ndarray | None = None) -> Any:
        """The cells of column ``j`` (of ``rows`` only, when given) as a plain read gives them."""
        import pyarrow as pa

        col = self.arrays[j] if rows is None else self.arrays[j].take(pa.array(rows, type=pa.int64()))
        return _parquet_column(col if col.type == self.types[j] else col.cast(self.types[j]))


def arrow_column(t: Table, j: int) -> tuple[Any, Any, Callable[[np.ndarray], Any]] | None:
    """Column ``j`` of a table read with ``arrow=True`` as (pyarrow ChunkedArray, the type a plain
    read gives it, a function giving the cells of some rows as a plain read does), or None for any
    other table."""
    data = t.data
    if not isinstance(data, ArrowColumns):
        return None
    return data.arrays[j], data.types[j], lambda rows: data.cells(j, rows)


def _arrow_table(path: str, pf: Any, fields: list[str], names: list[str], n: int) -> Table | None:
    """The whole file as one table of :class:`ArrowColumns`, read row group by row group (pyarrow
    reads a list of dictionaries from one row group at a time); None when pyarrow cannot, or when
    the file has a nested column other than a list of texts."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        schema = pf.schema_arrow
        leaves = _text_lists(schema, pf)
        if any(pa.types.is_nested(f.type) and f.name not in leaves for f in schema):
            return None  # other nested columns (a list of dictionaries, numbers, lists): read as they were
        text = [f.name for f in schema if pa.types.is_dictionary(f.type)]  # as ``pf`` reads them
        coded = pq.ParquetFile(path, read_dictionary=text + list(leaves.values()))
        parts = [coded.read_row_group(i, columns=fields) for i in range(coded.num_row_groups)]
        table = pa.concat_tables(parts).unify_dictionaries()
        table.validate(full=True)  # text that is not UTF-8 (a damaged file): the plain read refuses it
        types = [schema.field(f).type if f in leaves else table.column(k).type for k, f in enumerate(fields)]
        if table.num_rows != n:
            return None
    except Exception:  # the plain read says what is wrong, as it did
        return None
    data = ArrowColumns([table.column(k) for k in range(table.num_columns)], types)
    return Table(names, data, np.arange(1, n + 1), path, done=1.0)


def _parquet_column(col: Any) -> Any:
    """One Parquet column: text as a dictionary :class:`Column`, anything else as pandas gives it."""
    import pyarrow as pa
    import pyarrow.compute as pc

    typ = col.type
    text = pa.types.is_string(typ) or pa.types.is_large_string(typ)
    if text or pa.types.is_dictionary(typ) and (pa.types.is_string(typ.value_type) or pa.types.is_large_string(typ.value_type)):
        if text:  # one dictionary for the whole column
            col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
            col = col.dictionary_encode()
        chunks = col.chunks if isinstance(col, pa.ChunkedArray) else [col]
        if not chunks:
            return Column(np.array([None], dtype=object), np.empty(0, np.int64))
        values = chunks[0].dictionary  # one dictionary for all chunks (unify_dictionaries)
        indices = [pc.fill_null(c.indices, len(values)).to_numpy(zero_copy_only=False) for c in chunks]
        # int32 as pyarrow holds it (a view of its buffer when one chunk): no int64 copy per column
        index = (indices[0] if len(indices) == 1 else np.concatenate(indices)).astype(np.int32, copy=False)
        texts = np.empty(len(values) + 1, dtype=object)  # the last one (None) for the nulls
        texts[:-1] = values.to_numpy(zero_copy_only=False)
        return Column(texts, index)
    try:
        series = col.to_pandas()
    except ImportError:  # pragma: no cover - pandas absent: numpy as pyarrow gives it
        return np.asarray(col.to_numpy(zero_copy_only=False))
    arr = series.to_numpy()
    return arr if arr.dtype.kind in "iuf" else series.to_numpy(dtype=object)


def is_dataframe(obj: Any) -> bool:
    return type(obj).__name__ == "DataFrame" and hasattr(obj, "columns") and hasattr(obj, "iloc")


def from_dataframe(df: Any, path: str | None = None) -> Table:
    if len(df) == 0:
        raise ResponseError(f"The {'file ' + path if path else 'DataFrame'} has no rows.")
    if any(name is not None for name in df.index.names):
        df = df.reset_index()  # a named index (e.g. respondent_id) is data, not a row label
    names = [str(c).strip() for c in df.columns]
    check_header(names, path)
    data = []
    for j in range(df.shape[1]):
        col = df.iloc[:, j]
        arr = col.to_numpy()
        if arr.dtype.kind not in "iuf":
            arr = col.to_numpy(dtype=object)
        data.append(arr)
    index = df.index.to_numpy()
    rows = index if index.dtype.kind in "iu" else np.arange(len(df))
    return Table(names, data, np.asarray(rows), path)
