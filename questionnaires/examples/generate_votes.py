"""Regenerate the example vote export in this folder (simulated votes, fictitious people).

    python questionnaires/examples/generate_votes.py

- ``berakhlak-culture-map-google-forms.csv``: the three questions of ``berakhlak-culture-map``
  as Google Forms exports a checkbox question: ``Timestamp`` first (day-first dates), a unit
  column ``Unit Kerja``, one column per question titled with its Indonesian text, each cell the
  chosen labels joined by ``", "`` in the order of the form. 60 respondents in 3 units; each unit
  leans towards its own behaviours, and a few respondents leave the desired culture unanswered.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

import akhlak_levels as al

HERE = Path(__file__).resolve().parent
UNITS = ["Bagian Umum", "Badan Keuangan", "Dinas Kesehatan"]


def main() -> None:
    rng = np.random.default_rng(20231013)
    q = al.load_questionnaire("berakhlak-culture-map")
    n_b = len(q.behaviours)
    limiting = np.array([b.limiting for b in q.behaviours])
    header = ["Timestamp", "Unit Kerja"] + [vq.text["id"] for vq in q.vote_questions]
    with open(HERE / "berakhlak-culture-map-google-forms.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for r in range(60):
            unit = r % len(UNITS)
            row = [f"{16 + r // 30}/10/2023 09:{(7 * r) % 60:02d}:00", UNITS[unit]]
            for role in ("personal", "current", "desired"):
                if role == "desired" and rng.random() < 0.05:
                    row.append("")
                    continue
                weight = np.ones(n_b)
                weight[limiting] = {"personal": 0.2, "current": 0.5 + unit, "desired": 0.05}[role]
                weight[unit * 20:(unit + 1) * 20] *= 3
                picks = np.sort(rng.choice(n_b, 10, replace=False, p=weight / weight.sum()))
                row.append(", ".join(q.behaviours[p].label["id"] for p in picks))
            w.writerow(row)


if __name__ == "__main__":
    main()
