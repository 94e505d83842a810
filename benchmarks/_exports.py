"""Simulated survey exports for the scale benchmarks, written fast with pyarrow.

- ``labels``: a Google-Forms-style CSV: ``Timestamp``, ``Unit Kerja``, then one column per item
  headed by its Indonesian question text, cells the Indonesian option labels, 5% blank; every
  cell quoted, as Google Forms writes it.
- ``codes``: ``respondent_id``, ``unit``, then one column per item id, cells the codes 1..k.
- ``parquet``: the ``labels`` table as Parquet.

Usage: python benchmarks/_exports.py N KIND PATH   (KIND: labels, codes or parquet)
"""

from __future__ import annotations

import sys

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

import akhlak_levels as al

CHUNK = 250_000  # respondents simulated and written at a time


def _chunk(q: al.Questionnaire, kind: str, lo: int, n: int, seed: int) -> pa.Table:
    rs, _ = al.simulate(q, n, random_state=seed, missing=0.05)
    codes = rs.codes  # -1 missing
    cols: dict[str, pa.Array] = {}
    rows = np.arange(lo, lo + n)
    if kind == "codes":
        cols["respondent_id"] = pa.array(np.char.add("ASN", rows.astype(str)))
    else:
        stamp = np.datetime64("2026-03-01T08:00:00") + rows.astype("timedelta64[s]")
        cols["Timestamp"] = pa.array(np.datetime_as_string(stamp, unit="s"))
    units = pa.array([f"Unit {k:03d}" for k in range(500)])
    unit_name = "unit" if kind == "codes" else "Unit Kerja"
    cols[unit_name] = pa.DictionaryArray.from_arrays(pa.array(rows * 7919 % 500, pa.int32()), units).cast(pa.string())
    for i, it in enumerate(q.items):
        if kind == "codes":
            values = pa.array([str(c) for c in range(1, it.n_options + 1)] + [""])
            name = it.id
        else:
            values = pa.array([o["id"] for o in it.options] + [""]) if it.type == "choice" else pa.array(
                [lab for lab in it.option_labels("id")] + [""])
            name = it.text["id"]
        idx = np.where(codes[:, i] < 0, it.n_options, codes[:, i]).astype(np.int32)
        cols[name] = pa.DictionaryArray.from_arrays(pa.array(idx), values).cast(pa.string())
    return pa.table(cols)


def write_export(n: int, kind: str, path: str, *, questionnaire: str = "socio-emotional-levels", seed: int = 0) -> str:
    """Write ``n`` simulated respondents as ``kind`` to ``path``; returns ``path``."""
    q = al.load_questionnaire(questionnaire)
    writer = None
    try:
        for k, lo in enumerate(range(0, n, CHUNK)):
            t = _chunk(q, kind, lo, min(CHUNK, n - lo), seed + k)
            if writer is None:
                writer = (pq.ParquetWriter(path, t.schema) if kind == "parquet"
                          else pa_csv.CSVWriter(path, t.schema))
            writer.write_table(t)
    finally:
        if writer is not None:
            writer.close()
    return path


if __name__ == "__main__":
    write_export(int(sys.argv[1]), sys.argv[2], sys.argv[3])
