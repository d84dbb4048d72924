"""Value of information for the choice between options, in pounds: EVPI, EVPPI per lever and group, expected loss. Pure.

Costs, not benefits. The option chosen now, ``d*``, is the one with the lowest expected present value.

* Expected opportunity loss of option ``d``: ``E[C_d − min_e C_e]``, what choosing ``d`` costs on
  average against knowing every uncertainty and choosing the cheapest in each future.
* EVPI: ``E[C_d*] − E[min_e C_e]``, the expected loss of ``d*`` — the most it could be worth to
  resolve every uncertainty before deciding.
* EVPPI of a set of levers ``φ``: ``E[C_d*] − E_φ[min_e E[C_e | φ]]`` — what knowing ``φ`` alone
  is worth. ``0 ≤ EVPPI(φ) ≤ EVPI``.

EVPPI is estimated from Monte Carlo draws by regression (Strong, Oakley & Brennan 2014, *Medical
Decision Making* 34(3):311-326): the differences ``C_e − C_d*`` are regressed on ``φ`` and the fitted
values stand for ``E[C_e − C_d* | φ]``; then ``EVPPI = mean over draws of max(0, −min_e fitted_e)``.
One lever: a natural cubic regression spline with :data:`SINGLE_KNOTS` knots at its quantiles (the
one-dimensional GAM smooth of Strong et al.; a lever with few distinct values, such as a count, gets one
mean per value: the binning method of Strong & Oakley 2013). A group: an additive spline in each lever
(:data:`GROUP_KNOTS` knots) plus the product of every pair of levers, the within-group interactions
that products of prices and quantities create (for more than :data:`MAX_INTERACTING` drawn levers, the
pairs among those most correlated with the differences). The standard error is by independent
replications (batch means): the draws are split into :data:`BATCHES` batches (fewer if a batch would hold under ten draws a coefficient), each fitted on its own,
and the spread of their estimates over √batches is the error of the whole-sample estimate. The fit's
R² (of the difference between the chosen option and the runner-up) is reported beside each estimate: a low R² with a large EVPPI is a warning that the regression
misses structure.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import levers as lv
from .assumptions import Assumptions
from .errors import AssumptionError, Problem
from .groups import lever_groups, select
from .montecarlo import local_map, montecarlo, plan, ready

SINGLE_KNOTS = 10      #: knots of a single lever's spline
GROUP_KNOTS = 5        #: knots of each lever's spline within a group
LEVELS = 12            #: a lever with at most this many distinct values gets one mean per value
MAX_INTERACTING = 16   #: levers of a group whose pairwise products enter the regression
BATCHES = 20           #: independent replications for the standard error (fewer when draws are few)


@dataclass(frozen=True)
class Estimate:
    """A value in GBP with its Monte Carlo standard error (None when it cannot be estimated)."""

    value: float
    standard_error: float | None


@dataclass(frozen=True)
class Partial:
    """The EVPPI of one lever or group: the estimate, the levers it covers and the regression's fit."""

    key: str
    label: str
    levers: tuple[str, ...]
    evppi: Estimate
    r_squared: float | None  #: R² of the fitted difference from the runner-up (1: the levers explain it fully)


def chosen_option(pv: np.ndarray) -> int:
    """Index of the option with the lowest expected present value: the one chosen on current information."""
    return int(np.argmin(pv.mean(axis=0)))


def expected_loss(pv: np.ndarray) -> list[Estimate]:
    """Each option's expected opportunity loss ``E[C_d − min_e C_e]`` (GBP) with its standard error ``s/√N``."""
    loss = pv - pv.min(axis=1, keepdims=True)
    n = pv.shape[0]
    return [Estimate(float(loss[:, d].mean()), float(loss[:, d].std(ddof=1) / np.sqrt(n)) if n > 1 else None)
            for d in range(pv.shape[1])]


def evpi(pv: np.ndarray) -> Estimate:
    """Expected value of perfect information, GBP: the expected loss of the option chosen now."""
    return expected_loss(pv)[chosen_option(pv)]


def spline_basis(x: np.ndarray, knots: int) -> Callable[[np.ndarray], np.ndarray]:
    """The natural cubic spline basis of a lever, without the constant, fixed on the draws ``x``: a function of draws.

    ``k`` distinct knots at the quantiles of ``x`` (standardised) give ``k − 1`` columns: ``N₁ = t``,
    ``N_{j+2} = d_j − d_{k−1}`` with ``d_j = ((t − ξ_j)₊³ − (t − ξ_k)₊³)/(ξ_k − ξ_j)`` (Hastie, Tibshirani &
    Friedman, *The Elements of Statistical Learning*, eq. 5.4-5.5). A lever with at most :data:`LEVELS`
    distinct values gets indicator columns instead (one mean per value); a constant one none.
    """
    values = np.unique(x)
    if values.size <= 1:
        return lambda v: np.zeros((v.size, 0))
    if values.size <= LEVELS:
        return lambda v: (v[:, None] == values[None, 1:]).astype(float)
    mean, sd = x.mean(), x.std()
    xi = np.unique(np.quantile((x - mean) / sd, np.linspace(0.0, 1.0, knots)))

    def basis(v: np.ndarray) -> np.ndarray:
        t = (v - mean) / sd
        if xi.size < 3:
            return t[:, None]
        last = xi[-1]
        cube_last = np.maximum(t - last, 0.0) ** 3
        d = [(np.maximum(t - k, 0.0) ** 3 - cube_last) / (last - k) for k in xi[:-1]]
        return np.column_stack([t] + [dj - d[-1] for dj in d[:-1]])
    return basis


def design(x: np.ndarray, interacting: list[int] | None = None) -> Callable[[np.ndarray], np.ndarray]:
    """The regression's columns for the levers in ``x`` (n × p), fixed on ``x``: a constant, each lever's
    spline, and the products of each pair of the ``interacting`` levers (standardised); a function of draws."""
    p = x.shape[1]
    knots = SINGLE_KNOTS if p == 1 else GROUP_KNOTS
    splines = [spline_basis(x[:, j], knots) for j in range(p)]
    chosen = list(range(p)) if interacting is None else interacting
    mean, sd = x[:, chosen].mean(axis=0), x[:, chosen].std(axis=0)
    sd = np.where(sd > 0, sd, 1.0)
    i, j = np.triu_indices(len(chosen), k=1)

    def columns(v: np.ndarray) -> np.ndarray:
        cols = [np.ones((v.shape[0], 1))] + [f(v[:, c]) for c, f in enumerate(splines)]
        if i.size:
            z = (v[:, chosen] - mean) / sd
            cols.append(z[:, i] * z[:, j])
        return np.hstack(cols)
    return columns


def _solve(gram: np.ndarray, xty: np.ndarray) -> np.ndarray:
    """Least-squares coefficients from the normal equations, with a whisker of ridge for repeated columns."""
    scale = np.maximum(np.diag(gram), 1e-300)
    g = gram / np.sqrt(np.outer(scale, scale))
    g[np.diag_indices_from(g)] += 1e-10
    return np.linalg.solve(g, xty / np.sqrt(scale)[:, None]) / np.sqrt(scale)[:, None]


def _gain(fitted: np.ndarray) -> float:
    """``mean(max(0, −min_e fitted_e))``: the regression estimate of EVPPI from fitted differences."""
    return float(np.maximum(0.0, -fitted.min(axis=1)).mean()) if fitted.shape[1] else 0.0


def interacting_levers(x: np.ndarray, diff: np.ndarray, limit: int = MAX_INTERACTING) -> list[int]:
    """The ``limit`` levers of ``x`` most correlated (in absolute value, best over the differences) with ``diff``."""
    if x.shape[1] <= limit:
        return list(range(x.shape[1]))
    xc, yc = x - x.mean(axis=0), diff - diff.mean(axis=0)
    denom = np.outer(np.sqrt((xc**2).sum(axis=0)), np.sqrt((yc**2).sum(axis=0)))
    corr = np.abs(xc.T @ yc) / np.where(denom > 0, denom, np.inf)
    return sorted(np.argsort(-corr.max(axis=1), kind="stable")[:limit].tolist())


def evppi(pv: np.ndarray, x: np.ndarray, batches: int = BATCHES) -> tuple[Estimate, float | None]:
    """EVPPI of the levers whose draws are ``x`` (n × p), GBP, and the R² of the fitted difference from the runner-up.

    ``pv`` is ``n × options`` present values of the same draws. See the module's docstring for the method.
    """
    n = pv.shape[0]
    d = chosen_option(pv)
    diff = np.delete(pv, d, axis=1) - pv[:, [d]]  # C_e − C_d*, n × (options − 1)
    if x.shape[1] == 0 or diff.shape[1] == 0:
        return Estimate(0.0, 0.0), None
    interacting = interacting_levers(x, diff) if x.shape[1] > 1 else None
    columns = design(x, interacting)
    batches = min(batches, n // (10 * columns(x[:1]).shape[1]))  # at least ten draws a coefficient in each
    cuts = np.linspace(0, n, batches + 1).astype(int) if batches >= 2 else np.array([0, n])
    parts = []
    for lo, hi in zip(cuts[:-1], cuts[1:]):
        X = columns(x[lo:hi])
        parts.append((X, X.T @ X, X.T @ diff[lo:hi]))
    beta = _solve(sum(p[1] for p in parts), sum(p[2] for p in parts))
    fitted = np.vstack([p[0] @ beta for p in parts])
    value = _gain(fitted)
    rival = int(np.argmin(diff.mean(axis=0)))  # the runner-up: the difference that decides most often
    total = float(((diff[:, rival] - diff[:, rival].mean()) ** 2).sum())
    r2 = 1.0 - float(((diff[:, rival] - fitted[:, rival]) ** 2).sum()) / total if total > 0 else None
    if len(parts) < 2:
        return Estimate(value, None), r2
    each = [_gain(X @ _solve(g, b)) for X, g, b in parts]
    return Estimate(value, float(np.std(each, ddof=1) / np.sqrt(len(each)))), r2


def partial_values(pv: np.ndarray, x: np.ndarray, keys: list[str], sets: list[tuple[str, str, tuple[str, ...]]],
                   batches: int = BATCHES, mapper=None) -> list[Partial]:
    """EVPPI for each ``(key, label, lever keys)`` in ``sets``; ``x`` holds the draws of the levers ``keys``.

    Levers of a set that were not drawn (fixed, or without a range) carry no uncertainty and are left out.
    ``mapper(fn, items)`` spreads the sets over threads (default: local threads; the regressions are
    small matrix products, best with one BLAS thread each — see :func:`costmodel.analysis.blas.one_blas_thread`).
    """
    index = {k: i for i, k in enumerate(keys)}

    def one(item):
        key, label, levers = item
        cols = [index[k] for k in levers if k in index]
        est, r2 = evppi(pv, x[:, cols], batches)
        return Partial(key, label, tuple(k for k in levers if k in index), est, r2)
    return list((mapper or local_map())(one, list(sets)))


@dataclass(frozen=True)
class ValueOfInformation:
    """Everything ``costmodel voi`` reports: GBP, real terms at the price base, present values."""

    options: tuple[str, ...]
    chosen: str
    draws: int
    seed: int
    evpi: Estimate
    expected_loss: dict[str, Estimate]
    levers: list[Partial]
    groups: list[Partial]
    mean_present_value: dict[str, float]


def check_levers(a: Assumptions, keys, drawn: list[str]) -> None:
    """Each key must be a lever that Monte Carlo draws; otherwise an input error saying why."""
    problems = []
    for k in keys:
        if k not in a.levers:
            problems.append(Problem("--lever", k, "unknown lever key" + lv.suggest(k, list(a.levers))))
        elif k not in drawn:
            problems.append(Problem("--lever", k, "is not drawn (it has no low-high range, is fixed by --set or a "
                                    "scenario, or is structural, a flag or an inflation rate): it carries no uncertainty"))
    if problems:
        raise AssumptionError(problems)


def value_of_information(a: Assumptions, draws: int, seed: int, mapper=None, levers=(), groups=(),
                         on_draws=None, lever_labels=None) -> ValueOfInformation:
    """EVPI, each option's expected loss and the EVPPI of each drawn lever and declared group from one Monte Carlo run.

    ``levers`` / ``groups`` restrict the partial values to those named (default: all). ``mapper``
    runs the blocks (local threads by default, or Dask): the same seed gives the same answer.
    """
    p = plan(a, draws, seed)
    keys = [d.key for d in p.drawn]
    problems = []
    for check in (lambda: check_levers(a, levers, keys), lambda: select(lever_groups(a), list(groups))):
        try:
            check()
        except AssumptionError as e:
            problems += e.problems
    if problems:
        raise AssumptionError(problems)
    chosen_groups = select(lever_groups(a), list(groups))
    mapper = ready(p, mapper)
    r = montecarlo(p, mapper, on_draws, keep_inputs=True)
    pv, x = r.present_value, r.inputs
    label = lever_labels or (lambda k: a.levers[k].label)
    singles = [(k, label(k), (k,)) for k in (levers or keys)]
    sets = [(g.key, g.label, g.levers) for g in chosen_groups]
    partial = partial_values(pv, x, keys, singles + sets)
    loss = expected_loss(pv)
    return ValueOfInformation(
        options=p.option_keys, chosen=p.option_keys[chosen_option(pv)], draws=p.draws, seed=seed, evpi=evpi(pv),
        expected_loss=dict(zip(p.option_keys, loss)),
        levers=sorted(partial[:len(singles)], key=lambda q: (-q.evppi.value, q.key)),
        groups=sorted(partial[len(singles):], key=lambda q: (-q.evppi.value, q.key)),
        mean_present_value={o: float(m) for o, m in zip(p.option_keys, pv.mean(axis=0))})
