"""The lever catalogue: every input's dotted key, unit, bounds and default — the single source of truth.

The same key names a lever in the assumption files, in ``--set KEY=VALUE``, in scenarios, as a
workbook defined name (dots become underscores), in tornado labels and in error messages.
Option levers are written ``options.*.…`` and external-support items ``options.*.external_support.*.…``;
``*`` stands for an option key or an item name chosen by the user.
"""
from __future__ import annotations

import functools
import math
from typing import NamedTuple

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
    "index": "a price index value (only ratios of two years matter)",
}

#: Units that mean money: a lever in one of these must state its price base.
MONEY_UNITS = frozenset({"GBP", "GBP/yr", "GBP/week", "GBP/day"})

REQUIRED = object()  # default marker: the lever must be given


class LeverSpec(NamedTuple):
    """What the catalogue knows about one lever key (or key pattern).

    A named tuple (immutable) rather than a frozen dataclass only because it is quicker to define: the start-up
    time of ``costmodel compare`` (benchmarks/bench_startup.py).
    """

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
    price_group: str = "general"  # money levers: the price index converting it to base-year prices (prices.yaml)

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
    _l("appraisal.inflation.general", "fraction/yr", "General inflation (GDP deflator), to turn real costs into cash (nominal) budgets", 0.0, minimum=-0.5, maximum=0.5),
    _l("appraisal.relative_price.pay", "fraction/yr", "Real growth of pay over the GDP deflator (relative price effect, Green Book 5.13)", 0.0, minimum=-0.05, maximum=0.1),
    _l("appraisal.relative_price.placements", "fraction/yr", "Real growth of placement prices over the GDP deflator (relative price effect)", 0.0, minimum=-0.05, maximum=0.1),
    # prices.yaml: one lever per index and financial year
    _l("prices.*.*", "index", "Price index value", minimum=1e-9),
    # baseline.yaml
    _l("baseline.outset_spend", "GBP/yr", "Children's social care spend at the outset, net of the lines modelled separately"),
    _l("baseline.social_workers.fte", "FTE", "Children's social workers in post, employed and agency (FTE)"),
    _l("baseline.social_workers.case_holding_share", "fraction", "Share of social worker FTE (employed and agency) holding cases"),
    _l("baseline.social_workers.salary", "GBP/yr", "Average social worker salary", price_group="pay"),
    _l("baseline.social_workers.on_cost_rate", "fraction", "Employer on-costs (national insurance, pension) as a share of salary"),
    _l("baseline.social_workers.agency_share", "fraction", "Share of social worker FTE filled by agency staff at the outset"),
    _l("baseline.social_workers.agency_premium", "fraction", "Premium of an agency worker over the employed cost", maximum=3.0),
    _l("baseline.caseload.children_in_need", "children", "Children in need at 31 March"),
    _l("baseline.caseload.target_per_case_holder", "children/FTE", "Manageable caseload: children in need per case-holding social worker (per case holder)", minimum=1.0),
    _l("baseline.legacy_placements.count", "children", "Children in expensive legacy (out-of-area) placements at the outset"),
    _l("baseline.legacy_placements.weekly_cost", "GBP/week", "Weekly cost of a legacy placement", price_group="placements"),
    _l("baseline.legacy_placements.replacement_weekly_cost", "GBP/week", "Weekly cost of the placement that replaces it", price_group="placements"),
    _l("baseline.legacy_placements.floor", "children", "Legacy placements that cannot step down"),
    _l("baseline.interim_leaders.count", "people", "Interim leaders in post at the outset"),
    _l("baseline.interim_leaders.day_rate", "GBP/day", "Day rate of an interim leader", price_group="pay"),
    _l("baseline.interim_leaders.days_per_year", "days/yr", "Days an interim leader is paid a year", maximum=366),
    _l("baseline.senior_team.annual_cost", "GBP/yr", "Cost of the council's own senior team posts filled by permanent staff (not posts covered by interims)", price_group="pay"),
    _l("baseline.support_services.annual_cost", "GBP/yr", "Council support services (finance, HR, IT, legal) serving children's social care, inside the outset spend", 0),
    _l("baseline.drift.agency_share_per_year", "fraction/yr", "Business as usual: rise in the agency share a year (percentage points as a fraction)", 0, maximum=0.2),
    _l("baseline.drift.legacy_placements_per_year", "fraction/yr", "Business as usual: growth in legacy placements a year", 0, maximum=0.5),
    _l("baseline.improvement_scaling.reference_children_in_need", "children", "Children in need of the councils the improvement-cost estimate came from", None, minimum=1.0, nullable=True),
    _l("baseline.improvement_scaling.elasticity", "fraction", "How improvement cost scales with size: 0 not at all, 1 in proportion to children in need", 0),
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
    _l("options.*.set_up.amount", "GBP", "Set-up cost, whoever pays (premises, IT, infrastructure, board recruitment)", 0),
    _l("options.*.set_up.start_month", "month", "Month set-up spending starts", 0),
    _l("options.*.set_up.months", "months", "Months over which set-up is spent", 0),
    _l("options.*.set_up.dfe_contribution", "GBP", "Part of the set-up cost paid by the DfE (cash, capped at the set-up cost)", 0),
    _l("options.*.set_up.optimism_bias", "fraction", "Optimism-bias uplift on set-up (Green Book category on the record)", 0, maximum=2.0),
    _l("options.*.transitional.amount", "GBP", "Transitional costs not itemised below", 0),
    _l("options.*.transitional.team_fte", "FTE", "Programme team", 0),
    _l("options.*.transitional.team_cost", "GBP/yr", "Cost of one programme-team FTE a year", 0, price_group="pay"),
    _l("options.*.transitional.legal", "GBP", "Legal work, pensions and TUPE", 0),
    _l("options.*.transitional.due_diligence", "GBP", "Due diligence", 0),
    _l("options.*.transitional.start_month", "month", "Month transitional spending starts", 0),
    _l("options.*.transitional.months", "months", "Months over which transitional costs fall", 0),
    _l("options.*.transitional.dfe_contribution", "GBP", "Part of the transitional cost paid by the DfE (cash, capped at the cost)", 0),
    _l("options.*.transitional.optimism_bias", "fraction", "Optimism-bias uplift on transitional costs (Green Book category on the record)", 0, maximum=2.0),
    _l("options.*.improvement.total", "GBP", "Improvement cost to reach a safe core service (003: £3m to £15m, average £10m)", 0),
    _l("options.*.improvement.net_of_caseload_uplift", "flag", "The improvement cost already pays for the extra case holders during the journey: net them out of it", 0),
    _l("options.*.improvement.dfe_contribution", "GBP", "Part of the improvement cost paid by the DfE (cash, capped at the cost)", 0),
    _l("options.*.improvement.optimism_bias", "fraction", "Optimism-bias uplift on improvement (Green Book category on the record)", 0, maximum=2.0),
    _l("options.*.improvement.phase_split.diagnosis", "fraction", "Share of improvement cost in diagnosis", 0.0),
    _l("options.*.improvement.phase_split.stabilise", "fraction", "Share of improvement cost in stabilising", 0.0),
    _l("options.*.improvement.phase_split.implement", "fraction", "Share of improvement cost in implementation", 0.0),
    _l("options.*.improvement.phase_split.sustain", "fraction", "Share of improvement cost in sustaining (after the safe-core month)", 0.0),
    _l("options.*.external_support.*.annual_cost", "GBP/yr", "Annual cost of an external support item"),
    _l("options.*.external_support.*.start_month", "month", "Month the external support starts", 0),
    _l("options.*.external_support.*.months", "months", "Months the external support lasts"),
    _l("options.*.external_support.*.dfe_share", "fraction", "Share of the external support item paid by the DfE", 0),
    _l("options.*.leadership.management_fee", "GBP/yr", "Management fee to the partner council", 0),
    _l("options.*.leadership.senior_team_saving", "fraction", "Share of the council's own senior team cost removed", 0),
    _l("options.*.leadership.partnership_months", "months", "Months the partnership runs from month 0: fee and senior-team saving (none: throughout)", None, nullable=True),
    _l("options.*.leadership.interim_end_month", "month", "Month interim leaders end (none: they stay)", None, nullable=True),
    _l("options.*.governance.annual_cost", "GBP/yr", "Board, audit, insurance of a new organisation", 0),
    _l("options.*.client_side.annual_cost", "GBP/yr", "The council's client-side (commissioning) team", 0, price_group="pay"),
    _l("options.*.back_office.annual_cost", "GBP/yr", "The new organisation's own back office (finance, HR, IT, legal) from go-live", 0),
    _l("options.*.back_office.council_support_released", "fraction", "Share of the council's support services it stops paying from go-live (the rest is stranded)", 0),
    _l("options.*.workforce.agency_share_target", "fraction", "Agency share reached (none: stays at the outset share)", None, nullable=True),
    _l("options.*.workforce.years_to_target", "years", "Years after improvement starts to reach the agency target", 0),
    _l("options.*.legacy.step_down_per_year", "fraction/yr", "Share of legacy placements above the floor that step down a year", 0),
    _l("options.*.efficiency.rate", "fraction", "Efficiency on the outset running cost", 0),
    _l("options.*.efficiency.from_year", "year index", "Year the efficiency starts", 0, integer=True),
)

#: Keys that were renamed or removed, with what to use instead (named in the error for an old file).
RETIRED: dict[str, str] = {
    "baseline.caseload.target_per_worker": "baseline.caseload.target_per_case_holder (the DfE caseload is per "
                                           "case-holding FTE; see baseline.social_workers.case_holding_share)",
    "options.*.optimism_bias": "one uplift per one-off cost: options.*.set_up.optimism_bias, "
                               "options.*.transitional.optimism_bias and options.*.improvement.optimism_bias",
    "appraisal.inflation.pay": "appraisal.relative_price.pay (real growth of pay over the GDP deflator; cash "
                               "budgets apply appraisal.inflation.general to real costs)",
    "appraisal.inflation.placements": "appraisal.relative_price.placements (real growth of placement prices over "
                                      "the GDP deflator)",
}

#: Optimism-bias categories (HM Treasury supplementary Green Book guidance, Mott MacDonald 2002): the
#: upper and lower bounds of the capital-expenditure uplift; outsourcing applies to operating spend.
OB_CATEGORIES: dict[str, tuple[str, float, float]] = {
    "standard_buildings": ("Standard buildings", 0.02, 0.24),
    "non_standard_buildings": ("Non-standard buildings", 0.04, 0.51),
    "standard_civil_engineering": ("Standard civil engineering", 0.03, 0.44),
    "non_standard_civil_engineering": ("Non-standard civil engineering", 0.06, 0.66),
    "equipment_development": ("Equipment / development", 0.10, 2.00),
    "outsourcing": ("Outsourcing", 0.00, 0.41),
}
ONE_OFF_PARTS = ("set_up", "transitional", "improvement")
_BY_PATTERN = {spec.pattern: spec for spec in reversed(CATALOGUE)}  # the first entry wins, as in spec_for's scan

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
    "improvement.net_of_caseload_uplift",
    "legacy.step_down_per_year",
    "workforce.agency_share_target",
    "leadership.interim_end_month",
)


@functools.lru_cache(maxsize=4096)  # the catalogue never changes; a folder asks for each key many times
def spec_for(key: str) -> LeverSpec | None:
    """The catalogue entry for a concrete key, or None if the key is unknown."""
    parts = key.split(".")  # first try the pattern the key names with its option and item as ``*``
    if len(parts) > 2 and parts[0] == "options":
        parts[1] = "*"
        if len(parts) > 4 and parts[2] == "external_support":
            parts[3] = "*"
    spec = _BY_PATTERN.get(".".join(parts))
    if spec is not None and spec.matches(key):
        return spec
    for spec in CATALOGUE:
        if spec.matches(key):
            return spec
    return None


def suggest(key: str, known: list[str]) -> str:
    """A ' (did you mean …?)' hint for a mistyped key, or ''."""
    import difflib  # here, not at the top, only so that ``costmodel compare`` starts without it (1-2 ms)
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def known_keys(options: list[str], support: dict[str, list[str]],
               indices: dict[str, list[int]] | None = None) -> list[str]:
    """Every concrete key for the given options, their external-support items and the price indices' years."""
    keys = []
    for spec in CATALOGUE:
        if spec.pattern.startswith("prices."):
            keys += [f"prices.{i}.{y}" for i, years in (indices or {}).items() for y in years]
            continue
        if not spec.pattern.startswith("options."):
            keys.append(spec.pattern)
            continue
        for o in options:
            if ".external_support.*." in spec.pattern:
                keys += [spec.pattern.replace("*", o, 1).replace("*", n, 1) for n in support.get(o, [])]
            else:
                keys.append(spec.pattern.replace("*", o, 1))
    return keys


def retired(key: str) -> str | None:
    """What replaced a renamed or removed key (None if the key was never retired)."""
    parts = key.split(".")
    for old, new in RETIRED.items():
        pat = old.split(".")
        if len(pat) == len(parts) and all(p == "*" or p == k for p, k in zip(pat, parts)):
            return new.replace("options.*.", f"options.{parts[1]}.") if parts[0] == "options" else new
    return None


def defined_name(key: str) -> str:
    """The workbook defined name of a lever: dots become underscores."""
    return key.replace(".", "_")
