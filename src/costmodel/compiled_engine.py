"""Every option's present value for a pass of draws in one compiled loop (:mod:`costmodel.native.engine`).

The kernel computes, draw by draw, what :func:`costmodel.line_values.option_present_values` computes with
numpy passes over the draws: each draw's discounted grids (``general``, and ``pay`` and ``placements`` with
their relative price effects) as a few small tables, then each option's cost lines with the same closed
forms and guards, summed. This module hands it the levers it reads, in the fixed order below, as buffers of
1 number (the same in every draw) or ``S``; the numpy engine stays the reference and the path for anything
the kernel does not take (not built, a legacy step-down of 1 or more, a horizon over 100 years).
Tested against the numpy engine to 1e-12 relative (tests/native/test_native_engine.py).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Mapping

import numpy as np

from .discounting import discount_factors
from .levers import PHASES
from .native import kernel

_KERNEL = kernel("engine")  #: the compiled engine, or None: the numpy engine (:mod:`costmodel.line_values`)
MAX_YEARS = 100  #: the kernel's longest horizon (its tables are small arrays on the stack)

#: The levers every option shares, in the order of the kernel's first enum.
SHARED = tuple(f"baseline.{k}" for k in (
    "social_workers.salary", "social_workers.on_cost_rate", "caseload.children_in_need",
    "caseload.target_per_case_holder", "social_workers.case_holding_share", "social_workers.fte",
    "improvement_scaling.reference_children_in_need", "improvement_scaling.elasticity")) \
    + tuple(f"journey.{p}_months" for p in PHASES) \
    + tuple(f"baseline.{k}" for k in (
        "outset_spend", "social_workers.agency_premium", "interim_leaders.count", "interim_leaders.day_rate",
        "interim_leaders.days_per_year", "social_workers.agency_share", "drift.agency_share_per_year",
        "legacy_placements.count", "legacy_placements.floor", "legacy_placements.replacement_weekly_cost",
        "drift.legacy_placements_per_year")) \
    + ("appraisal.weeks_per_year", "baseline.legacy_placements.weekly_cost", "baseline.senior_team.annual_cost",
       "baseline.support_services.annual_cost", "appraisal.relative_price.pay", "appraisal.relative_price.placements")

#: An option's levers (after ``options.<key>.``), in the order of the kernel's second enum; then 3 a support item.
OPTION = ("mobilisation_months", "set_up.amount", "set_up.optimism_bias", "set_up.months", "set_up.start_month",
          "transitional.amount", "transitional.team_fte", "transitional.team_cost", "transitional.months",
          "transitional.legal", "transitional.due_diligence", "transitional.optimism_bias", "transitional.start_month",
          "improvement.net_of_caseload_uplift", "improvement.total", "improvement.optimism_bias",
          *(f"improvement.phase_split.{p}" for p in PHASES),
          "workforce.agency_share_target", "workforce.years_to_target", "leadership.interim_end_month",
          "leadership.management_fee", "leadership.partnership_months", "governance.annual_cost",
          "back_office.annual_cost", "client_side.annual_cost", "legacy.step_down_per_year",
          "leadership.senior_team_saving", "back_office.council_support_released", "efficiency.rate",
          "efficiency.from_year")
ONLY_IMPROVING = {"mobilisation_months", "workforce.agency_share_target", "workforce.years_to_target",
                  "legacy.step_down_per_year"}  #: read only when the option improves (business as usual has its drift)
SUPPORT = ("months", "annual_cost", "start_month")
_ZERO = np.zeros(1)  #: a lever the kernel does not read for this option


@lru_cache(maxsize=32)
def layout(options: tuple[tuple[str, bool, tuple[str, ...]], ...]) -> tuple[tuple[str | None, ...], tuple[int, ...]]:
    """The lever keys the kernel takes (None: not read) and its option description (improves, support items)
    for options given as ``(key, improves, support)``: worked out once a plan."""
    keys, description = list(SHARED), []
    for key, improves, support in options:
        keys += [f"options.{key}.{k}" if improves or k not in ONLY_IMPROVING else None for k in OPTION]
        keys += [f"options.{key}.external_support.{name}.{k}" for name in support for k in SUPPORT]
        description += [int(improves), len(support)]
    return tuple(keys), tuple(description)


def _year(x) -> int:
    return int(np.asarray(x).reshape(-1)[0])


def _floats(x) -> np.ndarray:
    return x if type(x) is np.ndarray and x.dtype == np.float64 else np.asarray(x, dtype=float)


def present_values(options, horizon_years: int, v: Mapping[str, np.ndarray], S: int) -> np.ndarray | None:
    """Present value of every option, ``S × options``, GBP real at the price base, from the kernel (a new array);
    None where it is not built or does not take this pass (the numpy engine then runs)."""
    if _KERNEL is None or horizon_years > MAX_YEARS:
        return None
    keys, description = layout(tuple((o.key, bool(o.improves), tuple(o.support)) for o in options))
    try:
        levers = [_ZERO if k is None else _floats(v[k]) for k in keys]
    except KeyError:  # a lever the numpy engine may not need: let it decide
        return None
    f = np.ascontiguousarray(discount_factors(horizon_years, v["appraisal.discount_rate"],
                                              v["appraisal.discount_rate_long"], v["appraisal.mid_year_discounting"]))
    power = _year(v["appraisal.start_year"]) - _year(v["appraisal.price_base_year"])  # as line_values.discounted_grids
    out = np.empty((S, len(options)))
    return out if _KERNEL.present_values(levers, description, f, horizon_years, float(power), out) else None
