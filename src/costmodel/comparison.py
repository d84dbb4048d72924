"""The side-by-side comparison of the options for one assumption set: the ``compare`` JSON contract.

:func:`compare` runs the engine and the appraisal for the central values and returns plain data
(dicts, lists, floats, None) that the CLI renders as a table, CSV or JSON and that the workbook,
report and Excel adapters reuse. Money is GBP; present values are always real terms at the price
base; totals and annual rows are real unless ``terms='nominal'``.
"""
from __future__ import annotations

import math

import numpy as np

from . import __version__
from .appraisal import PAYERS, Appraisal, appraise, perspective_table
from .assumptions import COMPARATOR, SECOND_COMPARATOR, Assumptions, financial_year
from .cost_lines import CATEGORIES, ONE_OFF
from .decision import Verdict, verdict_from_values
from .engine import SUPPORT_PREFIX, CostTable, option_lines, run
from .timeline import Periods

SCHEMA = "costmodel.compare/1"

#: What each figure of an option in the ``compare`` object is called, by its dotted key: (label, unit,
#: the words of the chief executive's report where they differ). Every output names the rows from
#: here — the terminal table, the Excel results sheet, the workbook, the report.
METRICS = {
    "totals.set_up": ("Set-up", "GBP", None),
    "totals.transitional": ("Transitional", "GBP", None),
    "totals.improvement": ("Improvement", "GBP", None),
    "totals.one_off": ("One-off costs", "GBP", None),
    "totals.recurring": ("Recurring", "GBP", None),
    "totals.legacy": ("Legacy placements", "GBP", None),
    "totals.saving": ("Savings", "GBP", None),
    "totals.total": ("Total cost", "GBP", "Total cost, undiscounted"),
    "present_value": ("Present value", "GBP", "Present value (net present cost)"),
    "present_value_by_payer.central_government": ("of which central government", "GBP",
                                                  "Of which paid by central government (DfE)"),
    "npc_vs_do_minimum": ("NPC vs business as usual", "GBP", "Compared with business as usual"),
    "npc_vs_in_house": ("NPC vs in-house", "GBP", "Compared with in-house improvement"),
    "equivalent_annual_cost": ("Equivalent annual cost", "GBP/yr", None),
    "payback_year_vs_do_minimum": ("Payback year index vs business as usual", "year index", None),
    "payback_financial_year_vs_do_minimum": ("Payback vs business as usual", "financial year",
                                             "Pays back against business as usual"),
    "safe_service_month": ("Safe core service (month)", "month", "Safe core service from"),
    "safe_service_financial_year": ("Safe core service (year)", "financial year", None),
    "verdict": ("Decision framework", "text", None),
}
#: The label of each cost category (``totals.<category>`` above).
CATEGORY_LABELS = {c: METRICS[f"totals.{c}"][0] for c in CATEGORIES}


def label(key: str, report: bool = False) -> str:
    """The row label of a figure of :data:`METRICS`; ``report=True`` for the report's wording."""
    name, _, plain = METRICS[key]
    return (plain or name) if report else name


def figure(option: dict, key: str):
    """One figure of an option's entry in the ``compare`` object by its dotted key (``totals.set_up``);
    None where the key is absent (``npc_vs_in_house`` without an in-house option)."""
    for part in key.split("."):
        option = option.get(part) if isinstance(option, dict) else None
    return option


def _num(x) -> float | None:
    x = float(x)
    return None if math.isnan(x) else x


def _month(x) -> int | float | None:
    x = _num(x)
    if x is None:
        return None
    return int(x) if x.is_integer() else x


def fy_of_month(start_year: int, month: float | None) -> str | None:
    """The financial year a month falls in: month 24 of a 2025 start is ``2027-28``."""
    return None if month is None else financial_year(start_year + int(month // 12))


#: The levers each line of the outset reconciliation is computed from.
RECONCILED_LEVERS = {
    "core_service": ("baseline.outset_spend",),
    "legacy_placements": ("baseline.legacy_placements.count", "baseline.legacy_placements.weekly_cost"),
    "agency_premium": ("baseline.social_workers.fte", "baseline.social_workers.agency_share",
                       "baseline.social_workers.salary", "baseline.social_workers.on_cost_rate",
                       "baseline.social_workers.agency_premium"),
    "interim_leaders": ("baseline.interim_leaders.count", "baseline.interim_leaders.day_rate",
                        "baseline.interim_leaders.days_per_year"),
}
#: A lever whose note starts with this carries a national default (copied, or scaled to the council's size by
#: ``costmodel init --council``), not a figure of the council's own.
NATIONAL_DEFAULT = "National default"
#: Where each lever's figure comes from, weakest last: a line is as strong as its weakest lever.
PROVENANCE = ("published", "derived", "judgement", "national default", "catalogue default")


def provenance(lever) -> str:
    """Where a lever's figure comes from: its basis, "national default" (its note says so) or "catalogue default"."""
    if lever.is_default:
        return "catalogue default"
    if (lever.note or "").startswith(NATIONAL_DEFAULT):
        return "national default"
    return lever.basis


def reconciliation_provenance(a: Assumptions) -> dict:
    """For each line of the reconciliation: the provenance of each of its levers, and the weakest of them."""
    out = {}
    for line, keys in RECONCILED_LEVERS.items():
        levers = {k: provenance(a.levers[k]) for k in keys}
        out[line] = {"basis": max(levers.values(), key=PROVENANCE.index), "levers": levers}
    return out


def reconciliation(a: Assumptions, values=None) -> dict:
    """Total spend at the outset = outset spend (core) + the lines the model adds separately, GBP/yr, base-year prices;
    ``provenance`` says for each line whether it is published, derived or a default (:func:`reconciliation_provenance`).
    ``values`` is ``a.values()`` when the caller already has it."""
    v = a.values() if values is None else values
    c = lambda k: float(v[k][0])  # noqa: E731
    employed = c("baseline.social_workers.salary") * (1 + c("baseline.social_workers.on_cost_rate"))
    parts = {
        "core_service": c("baseline.outset_spend"),
        "legacy_placements": c("baseline.legacy_placements.count") * c("baseline.legacy_placements.weekly_cost")
        * c("appraisal.weeks_per_year"),
        "agency_premium": c("baseline.social_workers.fte") * c("baseline.social_workers.agency_share") * employed
        * c("baseline.social_workers.agency_premium"),
        "interim_leaders": c("baseline.interim_leaders.count") * c("baseline.interim_leaders.day_rate")
        * c("baseline.interim_leaders.days_per_year"),
    }
    return {"unit": "GBP/yr", **parts, "total_outset_spend": sum(parts.values()),
            "provenance": reconciliation_provenance(a)}


def council_of(a: Assumptions) -> dict | None:
    """The council an assumption set describes (the ``council.yaml`` that ``costmodel init --council`` writes):
    its name, ONS code, DfE code and region as text; None for a set that names no council."""
    record = (a.extra or {}).get("council")
    who = record.get("council") if hasattr(record, "get") else None
    if not hasattr(who, "get"):
        return None
    return {k: str(who.get(k) or "") for k in ("name", "code", "dfe_code", "region")}


def beyond_horizon(a: Assumptions, values=None) -> list[str]:
    """Warnings for profiled costs that run past the horizon and so are not counted (GBP, base-year prices).

    The appraisal counts months 0 … 12H−1 only (MODEL.md): a set-up, transitional or improvement
    spend, or an external-support item, that runs past them is cut off, and said so here. The amount
    is each line evaluated over the months after the horizon (before any relative price effect).
    """
    v = a.values() if values is None else values
    tail = Periods(np.array([[12.0 * a.horizon_years]]), np.array([[1e9]]))
    out = []
    for o in a.options:
        lines = option_lines(o, v, tail)
        for name in list(ONE_OFF) + [SUPPORT_PREFIX + s for s in o.support]:
            missing = float(np.max(lines[name]()))
            if missing > 0.5:
                what = (f"{name.replace('_', '-')} cost" if name in ONE_OFF
                        else f"external support ({name[len(SUPPORT_PREFIX):]})")
                out.append(f"options.{o.key}: £{missing:,.0f} of {what} falls after the {a.horizon_years}-year horizon "
                           "and is not counted (lengthen appraisal.horizon_years to include it)")
    return out


def compare(a: Assumptions, terms: str = "real", scenario: str = "central", perspective: str = "public-sector") -> dict:
    """Cost and appraise every option; the ``compare`` JSON object (see docs/json.md).

    ``perspective`` is ``public-sector`` (the Green Book: every public body's costs, the default) or
    ``council`` (the council's own budget: DfE contributions left out).
    """
    values = a.values()
    table = perspective_table(run(a, values), perspective)
    ap = appraise(table, values, terms=terms)
    verdict = verdict_from_values({k: float(v[0]) for k, v in values.items() if k.startswith("baseline.capacity.")})
    by_cat = ap.table.by_category()[0]  # options × categories × years, in the shown terms
    options = {key: option_result(a, ap, table, i, verdict, by_cat[i]) for i, key in enumerate(table.options)}
    return {
        "schema": SCHEMA,
        "costmodel_version": __version__,
        "scenario": scenario,
        "council": council_of(a),
        "perspective": perspective,
        "fingerprint": a.fingerprint(),
        "overrides": {k: v for k, v in a.overrides},
        "currency": "GBP",
        "terms": terms,
        "present_value_terms": "real",
        "price_base_year": a.price_base_year,
        "start_year": a.start_year,
        "horizon_years": a.horizon_years,
        "financial_years": list(ap.table.financial_years),
        "discounting": {
            "rate": a.central("appraisal.discount_rate"),
            "rate_long": a.central("appraisal.discount_rate_long"),
            "mid_year": bool(a.central("appraisal.mid_year_discounting")),
            "convention": "Green Book: year 0 undiscounted; factor_t = factor_(t-1) / (1 + r_t)",
        },
        "comparators": [k for k in (COMPARATOR, SECOND_COMPARATOR) if k in options],
        "cheapest_option": min(options, key=lambda k: options[k]["present_value"]),
        "options": options,
        "decision": {"form": verdict.form, "summary": verdict.summary, "reasons": list(verdict.reasons),
                     "fit": dict(verdict.fit)},
        "baseline_reconciliation": reconciliation(a, values),
        "warnings": beyond_horizon(a, values),
    }


def option_result(a: Assumptions, ap: Appraisal, table: CostTable, i: int, verdict: Verdict, by_cat: np.ndarray) -> dict:
    """One option's entry in the ``compare`` object (scenario 0 of the appraisal); ``by_cat`` is its categories × years."""
    key = table.options[i]
    opt = a.option(key)
    totals = {c: float(ap.totals[0, i, j]) for j, c in enumerate(CATEGORIES)}
    totals["one_off"] = sum(totals[c] for c in ONE_OFF)
    totals["total"] = sum(totals[c] for c in CATEGORIES)
    pv_cat = {c: float(ap.present_value_by_category[0, i, j]) for j, c in enumerate(CATEGORIES)}
    pv_cat["one_off"] = sum(pv_cat[c] for c in ONE_OFF)
    safe = _month(ap.safe_service_month[0, i])
    payback = _month(ap.payback_year_vs_do_minimum[0, i])
    return {
        "label": opt.label,
        "model": opt.model,
        "present_value": float(ap.present_value[0, i]),
        "npc_vs_do_minimum": float(ap.npc_vs_do_minimum[0, i]),
        "npc_vs_in_house": None if ap.npc_vs_in_house is None else float(ap.npc_vs_in_house[0, i]),
        "equivalent_annual_cost": float(ap.equivalent_annual_cost[0, i]),
        "safe_service_month": safe,
        "safe_service_financial_year": fy_of_month(a.start_year, safe),
        "payback_year_vs_do_minimum": payback,
        "payback_financial_year_vs_do_minimum": None if payback is None else financial_year(a.start_year + payback),
        "totals": totals,
        "present_value_by_category": pv_cat,
        "present_value_by_payer": {p: float(ap.present_value_by_payer[0, i, j]) for j, p in enumerate(PAYERS)},
        "lines": {line: float(ap.table.values[0, i, k].sum()) for k, line in enumerate(table.lines)},
        "annual": annual_rows(ap, table, i, by_cat),
        "verdict": verdict.for_model(opt.model),
    }


def annual_rows(ap: Appraisal, table: CostTable, i: int, by_cat: np.ndarray) -> list[dict]:
    """Option ``i``'s costs by financial year and category (``by_cat``, shown terms), with its discounting (real)."""
    real_total = table.total()[0, i]
    factors = ap.factors[0]
    cumulative = np.cumsum(real_total * factors)
    rows = []
    for t, fy in enumerate(ap.table.financial_years):
        row = {"year": t, "financial_year": fy}
        row.update({c: float(by_cat[j, t]) for j, c in enumerate(CATEGORIES)})
        row["total"] = float(by_cat[:, t].sum())
        row["discount_factor"] = float(factors[t])
        row["present_value"] = float(real_total[t] * factors[t])
        row["cumulative_present_value"] = float(cumulative[t])
        rows.append(row)
    return rows
