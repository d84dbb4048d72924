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


def worth(label: str, e: Estimate, lever: bool = False, varies: bool = True) -> str:
    """"Resolving the legacy placements before deciding is worth up to £0.53m (± £0.01m)."."""
    what = f"Knowing “{label}” exactly" if lever else f"Resolving {lower_first(label)}"
    if not varies:
        return f"{what} is worth nothing here: none of its assumptions varies (they are fixed, or have no low-high range)."
    if negligible(e):
        return f"{what} before deciding is worth next to nothing: {with_error(e)}, within its Monte Carlo error of zero."
    return f"{what} before deciding is worth up to {with_error(e)}."


def voi_sentences(v: ValueOfInformation, labels: dict[str, str], top: int = 3) -> list[str]:
    """The EVPI in words, then the groups (and levers) worth most, largest first."""
    chosen = labels.get(v.chosen, v.chosen)
    out = [f"On what is known now, {chosen} has the lowest expected cost across the simulated futures (average present value "
           f"{money(v.mean_present_value[v.chosen])}). "
           f"Choosing it now costs {with_error(v.evpi)} more on average than choosing with perfect foresight in each "
           f"future: resolving every uncertainty before deciding is worth up to {money(v.evpi.value)} (the EVPI, "
           f"{v.draws:,} draws)."]
    if v.evpi.value == 0.0:
        out.append("It is the cheapest in every draw, so no information could change the decision.")
        return out
    out += [worth(g.label, g.evppi, varies=bool(g.levers)) for g in v.groups[:top]]
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


def lever_value(value: float, unit: str) -> str:
    """A lever value as a reader writes it: £5,500 a week, 24%, 14 months, 30 children."""
    if unit in ("GBP", "GBP/yr", "GBP/week", "GBP/day"):
        return money(value) + {"GBP": "", "GBP/yr": " a year", "GBP/week": " a week", "GBP/day": " a day"}[unit]
    if unit.startswith("fraction"):
        return f"{value:.0%}" + (" a year" if unit.endswith("/yr") else "")
    number = f"{value:,.0f}" if abs(value) >= 100 or float(value).is_integer() else f"{value:,.1f}"
    return {"month": f"month {number}", "months": f"{number} months", "years": f"{number} years"}.get(unit, f"{number} {unit}")


def restriction_words(r) -> str:
    """One lever's range inside the box: "“X” is above A", "below B" or "between A and B"."""
    tol = 0.03 * (r.high - r.low)  # a cut of under 3% of the range is no real restriction on that side
    low_cut, high_cut = r.box_low > r.low + tol, r.box_high < r.high - tol
    lo, hi = lever_value(r.box_low, r.unit), lever_value(r.box_high, r.unit)
    if low_cut and high_cut:
        return f"“{r.label}” is between {lo} and {hi}"
    if low_cut:
        return f"“{r.label}” is above {lo}"
    return f"“{r.label}” is below {hi}"


def discovery_sentences(d) -> list[str]:
    """Where an option is cheapest, in words: the box, its coverage and density."""
    name = d.option_label
    if d.wins == 0.0:
        return [f"{name} is not the cheapest in any of the {d.draws:,} draws: no region of the ranges favours it."]
    if d.wins == 1.0:
        return [f"{name} is the cheapest in every one of the {d.draws:,} draws, whatever the levers do."]
    share = f"{name} is the cheapest in {d.wins:.0%} of {d.draws:,} draws."
    if not d.restrictions:
        return [share, "No range of any lever picks out where it wins: its wins are spread across the ranges."]
    where = " and ".join(restriction_words(r) for r in d.restrictions)
    text = (f"{name} is cheapest when {where}: that region holds {d.coverage:.0%} of the draws where it wins "
            f"(coverage), and it wins in {d.density:.0%} of the draws inside it (density); {d.mass:.0%} of all draws fall there.")
    if d.density < 0.5:
        text += " Its wins are spread out: no simple region of three levers or fewer is mostly wins."
    return [share, text]
