"""Scoring a ``dask.dataframe`` partition by partition, on one machine or a cluster (extra ``dask``).

Scoring is embarrassingly parallel: a respondent's posterior depends only on their own answers
and the fixed model, so :func:`assess_dask` reads and scores each partition with
:func:`akhlak_levels.read_responses` and :func:`akhlak_levels.assess`, exactly as the
single-machine path does, one task per partition (the partitions of ``frame.to_delayed()``, each
bound to its own global offset, gathered by ``from_delayed`` with a declared ``meta``; an offset
looked up by ``partition_info`` at run time would be wrong after an optimiser selects
partitions, as ``result.partitions[i]`` does). Three things need the whole frame, and each is
done so that the result equals ``assess`` on the concatenated frame:

* **Numbered respondents.** Without an id column, respondents are numbered from 1 in frame order.
  Each partition numbers on from its global offset (the cumulative row count of the partitions
  before it, from one ``len`` pass over the partitions), so ids are unique across partitions.
* **Row numbers in errors.** Where the frame's index is not an integer index (or is a named
  index, which the reader treats as a column), rows are numbered by global position, as the
  reader numbers them in one frame.
* **Repeated ids.** With an id column, a repeat inside a partition is refused by the reader; a
  repeat across partitions is found by a hash-partitioned ``groupby`` on the ids (count, first
  and last row per id: a tree reduction with ``split_out`` partitions, so no task holds every
  id). Each output partition depends on that check, so computing the result raises a
  :class:`~akhlak_levels.ResponseError` naming both rows. The price: every scored partition is
  held (on the workers) until the check is done; pass ``check_ids=False`` to stream.

:func:`progress_dask` (module ``_progress``) reduces the scored frame to the one-wave table of
:func:`akhlak_levels.progress` from mergeable partial sums per group (respondents, counts per
level, sums and shifted sums of squares of the expected level and the index, counts and sums of
each scale, and the cross-tabulations with the other grouping columns) and then applies the one
suppression engine of :mod:`akhlak_levels.privacy` to the reduced totals, never per partition.

:func:`culture_map_dask` (module ``_culture``) reads each partition of a frame of votes with
:func:`akhlak_levels.read_votes`, reduces it to whole-number tallies per group, adds them in a
tree of merges (exact) and finishes the map with the code of :func:`akhlak_levels.culture_map`.

Examples
--------
>>> import dask.dataframe as dd
>>> import pandas as pd
>>> from akhlak_levels import load_questionnaire, simulate
>>> from akhlak_levels.dask import assess_dask
>>> q = load_questionnaire("socio-emotional-levels")
>>> rs, truth = simulate(q, 30, random_state=0)
>>> frame = dd.from_pandas(pd.DataFrame(rs.values, columns=q.item_ids), npartitions=3)
>>> scored = assess_dask(frame, q)
>>> out = scored.compute(scheduler="sync")
>>> out["respondent_id"].tolist()[9:12], bool((out["level"].to_numpy() == truth).mean() > 0.8)
(['10', '11', '12'], True)
"""

from __future__ import annotations

from ._culture import culture_map_dask
from ._progress import progress_dask
from ._score import assess_dask

__all__ = ["assess_dask", "culture_map_dask", "progress_dask"]
