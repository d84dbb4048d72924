"""Sentences a chief executive can read, from the value of information, Sobol indices and scenario discovery.

Pounds as £m to two decimals (:func:`costmodel.render.tables.money_m`), each estimate with its Monte
Carlo standard error; an estimate within two standard errors of zero is called what it is.
"""
from __future__ import annotations

import numpy as np

from ..voi import Estimate, ValueOfInformation


def money(x: float) -> str:
    """Pounds in words' scale: £1.23m, £530k, £120."""
    if abs(x) >= 1e6:
        return f"£{x / 1e6:,.2f}m"
    if abs(x) >= 1e4:
        return f"£{x / 1e3:,.0f}k"
    return f"£{x:,.0f}"


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() or len(text) < 2 else text


def with_error(e: Estimate) -> str:
    """``£1.23m (± £0.04m)``; no ± when the error is unknown."""
    return money(e.value) + ("" if e.standard_error is None else f" (± {money(e.standard_error)})")


def negligible(e: Estimate) -> bool:
    """Within two standard errors of zero (or exactly zero)."""
    return e.value == 0.0 or (e.standard_error is not None and e.value < 2.0 * e.standard_error)


def worth(label: str, e: Estimate, lever: bool = False) -> str:
    """"Resolving the legacy placements before deciding is worth up to £0.53m (± £0.01m)."."""
    what = f"Knowing “{label}” exactly" if lever else f"Resolving {lower_first(label)}"
    if negligible(e):
        return f"{what} before deciding is worth next to nothing: {with_error(e)}, within its Monte Carlo error of zero."
    return f"{what} before deciding is worth up to {with_error(e)}."


def voi_sentences(v: ValueOfInformation, labels: dict[str, str], top: int = 3) -> list[str]:
    """The EVPI in words, then the groups (and levers) worth most, largest first."""
    chosen = labels.get(v.chosen, v.chosen)
    out = [f"On what is known now, {chosen} has the lowest expected cost (present value {money(v.mean_present_value[v.chosen])}). "
           f"Choosing it now costs {with_error(v.evpi)} more on average than choosing with perfect foresight in each "
           f"future: resolving every uncertainty before deciding is worth up to {money(v.evpi.value)} (the EVPI, "
           f"{v.draws:,} draws)."]
    if v.evpi.value == 0.0:
        out.append("It is the cheapest in every draw, so no information could change the decision.")
        return out
    out += [worth(g.label, g.evppi) for g in v.groups[:top]]
    out += [worth(p.label, p.evppi, lever=True) for p in v.levers[:top] if not negligible(p.evppi)]
    return out


def sobol_sentences(s, top: int = 3) -> list[str]:
    """Which levers drive the difference between the two leading options, as shares of its variance."""
    out = s.outputs.get(s.headline)
    if out is None:
        return [f"The difference between the two leading options does not vary in these {s.runs:,} runs: nothing to share out."]
    order = sorted(range(len(s.labels)), key=lambda i: -out["total"][i])[:top]
    parts = [f"“{s.labels[i]}” {out['first'][i]:.0%} alone, {out['total'][i]:.0%} with its interactions" for i in order]
    unexplained = 1.0 - float(np.sum(out["first"]))
    return [f"Of the uncertainty in {s.output_labels[s.headline]}, the largest shares of its variance are: "
            + "; ".join(parts) + f" (Sobol indices from {s.runs:,} model runs).",
            f"Interactions between levers account for about {max(unexplained, 0.0):.0%} of the variance "
            "(one minus the sum of the first-order indices)."]
