"""The compiled PERT table lookup (costmodel.native.sampling) against the numpy passes it replaces: bit for bit."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from costmodel import sampling
from costmodel.native import kernel


def test_the_kernels_are_built_in_the_test_environment():
    """The test set-up compiles them (gcc and the Python headers); without them the numpy code runs instead."""
    assert kernel("sampling") is not None
    assert kernel("no_such_kernel") is None


def _levers(bundled):
    from costmodel import montecarlo as mc
    p = mc.plan(bundled, 1000, 1)
    mc.prepare(p, mc.local_map())
    return list(p.drawn)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 70_000))
def test_pert_levers_equal_the_numpy_passes_bit_for_bit(bundled_levers, seed, n):
    """Every lever of the bundled example (steep ends included), at uniforms with u = 0 and the largest u < 1."""
    rng = np.random.default_rng(seed)
    u = np.asfortranarray(rng.random((n, len(bundled_levers))))
    u[0] = 0.0
    u[-1] = 1.0 - 2.0**-53
    fused = sampling.pert_levers(u.copy(order="F"), bundled_levers)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(sampling, "_KERNEL", None)
        passes = sampling.pert_levers(u.copy(order="F"), bundled_levers)
    np.testing.assert_array_equal(fused, passes)
    assert np.isfinite(fused).all()


@pytest.fixture(scope="module")
def bundled_levers():
    from costmodel.files.assumption_folder import load_folder
    from costmodel.files.bundled import bundled_assumptions
    return _levers(load_folder(bundled_assumptions()))


def test_the_kernel_names_a_wrong_buffer():
    k = kernel("sampling")
    u, table = np.zeros(4), np.zeros(3)
    with pytest.raises(ValueError, match="pert_body"):
        k.pert_body(u, table, table, 2.0, np.zeros(5), np.zeros(4, dtype=np.intp), np.zeros(4))
    with pytest.raises(ValueError, match="float64"):
        k.pert_body(np.zeros(3, dtype=np.float32), table, table, 2.0, np.zeros(3), np.zeros(3, dtype=np.intp), np.zeros(3))
