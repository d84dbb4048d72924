"""Green Book appraisal: net present cost, payback, equivalent annual cost, nominal terms.

Discount factors and present value are in :mod:`costmodel.discounting` (the Green Book convention is
written out there). Present value is the sum over years of the year's real cost times its factor. Net present cost
(NPC) of an option against a comparator is ``PV(option) − PV(comparator)``: negative means cheaper.
The payback year against a comparator is the first year from which the option's cumulative
discounted cost stays at or below the comparator's. The equivalent annual cost is the constant
cost paid at the same points in each year (an annuity due) with the same present value:
``PV / Σ factors``, which equals ``numpy_financial.pmt(r, n, −PV, when='begin')`` when one rate applies.
Discounting is always on real-terms costs; nominal figures are for budgets, not for present value.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping

import numpy as np

from .assumptions import COMPARATOR, SECOND_COMPARATOR
from .discounting import discount_factors, present_value
from .engine import CostTable


def payback_year(cum_option: np.ndarray, cum_comparator: np.ndarray) -> np.ndarray:
    """First year from which ``cum_option`` stays at or below ``cum_comparator`` (NaN: never), over the last axis."""
    tol = 1e-9 * np.maximum(np.abs(cum_comparator), 1.0)
    ok = cum_option <= cum_comparator + tol
    stays = np.flip(np.cumprod(np.flip(ok, axis=-1), axis=-1), axis=-1).astype(bool)
    first = np.argmax(stays, axis=-1).astype(float)
    return np.where(stays[..., -1], first, np.nan)


def equivalent_annual_cost(pv: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """The constant annual cost with the same present value: ``PV / Σ factors`` (GBP a year)."""
    annuity = factors.sum(axis=-1)
    return pv / annuity.reshape(annuity.shape[0], *([1] * (pv.ndim - 1)))


def growth_index(table: CostTable, values: Mapping[str, np.ndarray]) -> np.ndarray:
    """General inflation from the price base, ``S × lines × years`` (1 at the price base), the same for every line.

    Real costs already carry each line's relative price effect (pay, placements), so cash figures
    only add general inflation (``appraisal.inflation.general``, the GDP deflator's growth):
    nominal pay grows by ``(1 + general) × (1 + relative price effect of pay)`` a year.
    """
    exponent = np.array([table.start_year + t - table.price_base_year for t in table.years], dtype=float)
    rates = np.asarray(values["appraisal.inflation.general"], dtype=float).reshape(-1, 1, 1)
    growth = np.power(1.0 + rates, exponent[None, None, :])
    return np.broadcast_to(growth, (growth.shape[0], len(table.lines), len(exponent)))


def nominal(table: CostTable, values: Mapping[str, np.ndarray]) -> CostTable:
    """The same costs in nominal (cash) terms: every line uplifted by general inflation."""
    if table.terms == "nominal":
        return table
    idx = growth_index(table, values)[:, None, :, :]
    central = None if table.central_government is None else table.central_government * idx
    return replace(table, values=table.values * idx, terms="nominal", central_government=central)


# eq and repr left out (arrays compare element by element and print at length; nothing compares or prints one), so
# the class is quicker to define: the start-up time of ``costmodel compare``. Still frozen.
@dataclass(frozen=True, eq=False, repr=False)
class Appraisal:
    """Appraisal results; arrays have scenarios first, then options (and categories), GBP real."""

    table: CostTable
    factors: np.ndarray  # S × years
    totals: np.ndarray  # S × options × categories (undiscounted, the table's terms)
    present_value: np.ndarray  # S × options
    present_value_by_category: np.ndarray  # S × options × categories
    npc_vs_do_minimum: np.ndarray  # S × options
    npc_vs_in_house: np.ndarray | None  # S × options, None when there is no in_house option
    payback_year_vs_do_minimum: np.ndarray  # S × options, NaN: never
    equivalent_annual_cost: np.ndarray  # S × options
    safe_service_month: np.ndarray  # S × options, NaN: never
    present_value_by_payer: np.ndarray | None = None  # S × options × PAYERS, summing to present_value

    @property
    def options(self) -> tuple[str, ...]:
        return self.table.options

    def cheapest(self) -> np.ndarray:
        """Index of the option with the lowest present value, per scenario ``(S,)``."""
        return np.argmin(self.present_value, axis=1)


def appraise(table: CostTable, values: Mapping[str, np.ndarray], terms: str = "real") -> Appraisal:
    """Discount a real-terms table the Green Book way; totals in ``terms`` (``real`` or ``nominal``)."""
    if table.terms != "real":
        raise ValueError("appraise() discounts real-terms costs; pass the real table")
    Y = table.values.shape[-1]
    f = discount_factors(Y, values["appraisal.discount_rate"], values["appraisal.discount_rate_long"],
                         values["appraisal.mid_year_discounting"])
    if f.shape[0] == 1 and table.values.shape[0] > 1:
        f = np.broadcast_to(f, (table.values.shape[0], Y))
    by_cat = table.by_category()
    pv_cat = present_value(by_cat, f)
    pv = pv_cat.sum(axis=-1)
    shown = nominal(table, values) if terms == "nominal" else table
    totals = shown.by_category().sum(axis=-1)
    base = table.options.index(COMPARATOR)
    npc_bau = pv - pv[:, [base]]
    npc_ih = pv - pv[:, [table.options.index(SECOND_COMPARATOR)]] if SECOND_COMPARATOR in table.options else None
    cum = np.cumsum(table.total() * f[:, None, :], axis=-1)
    payback = payback_year(cum, cum[:, [base], :])
    central = present_value(table.payer_values("central_government").sum(axis=2), f)
    by_payer = np.stack([pv - central, central], axis=-1)  # the council pays the rest: the two sum to pv
    return Appraisal(table=shown, factors=f, totals=totals, present_value=pv, present_value_by_category=pv_cat,
                     npc_vs_do_minimum=npc_bau, npc_vs_in_house=npc_ih, payback_year_vs_do_minimum=payback,
                     equivalent_annual_cost=equivalent_annual_cost(pv, f), safe_service_month=table.safe_service_month,
                     present_value_by_payer=by_payer)


#: Who pays a cost line: the council, or central government (DfE contributions, the commissioner).
PAYERS = ("council", "central_government")
#: Whose costs an appraisal counts: every public body's (Green Book) or the council's own budget.
PERSPECTIVES = ("public-sector", "council")


def perspective_table(table: CostTable, perspective: str) -> CostTable:
    """The costs a perspective counts: all of them (``public-sector``) or the council's own (``council``)."""
    if perspective == "public-sector":
        return table
    if perspective == "council":
        return replace(table, values=table.payer_values("council"), central_government=None)
    raise ValueError(f"perspective must be one of {', '.join(PERSPECTIVES)}, got {perspective!r}")
