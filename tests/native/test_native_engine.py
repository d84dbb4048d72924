"""The compiled engine (costmodel.native.engine_v4 / engine_v3 through costmodel.compiled_engine) against the numpy
engine it replaces (costmodel.line_values with the kernel switched off), each build this processor runs (AVX-512 and
AVX2 here): the Monte Carlo passes of the bundled example, its scenarios and real councils bit for bit (the kernel
does the numpy engine's arithmetic in the same order, and is handed numpy's logarithms and exponentials); edge
cases where a line is zero in some draws but not all (skipped draw by draw here, added as 0 by numpy) to 1e-12
relative (measured: 1.7e-13 at most, where a legacy floor far above the count makes that line the difference of two
huge terms)."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from costmodel import compiled_engine, line_values
from costmodel import montecarlo as mc
from costmodel import sampling
from costmodel.cli.common import load_assumptions
from costmodel.levers import PHASES
from costmodel.native import kernel
from costmodel.prices import convert
from tests.core.test_line_values import _draws as ranged_draws

RELATIVE = 1e-12  #: the bound asserted where the kernel may skip a zero line the numpy engine adds


def _engines() -> dict:
    """The compiled engines this processor runs, by name (the one compiled_engine takes first)."""
    cpu = kernel("cpu")
    level = cpu.x86_64_level() if cpu is not None else 0
    return {name: kernel(name) for name, needs in (("engine_v4", 4), ("engine_v3", 3)) if level >= needs}


ENGINES = _engines()


def needs_an_engine() -> None:
    if not ENGINES:
        pytest.skip("this processor runs neither build (no AVX2): the numpy engine runs")


def test_both_builds_are_installed_and_the_command_takes_the_widest_this_processor_runs():
    """setup.py builds engine_v4 and engine_v3 on x86-64 (found without importing them: a build for a level the
    processor lacks must not be loaded); compiled_engine takes the widest the processor runs."""
    import importlib.util
    assert all(importlib.util.find_spec(f"costmodel.native.{name}") is not None for name in ("engine_v4", "engine_v3"))
    level = kernel("cpu").x86_64_level()
    assert level in (0, 3, 4)
    want = "engine_v4" if level == 4 else "engine_v3" if level == 3 else None
    assert compiled_engine._KERNEL is (ENGINES[want] if want else None)
    assert all(k is not None for k in ENGINES.values())
    needs_an_engine()


def both(options, years, v, S):
    """``({engine: present values}, numpy engine's)``, ``S × options`` each; every kernel must take the pass."""
    needs_an_engine()
    with pytest.MonkeyPatch.context() as m:
        m.setattr(compiled_engine, "_KERNEL", None)
        want = line_values.option_present_values(options, years, v, S)
    got = {}
    for name, k in ENGINES.items():
        with pytest.MonkeyPatch.context() as m:
            m.setattr(compiled_engine, "_KERNEL", k)
            got[name] = compiled_engine.present_values(options, years, v, S)
        assert got[name] is not None, f"{name} handed the pass back"
    return got, want


def relative(got, want) -> float:
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    ok = ~np.isnan(want)
    return float((np.abs(got[ok] - want[ok]) / np.maximum(np.abs(want[ok]), 1e-300)).max(initial=0.0))


def passes(a, seed, n=3000, blocks=1):
    """Monte Carlo passes of ``a`` as the command costs them: draws (with rows at u = 0, the smallest u > 0 and the
    largest u < 1) turned into levers in base-year prices."""
    p = mc.plan(a, n * blocks, seed)
    mc.prepare(p, mc.local_map(workers=1))
    costing = mc.Costing(p)
    rng = np.random.default_rng(seed)
    for _ in range(blocks):
        u = np.asfortranarray(rng.random((n, len(p.drawn))))
        u[0], u[1], u[-1] = 0.0, 2.0**-53, 1.0 - 2.0**-53
        x = sampling.to_levers(u, list(p.drawn), p.distribution, p.correlation)
        yield p, convert(costing.prices, {d.key: x[:, j] for j, d in enumerate(p.drawn)}), n


def check_passes(a, seed, **kw) -> None:
    """Every pass, every kernel: the numpy engine's present values bit for bit."""
    for p, v, n in passes(a, seed, **kw):
        got, want = both(p.options, p.horizon_years, v, n)
        for name, values in got.items():
            np.testing.assert_array_equal(values, want, err_msg=name)


@pytest.fixture(scope="module")
def bundled():
    return load_assumptions()


@pytest.mark.parametrize("seed", [1, 2, 20261130])
def test_the_bundled_monte_carlo_passes(bundled, seed):
    check_passes(bundled, seed, blocks=2)


def test_the_command_s_own_blocks(bundled):
    """The draws ``montecarlo --seed 1`` costs (its first block), through montecarlo.Costing."""
    needs_an_engine()
    engine = compiled_engine._KERNEL
    p = mc.plan(bundled, 20_000, 1)
    mc.prepare(p, mc.local_map(workers=1))
    x = sampling.draw_block(list(p.drawn), p.seed, 0, p.block_size(0), p.distribution, p.correlation)
    taken = []

    class Spy:  # the kernel, recording whether it took each pass
        def present_values(self, *args):
            taken.append(engine.present_values(*args))
            return taken[-1]

    with pytest.MonkeyPatch.context() as m:
        m.setattr(compiled_engine, "_KERNEL", Spy())
        got = mc.Costing(p)(x)
    assert taken == [True]
    with pytest.MonkeyPatch.context() as m:
        m.setattr(compiled_engine, "_KERNEL", None)
        want = mc.Costing(p)(x)
    np.testing.assert_array_equal(got, want)


def test_every_bundled_scenario(bundled):
    assert bundled.scenarios
    for name in bundled.scenarios:
        check_passes(bundled.with_scenario(name), 3, n=1000)


@pytest.mark.parametrize("council", ["Doncaster", "Isle of Wight", "Birmingham"])
def test_real_councils(council):
    from costmodel.evidence.council_init import council_set
    _, baseline = council_set(council)
    check_passes(baseline.assumptions, 5, n=1000)


def _option_keys(a, field):
    return [f"options.{o.key}.{field}" for o in a.options if f"options.{o.key}.{field}" in a.levers]


EDITS = {  # --set-style values that zero a line or a phase, spans of 0, NaN "never", growth and decline
    "no fee": lambda a: {k: 0.0 for k in _option_keys(a, "leadership.management_fee")},
    "a fee": lambda a: {k: 50_000.0 for k in _option_keys(a, "leadership.management_fee")},
    "phase of 0 months": lambda a: {f"journey.{PHASES[1]}_months": 0.0},
    "first phase of 0 months": lambda a: {f"journey.{PHASES[0]}_months": 0.0},
    "phase split of 0": lambda a: {k: 0.0 for k in _option_keys(a, f"improvement.phase_split.{PHASES[2]}")},
    "last phase split of 0": lambda a: {k: 0.0 for k in _option_keys(a, f"improvement.phase_split.{PHASES[3]}")},
    "set-up over 0 months": lambda a: {k: 0.0 for k in _option_keys(a, "set_up.months")},
    "transition over 0 months": lambda a: {k: 0.0 for k in _option_keys(a, "transitional.months")},
    "target at once": lambda a: {k: 0.0 for k in _option_keys(a, "workforce.years_to_target")},
    "no step-down": lambda a: {k: 0.0 for k in _option_keys(a, "legacy.step_down_per_year")},
    "growing legacy": lambda a: {k: -0.08 for k in _option_keys(a, "legacy.step_down_per_year")},
    "no improvement": lambda a: {k: 0.0 for k in _option_keys(a, "improvement.total")},
    "falling agency drift": lambda a: {"baseline.drift.agency_share_per_year": -0.01},
    "no agency drift": lambda a: {"baseline.drift.agency_share_per_year": 0.0},
    "falling placements drift": lambda a: {"baseline.drift.legacy_placements_per_year": -0.3},
    "no placements drift": lambda a: {"baseline.drift.legacy_placements_per_year": 0.0},
    "interim forever": lambda a: {k: np.nan for k in _option_keys(a, "leadership.interim_end_month")},
    "partnership forever": lambda a: {k: np.nan for k in _option_keys(a, "leadership.partnership_months")},
    "no senior saving": lambda a: {k: 0.0 for k in _option_keys(a, "leadership.senior_team_saving")},
    "a senior saving": lambda a: {k: 0.2 for k in _option_keys(a, "leadership.senior_team_saving")},
    "efficiency": lambda a: {**{k: 0.01 for k in _option_keys(a, "efficiency.rate")},
                             **{k: 2.0 for k in _option_keys(a, "efficiency.from_year")}},
    "support over 0 months": lambda a: {f"options.{o.key}.external_support.{s}.months": 0.0
                                        for o in a.options for s in o.support},
    "no extra case holders": lambda a: {"baseline.caseload.target_per_case_holder": 1e9},
    "net of caseload uplift": lambda a: {k: 1.0 for k in _option_keys(a, "improvement.net_of_caseload_uplift")},
    "fewer legacy than the floor": lambda a: {"baseline.legacy_placements.floor": 1e6},
}


@settings(max_examples=60, deadline=None)
@given(edits=st.lists(st.sampled_from(sorted(EDITS)), max_size=5), seed=st.integers(0, 2**32 - 1),
       S=st.integers(1, 40), drawn_rates=st.booleans(), mid_year=st.booleans())
def test_edge_levers(bundled, edits, seed, S, drawn_rates, mid_year):
    """Zeroed lines and phases, spans of 0, NaN end months, negative drifts and step-downs, a drawn discount rate
    and drawn relative price effects: the same present values."""
    v = ranged_draws(bundled, S, seed)  # every ranged lever uniform over its range
    rng = np.random.default_rng(seed + 1)
    for name in edits:
        v.update({k: np.full(S, x) if rng.random() < 0.5 else np.asarray([x]) for k, x in EDITS[name](bundled).items()})
    if drawn_rates:
        v["appraisal.discount_rate"] = rng.uniform(0.0, 0.1, S)
        v["appraisal.discount_rate_long"] = rng.uniform(0.0, 0.1, S)
        for index in line_values.RELATIVE_PRICE_INDICES:
            v[f"appraisal.relative_price.{index}"] = rng.uniform(-0.05, 0.05, S)
    v["appraisal.mid_year_discounting"] = np.asarray([float(mid_year)])
    got, want = both(bundled.options, bundled.horizon_years, v, S)
    for values in got.values():
        assert relative(values, want) <= RELATIVE


def test_a_step_down_of_one_or_more_is_handed_back(bundled):
    """The numpy engine sums such a pass by year (everything steps down at once somewhere): the kernel declines it,
    and option_present_values gives the numpy engine's figures."""
    v = dict(bundled.values("central"))
    key = next(f"options.{o.key}.legacy.step_down_per_year" for o in bundled.options if o.improves)
    v[key] = np.array([0.5, 1.0, 1.5])
    assert compiled_engine.present_values(bundled.options, bundled.horizon_years, v, 3) is None
    got = line_values.option_present_values(bundled.options, bundled.horizon_years, v, 3)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(compiled_engine, "_KERNEL", None)
        want = line_values.option_present_values(bundled.options, bundled.horizon_years, v, 3)
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("name", sorted(ENGINES))
def test_the_kernel_names_a_wrong_input(bundled, name):
    k = ENGINES[name]
    S = 4
    v = {key: np.resize(np.asarray(x, dtype=float), S) if np.size(x) > 1 else x for key, x in bundled.values("central").items()}
    levers, description, f = compiled_engine.inputs(bundled.options, bundled.horizon_years, v, S)
    out = np.empty((S, len(bundled.options)))
    assert k.present_values(levers, description, f, 10, out) is True
    with pytest.raises(ValueError, match="a horizon of 101 years"):
        k.present_values(levers, description, np.ones(101), 101, out)
    with pytest.raises(ValueError, match="levers: .* were expected for these options"):
        k.present_values(levers[:-1], description, f, 10, out)
    with pytest.raises(ValueError, match="factors"):
        k.present_values(levers, description, np.ones(9), 10, out)
    bad = list(levers)
    bad[3] = np.ones(3)
    with pytest.raises(ValueError, match="lever 3: 1 or 4 numbers"):
        k.present_values(bad, description, f, 10, out)
    bad[3] = np.ones(4, dtype=np.float32)
    with pytest.raises(ValueError, match="lever 3: float64"):
        k.present_values(bad, description, f, 10, out)
    with pytest.raises(ValueError, match="options: two ints"):
        k.present_values(levers, description[:-1], f, 10, out)


def test_a_horizon_over_100_years_runs_the_numpy_engine(bundled):
    assert compiled_engine.present_values(bundled.options, 101, bundled.values("central"), 1) is None
