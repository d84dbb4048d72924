"""The model's assumptions held against the outturn: where each default falls in what councils experienced.

:func:`hold_against` takes an :class:`~costmodel.assumptions.Assumptions` (the bundled example or a
council's folder) and a :class:`~costmodel.evidence.backtest.Backtest` and returns one row per
comparison: the default's central value (and low-high), the observed quartiles and count, and the
percentile at which the default falls among the observed councils (ties half). Levers are looked up by
key; a key the assumptions do not have (renamed, or not yet added) gives a row that says so rather than
an error. Money is restated in the appraisal's price base with the back-test's GDP deflator when a
lever records another price year.
"""
from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from ..assumptions import Assumptions
from ..cost_lines import improvement_scale
from ..engine import safe_service_month
from .backtest import HEADLINE_LINE, Backtest
from .panel import LINE_LABELS, SOCIAL_CARE
from .paths import council_values
from .spend import percentile_rank, quartiles

SIZE_SCALING = re.compile(r"improvement[._][a-z_.]*(exponent|elastic)")
SCALING_REFERENCE = "baseline.improvement_scaling.reference_children_in_need"
SCALING_ELASTICITY = "baseline.improvement_scaling.elasticity"


def _lever(a: Assumptions, key: str):
    return a.levers.get(key)


def in_base_prices(a: Assumptions, key: str, which: str = "central") -> float | None:
    """A lever's value (``central``/``low``/``high``), money restated in the appraisal's price base; None if absent."""
    lever = _lever(a, key)
    if lever is None or getattr(lever, which) is None:
        return None
    return float(getattr(lever, which)) * a.price_factor(key)


def _row(topic, key, default, unit, observed_label, sample, note="", low=None, high=None, percentile=None) -> dict:
    s = np.asarray(sample, dtype=float)
    s = s[np.isfinite(s)]
    p25, p50, p75 = quartiles(s)
    pct = percentile if percentile is not None else (percentile_rank(default, s) if default is not None else math.nan)
    inside = None if default is None or s.size == 0 else bool(p25 <= default <= p75)
    return {"topic": topic, "key": key, "default": default, "low": low, "high": high, "unit": unit,
            "observed": observed_label, "councils": int(s.size), "p25": p25, "median": p50, "p75": p75,
            "percentile": pct, "within_iqr": inside, "note": note}


def _missing(topic, key, unit, observed_label, sample, what: str = "") -> dict:
    return _row(topic, key, None, unit, observed_label, sample,
                note=f"lever {key} is not in these assumptions{what}; the default cannot be placed")


def _spend(b: Backtest, line: str, col: str = "extra") -> pd.Series:
    s = b.spend[(b.spend.line == line) & (b.spend.comparator == "england")]
    return s[col]


def size_scale(a: Assumptions) -> tuple[float, str]:
    """The factor the model scales the improvement estimate by for this council (central levers), and how it was found.

    :func:`costmodel.cost_lines.improvement_scale` on the central levers; 1 when the assumptions have no scaling
    levers or the elasticity is 0.
    """
    cin, ref, e = (_lever(a, k) for k in ("baseline.caseload.children_in_need", SCALING_REFERENCE, SCALING_ELASTICITY))
    if None in (cin, ref, e) or not e.central or not cin.central or not ref.central:
        return 1.0, ""
    factor = float(improvement_scale(float(cin.central), float(ref.central), float(e.central))[0, 0])
    return factor, (f"; scaled to this council's size as the model does: x {factor:.3f} = ({cin.central:,.0f} / "
                    f"{ref.central:,.0f} children in need)^{e.central:g}")


def improvement_rows(a: Assumptions, b: Backtest) -> list[dict]:
    """Each improving option's improvement total, scaled to the council's size as the model scales it, against the extra
    spend of the councils that improved."""
    rows = []
    cin = _lever(a, "baseline.caseload.children_in_need")
    scale, scaled = size_scale(a)
    for o in (o for o in a.options if o.improves):
        key = f"options.{o.key}.improvement.total"
        v = in_base_prices(a, key)
        if v is None:
            rows.append(_missing(f"Improvement cost ({o.label})", key, "GBP", "extra safeguarding spend", _spend(b, HEADLINE_LINE)))
            continue
        lo, hi = (None if x is None else x * scale for x in (in_base_prices(a, key, "low"), in_base_prices(a, key, "high")))
        v *= scale
        rows.append(_row(f"Improvement cost ({o.label})", key, v, "GBP", f"extra {LINE_LABELS[HEADLINE_LINE].lower()} spend",
                         _spend(b, HEADLINE_LINE), "one-off in the model; the outturn includes a lasting step-up" + scaled,
                         lo, hi))
        rows.append(_row(f"Improvement cost ({o.label})", key, v, "GBP", "extra children's social care spend (five lines)",
                         _spend(b, SOCIAL_CARE), "all five lines: placements and family support move too" + scaled, lo, hi))
        if cin is None or not cin.central:
            rows.append(_missing(f"Improvement cost per child in need ({o.label})", "baseline.caseload.children_in_need",
                                 "GBP/child", "extra safeguarding spend per child in need",
                                 _spend(b, HEADLINE_LINE, "extra_per_child_in_need"), " (or is zero)"))
        else:
            rows.append(_row(f"Improvement cost per child in need ({o.label})", f"{key} / baseline.caseload.children_in_need",
                             v / float(cin.central), "GBP/child", "extra safeguarding spend per child in need",
                             _spend(b, HEADLINE_LINE, "extra_per_child_in_need"), "size-adjusted"))
    return rows


def size_rows(a: Assumptions, b: Backtest) -> list[dict]:
    """A size-scaling lever, if the assumptions have one, beside the observed elasticity of extra spend to size."""
    s = b.spend[(b.spend.line == HEADLINE_LINE) & (b.spend.comparator == "england")]
    ok = s[(s.extra > 0) & (s.children_in_need > 0)]
    slope = float(np.polyfit(np.log(ok.children_in_need), np.log(ok.extra), 1)[0]) if len(ok) >= 3 else math.nan
    keys = [k for k in a.levers if SIZE_SCALING.search(k)]
    label = f"elasticity of extra safeguarding spend to children in need (log-log slope, {len(ok)} councils)"
    if not keys:
        rows = [_row("Improvement cost: scaling with council size", "(none)", None, "elasticity", label, [slope],
                     note="these assumptions have no size-scaling lever for improvement cost "
                          "(looked for keys matching 'improvement[._]*elastic|exponent')")]
    else:
        rows = [_row("Improvement cost: scaling with council size", k, in_base_prices(a, k), a.levers[k].unit, label, [slope],
                     note="one observed value: no spread to place the default in", low=in_base_prices(a, k, "low"),
                     high=in_base_prices(a, k, "high")) for k in keys]
    for r in rows:
        r["councils"], r["percentile"], r["within_iqr"] = int(len(ok)), math.nan, None  # one value has no quartiles
        if r["low"] is not None and r["high"] is not None and math.isfinite(slope):
            where = "inside" if r["low"] <= slope <= r["high"] else "outside"
            r["note"] += f"; the observed {slope:.2f} is {where} the lever's range {r['low']:g} to {r['high']:g}"
    return rows


def safe_service_months(a: Assumptions) -> dict[str, float]:
    """Each improving option's month of a safe core service (by label); an option whose levers are absent is left out."""
    v, out = a.values(), {}
    for o in (o for o in a.options if o.improves):
        try:
            out[o.label] = float(safe_service_month(o, v)[0])
        except KeyError:
            continue
    return out


def journey_rows(a: Assumptions, b: Backtest) -> list[dict]:
    """Months to a safe core service against the Kaplan-Meier months to an improved judgement."""
    km = b.survival
    q = [km.quantile(x) for x in (0.25, 0.5, 0.75)]
    rows = []
    v = a.values()
    for o in (o for o in a.options if o.improves):
        try:
            months = float(safe_service_month(o, v)[0])
        except KeyError as e:
            rows.append(_missing(f"Months to a safe core service ({o.label})", str(e.args[0]), "months",
                                 "months to an improved judgement (Kaplan-Meier)", []))
            continue
        row = _row(f"Months to a safe core service ({o.label})", f"options.{o.key}.mobilisation_months + journey.*",
                   months, "months", f"months from the inadequate judgement to an improved one (Kaplan-Meier, "
                   f"{km.n} councils, {km.censored} censored)", [], percentile=(1 - km.at(months)) * 100,
                   note="percentile = share of councils improved by then; an improved judgement follows the safe service")
        row.update({"councils": km.n, "p25": q[0], "median": q[1], "p75": q[2],
                    "within_iqr": None if None in q else bool(q[0] <= months <= q[2])})
        rows.append(row)
    return rows


def agency_rows(a: Assumptions, b: Backtest) -> list[dict]:
    """Outset agency share against the share at the judgement; each option's target against the share years on."""
    rows = []
    key = "baseline.social_workers.agency_share"
    at_judgement = council_values(b.paths, "agency_share_pct", 0) / 100
    v = in_base_prices(a, key)
    rows.append(_row("Agency share at the outset", key, v, "fraction", "agency share in the year of the judgement",
                     at_judgement) if v is not None else _missing("Agency share at the outset", key, "fraction",
                                                                  "agency share in the year of the judgement", at_judgement))
    for o in (o for o in a.options if o.improves):
        tkey, ykey = f"options.{o.key}.workforce.agency_share_target", f"options.{o.key}.workforce.years_to_target"
        target, years = in_base_prices(a, tkey), in_base_prices(a, ykey)
        mob = (in_base_prices(a, f"options.{o.key}.mobilisation_months") or 0) / 12
        if target is None or years is None:
            rows.append(_missing(f"Agency share reached ({o.label})", tkey if target is None else ykey, "fraction",
                                 "agency share years after the judgement", []))
            continue
        k = int(round(years + mob))
        later = council_values(b.paths, "agency_share_pct", k) / 100
        rows.append(_row(f"Agency share reached ({o.label})", tkey, target, "fraction",
                         f"agency share {k} years after the judgement (the model's years to target plus mobilisation)",
                         later, "the outturn rose after the judgement before falling; the model moves in a straight line"))
    return rows


def looked_after_change(b: Backtest) -> pd.Series:
    """Each improved council's annual change in looked-after spend relative to its pre-judgement share of England's."""
    st = b.event_study[(b.event_study.line == "looked_after") & (b.event_study.comparator == "england")
                       & (b.event_study.group == "improved") & b.event_study.in_window]
    out = {}
    for code, g in st.groupby("la_code"):
        g = g.sort_values("k")
        n = int(g.k.iloc[-1] - g.k.iloc[0])
        if n > 0:
            out[code] = ((1 + g.extra_share.iloc[-1]) / (1 + g.extra_share.iloc[0])) ** (1 / n) - 1
    return pd.Series(out, dtype=float)


def legacy_rows(a: Assumptions, b: Backtest) -> list[dict]:
    """The first-year fall in the model's legacy-placement line against the outturn's change in looked-after spend."""
    base = {k: in_base_prices(a, f"baseline.legacy_placements.{k}") for k in ("count", "weekly_cost", "replacement_weekly_cost", "floor")}
    observed, label = looked_after_change(b), "annual change in looked-after spend relative to England, over the window"
    rows = []
    for o in (o for o in a.options if o.improves):
        key = f"options.{o.key}.legacy.step_down_per_year"
        step = in_base_prices(a, key)
        if step is None or None in base.values():
            missing = key if step is None else next(f"baseline.legacy_placements.{k}" for k, v in base.items() if v is None)
            rows.append(_missing(f"Legacy placements step-down ({o.label})", missing, "fraction/yr", label, observed))
            continue
        n0, weekly, repl, floor = base["count"], base["weekly_cost"], base["replacement_weekly_cost"], base["floor"]
        change = -(n0 - floor) * step * (weekly - repl) / (n0 * weekly) if n0 and weekly else 0.0
        rows.append(_row(f"Legacy placements step-down ({o.label})", key, change, "fraction/yr", label, observed,
                         f"default shown as the first-year change of the legacy-placement line it implies ({step:.0%} of "
                         "placements above the floor a year); the outturn covers all looked-after spend"))
    return rows


def _trust_one_offs(a: Assumptions, o) -> float:
    """Set-up plus transitional costs, the latter as an amount or built up from its parts (those present)."""
    pre = f"options.{o.key}."
    team = (in_base_prices(a, pre + "transitional.team_fte") or 0) * (in_base_prices(a, pre + "transitional.team_cost") or 0) \
        * (in_base_prices(a, pre + "transitional.months") or 0) / 12
    return sum(in_base_prices(a, pre + k) or 0 for k in ("set_up.amount", "transitional.amount", "transitional.legal",
                                                   "transitional.due_diligence")) + team


def trust_rows(a: Assumptions, b: Backtest) -> list[dict]:
    """A trust's running-cost difference and set-up, as shares of the outset spend, against trusts' outturn."""
    t = b.trusts
    outset = in_base_prices(a, "baseline.outset_spend")
    rows = []
    for o in (o for o in a.options if o.model == "trust"):
        pre = f"options.{o.key}."
        run_label = "trusts' running-cost difference from comparable councils (mean of the trust's later full years)"
        set_label = "trusts' extra spend in their first year against comparable councils"
        if not outset:
            rows.append(_missing(f"Trust running-cost difference ({o.label})", "baseline.outset_spend", "fraction",
                                 run_label, t.running_extra_share))
            continue
        parts = {k: in_base_prices(a, pre + k) for k in ("governance.annual_cost", "client_side.annual_cost")}
        absent = [k for k, v in parts.items() if v is None]
        if absent:
            rows.append(_missing(f"Trust running-cost difference ({o.label})", pre + absent[0], "fraction", run_label,
                                 t.running_extra_share))
        else:
            rows.append(_row(f"Trust running-cost difference ({o.label})", pre + "governance + client_side",
                             sum(parts.values()) / outset, "fraction", run_label, t.running_extra_share,
                             "the trust's own governance and the council's client side, over the outset spend"))
        absent = [k for k in ("set_up.amount", "transitional.amount") if pre + k not in a.levers]
        if absent:
            rows.append(_missing(f"Trust set-up and transition ({o.label})", pre + absent[0], "fraction", set_label,
                                 t.set_up_extra_share))
            continue
        rows.append(_row(f"Trust set-up and transition ({o.label})", pre + "set_up + transitional",
                         _trust_one_offs(a, o) / outset, "fraction", set_label, t.set_up_extra_share,
                         "one-off costs over the outset spend; the outturn's first year also holds the improvement"))
    return rows


def hold_against(a: Assumptions, b: Backtest) -> pd.DataFrame:
    """Every comparison of the assumptions with the outturn, one row each (see the module docstring)."""
    if b.price_base_year != a.price_base_year:
        raise ValueError(f"the back-test is in {b.price_base_year} prices, the assumptions in {a.price_base_year}")
    rows = (improvement_rows(a, b) + size_rows(a, b) + journey_rows(a, b) + agency_rows(a, b)
            + legacy_rows(a, b) + trust_rows(a, b))
    return pd.DataFrame(rows)
