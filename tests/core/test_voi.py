"""Value of information: EVPI, EVPPI and expected loss against closed forms, properties and the bundled model."""
import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy.stats import norm

from costmodel import montecarlo as mc
from costmodel import voi
from costmodel.errors import AssumptionError
from costmodel.groups import _resolver, lever_groups, select


def normal_loss(mu: float, sigma: float) -> float:
    """E[max(0, −(mu + sigma Z))]: the expected loss of choosing option 0 when option 1 costs mu + sigma Z more."""
    return sigma * norm.pdf(mu / sigma) - mu * norm.cdf(-mu / sigma)


def test_evpi_is_zero_when_one_option_is_cheapest_in_every_draw():
    rng = np.random.default_rng(1)
    pv = np.column_stack([rng.uniform(90, 110, 5000), rng.normal(200, 5, 5000), 150 + rng.uniform(0, 30, 5000)])
    assert pv[:, 0].max() < pv[:, 1:].min()
    assert voi.evpi(pv).value == 0.0
    loss = voi.expected_loss(pv)
    assert loss[1].value == pytest.approx((pv[:, 1] - pv[:, 0]).mean())
    x = rng.random((5000, 2))
    assert voi.evppi(pv, x)[0].value == 0.0


def test_evpi_and_evppi_against_the_normal_closed_form():
    # option 1 costs mu + s1 θ1 + s2 θ2 more than option 0, θ standard normal: EVPI = L(mu, √(s1² + s2²)),
    # EVPPI(θ1) = E[max(0, −(mu + s1 θ1))] = L(mu, s1), EVPPI(noise) = 0
    rng = np.random.default_rng(7)
    n, mu, s1, s2 = 200_000, 2.0, 3.0, 1.5
    theta = rng.standard_normal((n, 3))
    pv = np.column_stack([np.zeros(n), mu + s1 * theta[:, 0] + s2 * theta[:, 1]])
    e = voi.evpi(pv)
    assert e.value == pytest.approx(normal_loss(mu, np.hypot(s1, s2)), abs=4 * e.standard_error)
    one, r2 = voi.evppi(pv, theta[:, :1])
    assert one.value == pytest.approx(normal_loss(mu, s1), abs=4 * one.standard_error + 0.01)
    assert r2 == pytest.approx(s1**2 / (s1**2 + s2**2), abs=0.01)
    both, _ = voi.evppi(pv, theta[:, :2])
    assert both.value == pytest.approx(e.value, rel=0.01)
    noise, _ = voi.evppi(pv, theta[:, 2:])
    assert noise.value < 3 * noise.standard_error + 0.005


def test_a_lever_with_few_values_gets_one_mean_per_value():
    # binning: with three values the fitted difference is the mean in each bin, exactly
    rng = np.random.default_rng(3)
    k = rng.integers(0, 3, 30_000).astype(float)
    diff = np.array([-1.0, 0.5, 2.0])[k.astype(int)] + rng.normal(0, 1, k.size)
    pv = np.column_stack([np.zeros(k.size), diff])
    means = np.array([diff[k == v].mean() for v in range(3)])[k.astype(int)]
    sign = 1.0 if voi.chosen_option(pv) == 0 else -1.0  # differences are measured from the option chosen now
    want = np.mean(np.maximum(0.0, -sign * means))
    assert voi.evppi(pv, k[:, None])[0].value == pytest.approx(want, rel=1e-9)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 4), st.integers(2, 6))
def test_evppi_of_binned_levers_lies_between_zero_and_evpi(seed, options, levels):
    # with one mean per value the regression is a conditional mean, so 0 <= EVPPI <= EVPI holds exactly
    rng = np.random.default_rng(seed)
    n = 2000
    k = rng.integers(0, levels, (n, 1)).astype(float)
    pv = rng.normal(0, 1, (n, options)) + rng.normal(0, 1, (levels, options))[k[:, 0].astype(int)]
    e = voi.evpi(pv).value
    p = voi.evppi(pv, k)[0].value
    assert 0.0 <= p <= e + 1e-9


def test_standard_errors_match_the_spread_of_replications_and_shrink_as_one_over_root_n():
    rng = np.random.default_rng(11)

    def draw(n):
        t = rng.standard_normal((n, 2))
        return np.column_stack([np.zeros(n), 1.0 + 2.0 * t[:, 0] + t[:, 1]]), t
    runs = {n: [voi.evppi(*(lambda pv, t: (pv, t[:, :1]))(*draw(n)))[0] for _ in range(12)] for n in (20_000, 80_000)}
    for n, ests in runs.items():
        spread = np.std([e.value for e in ests], ddof=1)
        assert 0.6 < np.mean([e.standard_error for e in ests]) / spread < 1.6, n
    ratio = np.mean([e.standard_error for e in runs[20_000]]) / np.mean([e.standard_error for e in runs[80_000]])
    assert ratio == pytest.approx(2.0, rel=0.2)
    pv1, _ = draw(40_000)
    pv4, _ = draw(160_000)
    assert voi.evpi(pv1).standard_error / voi.evpi(pv4).standard_error == pytest.approx(2.0, rel=0.05)


@pytest.fixture(scope="module")
def bundled_draws(bundled):
    r = mc.montecarlo(mc.plan(bundled, 60_000, seed=5), keep_inputs=True)
    return r, [d.key for d in r.plan.drawn]


def test_bundled_evppi_of_every_group_lies_between_zero_and_evpi_and_all_levers_give_evpi(bundled, bundled_draws):
    r, keys = bundled_draws
    pv, x = r.present_value, r.inputs
    e = voi.evpi(pv)
    sets = [(g.key, g.label, g.levers) for g in lever_groups(bundled)] + [("all", "every lever", tuple(keys))]
    for p in voi.partial_values(pv, x, keys, sets):
        assert p.evppi.value >= 0.0
        assert p.evppi.value <= e.value + 3 * (e.standard_error + p.evppi.standard_error), p.key
    everything = voi.partial_values(pv, x, keys, sets[-1:])[0]
    assert everything.evppi.value == pytest.approx(e.value, rel=0.03)
    assert everything.r_squared > 0.97


def test_a_lever_that_cannot_move_the_ranking_is_worth_nothing(bundled, bundled_draws):
    # a cost every option bears alike moves every present value by the same amount: the ranking never changes
    r, keys = bundled_draws
    rng = np.random.default_rng(0)
    common = rng.normal(0, 5e6, r.present_value.shape[0])
    pv = r.present_value + common[:, None]
    assert voi.evpi(pv).value == pytest.approx(voi.evpi(r.present_value).value, rel=1e-9)
    est, _ = voi.evppi(pv, common[:, None])
    assert est.value <= 3 * est.standard_error + 1e-3 * voi.evpi(pv).value


def test_same_seed_same_answer(bundled):
    def run():
        r = mc.montecarlo(mc.plan(bundled, 5000, seed=2), keep_inputs=True)
        keys = [d.key for d in r.plan.drawn]
        return voi.partial_values(r.present_value, r.inputs, keys, [(g.key, g.label, g.levers) for g in lever_groups(bundled)])
    assert run() == run()


def test_group_patterns_and_errors(bundled):
    resolve = _resolver(["options.trust.legacy.step_down_per_year", "options.trust.legacy", "options.in_house.legacy"])
    assert resolve("options.*.legacy.step_down_per_year") == ["options.trust.legacy.step_down_per_year"]
    assert resolve("options.*") == [] and resolve("options.*.legacy") == ["options.trust.legacy", "options.in_house.legacy"]
    groups = {g.key: g for g in lever_groups(bundled)}
    assert "baseline.legacy_placements.count" in groups["legacy_placements"].levers
    assert "options.trust.legacy.step_down_per_year" in groups["legacy_placements"].levers
    bad = dataclasses.replace(bundled, extra={**dict(bundled.extra), "groups": {"g": {"levers": ["baseline.legacy_placement.count"]}}})
    with pytest.raises(AssumptionError, match="matches no lever.*did you mean baseline.legacy_placements.count"):
        lever_groups(bad)
    with pytest.raises(AssumptionError, match="unknown group.*did you mean workforce"):
        select(list(groups.values()), ["workforse"])


def test_unknown_group_lever_in_a_folder_names_the_file_and_line(tmp_path, bundled):
    import shutil
    from costmodel.files.assumption_folder import load_folder
    from pathlib import Path
    ROOT = Path(__file__).resolve().parents[2]
    folder = tmp_path / "a"
    shutil.copytree(ROOT / "assumptions", folder)
    text = (folder / "scenarios.yaml").read_text()
    text += "  typo:\n    label: Typo\n    levers: [baseline.legacy_placements.cuont]\n"
    (folder / "scenarios.yaml").write_text(text)
    line = text.count("\n", 0, text.index("  typo:")) + 1
    with pytest.raises(AssumptionError, match=rf"scenarios.yaml:{line}: groups.typo: 'baseline.legacy_placements.cuont' matches no lever"):
        load_folder(folder)


def test_dask_backend_gives_identical_value_of_information(bundled):
    from costmodel.backends.dask_cluster import dask_map
    from costmodel.voi import value_of_information
    local = value_of_information(bundled, 3000, 4, groups=["legacy_placements", "workforce"])
    with dask_map(workers=1, processes=False) as mapper:
        remote = value_of_information(bundled, 3000, 4, mapper, groups=["legacy_placements", "workforce"])
    assert remote == local


def _ranged(a, ranges):
    """``a`` with low / central / high given to some levers: a constructed assumption set."""
    from types import MappingProxyType
    levers = dict(a.levers)
    for key, (low, central, high) in ranges.items():
        levers[key] = dataclasses.replace(levers[key], low=low, central=central, high=high)
    return dataclasses.replace(a, levers=MappingProxyType(levers))


def test_properties_on_a_constructed_assumption_set(case_base):
    # efficiency savings against recurring costs: which option is cheapest depends on the draws
    a = _ranged(case_base, {
        "options.in_house.efficiency.rate": (0.0, 0.02, 0.05),
        "options.executive_leadership.efficiency.rate": (0.0, 0.03, 0.05),
        "options.executive_leadership.leadership.management_fee": (0.1e6, 0.3e6, 0.6e6),
        "options.in_house.client_side.annual_cost": (0.1e6, 0.2e6, 0.4e6),
        "options.trust.efficiency.rate": (0.02, 0.04, 0.06),
        "options.trust.governance.annual_cost": (0.2e6, 0.4e6, 0.8e6),
        "options.trust.mobilisation_months": (6.0, 12.0, 18.0),
    })
    r = mc.montecarlo(mc.plan(a, 40_000, seed=3), keep_inputs=True)
    keys = [d.key for d in r.plan.drawn]
    # the seven constructed ranges, and the fixture's own forecast price-index year (prices.round_index.2026)
    assert len([k for k in keys if not k.startswith("prices.")]) == 7
    assert sum(s["probability_cheapest"] > 0.05 for s in r.summary.values()) >= 2
    e = voi.evpi(r.present_value)
    assert e.value > 10 * e.standard_error
    groups = [("in_house", "in-house", tuple(k for k in keys if ".in_house." in k)),
              ("trust", "trust", tuple(k for k in keys if ".trust." in k))]
    parts = voi.partial_values(r.present_value, r.inputs, keys,
                               [(k, k, (k,)) for k in keys] + groups + [("all", "all", tuple(keys))])
    for p in parts:
        assert 0.0 <= p.evppi.value <= e.value + 3 * (e.standard_error + p.evppi.standard_error)
    assert parts[-1].evppi.value == pytest.approx(e.value, rel=0.02)
