"""Regenerate the example exports in this folder (simulated answers, fictitious people).

    python questionnaires/examples/generate.py

- ``socio-emotional-levels-google-forms.csv``: as Google Forms exports it: ``Timestamp`` first
  (day-first dates), ``Email Address``, a unit column, one column per question titled with the
  Indonesian item text, cells holding the chosen label; a few questions left blank.
- ``berakhlak-excel-id.csv``: as Excel with Indonesian regional settings saves it: UTF-8 with a
  byte-order mark, ``;`` delimiter, a respondent id and unit column, frequency labels.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

import akhlak_levels as al

HERE = Path(__file__).resolve().parent
UNITS = ["Bagian Umum", "Dinas Kependudukan", "Badan Keuangan", "Dinas Kesehatan"]


def main() -> None:
    rng = np.random.default_rng(20231013)

    q = al.load_questionnaire("socio-emotional-levels")
    rs, _ = al.simulate(q, 40, levels=rng.choice([1, 2, 3, 3, 4, 4, 5], size=40), missing=0.02, random_state=rng)
    header = ["Timestamp", "Email Address", "Unit Kerja"] + [it.text["id"] for it in q.items]
    with open(HERE / "socio-emotional-levels-google-forms.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for r in range(len(rs)):
            day, minute = 13 + r // 20, (7 * r) % 60
            row = [f"{day}/10/2023 08:{minute:02d}:00", f"pegawai{r + 1:03d}@example.go.id", UNITS[r % len(UNITS)]]
            for i, it in enumerate(q.items):
                c = rs.codes[r, i]
                row.append("" if c < 0 else it.options[c]["id"])
            w.writerow(row)

    q = al.load_questionnaire("berakhlak")
    n = 30
    base = rng.integers(2, 5, size=n)[:, None]
    X = np.clip(base + rng.integers(-1, 2, size=(n, q.n_items)), 1, 5)
    reverse = np.array([it.reverse for it in q.items])
    X[:, reverse] = 6 - X[:, reverse]  # a person who often shows a value rarely shows its opposite
    with open(HERE / "berakhlak-excel-id.csv", "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(["respondent_id", "unit"] + list(q.item_ids))
        for r in range(n):
            labels = [q.items[i].options[X[r, i] - 1]["id"] for i in range(q.n_items)]
            w.writerow([f"R{r + 1:03d}", UNITS[r % len(UNITS)]] + labels)


if __name__ == "__main__":
    main()
