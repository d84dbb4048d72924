"""The compiled discounted grid (costmodel.native.discounted) against the numpy code it replaces: bit for bit.

The kernels do the same arithmetic in the same order as the numpy code; ``decay_sum``'s logarithm and
exponentials are numpy's (the kernel writes their arguments, numpy takes them, the kernel goes on), so its
result is the same to the last bit too, not only to the 1e-13 the engine needs.
"""
import numpy as np
import pytest
from hypothesis import example, given, settings, strategies as st

from costmodel import compiled_engine, discounted as d
from costmodel.native import kernel

SETTINGS = settings(max_examples=150, deadline=None)
pytestmark = pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # the numpy code on NaN and ±∞


def test_the_kernels_are_built_in_the_test_environment():
    assert kernel("discounted") is not None
    assert d._KERNEL is not None


def _grid(years, f_rows, growth, power, S, seed, workspace):
    """A grid of ``years`` with discount factors in ``f_rows`` rows and growth None, shared (1) or drawn (S)."""
    rng = np.random.default_rng(seed)
    f = rng.uniform(0.2, 1.5, (f_rows, years))
    g = None if growth == 0 else rng.uniform(0.9, 1.1, growth)
    return d.Discounted(12 * years, f, g, power, d.Workspace() if workspace else None, "test")


def _numpy_grid(grid):
    """The same grid with the numpy tables (``Discounted._build_*``)."""
    g = d.Discounted(12 * grid.count, grid.f, grid.growth, grid.power)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(d, "_KERNEL", None)
        for table in ("months", "tail", "head", "moment"):
            g._table(table)
    return g


S = 7
grids = st.builds(_grid, years=st.integers(1, 12), f_rows=st.sampled_from([1, S]), growth=st.sampled_from([0, 1, S]),
                  power=st.sampled_from([0.0, 3.0, -2.0, 0.5]), S=st.just(S), seed=st.integers(0, 2**16),
                  workspace=st.booleans())
# months: negative, fractional, on year boundaries, beyond a horizon of up to 12 years, infinite, NaN
months = st.one_of(st.floats(-30.0, 160.0), st.sampled_from([0.0, 12.0, 24.0, 119.5, 144.0, -0.0, np.inf, -np.inf, np.nan]))
spans = st.one_of(st.just(0.0), st.floats(1e-9, 200.0), st.sampled_from([6.0, 12.0, np.inf, np.nan]))
steps = st.one_of(st.floats(-0.5, 0.99), st.sampled_from([0.0, -0.0, 1e-300, 5e-324, 1e-290, 1e-16, 0.99, -0.08]))


def _column(draw, values, n):
    """A column of ``n`` draws or one number shared by every draw."""
    k = draw(st.sampled_from([1, n]))
    return np.array(draw(st.lists(values, min_size=k, max_size=k))).reshape(-1, 1)


@st.composite
def cases(draw, second):
    grid = draw(grids)
    return grid, _column(draw, months, S), _column(draw, second, S)


@SETTINGS
@given(grid=grids)
def test_the_tables_equal_the_numpy_passes_bit_for_bit(grid):
    ref = _numpy_grid(grid)
    for table in ("months", "tail", "head", "moment"):
        np.testing.assert_array_equal(getattr(grid, table), getattr(ref, table), err_msg=table)
    assert grid.rows == ref.rows


@SETTINGS
@given(case=cases(spans))
def test_from_month_until_month_and_spread_flag_equal_the_numpy_code_bit_for_bit(case):
    grid, start, length = case
    ref = _numpy_grid(grid)
    got = d.from_month(grid, start)
    np.testing.assert_array_equal(got, d.from_month_reference(ref, start))
    assert got.shape == np.broadcast_shapes(start.shape, (grid.rows, 1))
    np.testing.assert_array_equal(np.isnan(got), np.isnan(np.broadcast_to(start, got.shape)))  # NaN stays NaN
    with pytest.MonkeyPatch.context() as m:
        m.setattr(d, "_KERNEL", None)
        until = d.until_month(ref, start)
    np.testing.assert_array_equal(d.until_month(grid, start), until)
    np.testing.assert_array_equal(d.spread_flag(grid, start, length), d.spread_flag_reference(ref, start, length))


@SETTINGS
@given(case=cases(spans))
@example(case=(_grid(10, 1, 0, 0.0, S, 1, False), np.array([[0.0]]), np.zeros((S, 1))))  # every span a step
def test_ramp_sum_equals_the_numpy_code_bit_for_bit(case):
    grid, start, span = case
    ref = _numpy_grid(grid)
    got = d.ramp_sum(grid, start, span)
    np.testing.assert_array_equal(got, d.ramp_sum_reference(ref, start, span))
    assert got.shape == np.broadcast_shapes(start.shape, span.shape, (grid.rows, 1))


@SETTINGS
@given(case=cases(steps))
@example(case=(_grid(2, 1, 0, 0.0, S, 0, False), np.zeros((1, 1)), np.array([[2.2250738585e-313]])))  # subnormal: flat
@example(case=(_grid(12, S, S, 3.0, S, 2, True), np.full((S, 1), -5.0), np.full((S, 1), 0.99)))
def test_decay_sum_equals_the_numpy_code_bit_for_bit(case):
    grid, start, step = case
    ref = _numpy_grid(grid)
    got = d.decay_sum(grid, start, step)
    want = d.decay_sum_reference(ref, start, step)
    assert got.shape == want.shape
    np.testing.assert_array_equal(got, want)


def test_other_shapes_take_the_numpy_code():
    """Flat arrays broadcast as numpy does (a row against the grid's column of rows): the kernel takes columns only."""
    grid = _grid(5, 1, S, 1.0, S, 3, False)
    ref = _numpy_grid(grid)
    flat = np.array([3.0, 40.0])
    got = d.from_month(grid, flat)
    assert got.shape == (S, 2)
    np.testing.assert_array_equal(got, d.from_month_reference(ref, flat))
    np.testing.assert_array_equal(d.ramp_sum(grid, flat, np.array([6.0])), d.ramp_sum_reference(ref, flat, np.array([6.0])))


def test_the_engine_with_the_kernels_equals_the_numpy_engine():
    """Every option's present value for draws of the bundled example, per-scenario relative price effects included, from
    the numpy engine on the compiled grid and on the numpy grid."""
    from costmodel import montecarlo as mc, sampling
    from costmodel.files.assumption_folder import load_folder
    from costmodel.files.bundled import bundled_assumptions
    p = mc.plan(load_folder(bundled_assumptions()), 3000, 4)
    mc.prepare(p, mc.local_map(workers=1))
    x = sampling.draw_block(list(p.drawn), p.seed, 0, p.block_size(0), p.distribution, p.correlation)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(compiled_engine, "_KERNEL", None)  # the numpy engine: the one that calls these kernels
        fused = mc.costs_of_draws(p, x)
        m.setattr(d, "_KERNEL", None)
        passes = mc.costs_of_draws(p, x)
    assert np.isfinite(fused).all()
    np.testing.assert_array_equal(fused, passes)


def test_the_kernels_name_a_wrong_buffer():
    k = kernel("discounted")
    grid = _grid(3, 1, 0, 0.0, S, 0, False)
    t = (grid.months, grid.tail, grid.rows, grid.count)
    with pytest.raises(ValueError, match="from_month: start holds 3 draws, not 1 or 4"):
        k.from_month(*t, np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="spread_flag: length holds 4 draws, not 1 or 5"):
        k.spread_flag(*t, np.zeros(1), np.zeros(4), np.zeros(5))
    with pytest.raises(ValueError, match="ramp_sum: a grid of 3 rows for 2 draws"):
        k.ramp_sum(np.zeros(15), np.zeros(15), np.zeros(12), np.zeros(12), 3, 3, np.zeros(1), np.zeros(1), np.zeros(2))
    with pytest.raises(ValueError, match="float64"):
        k.from_month(*t, np.zeros(3, dtype=np.float32), np.zeros(4))
    one = np.zeros(1)
    with pytest.raises(ValueError, match="months: a table of 5 numbers was expected, not 4"):
        k.decay_sum(grid.months[:-1], grid.head, 1, 3, one, one, one, one, one, one, one)
    with pytest.raises(ValueError, match="decay_sum: the exponentials hold 2 draws each"):
        k.decay_sum(grid.months, grid.head, 1, 3, one, one, one, one, one, one, np.zeros(2))
    with pytest.raises(ValueError, match="tables"):
        k.tables(np.ones(5), 1, np.empty(0), np.empty(0), 1, 3, np.empty(5), np.empty(5), np.empty(4), np.empty(4))
