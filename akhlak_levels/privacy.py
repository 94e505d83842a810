"""One suppression engine for every grouped output: no group of fewer than ``min_size`` people
is shown, directly or as the difference of two published figures.

A grouped table (progress by unit, level decisions by group, a panel's mean trajectory) shows
cells, each a group of people, and usually a total. Three rules keep a small group hidden:

1. **Primary**: a cell of fewer than ``min_size`` people is hidden (its size may stay, its
   statistics do not).
2. **Secondary**: the total is published, so the hidden cells together must hold no one or at
   least ``min_size`` people. Otherwise the total minus the shown cells would give the hidden
   people's figures. While that fails, the smallest shown cell is hidden too.
3. **Complementary**: a table over a subset of the people of another published table (the panel
   of a trajectory, inside all respondents of the same waves) adds a second constraint. For every
   shown cell, and for the hidden cells together, the people of the larger table left out of the
   smaller must be none or at least ``min_size``. Otherwise the difference of the two published
   cells would single them out.
4. **Other groupings**: the same people grouped another way (by unit, then by region) give a
   second table. A cell that holds a cell of the other grouping plus 1 to ``min_size - 1``
   people, or is such a cell minus a few, is hidden (:func:`nested_differences`). Each table
   hides its side of such a pair, so the two can be published together.

The engine works on counts alone, so every floor can use it. What "shown" means is left to each
table, and every one uses this engine: :func:`akhlak_levels.progress`, the
:attr:`~akhlak_levels.Trajectories.mean_trajectory`, and
:func:`akhlak_levels.level_decisions_by_group`.

Examples
--------
>>> import numpy as np
>>> suppression_mask(np.array([40, 3, 12, 25]), 5).tolist()   # 3 alone: 12 joins it
[False, True, True, False]
>>> suppression_mask(np.array([40, 10, 30]), 5, complements=[np.array([0, 2, 9])]).tolist()
[False, True, True]
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

__all__ = ["DEFAULT_MIN_SIZE", "complement_safe", "crossed_groups", "nested_differences", "suppression_mask"]

#: The smallest group shown by default: five, as in the national statistics practice of
#: publishing no cell below five people.
DEFAULT_MIN_SIZE = 5


def _unsafe(pool: float, min_size: int) -> bool:
    return 0 < pool < min_size


def complement_safe(whole: np.ndarray, part: np.ndarray, min_size: int) -> np.ndarray:
    """True where ``whole - part`` (the people of a published cell left out of a smaller
    published cell over the same group) is 0 or at least ``min_size``.

    Examples
    --------
    >>> complement_safe(np.array([10, 10, 10]), np.array([10, 8, 3]), 5).tolist()
    [True, False, True]
    """
    d = np.asarray(whole) - np.asarray(part)
    return (d == 0) | (d >= min_size)


def nested_differences(labels: np.ndarray, other: np.ndarray, min_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Groups of ``labels`` that a group of ``other`` (over the same people) nests in, or that
    nest in it, with 1 to ``min_size - 1`` people between them: the difference of their two
    published figures would describe those few people.

    Only groups of ``other`` with at least ``min_size`` people count: a smaller one is hidden
    in its own table.

    Returns
    -------
    names : ndarray of str
        The sorted groups of ``labels``.
    unsafe : ndarray of bool
        Per group of ``names``: True when it must be hidden.

    Examples
    --------
    >>> unit = np.array(["A"] * 20 + ["B"] * 20)
    >>> region = np.array(["north"] * 22 + ["south"] * 18)   # north = A + two people of B
    >>> names, unsafe = nested_differences(unit, region, 5)
    >>> names.tolist(), unsafe.tolist()
    (['A', 'B'], [True, True])
    """
    labels = np.asarray(labels).astype(str)
    other = np.asarray(other).astype(str)
    names, b = np.unique(labels, return_inverse=True)
    onames, a = np.unique(other, return_inverse=True)
    nb = np.bincount(b, minlength=len(names))
    na = np.bincount(a, minlength=len(onames))
    both = np.zeros((len(names), len(onames)), dtype=np.int64)
    np.add.at(both, (b, a), 1)
    big = (na >= min_size)[None, :]
    b_holds_a = (both == na[None, :]) & _between(nb[:, None] - na[None, :], min_size)  # A inside B
    a_holds_b = (both == nb[:, None]) & _between(na[None, :] - nb[:, None], min_size)  # B inside A
    unsafe = ((b_holds_a | a_holds_b) & big & (both > 0)).any(axis=1)
    return names, unsafe


def crossed_groups(grid: np.ndarray, labels: np.ndarray, others: Iterable[np.ndarray], min_size: int) -> np.ndarray:
    """Per group of the sorted ``grid``: hidden because of another grouping of the same people
    (each of ``others`` aligned with ``labels``), by :func:`nested_differences`.

    Examples
    --------
    >>> unit = np.array(["A"] * 20 + ["B"] * 20)
    >>> region = np.array(["north"] * 22 + ["south"] * 18)
    >>> crossed_groups(np.array(["A", "B", "C"]), unit, [region], 5).tolist()
    [True, True, False]
    """
    hide = np.zeros(len(grid), dtype=bool)
    if len(labels) == 0:
        return hide
    for other in others:
        names, unsafe = nested_differences(labels, other, min_size)
        hide[np.searchsorted(grid, names[unsafe])] = True
    return hide


def _between(d: np.ndarray, min_size: int) -> np.ndarray:
    return (d > 0) & (d < min_size)


def suppression_mask(
    counts: np.ndarray,
    min_size: int,
    *,
    forced: np.ndarray | None = None,
    complements: Sequence[np.ndarray] = (),
    total_shown: bool = True,
) -> np.ndarray:
    """The cells to hide: primary, secondary and complementary suppression (see the module).

    Parameters
    ----------
    counts : ndarray of int, shape (G,)
        People per cell.
    min_size : int
        The smallest group that may be shown.
    forced : ndarray of bool, shape (G,), optional
        Cells hidden for another reason (e.g. hidden in a coarser table); they count as hidden.
    complements : sequence of ndarray of int, shape (G,)
        For a table over a subset of another published table's people: per cell, how many
        people of the larger table's cell are not in this one.
    total_shown : bool, default=True
        The table's total (or the total of the same people elsewhere) is published, so
        secondary suppression applies.

    Returns
    -------
    ndarray of bool, shape (G,)
        True for the cells whose statistics must not be shown. When the rules cannot be met
        even by hiding every cell, every non-empty cell is hidden: the total is then unsafe as
        well, and the caller hides it (its size, or its complement, is below ``min_size``).
    """
    counts = np.asarray(counts)
    hide = counts < min_size
    if forced is not None:
        hide = hide | np.asarray(forced, dtype=bool)
    comps = [np.asarray(c) for c in complements]
    for c in comps:
        hide |= (c > 0) & (c < min_size)
    if not total_shown:
        return hide

    def pools_unsafe(h: np.ndarray) -> bool:
        return _unsafe(int(counts[h].sum()), min_size) or any(_unsafe(int(c[h].sum()), min_size) for c in comps)

    if pools_unsafe(hide):
        shown = np.nonzero(~hide & (counts > 0))[0]
        for g in shown[np.argsort(counts[shown], kind="stable")]:
            hide[g] = True
            if not pools_unsafe(hide):
                break
    return hide
