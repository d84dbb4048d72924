"""The compiled engine's arguments laid out once a Monte Carlo plan (costmodel.compiled_engine.PassTemplate, what
montecarlo.Costing hands the kernel) against those worked out afresh each pass (compiled_engine.inputs of the pass's
levers converted to base-year prices, the path before the template): the same arrays, bit for bit, and so the same
present values, whichever of the levers the template would otherwise work out once is drawn: the discount rates, the
relative price effects (with a price base before the start, so the first levels are real powers), the legacy
step-downs and mobilisation (of every option or of one), children in need and the elasticity, a money lever
converted to base-year prices (its figure drawn, its price index, or both), or none of them. Ranges are widened here
around each lever's own central value (a constructed assumption set, not the bundled figures)."""
import dataclasses
from types import MappingProxyType

import numpy as np
import pytest

from costmodel import compiled_engine, line_values, sampling
from costmodel import montecarlo as mc
from costmodel.cli.common import load_assumptions
from costmodel.prices import convert
from tests.native.test_native_engine import needs_an_engine

IMPROVING = ("in_house", "executive_leadership", "trust")
RATES = ("appraisal.discount_rate", "appraisal.discount_rate_long")
RELATIVE = ("appraisal.relative_price.pay", "appraisal.relative_price.placements")
STEP_DOWNS = tuple(f"options.{o}.legacy.step_down_per_year" for o in IMPROVING)
MOBILISATION = tuple(f"options.{o}.mobilisation_months" for o in IMPROVING)
SCALE = ("baseline.caseload.children_in_need", "baseline.improvement_scaling.elasticity")
DRIFT = ("baseline.drift.legacy_placements_per_year",)
DERIVED = RATES + RELATIVE + STEP_DOWNS + MOBILISATION + SCALE + DRIFT  #: what the template may work out once
MONEY = "baseline.outset_spend"  #: a money lever in another year's prices (checked below)
INDEX = "prices.gdp_deflator"


def _widened(a, keys):
    """``a`` with each of ``keys`` drawn over a range around its central value (step-downs kept below 1)."""
    levers = dict(a.levers)
    for key in keys:
        c = levers[key].central
        if key in STEP_DOWNS + DRIFT:
            low, high = min(c, -0.05), max(c, 0.6)
        elif key in RATES + RELATIVE:
            low, high = c - 0.02, c + 0.02
        elif key in MOBILISATION:
            low, high = 0.0, max(c, 1.0) * 2.0
        else:
            low, high = c * 0.5, c * 1.5
        levers[key] = dataclasses.replace(levers[key], low=low, high=high)
    return dataclasses.replace(a, levers=MappingProxyType(levers))


def _held(a, keys):
    """``a`` with each of ``keys`` fixed at its central value, as ``--set KEY=central`` does."""
    return a.with_overrides({k: a.levers[k].central for k in keys if a.levers[k].low != a.levers[k].high})


@pytest.fixture(scope="module")
def bundled():
    a = load_assumptions()
    assert a.levers[MONEY].price_base != a.price_base_year  # the conversion cases below convert it
    return a


def _base_index(a) -> str:
    return f"{INDEX}.{a.price_base_year}"


CASES = {  # name: (levers drawn over a widened range, levers held at central, --set pairs)
    "none of them drawn": ((), DERIVED, {}),
    "discount rates": (RATES, (), {}),
    "relative price effects, price base before the start": (RELATIVE, (), {"appraisal.price_base_year": 2024}),
    "every step-down and mobilisation": (STEP_DOWNS + MOBILISATION + DRIFT, (), {}),
    "one option's step-down": (STEP_DOWNS[:1], STEP_DOWNS[1:] + MOBILISATION + DRIFT, {}),
    "children in need and elasticity": (SCALE, (), {}),
    "a converted figure, its index held": ((MONEY,), DERIVED, {"index": "held"}),
    "a converted figure, its index drawn": ((MONEY,), (), {"index": "drawn"}),
    "a held figure, its index drawn": ((), (MONEY,), {"index": "drawn"}),
}


def _assumptions(bundled, name):
    drawn, held, sets = CASES[name]
    sets = dict(sets)
    index = sets.pop("index", None)
    a = bundled.with_overrides(sets) if sets else bundled
    a = _held(a, held)
    if index == "held":
        a = _held(a, [k for k in a.levers if k.startswith(INDEX + ".")])
    a = _widened(a, drawn + ((_base_index(a),) if index == "drawn" else ()))
    return a, drawn


def _passes(a, seed, sizes=(700, 333, 700)):
    """``(plan, Costing, drawn columns, S)`` for passes of the given sizes (the last pass of a block is shorter)."""
    p = mc.plan(a, sum(sizes), seed)
    mc.prepare(p, mc.local_map(workers=1))
    costing = mc.Costing(p)
    rng = np.random.default_rng(seed)
    for S in sizes:
        u = np.asfortranarray(rng.random((S, len(p.drawn))))
        x = sampling.to_levers(u, list(p.drawn), p.distribution, p.correlation)
        yield p, costing, x


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_template_gives_the_arrays_of_each_pass(bundled, name):
    needs_an_engine()
    a, drawn = _assumptions(bundled, name)
    for p, costing, x in _passes(a, 11):
        keys = {d.key for d in p.drawn}
        assert set(drawn) <= keys
        assert keys.isdisjoint(CASES[name][1])
        template, S = costing.compiled, x.shape[0]
        assert template is not None
        columns = {d.key: x[:, j] for j, d in enumerate(p.drawn)}
        want, description, want_f = compiled_engine.inputs(p.options, p.horizon_years, convert(costing.prices, columns), S)
        got, got_f = template.arguments(columns, S)
        assert template.description == description and len(got) == len(want)
        for i, (g, w) in enumerate(zip(got, want)):
            assert g.dtype == w.dtype and g.shape == w.shape, i
            np.testing.assert_array_equal(g, w, err_msg=f"lever {i}")
        assert got_f.shape == want_f.shape and got_f.flags.c_contiguous
        np.testing.assert_array_equal(got_f, want_f)
        old = line_values.option_present_values(p.options, p.horizon_years, convert(costing.prices, columns), S)
        np.testing.assert_array_equal(costing(x), old)


def test_what_is_drawn_decides_what_is_worked_out_each_pass(bundled):
    """The template works out once what none of its levers' draws changes, and each pass the rest; it converts each
    pass only the money levers whose figure or price index is drawn."""
    needs_an_engine()
    facts = {}
    for name in ("none of them drawn", "discount rates", "one option's step-down", "a converted figure, its index held",
                 "a held figure, its index drawn"):
        a, _ = _assumptions(bundled, name)
        p = mc.plan(a, 1000, 1)
        t = mc.Costing(p).compiled
        converted = {key for key, _, _ in t.conversion.each_pass}
        facts[name] = (t.discount_varies, t.levels_vary, t.scale_varies, len(t.drawn_steps),
                       converted <= {d.key for d in p.drawn}, MONEY in converted)
    assert facts["none of them drawn"][:4] == (False, False, False, 0)
    assert facts["discount rates"][0] is True
    assert facts["one option's step-down"][3] == 1
    assert facts["a converted figure, its index held"][4:] == (True, True)
    assert facts["a held figure, its index drawn"][4:] == (False, True)  # a held figure too: its factor is drawn


def test_a_pass_the_kernel_hands_back_is_costed_by_the_numpy_engine(bundled):
    """A drawn step-down of 1 or more: the template's pass is declined and Costing gives the numpy engine's figures."""
    needs_an_engine()
    key = STEP_DOWNS[0]
    levers = dict(bundled.levers)
    levers[key] = dataclasses.replace(levers[key], low=0.5, central=0.9, high=1.5)
    a = dataclasses.replace(bundled, levers=MappingProxyType(levers))
    p, costing, x = next(_passes(a, 5, sizes=(400,)))
    assert (x[:, [d.key for d in p.drawn].index(key)] >= 1.0).any()
    assert costing.compiled(dict(zip(costing.keys, x.T)), x.shape[0]) is None
    got = costing(x)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(compiled_engine, "_KERNEL", None)
        want = mc.Costing(p)(x)
    np.testing.assert_array_equal(got, want)


def test_no_template_without_a_lever_the_kernel_reads_or_past_100_years(bundled):
    p = mc.plan(bundled, 1000, 1)
    costing = mc.Costing(p)
    missing = next(k for k in compiled_engine.SHARED if k not in costing.keys)  # a held lever the kernel reads
    held = {k: v for k, v in costing.prices.held.items() if k != missing}
    lacking = dataclasses.replace(costing.prices, held=held)
    assert compiled_engine.pass_template(p.options, p.horizon_years, lacking, costing.keys) is None
    assert compiled_engine.pass_template(p.options, compiled_engine.MAX_YEARS + 1, costing.prices, costing.keys) is None


@pytest.mark.parametrize("name", ["a converted figure, its index held", "a held figure, its index drawn",
                                  "a converted figure, its index drawn"])
def test_a_pass_s_conversion_is_to_base_prices_of_the_levers_together(bundled, name):
    """prices.convert (held levers converted once, the rest each pass) and converted_draws (the rest alone, reading
    the held levers) give to_base_prices of every lever as published, the pass's draws put in, bit for bit."""
    from costmodel.prices import converted_draws, prepare_conversion, to_base_prices
    a, _ = _assumptions(bundled, name)
    p, costing, x = next(_passes(a, 9, sizes=(50,)))
    columns = {d.key: x[:, j] for j, d in enumerate(p.drawn)}
    want = to_base_prices({**p.central, **columns}, p.prices)
    conversion = prepare_conversion(p.central, p.prices, columns)
    got = convert(conversion, columns)
    own = converted_draws(conversion, columns)
    assert got.keys() == want.keys() and set(own) <= set(want) and MONEY in own
    for key, value in want.items():
        np.testing.assert_array_equal(got[key], value, err_msg=key)
        np.testing.assert_array_equal(own[key], value, err_msg=key)  # a held lever read from the held ones
