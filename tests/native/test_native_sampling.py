"""The compiled PERT lookup (costmodel.native.sampling) against the numpy passes it replaces: the tables' bodies bit
for bit, the steep ends (libm's exp and log against numpy's) to rounding."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from costmodel import sampling
from costmodel.native import kernel


def test_the_kernels_are_built_in_the_test_environment():
    """The test set-up compiles them (gcc and the Python headers); without them the numpy code runs instead."""
    assert kernel("sampling") is not None
    assert kernel("no_such_kernel") is None


@pytest.fixture(scope="module")
def bundled_levers():
    from costmodel import montecarlo as mc
    from costmodel.files.assumption_folder import load_folder
    from costmodel.files.bundled import bundled_assumptions
    p = mc.plan(load_folder(bundled_assumptions()), 1000, 1)
    mc.prepare(p, mc.local_map())
    return list(p.drawn)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(3, 70_000))
def test_pert_levers_equal_the_numpy_passes(bundled_levers, seed, n):
    """Every lever of the bundled example, at uniforms with u = 0, the smallest u > 0 and the largest u < 1: bit for
    bit in the tables' bodies, within 4e-15 of the lever's range (measured: 1.1e-15) and the rounding of the value
    itself (``low + span × x``) in the steep ends."""
    rng = np.random.default_rng(seed)
    u = np.asfortranarray(rng.random((n, len(bundled_levers))))
    u[0] = 0.0
    u[-1] = 1.0 - 2.0**-53
    u[n // 2] = 2.0**-53
    fused = sampling.pert_levers(u.copy(order="F"), bundled_levers)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(sampling, "_KERNEL", None)
        passes = sampling.pert_levers(u.copy(order="F"), bundled_levers)
    assert np.isfinite(fused).all()
    span = np.array([d.high - d.low for d in bundled_levers])
    assert (np.abs(fused - passes) <= 4e-15 * span + 4.5e-16 * np.abs(passes)).all()  # and two units in the last place
    body = np.ones(u.shape, dtype=bool)
    for j, d in enumerate(bundled_levers):
        q = sampling._pert_table(d.low, d.central, d.high).q
        cell = np.minimum((u[:, j] * sampling.TABLE_CELLS).astype(int), sampling.TABLE_CELLS)
        body[:, j] = ~np.isnan(q.slope[cell])
    np.testing.assert_array_equal(fused[body], passes[body])
    assert (~body).sum() >= 3  # the steep ends are exercised (u = 0 and u near 1 at least)


def test_the_kernel_names_a_wrong_buffer():
    k = kernel("sampling")
    body, knots, two = np.zeros((3, 2)), np.zeros(2 * 5), np.ones(2)
    with pytest.raises(ValueError, match="pert_lever: 4 draws into 5"):
        k.pert_lever(np.zeros(4), body, 2.0, knots, two, two, 4, 1.0, 0.0, np.zeros(5))
    with pytest.raises(ValueError, match="end knots"):
        k.pert_lever(np.zeros(4), body, 2.0, knots, two, two, 3, 1.0, 0.0, np.zeros(4))
    with pytest.raises(ValueError, match="u: a buffer of float64"):
        k.pert_lever(np.zeros(3, dtype=np.float32), body, 2.0, knots, two, two, 4, 1.0, 0.0, np.zeros(3))
