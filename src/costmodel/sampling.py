"""Monte Carlo sampling of levers: PERT (default) or triangular on each lever's low / central / high.

Reproducibility: draws are generated in fixed blocks of :data:`BLOCK` draws, block ``i`` from its own
seed ``SeedSequence(seed).spawn(n)[i]``, and each lever draws from its own stream within the block,
``SeedSequence(seed, spawn_key=(i, crc32(key)))``. So draw ``j`` of a lever has the same value
whatever the chunk size, the threads or the cluster, and whichever other levers are drawn or fixed
(``--set``, scenarios): comparisons between runs use common random numbers. So draw ``j`` has the same value whatever the chunk size, the
number of threads or the cluster that computes it.

Correlations (``correlations:`` in ``scenarios.yaml``) are rank correlations imposed within each
block by the Iman–Conover method: levers are drawn independently, then reordered so their ranks follow
correlated normal scores. Each marginal distribution is unchanged; only the pairing moves. Format::

    correlations:
      - levers: [options.in_house.improvement.total, options.trust.improvement.total]
        rho: 0.6            # Spearman rank correlation, -1 < rho < 1
        reason: Why these move together.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from .assumptions import AssumptionError, Assumptions, Problem

BLOCK = 65_536  #: draws per random stream; fixed so results never depend on chunking
DISTRIBUTIONS = ("pert", "triangular")


@dataclass(frozen=True)
class Drawn:
    """One lever drawn at random: its key and low / central / high (same unit as the lever)."""

    key: str
    low: float
    central: float
    high: float
    integer: bool = False


def drawn_levers(a: Assumptions) -> tuple[list[Drawn], list[str]]:
    """Levers with a range (low < high) that Monte Carlo draws, and the ranged ones it holds at central.

    Structural levers (horizon, start and price-base years) shape the model and flags are yes/no
    choices: neither is drawn, they stay at their central value.
    """
    drawn, held = [], []
    for key in sorted(a.levers):
        lever = a.levers[key]
        if None in (lever.low, lever.central, lever.high) or lever.low == lever.high:
            continue
        spec = lever.spec
        if spec.structural or lever.unit == "flag":
            held.append(key)
            continue
        drawn.append(Drawn(key, float(lever.low), float(lever.central), float(lever.high), bool(spec.integer)))
    return drawn, held


def pert_shape(d: Drawn) -> tuple[float, float]:
    """PERT's beta parameters: ``1 + 4 (c − a)/(b − a)`` and ``1 + 4 (b − c)/(b − a)`` (mean ``(a + 4c + b)/6``)."""
    span = d.high - d.low
    return 1.0 + 4.0 * (d.central - d.low) / span, 1.0 + 4.0 * (d.high - d.central) / span


def correlation_matrix(a: Assumptions, drawn: list[Drawn]) -> np.ndarray | None:
    """The target rank-correlation matrix over ``drawn`` from ``a.extra['correlations']`` (None if none).

    Raises :class:`AssumptionError` naming ``scenarios.yaml`` and the entry for a bad declaration.
    """
    raw = a.extra.get("correlations") if a.extra else None
    if not raw:
        return None
    where = "scenarios.yaml correlations"
    index = {d.key: i for i, d in enumerate(drawn)}
    R = np.eye(len(drawn))
    problems = []
    if not isinstance(raw, list):
        raise AssumptionError([Problem(where, "correlations", "expected a list of {levers: [KEY, KEY], rho: NUMBER}")])
    for n, item in enumerate(raw):
        tag = f"entry {n + 1}"
        if not isinstance(item, dict) or set(item) - {"levers", "rho", "reason"} or "levers" not in item or "rho" not in item:
            problems.append(Problem(where, tag, "expected {levers: [KEY, KEY], rho: NUMBER, reason: TEXT}"))
            continue
        keys, rho = item["levers"], item["rho"]
        if not (isinstance(keys, list) and len(keys) == 2 and all(isinstance(k, str) for k in keys) and keys[0] != keys[1]):
            problems.append(Problem(where, tag, "levers must be a list of two different lever keys"))
            continue
        if isinstance(rho, bool) or not isinstance(rho, (int, float)) or not -1.0 < float(rho) < 1.0:
            problems.append(Problem(where, tag, f"rho must be a number strictly between -1 and 1, got {rho!r}"))
            continue
        for k in keys:
            if k not in a.levers:
                problems.append(Problem(where, k, "unknown lever key"))
            elif a.levers[k].spec.structural or a.levers[k].unit == "flag":
                problems.append(Problem(where, k, "is structural or a flag: it is never drawn, so it cannot be correlated"))
        if any(k not in index for k in keys):
            continue  # a lever fixed at one value (no range, --set or a scenario) is not drawn: nothing to correlate
        i, j = index[keys[0]], index[keys[1]]
        R[i, j] = R[j, i] = float(rho)
    if problems:
        raise AssumptionError(problems)
    pearson = 2.0 * np.sin(np.pi * R / 6.0)  # normal scores' correlation giving Spearman rho
    np.fill_diagonal(pearson, 1.0)
    if np.linalg.eigvalsh(pearson).min() <= 1e-10:
        raise AssumptionError([Problem(where, "correlations", "the declared correlations are not consistent "
                                       "(the matrix is not positive definite): lower some rho values")])
    return pearson


CORRELATION_STREAM = 2**32  #: spawn key of the correlation scores' stream (crc32 values are below it)


def lever_rng(seed: int, block: int, key: str) -> np.random.Generator:
    """The stream of one lever in one block: ``SeedSequence(seed, spawn_key=(block, crc32(key)))``."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(block, zlib.crc32(key.encode()))))


def draw_block(drawn: list[Drawn], seed: int, block: int, size: int, distribution: str = "pert",
               correlation: np.ndarray | None = None) -> np.ndarray:
    """Draws of block ``block``, ``size × len(drawn)`` (``size`` is :data:`BLOCK` except for the last block).

    The first ``k`` draws of a block do not depend on ``size``, only on ``seed`` and ``block``: each
    lever's stream is consumed in order, and with correlations the whole block is drawn and cut.
    """
    if distribution not in DISTRIBUTIONS:
        raise ValueError(f"distribution must be one of {DISTRIBUTIONS}, got {distribution!r}")
    n = size if correlation is None else BLOCK  # ranks use the whole block
    out = np.empty((n, len(drawn)), order="F")  # each lever contiguous: the engine reads columns
    for j, d in enumerate(drawn):
        rng = lever_rng(seed, block, d.key)
        if distribution == "pert":
            alpha, beta = pert_shape(d)
            out[:, j] = d.low + (d.high - d.low) * rng.beta(alpha, beta, n)
        else:
            out[:, j] = rng.triangular(d.low, d.central, d.high, n)
    if correlation is not None:
        out = iman_conover(out, correlation, np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(block, CORRELATION_STREAM))))
    for j, d in enumerate(drawn):
        if d.integer:
            out[:, j] = np.clip(np.rint(out[:, j]), np.ceil(d.low), np.floor(d.high))
    return out[:size]


def iman_conover(x: np.ndarray, pearson: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Reorder each column of ``x`` (n × k) so its ranks follow normal scores with correlation ``pearson``.

    Only columns that take part in a correlation are reordered; the others keep their order.
    """
    involved = np.flatnonzero(np.abs(pearson - np.eye(len(pearson))).sum(axis=0) > 0)
    if involved.size == 0:
        return x
    sub = pearson[np.ix_(involved, involved)]
    scores = rng.standard_normal((x.shape[0], involved.size)) @ np.linalg.cholesky(sub).T
    out = x.copy()
    for col, j in enumerate(involved):
        out[np.argsort(scores[:, col]), j] = np.sort(x[:, j])  # the r-th smallest draw goes where the r-th smallest score is
    return out
