"""Sobol indices of the options' net present costs, with SALib (Saltelli's scheme on Sobol' points).

The design is SALib's (``SALib.sample.sobol.sample`` with ``calc_second_order=False``: scrambled Sobol'
base points in twice the dimensions, ``A``, the ``A``-with-one-factor-from-``B`` rows, then ``B``), built
here with array operations a piece at a time (SALib's own loop takes seconds per thousand base points;
a test checks the two are equal); ``SALib.analyze.sobol.analyze`` computes the indices.

Outputs: each option's NPC against business as usual, and the difference in present value between
the two leading options (lowest mean present value first), the comparison the decision turns on.
First-order index: the share of an output's variance a lever explains alone; total index: its share
with all its interactions (Saltelli et al. 2010, SALib's estimators), with 95% bootstrap confidence
intervals (:func:`indices`: ``SALib.analyze.sobol.analyze``'s computation with the resampled matrices
taken once, not once per factor — the same numbers, several times faster). The levers are the ones Monte Carlo draws, with the same PERT or
triangular distributions: SALib's uniform design is mapped through each lever's quantile function.

Sobol indices assume independent inputs. Levers that the assumptions correlate (``correlations:``
in ``scenarios.yaml``) are therefore treated as one factor — a SALib group, whose columns are always
swapped together — and drawn jointly through the same Gaussian copula as Monte Carlo; the index is
the group's (Jacques, Lavergne & Devictor 2006). The model runs go through the same mapper as Monte
Carlo (local threads or Dask), in pieces of :data:`costmodel.sampling.BLOCK` rows: the same seed
gives the same indices on either.
"""
from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from ..assumptions import COMPARATOR, Assumptions
from ..montecarlo import costs_of_draws, plan, ready
from ..sampling import BLOCK, to_levers

RESAMPLES = 100  #: bootstrap resamples for the confidence intervals


@dataclass(frozen=True)
class SobolIndices:
    """Indices per output: ``outputs[name] = {first, first_conf, total, total_conf}`` (arrays over factors)."""

    factors: list[tuple[str, ...]]  #: the levers of each factor (one, or a correlated set)
    labels: list[str]
    outputs: dict[str, dict[str, np.ndarray]]
    output_labels: dict[str, str]
    headline: str  #: the output of the difference between the two leading options
    leading: tuple[str, str]
    base_samples: int
    runs: int
    seed: int


def factors_of(keys: list[str], correlation: np.ndarray | None) -> list[list[int]]:
    """Indices of the drawn levers making each factor: the connected sets of declared correlations, else one lever each."""
    parent = list(range(len(keys)))

    def root(i):
        while parent[i] != i:
            i = parent[i]
        return i
    if correlation is not None:
        for i, j in zip(*np.nonzero(np.triu(correlation, k=1))):
            parent[root(j)] = root(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(keys)):
        groups.setdefault(root(i), []).append(i)
    return sorted(groups.values())


def saltelli_rows(base: np.ndarray, factor_of: np.ndarray, factors: int) -> np.ndarray:
    """The rows of ``SALib.sample.sobol.sample`` (``calc_second_order=False``) for base points ``base`` (n × 2D).

    For each base point: ``A``, then ``A`` with factor ``k``'s columns from ``B`` for each ``k``, then
    ``B`` — SALib's layout, built with array operations instead of its per-element loop.
    """
    n, D = base.shape[0], base.shape[1] // 2
    A, B = base[:, :D], base[:, D:]
    swap = factor_of[None, :] == np.arange(factors)[:, None]  # factors × D
    out = np.empty((n, factors + 2, D))
    out[:, 0] = A
    out[:, 1:factors + 1] = np.where(swap[None], B[:, None, :], A[:, None, :])
    out[:, factors + 1] = B
    return out.reshape(-1, D)


def _costs(p, factor_of: np.ndarray, factors: int, base: np.ndarray) -> np.ndarray:
    """Present values of the Saltelli rows of some base points: ``rows × options``."""
    x = to_levers(np.asfortranarray(saltelli_rows(base, factor_of, factors)), list(p.drawn), p.distribution, p.correlation)
    return costs_of_draws(p, x)


def factor_label(a: Assumptions, members: list[str], label) -> str:
    """A factor's name: its lever's label, or for correlated levers sharing one label, that label and how many."""
    if len(members) == 1:
        return label(members[0])
    raw = {a.levers[k].label for k in members}
    if len(raw) == 1:
        return f"{raw.pop()} ({len(members)} correlated levers together)"
    return " + ".join(label(k) for k in members)


def indices(y: np.ndarray, factors: int, n: int, resamples: int, seed: int, conf: float = 0.95) -> dict[str, np.ndarray]:
    """First-order and total indices with bootstrap intervals: ``SALib.analyze.sobol.analyze`` (no second order), vectorised.

    The point estimates are SALib's own ``first_order`` and ``total_order``; the bootstrap draws the same
    resamples as ``analyze`` does with this seed and applies the same estimators, but takes the
    resampled ``A``, ``B`` and their variance once instead of once per factor (a test checks the result
    equals ``analyze``'s).
    """
    from SALib.analyze.sobol import first_order, separate_output_values, total_order
    from scipy.special import ndtri
    y = (y - y.mean()) / y.std()
    A, B, AB, _ = separate_output_values(y, factors, n, False)
    r = np.random.default_rng(seed).integers(n, size=(n, resamples))
    z = ndtri(0.5 + conf / 2)
    Ar, Br = A[r], B[r]
    both = np.r_[Ar, Br]
    spread = np.ptp(both) != 0.0
    var = np.var(both, axis=0)
    eps = np.finfo(float).eps
    out = {k: np.zeros(factors) for k in ("first", "first_conf", "total", "total_conf")}
    for j in range(factors):
        out["first"][j] = first_order(A, AB[:, j], B)
        out["total"][j] = total_order(A, AB[:, j], B)
        if spread:
            ABr = AB[r, j]
            s1 = np.divide(np.mean(Br * (ABr - Ar), axis=0), var, out=np.zeros_like(var), where=var > eps)
            st = np.divide(0.5 * np.mean((Ar - ABr) ** 2, axis=0), var, out=np.zeros_like(var), where=var > eps)
            out["first_conf"][j] = z * s1.std(ddof=1)
            out["total_conf"][j] = z * st.std(ddof=1)
    return out


def model_runs(a: Assumptions, base_samples: int) -> int:
    """How many model runs :func:`sobol_indices` makes: ``base_samples × (factors + 2)``."""
    p = plan(a, 1, 0)
    return base_samples * (len(factors_of([d.key for d in p.drawn], p.correlation)) + 2)


def sobol_indices(a: Assumptions, base_samples: int, seed: int, mapper=None, on_runs=None, label=None,
                  resamples: int = RESAMPLES, pair: tuple[str, str] | None = None) -> SobolIndices:
    """First-order and total Sobol indices of every drawn lever (or correlated set) from ``base_samples`` (a power of 2).

    ``pair`` (leader, rival) fixes the two options whose difference is the headline output; by default
    the two with the lowest mean present value in the runs.
    """
    from scipy.stats import qmc
    p = plan(a, 1, seed)
    keys = [d.key for d in p.drawn]
    factors = factors_of(keys, p.correlation)
    base = qmc.Sobol(d=2 * len(keys), scramble=True, seed=seed).random(base_samples)  # as SALib's sampler draws it
    mapper = ready(p, mapper)
    factor_of = np.empty(len(keys), dtype=int)  # each lever's factor: SALib's "groups"
    for n, members in enumerate(factors):
        factor_of[members] = n
    step = max(1, BLOCK // (len(factors) + 2))  # base points a piece: about a block of model runs
    pieces = [base[lo:lo + step] for lo in range(0, base_samples, step)]
    done = (lambda piece: on_runs(len(piece) * (len(factors) + 2))) if on_runs else None
    pv = np.concatenate(list(mapper(functools.partial(_costs, p, factor_of, len(factors)), pieces, done)), axis=0)
    options = p.option_keys
    base = options.index(COMPARATOR)
    lead = tuple(pair) if pair else tuple(options[i] for i in np.argsort(pv.mean(axis=0), kind="stable")[:2])
    outputs = {f"npc:{o}": pv[:, i] - pv[:, base] for i, o in enumerate(options) if i != base}
    outputs["difference"] = pv[:, options.index(lead[1])] - pv[:, options.index(lead[0])]
    label = label or (lambda k: a.levers[k].label)
    varied = {k: y for k, y in outputs.items() if np.ptp(y) > 0}  # no variance to share out: indices undefined
    with ThreadPoolExecutor(max_workers=2) as pool:
        found = dict(zip(varied, pool.map(lambda y: indices(y, len(factors), base_samples, resamples, seed), varied.values())))
    names = {o.key: o.label for o in a.options}
    output_labels = {f"npc:{o}": f"the NPC of {names[o]} against business as usual" for o in options if o != COMPARATOR}
    output_labels["difference"] = f"how much cheaper {names[lead[0]]} is than {names[lead[1]]}"
    return SobolIndices(
        factors=[tuple(keys[i] for i in f) for f in factors],
        labels=[factor_label(a, [keys[i] for i in f], label) for f in factors],
        outputs=found, output_labels=output_labels, headline="difference", leading=lead,
        base_samples=base_samples, runs=int(pv.shape[0]), seed=seed)
