"""The values of the bundled ``evidence`` scenario, derived from the back-test (and checked against it by a test).

``assumptions/scenarios.yaml`` carries a scenario named ``evidence`` whose values are these, rounded as
below; ``tests/evidence/test_evidence_scenario.py`` recomputes them from the packaged statistics and the
bundled assumptions, so a data refresh that moves them fails until the scenario is regenerated
(``costmodel backtest --format json`` prints them under ``evidence_scenario``).

* improvement total of every improving option = the median extra safeguarding spend of the councils that
  improved, against England, in the appraisal's price base (nearest GBP 100,000), written with that price
  year (``{value: …, price_base: …}``) so the engine does not restate it;
* ``journey.implement_months`` = the Kaplan-Meier median months from an inadequate judgement to an
  improved one, less the diagnosis and stabilising months (whole months);
* agency share target of every improving option = the median agency share of the improved councils
  three years after the judgement (nearest half percentage point);
* legacy step-down of every improving option = the step-down that would give the median observed annual
  change in looked-after spend relative to England, given the assumptions' legacy placements; none if
  that spend did not fall (nearest 0.01).
"""
from __future__ import annotations

import numpy as np

from ..assumptions import Assumptions
from .against_model import in_base_prices, looked_after_change
from .backtest import HEADLINE_LINE, Backtest
from .paths import council_values
from .spend import quartiles

SCENARIO = "evidence"
AGENCY_YEAR = 3


def _round(x: float, step: float) -> float:
    return float(round(x / step) * step)


def scenario_values(a: Assumptions, b: Backtest) -> dict[str, tuple[float | dict, str]]:
    """``{lever key: (value, reason)}`` of the ``evidence`` scenario for these assumptions; a money value is
    ``{"value": …, "price_base": year}``, as scenarios.yaml writes it."""
    out: dict[str, tuple[float, str]] = {}
    s = b.spend[(b.spend.line == HEADLINE_LINE) & (b.spend.comparator == "england")]
    extra = quartiles(s.extra)[1]
    improving = [o for o in a.options if o.improves]
    for o in improving:
        key = f"options.{o.key}.improvement.total"
        out[key] = ({"value": _round(extra, 100_000), "price_base": a.price_base_year},
                    f"median extra safeguarding spend of {s.la_code.nunique()} councils that improved "
                    f"(back-test, {b.price_base_year}-{(b.price_base_year + 1) % 100:02d} prices)")
    km = b.survival.median
    lead = sum(a.central(f"journey.{p}_months") for p in ("diagnosis", "stabilise"))
    out["journey.implement_months"] = (float(max(1, round(km - lead))),
                                       f"Kaplan-Meier median {km:.1f} months to an improved judgement, less "
                                       f"{lead:g} months of diagnosis and stabilising (back-test)")
    share = quartiles(council_values(b.paths, "agency_share_pct", AGENCY_YEAR))[1] / 100
    for o in improving:
        out[f"options.{o.key}.workforce.agency_share_target"] = (
            _round(share, 0.005), f"median agency share {AGENCY_YEAR} years after the judgement (back-test)")
    change = quartiles(looked_after_change(b))[1]
    for o in improving:
        n0, weekly, repl, floor = (in_base_prices(a, f"baseline.legacy_placements.{k}")
                                   for k in ("count", "weekly_cost", "replacement_weekly_cost", "floor"))
        room = (n0 - floor) * (weekly - repl) / (n0 * weekly) if n0 and weekly and n0 > floor and weekly > repl else 0.0
        step = float(np.clip(-change / room, 0.0, 1.0)) if room > 0 else 0.0
        out[f"options.{o.key}.legacy.step_down_per_year"] = (
            _round(step, 0.01), f"median annual change {change:+.1%} in looked-after spend relative to England (back-test)")
    return out
