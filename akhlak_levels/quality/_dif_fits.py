"""The three nested cumulative-logit fits of every item behind :func:`~akhlak_levels.quality.dif`.

For an item's ordinal answers ``y`` in ``0..J-1``, ``P(Y <= j) = logistic(theta_j - X beta)``
is fitted by maximum likelihood (L-BFGS-B with the analytic gradient of
:func:`~akhlak_levels.model.ordinal_negloglik`) with the matching score alone (M1), plus the
group dummies (M2), plus their interactions with the matching score (M3).

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> z = rng.normal(size=200)
>>> y = (z + rng.logistic(size=200) > 0).astype(int)
>>> ll, params = _fit(z[:, None], y, 2, _start(y, 2, 1))
>>> bool(params[0] > 0), bool(ll < 0)
(True, True)
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

import numpy as np

from ..model import ordinal_negloglik

__all__ = ["Purification", "fit_items", "purification_rounds"]

_FIT_OPTIONS = {"maxiter": 500, "gtol": 1e-9, "ftol": 1e-14}  # ~15-60 iterations unless separated


def _start(y: np.ndarray, J: int, p: int) -> np.ndarray:
    """Starting values: ``p`` zero slopes, and the thresholds of the observed cumulative shares."""
    import scipy.special
    counts = np.bincount(y, minlength=J).astype(float)
    cum = np.cumsum(counts)[:-1] / counts.sum()
    theta = scipy.special.logit(np.clip(cum, 1e-6, 1 - 1e-6))
    theta = np.maximum.accumulate(theta + 1e-6 * np.arange(J - 1))
    return np.concatenate([np.zeros(p), [theta[0]], np.log(np.maximum(np.diff(theta), 1e-6))])


def _fit(X: np.ndarray, y: np.ndarray, J: int, start: np.ndarray) -> tuple[float, np.ndarray]:
    """Maximum log-likelihood of the cumulative-logit model and its parameters.

    On separated data (a group that gives only the top answer, say) the maximum is approached
    as parameters diverge; the optimiser stops there, and the likelihood it reports is still
    the supremum to its tolerance, so the likelihood-ratio statistic stays meaningful."""
    import scipy.optimize
    with np.errstate(over="ignore", under="ignore"):  # exp(tau) of diverging thresholds
        res = scipy.optimize.minimize(ordinal_negloglik, start, args=(X, y, J), jac=True, method="L-BFGS-B", options=_FIT_OPTIONS)
    return -float(res.fun), res.x


def _null_loglik(y: np.ndarray, J: int) -> float:
    """Log-likelihood of the thresholds-only model: the observed category shares."""
    counts = np.bincount(y, minlength=J).astype(float)
    counts = counts[counts > 0]
    return float((counts * np.log(counts / counts.sum())).sum())


def _nagelkerke(ll: float, ll0: float, n: int) -> float:
    """Nagelkerke pseudo-R^2 of a fit with log-likelihood ``ll``; ``ll0`` of the thresholds-only model."""
    cox_snell = -np.expm1(2.0 * (ll0 - ll) / n)
    return float(cox_snell / -np.expm1(2.0 * ll0 / n))


def fit_items(
    Y: np.ndarray,
    scores: list[np.ndarray | None],
    labels: np.ndarray,
    names: np.ndarray,
    dummies: np.ndarray,
    notes: list[str],
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """The three nested fits of every item; ``notes`` is completed in place."""
    k = Y.shape[1]
    G = names.shape[0]
    known = labels != ""
    out = {c: np.full(k, np.nan) for c in (
        "chi2_uniform", "chi2_nonuniform", "chi2_total", "r2_m1", "r2_m2", "r2_m3", "beta_change")}
    n_used = np.zeros(k, dtype=np.int64)
    n_cat = np.zeros(k, dtype=np.int64)
    for i in range(k):
        m = scores[i]
        if m is None:
            continue
        use = known & ~np.isnan(Y[:, i]) & ~np.isnan(m)
        n_used[i] = int(use.sum())
        present = dict(zip(*np.unique(labels[use], return_counts=True)))
        small = [g for g in names.tolist() if present.get(g, 0) < 2]
        if small:
            notes[i] = (
                f"group(s) {small} have fewer than 2 respondents with this item and a matching score "
                f"({', '.join(f'{g}: {int(present.get(g, 0))}' for g in small)}); merge or drop them"
            )
            continue
        values, y = np.unique(Y[use, i], return_inverse=True)
        J = values.shape[0]
        n_cat[i] = J
        if J < 2:
            notes[i] = f"no variance: every respondent used gave the same answer ({values[0]:g})"
            continue
        mu = m[use]
        sd = mu.std()
        if not sd > 1e-12:
            notes[i] = "the matching score does not vary among the respondents used"
            continue
        z = (mu - mu.mean()) / sd
        D = dummies[use]
        X1 = z[:, None]
        X2 = np.column_stack([z, D])
        X3 = np.column_stack([z, D, D * z[:, None]])
        ll1, p1 = _fit(X1, y, J, _start(y, J, 1))
        ll2, p2 = _fit(X2, y, J, np.concatenate([p1[:1], np.zeros(G - 1), p1[1:]]))
        ll3, _ = _fit(X3, y, J, np.concatenate([p2[:G], np.zeros(G - 1), p2[G:]]))
        ll2 = max(ll2, ll1)  # nested: an optimiser stopping early must not make chi2 negative
        ll3 = max(ll3, ll2)
        ll0 = _null_loglik(y, J)
        nn = int(use.sum())
        out["chi2_uniform"][i] = 2.0 * (ll2 - ll1)
        out["chi2_nonuniform"][i] = 2.0 * (ll3 - ll2)
        out["chi2_total"][i] = 2.0 * (ll3 - ll1)
        out["r2_m1"][i] = _nagelkerke(ll1, ll0, nn)
        out["r2_m2"][i] = _nagelkerke(ll2, ll0, nn)
        out["r2_m3"][i] = _nagelkerke(ll3, ll0, nn)
        out["beta_change"][i] = abs(p1[0] - p2[0]) / abs(p1[0]) if p1[0] != 0 else np.nan
    return out, n_used, n_cat


class Purification(NamedTuple):
    """How the purification rounds of :func:`purification_rounds` ended."""

    result: Any  # the reported round's result
    excluded: frozenset[str]  # the items that round left out of the matching scores
    rounds: int  # rounds run, the closing round after a cycle included
    status: str  # "off", "converged", "cycle" or "max_rounds"
    cycle: tuple[frozenset[str], ...]  # the repeating sets, in visiting order ("cycle" only)


def purification_rounds(
    one_round: Callable[[frozenset[str]], tuple[Any, frozenset[str]]],
    *,
    purify: bool,
    max_rounds: int,
    on_cycle: str = "union",
) -> Purification:
    """Run ``one_round(left_out) -> (result, flagged)`` from an empty set, each round leaving out
    what the previous one flagged, until the flagged set is the one left out (``"converged"``),
    one left out in an earlier round (``"cycle"``: the rounds from that one on would repeat for
    ever, so one closing round leaves out the union, or with ``on_cycle="intersection"`` the
    intersection, of the sets in the cycle, and its result is reported), or ``max_rounds``
    rounds have run (``"max_rounds"``). Without ``purify``, one round (``"off"``).

    Examples
    --------
    >>> script = {frozenset(): {"a", "b"}, frozenset("ab"): {"b", "c"}, frozenset("bc"): {"a", "b"}}
    >>> done = purification_rounds(lambda s: (sorted(s), frozenset(script.get(s, "a"))), purify=True, max_rounds=10)
    >>> done.status, [sorted(c) for c in done.cycle], done.result, done.rounds
    ('cycle', [['a', 'b'], ['b', 'c']], ['a', 'b', 'c'], 4)
    """
    history: list[frozenset[str]] = [frozenset()]  # the set left out in each round, in order
    while True:
        result, found = one_round(history[-1])
        if not purify:
            return Purification(result, history[-1], len(history), "off", ())
        if found == history[-1]:
            return Purification(result, history[-1], len(history), "converged", ())
        if found in history:  # the rounds from there on would repeat for ever: close them
            cycle = tuple(history[history.index(found):])
            closing = frozenset.intersection(*cycle) if on_cycle == "intersection" else frozenset().union(*cycle)
            history.append(closing)
            result, _ = one_round(closing)
            return Purification(result, closing, len(history), "cycle", cycle)
        if len(history) >= max_rounds:
            return Purification(result, history[-1], len(history), "max_rounds", ())
        history.append(found)
