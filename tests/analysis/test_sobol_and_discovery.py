"""Sobol indices (SALib) and scenario discovery (PRIM) on the bundled model: properties, reproducibility, Dask."""
import numpy as np
import pytest

from costmodel.analysis.discovery import choose_box, correlation_ratio, discover_in
from costmodel.analysis.sobol import factors_of, saltelli_rows, sobol_indices
from costmodel import montecarlo as mc


@pytest.fixture(scope="module")
def indices(bundled):
    return sobol_indices(bundled, 2048, seed=4)


def test_our_saltelli_design_is_salibs(bundled):
    from SALib.sample import sobol as sample
    from scipy.stats import qmc
    problem = {"num_vars": 5, "names": list("abcde"), "bounds": [[0, 1]] * 5, "groups": ["f0", "f1", "f1", "f2", "f3"]}
    want = sample.sample(problem, 16, calc_second_order=False, scramble=True, seed=9)
    got = saltelli_rows(qmc.Sobol(d=10, scramble=True, seed=9).random(16), np.array([0, 1, 1, 2, 3]), 4)
    np.testing.assert_array_equal(got, want)


def test_correlated_levers_form_one_factor(bundled, indices):
    # the factors holding more than one lever are exactly the connected sets of declared correlations
    p = mc.plan(bundled, 1, 0)
    keys = [d.key for d in p.drawn]
    pairs = [c["levers"] for c in bundled.extra.get("correlations") or [] if all(k in keys for k in c["levers"])]
    sets = []
    for a_, b_ in pairs:
        touching = [s_ for s_ in sets if a_ in s_ or b_ in s_]
        merged = set().union({a_, b_}, *touching)
        sets = [s_ for s_ in sets if s_ not in touching] + [merged]
    got = [set(keys[i] for i in f) for f in factors_of(keys, p.correlation) if len(f) > 1]
    assert sorted(map(sorted, got)) == sorted(map(sorted, sets))
    assert sorted(map(sorted, (set(f) for f in indices.factors if len(f) > 1))) == sorted(map(sorted, sets))


def test_first_order_is_at_most_total_and_the_indices_sum_sensibly(indices):
    for name, o in indices.outputs.items():
        slack = 2 * (o["first_conf"] + o["total_conf"]) + 0.01
        assert np.all(o["first"] <= o["total"] + slack), name
        assert np.all(o["total"] >= -0.01) and 0.7 < o["first"].sum() < 1.1, name


def test_a_lever_that_cannot_move_the_gap_has_zero_indices(bundled, indices):
    # a lever of an option outside the leading two changes only that option's cost: the gap ignores it
    others = [o for o in bundled.option_keys if o not in indices.leading and o != "do_minimum"]
    own = [i for i, f in enumerate(indices.factors) if all(k.startswith(tuple(f"options.{o}." for o in others)) for k in f)]
    if not own:
        pytest.skip("every option is among the leading two, or has no lever of its own that is drawn")
    o = indices.outputs[indices.headline]
    for i in own:
        assert o["first"][i] == 0.0 and o["total"][i] == 0.0, indices.factors[i]
    moved = [i for i in own if any(indices.outputs[f"npc:{k.split('.')[1]}"]["total"][i] > 0 for k in indices.factors[i])]
    assert moved  # while they do move their own option's NPC


def test_sobol_same_seed_same_answer_and_dask_identical(bundled):
    from costmodel.backends.dask_cluster import dask_map
    a = sobol_indices(bundled, 256, seed=1)
    with dask_map(workers=1, processes=False) as mapper:
        b = sobol_indices(bundled, 256, seed=1, mapper=mapper)
    for name in a.outputs:
        for k in ("first", "total", "first_conf", "total_conf"):
            np.testing.assert_array_equal(a.outputs[name][k], b.outputs[name][k])


def test_correlation_ratio_and_box_choice():
    rng = np.random.default_rng(0)
    x = rng.random(10_000)
    assert correlation_ratio(x, (x > 0.5).astype(float)) > 0.7
    assert correlation_ratio(x, rng.random(10_000)) < 0.01
    t = [{"coverage": 1.0, "density": 0.3, "restricted": []}, {"coverage": 0.9, "density": 0.85, "restricted": ["a"]},
         {"coverage": 0.6, "density": 0.95, "restricted": ["a", "b"]}, {"coverage": 0.95, "density": 0.9, "restricted": list("abcd")}]
    assert choose_box(t) == 1  # the densest-enough box with most coverage among those of three levers or fewer
    assert choose_box(t, density=0.99) == 1  # none so dense: the best coverage x density


def test_prim_finds_a_planted_box(bundled):
    # an option that wins exactly when two levers are high: PRIM recovers both cuts
    rng = np.random.default_rng(5)
    n = 20_000
    x = rng.random((n, 6))
    keys = ["baseline.legacy_placements.count", "baseline.outset_spend", "journey.diagnosis_months",
            "journey.stabilise_months", "journey.implement_months", "baseline.social_workers.fte"]
    win = (x[:, 0] > 0.6) & (x[:, 1] > 0.5)
    pv = np.column_stack([np.ones(n), np.where(win, 0.0, 2.0), np.full(n, 1.5), np.full(n, 1.6)])  # in_house wins inside
    d = discover_in(bundled, "in_house", pv, x, keys, seed=0)
    got = {r.key: (r.box_low, r.box_high) for r in d.restrictions}
    assert set(got) == set(keys[:2])
    assert got[keys[0]][0] == pytest.approx(0.6, abs=0.03) and got[keys[1]][0] == pytest.approx(0.5, abs=0.03)
    assert d.density > 0.9 and d.coverage > 0.9


def test_our_vectorised_bootstrap_equals_salib_analyze():
    from SALib.analyze import sobol as analyze
    from costmodel.analysis.sobol import indices
    rng = np.random.default_rng(2)
    n, D = 256, 4
    y = rng.normal(size=n * (D + 2)) + np.repeat(rng.normal(size=n), D + 2)
    problem = {"num_vars": D, "names": list("abcd"), "bounds": [[0, 1]] * D}
    want = analyze.analyze(problem, y, calc_second_order=False, num_resamples=50, seed=7)
    got = indices(y, D, n, 50, 7)
    for ours, theirs in (("first", "S1"), ("first_conf", "S1_conf"), ("total", "ST"), ("total_conf", "ST_conf")):
        np.testing.assert_allclose(got[ours], want[theirs], rtol=1e-12, atol=1e-15)
