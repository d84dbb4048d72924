"""Every option's present value for a pass of draws in one compiled loop (:mod:`costmodel.native`'s ``engine_v4``
or ``engine_v3``, the one this processor runs).

The kernel computes, several draws at a time, what :func:`costmodel.line_values.option_present_values` computes with
numpy passes over the draws: each draw's discounted grids (``general``, and ``pay`` and ``placements`` with
their relative price effects) as a few small tables, then each option's cost lines with the same closed
forms and guards, summed. This module hands it the levers it reads, in the fixed order below, as buffers of
1 number (the same in every draw) or ``S``, and what it would otherwise take logarithms, powers and exponentials
for one draw at a time, worked out here over the whole pass with numpy's vectorised functions (each weighted grid's
first level, the improvement scale, each option's legacy step-down), exactly as the numpy engine works them out.
So the kernel gives the numpy engine's figures bit for bit (tested, tests/native/test_native_engine.py). A Monte Carlo
lays these arguments out once a plan (:class:`PassTemplate`), each pass filling in only what its draws change. The numpy
engine stays the reference and the path for anything the kernel does not take (not built, a legacy step-down of
1 or more, a horizon over 100 years).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Mapping

import numpy as np

from . import discounted
from .cost_lines import improvement_scale
from .discounting import discount_factors
from .levers import PHASES
from .native import kernel
from .prices import Conversion, converted_draws


def _engine():
    """The compiled engine built for this processor's x86-64 level (AVX-512, else AVX2), or None: the numpy engine."""
    cpu = kernel("cpu")
    level = cpu.x86_64_level() if cpu is not None else 0
    for name, needs in (("engine_v4", 4), ("engine_v3", 3)):
        if level >= needs and (k := kernel(name)) is not None:
            return k
    return None


_KERNEL = _engine()  #: the compiled engine, or None: the numpy engine (:mod:`costmodel.line_values`)
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
def layout(options: tuple[tuple[str, bool, tuple[str, ...]], ...]):
    """``(shared keys, [(option key, improves, its keys, its support keys)], description)``: the lever keys the kernel
    takes (None: not read) and its option description (improves, support items) for options given as
    ``(key, improves, support)``: worked out once a plan."""
    per_option, description = [], []
    for key, improves, support in options:
        keys = tuple(f"options.{key}.{k}" if improves or k not in ONLY_IMPROVING else None for k in OPTION)
        extra = tuple(f"options.{key}.external_support.{name}.{k}" for name in support for k in SUPPORT)
        per_option.append((key, improves, keys, extra))
        description += [int(improves), len(support)]
    return SHARED, tuple(per_option), tuple(description)


def _year(x) -> int:
    return int(np.asarray(x).reshape(-1)[0])


def _floats(x) -> np.ndarray:
    return x if type(x) is np.ndarray and x.dtype == np.float64 else np.asarray(x, dtype=float)


def levels(v: Mapping[str, np.ndarray], power: float) -> list[np.ndarray]:
    """Each weighted grid's first level ``g^power`` (``g = 1 + relative price effect``), as
    :class:`costmodel.discounted.Discounted` works it out (:func:`costmodel.discounted.first_level`)."""
    return [discounted.first_level(1.0 + np.asarray(v[f"appraisal.relative_price.{index}"], dtype=float).reshape(-1), power)
            for index in ("pay", "placements")]  # the kernel's LEVEL_PAY, LEVEL_PLACEMENTS


def step_down_functions(years: int, starts: list, steps: list, S: int) -> list[list[np.ndarray]]:
    """Each option's legacy step-down ``log r``, ``expm1(log r)``, ``expm1((12 − j) log r)`` and
    ``exp((c − start) log r)`` for each draw (:func:`costmodel.discounted.decay_functions`, as the numpy engine works
    them out), every option's at once, ``len(starts) × S`` numbers a function."""
    return _functions(years, *_rows(starts, steps, S))


def _rows(starts: list, steps: list, S: int) -> tuple[np.ndarray, np.ndarray]:
    """The options' step-down starts and step-downs (each one number or ``S``) as rows, ``options × S`` each."""
    start, step = np.empty((len(starts), S)), np.empty((len(starts), S))
    for i in range(len(starts)):
        start[i], step[i] = starts[i], steps[i]
    return start, step


def _functions(years: int, start: np.ndarray, step: np.ndarray) -> list[list[np.ndarray]]:
    """:func:`step_down_functions` of the options' starts and step-downs as rows (``options × S``). A step-down of 1
    or more gives no real logarithm: the kernel hands such a pass back, so numpy's warnings are not raised here."""
    k, S = start.shape
    with np.errstate(all="ignore"):
        functions = discounted.decay_functions(years, start.reshape(-1, 1), step.reshape(-1, 1), np.empty((k * S, 1)))
    log_r, e1, em, ex = (f.reshape(k, S) for f in functions)
    return [[log_r[i], e1[i], em[i], ex[i]] for i in range(k)]


def _power(v: Mapping[str, np.ndarray]) -> float:
    """Years from the price base to the appraisal's start: the power of each weighted grid's first level."""
    return float(_year(v["appraisal.start_year"]) - _year(v["appraisal.price_base_year"]))  # as discounted_grids


def _scale(v: Mapping[str, np.ndarray]) -> np.ndarray:
    """The improvement scale (:func:`costmodel.cost_lines.improvement_scale`), one number or ``S``."""
    return _floats(improvement_scale(v["baseline.caseload.children_in_need"],
                                     v["baseline.improvement_scaling.reference_children_in_need"],
                                     v["baseline.improvement_scaling.elasticity"]))


def _starts_and_steps(per_option, v: Mapping[str, np.ndarray]) -> tuple[list, list]:
    """Each option's step-down start (month) and step-down a year: an improving option's mobilisation and step-down,
    business as usual's month 0 and the drift of legacy placements (a growth: a negative step-down)."""
    drift = -np.asarray(v["baseline.drift.legacy_placements_per_year"], dtype=float)  # business as usual's growth
    steps = [(v[f"options.{key}.mobilisation_months"], v[f"options.{key}.legacy.step_down_per_year"]) if improves
             else (0.0, drift) for key, improves, _, _ in per_option]
    return [a for a, _ in steps], [b for _, b in steps]


def _discount(horizon_years: int, v: Mapping[str, np.ndarray]) -> np.ndarray:
    """The discount factors, ``1 × years`` or ``S × years``, C-contiguous."""
    return np.ascontiguousarray(discount_factors(horizon_years, v["appraisal.discount_rate"],
                                                 v["appraisal.discount_rate_long"], v["appraisal.mid_year_discounting"]))


def inputs(options, horizon_years: int, v: Mapping[str, np.ndarray], S: int):
    """``(levers, description, discount factors)``: the kernel's arguments for a pass of ``S`` draws (KeyError for
    a lever ``v`` lacks)."""
    shared, per_option, description = layout(tuple((o.key, bool(o.improves), tuple(o.support)) for o in options))
    levers = [_floats(v[k]) for k in shared]
    levers += levels(v, _power(v))
    levers.append(_scale(v))
    step_downs = step_down_functions(horizon_years, *_starts_and_steps(per_option, v), S)
    for (key, improves, keys, extra), functions in zip(per_option, step_downs):
        levers += [_ZERO if k is None else _floats(v[k]) for k in keys]
        levers += functions
        levers += [_floats(v[k]) for k in extra]
    return levers, description, _discount(horizon_years, v)


def runs(horizon_years: int) -> bool:
    """Whether the compiled engine is built and takes a horizon this long (the step-down's exponents need
    :mod:`costmodel.discounted`'s kernel too)."""
    return _KERNEL is not None and discounted._KERNEL is not None and horizon_years <= MAX_YEARS


def present_values(options, horizon_years: int, v: Mapping[str, np.ndarray], S: int) -> np.ndarray | None:
    """Present value of every option, ``S × options``, GBP real at the price base, from the kernel (a new array);
    None where it is not built or does not take this pass (the numpy engine then runs)."""
    if not runs(horizon_years):
        return None
    try:
        levers, description, f = inputs(options, horizon_years, v, S)
    except KeyError:  # a lever the numpy engine may not need: let it decide
        return None
    out = np.empty((S, len(options)))
    return out if _KERNEL.present_values(levers, description, f, horizon_years, out) else None


LEVEL_INPUTS = ("appraisal.start_year", "appraisal.price_base_year", "appraisal.relative_price.pay",
                "appraisal.relative_price.placements")  #: what the weighted grids' first levels are worked out from
SCALE_INPUTS = ("baseline.caseload.children_in_need", "baseline.improvement_scaling.reference_children_in_need",
                "baseline.improvement_scaling.elasticity")  #: what the improvement scale is worked out from
DISCOUNT_INPUTS = ("appraisal.discount_rate", "appraisal.discount_rate_long", "appraisal.mid_year_discounting")


class PassTemplate:
    """The kernel's arguments for every pass of a Monte Carlo plan, worked out once: the lever list with each held
    lever's buffer in place and a gap where each drawn lever's column goes; the first levels, the improvement scale,
    the step-down functions and the discount factors too when none of their levers is drawn (else worked out each
    pass, by the same functions as :func:`inputs`). Each pass then converts only the drawn levers the kernel reads
    that need a price conversion and fills the gaps: :func:`inputs`' arrays, the same numbers (tested). One thread's:
    the step-downs' rows are rewritten each pass (:class:`costmodel.montecarlo.Costing` keeps one a thread)."""

    def __init__(self, options, horizon_years: int, conversion: Conversion, drawn):
        shared, self.per_option, self.description = layout(
            tuple((o.key, bool(o.improves), tuple(o.support)) for o in options))
        self.horizon_years, self.options = horizon_years, len(options)
        self.held, self.varying = conversion.held, set(drawn) | {key for key, _, _ in conversion.each_pass}
        self.levers, self.gaps, self.step_downs_at = [], [], []  # gaps: (position, drawn lever)
        self._put(shared)
        self.levels_at, self.scale_at = len(self.levers), len(self.levers) + 2
        self.levers += [None] * 3
        for key, improves, keys, extra in self.per_option:
            self._put(keys)
            self.step_downs_at.append(len(self.levers))
            self.levers += [None] * 4
            self._put(extra)
        step_inputs = [(f"options.{key}.mobilisation_months", f"options.{key}.legacy.step_down_per_year") if improves
                       else ("baseline.drift.legacy_placements_per_year",) for key, improves, _, _ in self.per_option]
        steps = {k for inputs in step_inputs for k in inputs}
        derived = set(LEVEL_INPUTS) | set(SCALE_INPUTS) | steps | set(DISCOUNT_INPUTS)
        if derived - self.held.keys() - self.varying:
            raise KeyError(sorted(derived - self.held.keys() - self.varying)[0])
        self.levels_vary, self.scale_varies, self.discount_varies = (
            not self.varying.isdisjoint(inputs) for inputs in (LEVEL_INPUTS, SCALE_INPUTS, DISCOUNT_INPUTS))
        self._derive(self.levers, self.held, held=True)
        self.drawn_steps = [i for i, inputs in enumerate(step_inputs) if not self.varying.isdisjoint(inputs)]
        self.step_rows = {}  #: pass size → each option's step-down start and step-down (rows), the held ones filled
        self.held_step_downs = {}  #: pass size → the step-down functions, when none of their levers is drawn
        self.factors = None if self.discount_varies else _discount(horizon_years, self.held)
        reads = {key for _, key in self.gaps} | (derived & self.varying)
        self.conversion = Conversion(self.held, tuple(c for c in conversion.each_pass if c[0] in reads),
                                     conversion.base_year)

    def _put(self, keys) -> None:
        """Each lever's buffer (:data:`_ZERO` for None), or a gap for a drawn one (KeyError: a lever held lacks)."""
        for key in keys:
            if key is not None and key in self.varying:
                self.gaps.append((len(self.levers), key))
                self.levers.append(None)
            else:
                self.levers.append(_ZERO if key is None else _floats(self.held[key]))

    def _derive(self, levers: list, v: Mapping[str, np.ndarray], held: bool) -> None:
        """The first levels and the improvement scale into their places in ``levers``, from ``v``: those none of
        whose levers is drawn when ``held`` (once a plan), the others when not (each pass)."""
        if self.levels_vary is not held:
            levers[self.levels_at:self.levels_at + 2] = levels(v, _power(v))
        if self.scale_varies is not held:
            levers[self.scale_at] = _scale(v)

    def arguments(self, drawn: Mapping[str, np.ndarray], S: int) -> tuple[list[np.ndarray], np.ndarray]:
        """``(levers, discount factors)`` for a pass of ``S`` draws: :func:`inputs`' arrays for ``drawn`` (each drawn
        lever's column as published) over the held levers."""
        v = converted_draws(self.conversion, drawn)  # the drawn levers, reading the held ones for the others
        levers = self.levers.copy()
        for at, key in self.gaps:
            levers[at] = _floats(v[key])
        self._derive(levers, v, held=False)
        for at, functions in zip(self.step_downs_at, self._step_downs(v, S)):
            levers[at:at + 4] = functions
        return levers, _discount(self.horizon_years, v) if self.discount_varies else self.factors

    def _step_downs(self, v: Mapping[str, np.ndarray], S: int) -> list[list[np.ndarray]]:
        """:func:`step_down_functions` for a pass of ``S`` draws: the options' starts and step-downs as rows, those of
        the held levers filled once, the drawn ones each pass; the functions once when none is drawn."""
        if (functions := self.held_step_downs.get(S)) is not None:
            return functions
        if (rows := self.step_rows.get(S)) is None:
            rows = self.step_rows[S] = _rows(*_starts_and_steps(self.per_option, self.held), S)
        if not self.drawn_steps:
            functions = self.held_step_downs[S] = _functions(self.horizon_years, *rows)
            return functions
        starts, steps = _starts_and_steps(self.per_option, v)
        for i in self.drawn_steps:
            rows[0][i], rows[1][i] = starts[i], steps[i]
        return _functions(self.horizon_years, *rows)

    def __call__(self, drawn: Mapping[str, np.ndarray], S: int) -> np.ndarray | None:
        """Present value of every option, ``S × options`` GBP real at the price base, for a pass of ``S`` draws,
        as :func:`present_values` of them over the held levers; None where the kernel does not take the pass (the
        caller then runs the numpy engine)."""
        if not runs(self.horizon_years):
            return None
        levers, f = self.arguments(drawn, S)
        out = np.empty((S, self.options))
        return out if _KERNEL.present_values(levers, self.description, f, self.horizon_years, out) else None


def pass_template(options, horizon_years: int, conversion: Conversion, drawn) -> PassTemplate | None:
    """A :class:`PassTemplate` for a plan drawing the levers ``drawn`` (``conversion``: its price conversion), or
    None where the compiled engine is not built, the horizon is too long or a lever the kernel reads is missing."""
    if not runs(horizon_years):
        return None
    try:
        return PassTemplate(options, horizon_years, conversion, drawn)
    except KeyError:  # a lever the numpy engine may not need: let it decide, pass by pass
        return None
