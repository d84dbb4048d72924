"""Monte Carlo: reproducible whatever the chunking or backend; percentiles against an independent route."""
import dataclasses
import json

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from click.testing import CliRunner

from costmodel import montecarlo as mc
from costmodel.prices import to_base_prices
from costmodel import sampling
from costmodel.appraisal import appraise
from costmodel.errors import AssumptionError
from costmodel.cli import main
from costmodel.engine import run
from costmodel.levers import MONEY_UNITS


def test_percentiles_and_probabilities_match_an_independent_computation(bundled):
    p = mc.plan(bundled, 3000, seed=7)
    r = mc.montecarlo(p)
    # independent route: the same draws through engine.run + appraise, statistics by numpy directly
    x = sampling.draw_block(list(p.drawn), 7, 0, 3000, "pert", p.correlation)
    v = bundled.raw_values()  # draws are of the figures as written: convert to base-year prices after substituting
    v.update({d.key: x[:, j] for j, d in enumerate(p.drawn)})
    v = to_base_prices(v, bundled.price_plan)
    ap = appraise(run(bundled, v), v)
    np.testing.assert_allclose(r.present_value, ap.present_value, rtol=1e-12)
    npc = ap.npc_vs_do_minimum
    for i, o in enumerate(bundled.option_keys):
        s = r.summary[o]
        for q in (5, 50, 95):
            assert s["present_value"][f"p{q}"] == pytest.approx(np.percentile(ap.present_value[:, i], q), rel=1e-12)
            assert s["npc_vs_do_minimum"][f"p{q}"] == pytest.approx(np.percentile(npc[:, i], q), rel=1e-12, abs=1e-6)
        assert s["probability_cheapest"] == np.mean(ap.present_value.argmin(axis=1) == i)
        if o != "do_minimum":
            assert s["probability_npc_vs_do_minimum_negative"] == np.mean(npc[:, i] < 0)
    assert r.summary["do_minimum"]["probability_npc_vs_do_minimum_negative"] is None
    assert sum(r.summary[o]["probability_cheapest"] for o in bundled.option_keys) == pytest.approx(1.0)


def test_same_seed_same_results_whatever_the_chunk_size_or_threads(bundled):
    n = sampling.BLOCK + 1500  # crosses a block boundary
    a = mc.montecarlo(mc.plan(bundled, n, seed=11, chunk=4096))
    b = mc.montecarlo(mc.plan(bundled, n, seed=11, chunk=777), mc.local_map(workers=1))
    np.testing.assert_array_equal(a.present_value, b.present_value)
    c = mc.montecarlo(mc.plan(bundled, 1500, seed=11, chunk=100))
    np.testing.assert_array_equal(c.present_value, a.present_value[:1500])  # a prefix of a longer run
    d = mc.montecarlo(mc.plan(bundled, 1500, seed=12))
    assert not np.array_equal(d.present_value, c.present_value)


def test_each_lever_has_its_own_stream_per_block():
    # block 2, lever "b": SeedSequence(5, spawn_key=(2, crc32("b"))), one uniform per draw mapped through
    # the quantile function of PERT(0, 1, 2) = 2 × Beta(3, 3)
    import zlib
    from scipy.stats import beta
    drawn = [sampling.Drawn("a", 0.0, 1.0, 2.0), sampling.Drawn("b", 0.0, 1.0, 2.0)]
    stream = np.random.SeedSequence(5, spawn_key=(2, zlib.crc32(b"b")))
    expected = 2.0 * beta.ppf(np.random.default_rng(stream).random(10), 3.0, 3.0)
    np.testing.assert_allclose(sampling.draw_block(drawn, 5, 2, 10)[:, 1], expected, rtol=0, atol=2e-7)
    expected = sampling.draw_block(drawn, 5, 2, 10)[:, 1]
    # block i of SeedSequence(5).spawn(n) is the same family: spawn_key (i,)
    assert np.random.SeedSequence(5).spawn(3)[2].spawn_key == (2,)
    # fixing another lever does not change this lever's draws (common random numbers)
    np.testing.assert_array_equal(sampling.draw_block(drawn[1:], 5, 2, 10)[:, 0], expected)


def test_pert_and_triangular_means_and_bounds(bundled):
    drawn = [sampling.Drawn("x", 3.0, 10.0, 15.0)]
    pert = sampling.draw_block(drawn, 1, 0, sampling.BLOCK, "pert")[:, 0]
    tri = sampling.draw_block(drawn, 1, 0, sampling.BLOCK, "triangular")[:, 0]
    assert pert.min() >= 3 and pert.max() <= 15 and tri.min() >= 3 and tri.max() <= 15
    se = 12 / np.sqrt(sampling.BLOCK)  # generous standard error
    assert pert.mean() == pytest.approx((3 + 4 * 10 + 15) / 6, abs=3 * se)   # 9.667
    assert tri.mean() == pytest.approx((3 + 10 + 15) / 3, abs=3 * se)         # 9.333


PERT_SHAPES = [(3.0, 10.0, 15.0), (0.0, 1.0, 2.0), (0.0, 0.0, 1.0), (0.0, 1.0, 1.0), (35e6, 42e6, 50e6),
               (0.178, 0.25, 0.35), (0.0, 1.0, 3.0), (4.0, 6.0, 9.0), (-5.0, -4.99, 5.0), (1.0, 1.0 + 1e-9, 2.0)]


@pytest.mark.parametrize("low,central,high", PERT_SHAPES)
def test_pert_quantiles_match_scipy_to_1e_6_of_the_range(low, central, high):
    from scipy.stats import beta
    d = sampling.Drawn("x", low, central, high)
    a, b = sampling.pert_shape(d)
    rng = np.random.default_rng(0)
    # 10^5 uniforms, an even grid including both ends, and points ever closer to each end
    u = np.concatenate([rng.random(100_000), np.linspace(0.0, 1.0, 10_001), 2.0 ** -np.arange(1, 54),
                        1.0 - 2.0 ** -np.arange(1, 54)])
    got = sampling.pert_quantile(d, u.copy())
    want = low + (high - low) * beta.ppf(u, a, b)
    assert np.max(np.abs(got - want)) < 1e-6 * (high - low)
    assert np.all(np.diff(sampling.pert_quantile(d, np.sort(u))) >= -1e-12 * (high - low))  # non-decreasing


@pytest.mark.parametrize("low,central,high", PERT_SHAPES[:6])
def test_pert_draws_have_pert_mean_and_variance(low, central, high):
    d = sampling.Drawn("x", low, central, high)
    x = np.concatenate([sampling.draw_block([d], 2, k, sampling.BLOCK)[:, 0] for k in range(4)])
    a, b = sampling.pert_shape(d)
    span = high - low
    mean = (low + 4 * central + high) / 6
    var = a * b / ((a + b) ** 2 * (a + b + 1)) * span**2  # Beta variance, scaled
    n = x.size
    assert x.mean() == pytest.approx(mean, abs=4 * np.sqrt(var / n))
    assert x.var() == pytest.approx(var, rel=4 * np.sqrt(2.0 / n) * 2)  # ≈ 4 standard errors (kurtosis < 3)


def test_triangular_quantiles_are_the_closed_form_inverse():
    from scipy.stats import triang
    d = sampling.Drawn("x", 3.0, 10.0, 15.0)
    u = np.random.default_rng(1).random(100_000)
    want = triang.ppf(u, (10.0 - 3.0) / 12.0, loc=3.0, scale=12.0)
    np.testing.assert_allclose(sampling.triangular_quantile(d, u), want, rtol=0, atol=1e-9 * 12)


def test_integer_levers_are_drawn_as_integers():
    out = sampling.draw_block([sampling.Drawn("k", 1.0, 2.0, 4.0, integer=True)], 3, 0, 1000)[:, 0]
    assert set(np.unique(out)) <= {1.0, 2.0, 3.0, 4.0}


def test_structural_levers_and_flags_are_not_drawn(bundled):
    a = bundled.with_overrides([])
    drawn, held = sampling.drawn_levers(a)
    keys = {d.key for d in drawn}
    assert "appraisal.horizon_years" not in keys and not any(k.startswith("baseline.capacity") for k in keys)
    # inflation changes nominal figures only; Monte Carlo reports present values (real): held at central
    assert not any(k.startswith("appraisal.inflation.") for k in keys)
    assert "appraisal.inflation.general" in held
    assert keys == {k for k, l in a.levers.items() if None not in (l.low, l.high) and l.low < l.high} - set(held)
    # a price index's forecast years carry a range and are drawn; its outturn years are one number
    assert "prices.gdp_deflator.2025" in keys and "prices.gdp_deflator.2016" not in keys
    # ... but only the years some conversion reads: the price base and each money figure's price year
    base = a.price_base_year
    read = {f"prices.{a.prices.index_for(l.spec.price_group)}.{y}" for l in a.levers.values()
            if l.unit in MONEY_UNITS and l.price_base is not None and int(l.price_base) != base
            for y in (int(l.price_base), base)}
    index_years = {k for k in keys | set(held) if k.startswith("prices.")}
    assert index_years & keys == index_years & read and index_years - read <= set(held)
    assert any(k.startswith("prices.cpih.") for k in held)  # no price group uses the bundled CPIH


def test_inflation_cannot_change_any_monte_carlo_output(bundled):
    p = mc.plan(bundled, 500, seed=2)
    x = sampling.draw_block(list(p.drawn), 2, 0, 500, "pert", p.correlation)
    v = bundled.values()
    v.update({d.key: x[:, j] for j, d in enumerate(p.drawn)})
    base = appraise(run(bundled, v), v).present_value
    for k in ("appraisal.inflation.general",):
        w = dict(v, **{k: np.linspace(0.0, 0.2, 500)})
        np.testing.assert_array_equal(appraise(run(bundled, w), w).present_value, base)


def _with_correlations(a, corr):
    return dataclasses.replace(a, extra={**dict(a.extra), "correlations": corr})


def test_declared_rank_correlation_is_achieved_and_marginals_unchanged(bundled):
    from scipy.stats import beta, kstest, spearmanr
    k1, k2 = "options.in_house.improvement.total", "options.trust.improvement.total"
    a = _with_correlations(bundled, [{"levers": [k1, k2], "rho": 0.7, "reason": "test"}])
    p = mc.plan(a, 5000, seed=3)
    x = sampling.draw_block(list(p.drawn), 3, 0, sampling.BLOCK, "pert", p.correlation)
    y = sampling.draw_block(list(p.drawn), 3, 0, sampling.BLOCK, "pert", None)
    keys = [d.key for d in p.drawn]
    i, j = keys.index(k1), keys.index(k2)
    assert spearmanr(x[:, i], x[:, j])[0] == pytest.approx(0.7, abs=0.01)
    assert abs(spearmanr(y[:, i], y[:, j])[0]) < 0.02
    # each marginal is still the lever's PERT (Kolmogorov-Smirnov against the exact Beta CDF)
    for col in (i, j):
        d = p.drawn[col]
        a_, b_ = sampling.pert_shape(d)
        assert kstest((x[:, col] - d.low) / (d.high - d.low), beta(a_, b_).cdf).pvalue > 0.001
    # levers outside any correlation keep exactly their own draws (common random numbers)
    others = [c for c in range(len(keys)) if c not in (i, j)]
    np.testing.assert_array_equal(x[:, others], y[:, others])


@pytest.mark.parametrize("corr,msg", [
    ([{"levers": ["options.trust.improvement.total", "appraisal.horizon_years"], "rho": 0.5}], "never drawn"),
    ([{"levers": ["options.trust.improvement.total", "nope.key"], "rho": 0.5}], "unknown lever"),
    ([{"levers": ["options.trust.improvement.total", "options.in_house.improvement.total"], "rho": 1.5}], "between -1 and 1"),
    ("rho: 1", "expected a list"),
])
def test_bad_correlations_are_input_errors(bundled, corr, msg):
    with pytest.raises(AssumptionError, match=msg):
        mc.plan(_with_correlations(bundled, corr), 10, 1)


def test_correlation_with_a_fixed_lever_is_dropped(bundled):
    a = bundled.with_overrides([("options.trust.improvement.total", "12000000")])
    p = mc.plan(a, 10, 1)
    keys = [d.key for d in p.drawn]
    assert "options.trust.improvement.total" not in keys
    i, j = keys.index("options.in_house.improvement.total"), keys.index("options.executive_leadership.improvement.total")
    assert p.correlation[i, j] == pytest.approx(2 * np.sin(np.pi * 0.7 / 6))  # the bundled pair that remains


def test_inconsistent_correlations_are_refused(bundled):
    k = ["options.in_house.improvement.total", "options.trust.improvement.total", "options.executive_leadership.improvement.total"]
    corr = [{"levers": [k[0], k[1]], "rho": 0.9}, {"levers": [k[1], k[2]], "rho": 0.9}, {"levers": [k[0], k[2]], "rho": -0.9}]
    with pytest.raises(AssumptionError, match="positive definite"):
        mc.plan(_with_correlations(bundled, corr), 10, 1)


def test_dask_backend_gives_identical_results(bundled):
    from costmodel.backends.dask_cluster import dask_map
    p = mc.plan(bundled, sampling.BLOCK + 200, seed=9, chunk=2048)
    local = mc.montecarlo(p)
    seen = []
    with dask_map(workers=1, processes=False) as mapper:
        remote = mc.montecarlo(p, mapper, seen.append)
    np.testing.assert_array_equal(local.present_value, remote.present_value)
    assert sorted(seen) == [200, sampling.BLOCK]


def test_cli_montecarlo_json_parquet_chart(tmp_path):
    import pandas as pd
    args = ["montecarlo", "--draws", "2000", "--seed", "4", "--format", "json"]
    r = CliRunner().invoke(main, args + ["--draws-output", str(tmp_path / "d.parquet"), "--chart", str(tmp_path / "c.png")])
    assert r.exit_code == 0, r.output
    obj = json.loads(r.stdout)
    assert obj["draws"] == 2000 and set(obj["summary"]) == {"do_minimum", "in_house", "executive_leadership", "trust"}
    df = pd.read_parquet(tmp_path / "d.parquet")
    assert len(df) == 8000 and df["draw"].max() == 1999
    p50 = np.percentile(df[df.option == "trust"]["npc_vs_do_minimum"], 50)
    assert obj["summary"]["trust"]["npc_vs_do_minimum"]["p50"] == pytest.approx(p50, rel=1e-12)
    assert (tmp_path / "c.png").read_bytes().startswith(b"\x89PNG")
    again = CliRunner().invoke(main, args + ["--chunk-size", "300"])
    assert json.loads(again.stdout)["summary"] == obj["summary"]


def test_cli_montecarlo_input_errors(tmp_path):
    r = CliRunner().invoke(main, ["montecarlo", "--draws", "10", "--scheduler", "tcp://x:1"])
    assert r.exit_code == 2 and "--backend dask" in r.output
    r = CliRunner().invoke(main, ["montecarlo", "--draws", "10", "--draws-output", str(tmp_path / "x.csv")])
    assert r.exit_code == 2 and ".parquet" in r.output


def test_summary_percentiles_of_a_large_run_equal_numpys():
    # 100,000 draws or more: the percentiles are taken column by column on two threads
    rng = np.random.default_rng(3)
    options = ("do_minimum", "in_house", "trust")
    pv = rng.normal(4e8, 3e7, (150_000, 3))
    s = mc.summarise(pv, options)
    npc = pv - pv[:, [0]]
    for i, o in enumerate(options):
        assert [s[o]["present_value"][f"p{q}"] for q in (5, 50, 95)] == list(np.percentile(pv, (5, 50, 95), axis=0)[:, i])
        assert [s[o]["npc_vs_do_minimum"][f"p{q}"] for q in (5, 50, 95)] == list(np.percentile(npc, (5, 50, 95), axis=0)[:, i])


def test_standard_errors_match_the_spread_between_seeds_and_shrink_as_one_over_root_n(bundled):
    def spread_and_se(draws, metric):
        runs = [mc.montecarlo(mc.plan(bundled, draws, seed)).summary["in_house"] for seed in range(16)]
        values = [metric(s)[0] for s in runs]
        return np.std(values, ddof=1), np.mean([metric(s)[1] for s in runs])
    for metric in (lambda s: (s["probability_cheapest"], s["standard_error"]["probability_cheapest"]),
                   lambda s: (s["npc_vs_do_minimum"]["p50"], s["standard_error"]["npc_vs_do_minimum"]["p50"]),
                   lambda s: (s["present_value"]["p95"], s["standard_error"]["present_value"]["p95"]),
                   lambda s: (s["present_value"]["mean"], s["standard_error"]["present_value"]["mean"])):
        spread, se = spread_and_se(4000, metric)
        assert 0.55 < se / spread < 1.8  # 16 seeds: the spread itself is uncertain by about ±18%
        _, se4 = spread_and_se(16000, metric)
        assert se / se4 == pytest.approx(2.0, rel=0.15)


@pytest.mark.parametrize("low,central,high", PERT_SHAPES)
def test_table_knots_are_the_exact_beta_quantiles(low, central, high):
    from scipy import special
    a, b = sampling.pert_shape(sampling.Drawn("x", low, central, high))
    want = special.betaincinv(a, b, np.arange(sampling.TABLE_CELLS + 1) / sampling.TABLE_CELLS)
    want[0], want[-1] = 0.0, 1.0
    np.testing.assert_allclose(sampling.beta_knots(a, b), want, rtol=0, atol=1e-12)


def test_qmc_same_seed_same_results_whatever_the_chunk_size_threads_or_dask(bundled):
    from costmodel.backends.dask_cluster import dask_map
    n = sampling.BLOCK + 3000
    a = mc.montecarlo(mc.plan(bundled, n, seed=5, chunk=4096, qmc=True))
    b = mc.montecarlo(mc.plan(bundled, n, seed=5, chunk=999, qmc=True), mc.local_map(workers=1))
    np.testing.assert_array_equal(a.present_value, b.present_value)
    c = mc.montecarlo(mc.plan(bundled, 3000, seed=5, qmc=True))
    np.testing.assert_array_equal(c.present_value, a.present_value[:3000])
    with dask_map(workers=1, processes=False) as mapper:
        d = mc.montecarlo(mc.plan(bundled, n, seed=5, qmc=True), mapper)
    np.testing.assert_array_equal(d.present_value, a.present_value)
    assert a.summary == d.summary
    # the points are a scrambled Sobol' design: each lever's uniforms fill [0, 1) evenly in every replicate
    u = sampling.qmc_uniforms(3, 5, 0, sampling.QMC_REPLICATE)
    counts = np.stack([np.histogram(u[:, j], bins=64, range=(0, 1))[0] for j in range(3)])
    assert np.all(counts == sampling.QMC_REPLICATE // 64)


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.floats(-1e12, 1e12), min_size=1, max_size=300), n_extra=st.integers(0, 3))
def test_sorted_percentiles_equal_numpys_linear_rule_bit_for_bit(values, n_extra):
    c = np.sort(np.array(values + [values[0]] * n_extra))
    q = mc.percentile_points(c.size)
    np.testing.assert_array_equal(mc.sorted_percentiles(c, q), np.percentile(c, q))


def test_a_threads_work_space_is_reused_between_blocks_and_dropped_after_the_run(bundled):
    p = mc.plan(bundled, 2 * mc.BLOCK, seed=3, chunk=8192)
    seen = []
    original = mc.Costing

    class Counted(original):
        def __init__(self, plan):
            seen.append(plan)
            super().__init__(plan)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(mc, "Costing", Counted)
        r = mc.montecarlo(p, mc.local_map(workers=1))
    assert len(seen) == 1  # one work space for both blocks of this thread
    assert getattr(mc._here, "costing", None) is None  # not kept after the run
    np.testing.assert_array_equal(r.present_value, mc.montecarlo(p).present_value)


def test_a_part_of_a_block_has_the_draws_and_values_the_whole_block_has_there(bundled):
    p = mc.plan(bundled, mc.BLOCK + 500, seed=11, chunk=4096)
    whole = mc.block_present_values(p, 0)
    parts = [mc.block_present_values(p, 0, part=(a, b)) for a, b in ((0, 1000), (1000, 40_000), (40_000, mc.BLOCK))]
    np.testing.assert_array_equal(np.concatenate(parts), whole)
    drawn = list(p.drawn)
    u = sampling.Uniforms(drawn, 11, 0, mc.BLOCK).take(np.empty((mc.BLOCK, len(drawn)), order="F"))
    later = sampling.Uniforms(drawn, 11, 0, mc.BLOCK, first=12_345).take(np.empty((100, len(drawn)), order="F"))
    np.testing.assert_array_equal(later, u[12_345:12_445])  # PCG64's advance: one 64-bit output a uniform
    assert mc.halves(p) == [(0, 0, mc.BLOCK // 2), (0, mc.BLOCK // 2, mc.BLOCK), (1, 0, 500)]
