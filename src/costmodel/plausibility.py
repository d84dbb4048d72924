"""Warnings, not errors: values that validate but that a reviewer should look at before relying on them.

* An optimism-bias uplift outside the bounds of its Green Book category (HM Treasury supplementary
  guidance): every value of the lever (low, central, high) is checked against the category named on
  its record; an uplift with a cost but no category is named too.
* Improvement cost put in the sustain phase, after the safe-core month: the Isos estimate is the cost
  to reach a safe core service (rule 2 in docs/defaults.md).
* A source with neither a URL nor a stable identifier.

Each warning is a :class:`Problem` (where, key, message); ``costmodel validate`` prints them. Pure.
"""
from __future__ import annotations

from . import levers as lv
from .errors import Problem


def warnings(a) -> list[Problem]:
    """Every warning for an assumption set, in lever order."""
    return optimism_bias_warnings(a) + sustain_warnings(a) + source_warnings(a)


def optimism_bias_warnings(a) -> list[Problem]:
    """An optimism-bias lever outside its category's lower / upper bound, or a costed one-off without a category."""
    out = []
    for o in a.options:
        for part in lv.ONE_OFF_PARTS:
            key = f"options.{o.key}.{part}.optimism_bias"
            lever = a.levers[key]
            values = [x for x in (lever.low, lever.central, lever.high) if x is not None]
            if lever.category is None:
                if any(values) and _has_cost(a, o.key, part):
                    out.append(Problem(lever.where, key, "no Green Book category (category: on the record) to judge "
                                                         f"the uplift against ({', '.join(lv.OB_CATEGORIES)})"))
                continue
            label, lower, upper = lv.OB_CATEGORIES[lever.category]
            outside = sorted({x for x in values if x < lower - 1e-12 or x > upper + 1e-12})
            if outside:
                shown = ", ".join(f"{x:.0%}" for x in outside)
                out.append(Problem(lever.where, key, f"{shown} is outside the {label} bounds of {lower:.0%} to {upper:.0%} "
                                                     "(HM Treasury optimism bias guidance): say why in the reasoning"))
    return out


def _has_cost(a, option: str, part: str) -> bool:
    keys = {"set_up": ("set_up.amount",), "improvement": ("improvement.total",),
            "transitional": ("transitional.amount", "transitional.legal", "transitional.due_diligence", "transitional.team_fte")}
    return any((a.levers[f"options.{option}.{k}"].high or 0) > 0 for k in keys[part])


def sustain_warnings(a) -> list[Problem]:
    """Improvement cost in the sustain phase: after the safe-core month, so outside the cost to reach it."""
    out = []
    for o in a.options:
        key = f"options.{o.key}.improvement.phase_split.sustain"
        lever = a.levers[key]
        if o.improves and lever.central and (a.levers[f"options.{o.key}.improvement.total"].high or 0) > 0:
            out.append(Problem(lever.where, key, f"{lever.central:.0%} of the improvement cost falls in sustain, after the "
                                                 "safe-core month: the Isos 3 to 15 million pound estimate is the cost to "
                                                 "reach a safe core service (rule 2, docs/defaults.md)"))
    return out


def source_warnings(a) -> list[Problem]:
    """Sources a reader cannot find: neither a URL nor a stable identifier."""
    return [Problem("sources.yaml", f"sources.{s.key}", "no url or identifier: a reader cannot find it")
            for s in a.sources.values() if not s.url and not s.identifier]
