"""The lever catalogue: every input's dotted key, unit, bounds and default — the single source of truth.

The same key names a lever in the assumption files, in ``--set KEY=VALUE``, in scenarios, as a
workbook defined name (dots become underscores), in tornado labels and in error messages.
Option levers are written ``options.*.…`` and external-support items ``options.*.external_support.*.…``;
``*`` stands for an option key or an item name chosen by the user.
"""
from __future__ import annotations

import difflib
import math
from dataclasses import dataclass

from . import limits as lim

#: The closed unit vocabulary. Every lever in an assumption file states one of these.
UNITS: dict[str, str] = {
    "GBP": "pounds, one-off",
    "GBP/yr": "pounds a year",
    "GBP/week": "pounds a week",
    "GBP/day": "pounds a day",
    "fraction": "a share, 0.035 not 3.5",
    "fraction/yr": "a share a year, 0.035 not 3.5",
    "FTE": "full-time equivalent posts",
    "children": "number of children",
    "children/FTE": "children per full-time social worker",
    "people": "number of people",
    "days/yr": "days a year",
    "weeks/yr": "weeks a year",
    "month": "a month number counted from month 0 = April of the start year",
    "months": "a number of months",
    "year": "a financial year, named by the calendar year it starts in (2025 = 2025-26)",
    "years": "a number of years",
    "year index": "a year counted from year 0 = the start year",
    "flag": "true or false",
}

#: Units that mean money: a lever in one of these must state its price base.
MONEY_UNITS = frozenset({"GBP", "GBP/yr", "GBP/week", "GBP/day"})

REQUIRED = object()  # default marker: the lever must be given


@dataclass(frozen=True)
class LeverSpec:
    """What the catalogue knows about one lever key (or key pattern)."""

    pattern: str
    unit: str
    label: str
    default: object = REQUIRED
    minimum: float | None = 0.0
    maximum: float | None = None
    integer: bool = False
    nullable: bool = False
    structural: bool = False  # shapes the model (horizon, years): one value, not varied by scenario
    is_month: bool = False  # a month number: must lie inside the horizon

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def matches(self, key: str) -> bool:
        parts, pat = key.split("."), self.pattern.split(".")
        return len(parts) == len(pat) and all(p == "*" or p == k for p, k in zip(pat, parts))

    @property
    def limits(self) -> tuple[float, float]:
        """Hard bounds: a value outside them is refused (the catalogue's own, else the unit's, see :mod:`costmodel.limits`)."""
        hi = self.maximum if self.maximum is not None else lim.HARD_MAXIMUM.get(self.unit, math.inf)
        lo = self.minimum if self.minimum is not None else -hi
        return float(lo), float(hi)

    @property
    def plausible(self) -> tuple[float, float]:
        """Plausible range: a value outside it is accepted with a warning."""
        return lim.plausible_range(self.pattern, self.unit, self.limits)

    def bounds_text(self) -> str:
        lo, hi = self.limits
        return f"{lo:g} to {hi:g}"


def _l(pattern, unit, label, default=REQUIRED, minimum=0.0, maximum=None, **kw) -> LeverSpec:
    if unit == "fraction" and maximum is None:
        maximum = 1.0
    if unit == "fraction/yr" and maximum is None:
        maximum = 1.0
    if unit == "flag":
        minimum, maximum = 0.0, 1.0
    if unit == "month":
        kw.setdefault("is_month", True)
    return LeverSpec(pattern, unit, label, default, minimum, maximum, **kw)


CATALOGUE: tuple[LeverSpec, ...] = (
    # appraisal.yaml
    _l("appraisal.price_base_year", "year", "Financial year of the real price base", minimum=1990, maximum=2100, integer=True, structural=True),
    _l("appraisal.start_year", "year", "First financial year of the appraisal (month 0 = April of it)", minimum=1990, maximum=2100, integer=True, structural=True),
    _l("appraisal.horizon_years", "years", "Appraisal period", 10, minimum=1, maximum=75, integer=True, structural=True),
    _l("appraisal.discount_rate", "fraction/yr", "Real discount rate, years 1 to 30 (Green Book 3.5%)", 0.035),
    _l("appraisal.discount_rate_long", "fraction/yr", "Real discount rate, years 31 to 75 (Green Book 3.0%)", 0.030),
    _l("appraisal.mid_year_discounting", "flag", "Discount each year's costs from mid-year (PFI convention) instead of the start of the year", 0),
    _l("appraisal.weeks_per_year", "weeks/yr", "Weeks in a year, to annualise weekly costs", 365 / 7, minimum=1, maximum=53),
    _l("appraisal.inflation.pay", "fraction/yr", "Pay inflation, for nominal outputs only", 0.0, minimum=-0.5, maximum=0.5),
    _l("appraisal.inflation.placements", "fraction/yr", "Placement price inflation, for nominal outputs only", 0.0, minimum=-0.5, maximum=0.5),
    _l("appraisal.inflation.general", "fraction/yr", "General inflation (GDP deflator), for nominal outputs only", 0.0, minimum=-0.5, maximum=0.5),
    # baseline.yaml
    _l("baseline.outset_spend", "GBP/yr", "Children's social care spend at the outset, net of the lines modelled separately"),
    _l("baseline.social_workers.fte", "FTE", "Children's social workers"),
    _l("baseline.social_workers.salary", "GBP/yr", "Average social worker salary"),
    _l("baseline.social_workers.on_cost_rate", "fraction", "Employer on-costs (national insurance, pension) as a share of salary"),
    _l("baseline.social_workers.agency_share", "fraction", "Share of social worker posts filled by agency staff at the outset"),
    _l("baseline.social_workers.agency_premium", "fraction", "Premium of an agency worker over the employed cost", maximum=3.0),
    _l("baseline.caseload.children_in_need", "children", "Children in need (the caseload)"),
    _l("baseline.caseload.target_per_worker", "children/FTE", "Manageable caseload per social worker", minimum=1.0),
    _l("baseline.legacy_placements.count", "children", "Children in expensive legacy (out-of-area) placements at the outset"),
    _l("baseline.legacy_placements.weekly_cost", "GBP/week", "Weekly cost of a legacy placement"),
    _l("baseline.legacy_placements.replacement_weekly_cost", "GBP/week", "Weekly cost of the placement that replaces it"),
    _l("baseline.legacy_placements.floor", "children", "Legacy placements that cannot step down"),
    _l("baseline.interim_leaders.count", "people", "Interim leaders in post at the outset"),
    _l("baseline.interim_leaders.day_rate", "GBP/day", "Day rate of an interim leader"),
    _l("baseline.interim_leaders.days_per_year", "days/yr", "Days an interim leader is paid a year", maximum=366),
    _l("baseline.senior_team.annual_cost", "GBP/yr", "Cost of the council's own children's services senior team"),
    _l("baseline.capacity.self_assess", "flag", "Leaders can self-assess accurately (003)"),
    _l("baseline.capacity.set_strategy", "flag", "Leaders can set priorities and a strategic approach (003)"),
    _l("baseline.capacity.implement", "flag", "The council can implement that strategy (003)"),
    _l("baseline.capacity.systemic_issues", "flag", "Issues are systemic or persistent (003)"),
    _l("baseline.capacity.strong_partner_willing", "flag", "A strong partner council is willing to lead (003)"),
    # journey.yaml
    _l("journey.diagnosis_months", "months", "Diagnosis: getting to a baseline (000 Part 2)", minimum=1),
    _l("journey.stabilise_months", "months", "Stabilising the service (000 Part 2)", minimum=1),
    _l("journey.implement_months", "months", "Iterative implementation to a safe core service (000 Part 2)", minimum=1),
    _l("journey.sustain_months", "months", "Fair to good and great (000 Part 2)"),
    # options.yaml
    _l("options.*.mobilisation_months", "months", "Delay before the improvement journey starts", 0),
    _l("options.*.set_up.amount", "GBP", "Set-up cost (premises, IT, infrastructure, board recruitment)", 0),
    _l("options.*.set_up.start_month", "month", "Month set-up spending starts", 0),
    _l("options.*.set_up.months", "months", "Months over which set-up is spent", 0),
    _l("options.*.transitional.amount", "GBP", "Transitional costs not itemised below", 0),
    _l("options.*.transitional.team_fte", "FTE", "Programme team", 0),
    _l("options.*.transitional.team_cost", "GBP/yr", "Cost of one programme-team FTE a year", 0),
    _l("options.*.transitional.legal", "GBP", "Legal work, pensions and TUPE", 0),
    _l("options.*.transitional.due_diligence", "GBP", "Due diligence", 0),
    _l("options.*.transitional.start_month", "month", "Month transitional spending starts", 0),
    _l("options.*.transitional.months", "months", "Months over which transitional costs fall", 0),
    _l("options.*.improvement.total", "GBP", "Improvement cost to reach a safe core service (003: £3m to £15m, average £10m)", 0),
    _l("options.*.improvement.phase_split.diagnosis", "fraction", "Share of improvement cost in diagnosis", 0.0),
    _l("options.*.improvement.phase_split.stabilise", "fraction", "Share of improvement cost in stabilising", 0.0),
    _l("options.*.improvement.phase_split.implement", "fraction", "Share of improvement cost in implementation", 0.0),
    _l("options.*.improvement.phase_split.sustain", "fraction", "Share of improvement cost in sustaining", 0.0),
    _l("options.*.external_support.*.annual_cost", "GBP/yr", "Annual cost of an external support item"),
    _l("options.*.external_support.*.start_month", "month", "Month the external support starts", 0),
    _l("options.*.external_support.*.months", "months", "Months the external support lasts"),
    _l("options.*.leadership.management_fee", "GBP/yr", "Management fee to the partner council", 0),
    _l("options.*.leadership.senior_team_saving", "fraction", "Share of the council's own senior team cost removed", 0),
    _l("options.*.leadership.interim_end_month", "month", "Month interim leaders end (none: they stay)", None, nullable=True),
    _l("options.*.governance.annual_cost", "GBP/yr", "Board, audit, insurance of a new organisation", 0),
    _l("options.*.client_side.annual_cost", "GBP/yr", "The council's client-side (commissioning) team", 0),
    _l("options.*.workforce.agency_share_target", "fraction", "Agency share reached (none: stays at the outset share)", None, nullable=True),
    _l("options.*.workforce.years_to_target", "years", "Years after improvement starts to reach the agency target", 0),
    _l("options.*.legacy.step_down_per_year", "fraction/yr", "Share of legacy placements above the floor that step down a year", 0),
    _l("options.*.efficiency.rate", "fraction", "Efficiency on the outset running cost", 0),
    _l("options.*.efficiency.from_year", "year index", "Year the efficiency starts", 0, integer=True),
    _l("options.*.optimism_bias", "fraction", "Optimism-bias uplift on one-off costs (Green Book)", 0, maximum=2.0),
)

PHASES: tuple[str, ...] = ("diagnosis", "stabilise", "implement", "sustain")

#: Option metadata keys that are text, not levers.
OPTION_TEXT_KEYS = ("label", "model", "description")

#: Delivery models an option can follow. business_as_usual has no improvement journey.
MODELS: dict[str, str] = {
    "business_as_usual": "Business as usual (the counterfactual)",
    "in_house": "In-house improvement",
    "executive_leadership": "Executive leadership by a partner council",
    "trust": "Children's services trust (new organisation)",
}

#: Option levers that only mean something on an improvement journey.
JOURNEY_ONLY = (
    "mobilisation_months",
    "improvement.total",
    "legacy.step_down_per_year",
    "workforce.agency_share_target",
    "leadership.interim_end_month",
)


def spec_for(key: str) -> LeverSpec | None:
    """The catalogue entry for a concrete key, or None if the key is unknown."""
    for spec in CATALOGUE:
        if spec.matches(key):
            return spec
    return None


def suggest(key: str, known: list[str]) -> str:
    """A ' (did you mean …?)' hint for a mistyped key, or ''."""
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def known_keys(options: list[str], support: dict[str, list[str]]) -> list[str]:
    """Every concrete key for the given options and their external-support items."""
    keys = []
    for spec in CATALOGUE:
        if not spec.pattern.startswith("options."):
            keys.append(spec.pattern)
            continue
        for o in options:
            if ".external_support.*." in spec.pattern:
                keys += [spec.pattern.replace("*", o, 1).replace("*", n, 1) for n in support.get(o, [])]
            else:
                keys.append(spec.pattern.replace("*", o, 1))
    return keys


def defined_name(key: str) -> str:
    """The workbook defined name of a lever: dots become underscores."""
    return key.replace(".", "_")
