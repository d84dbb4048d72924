"""The compiled PCG64 streams (native/uniforms.c) against numpy's: the uniforms of ``Generator.random`` bit for bit,
in every loop (scalar, AVX2, AVX-512) the CPU runs, for any seed, block, lever keys, start in the block, length and
number of levers, over repeated calls, into columns anywhere in memory; and the Monte Carlo's output unchanged."""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from costmodel import sampling
from costmodel.native import kernel
from costmodel.sampling import BLOCK, Drawn, Uniforms, lever_rng, pcg_states
from tests.native.test_native_simd import runnable

K = kernel("uniforms")
ALL = ("scalar", "avx2", "avx512")
pytestmark = pytest.mark.skipif(K is None, reason="the compiled kernels are not built")


VERSIONS = runnable(K, ALL) if K is not None else ["scalar"]


@pytest.fixture(params=VERSIONS)
def version(request):
    before = K.use_simd(request.param)
    yield request.param
    K.use_simd(before)


def streams(seed: int, block: int, keys: list[str], first: int = 0) -> list[np.random.Generator]:
    found = [lever_rng(seed, block, key) for key in keys]
    for stream in found:
        stream.bit_generator.advance(first)
    return found


def numpy_uniforms(gens: list[np.random.Generator], n: int) -> np.ndarray:
    """numpy's next ``n`` uniforms of each stream, column by column (the reference)."""
    out = np.empty((n, len(gens)), order="F")
    for j, stream in enumerate(gens):
        stream.random(out=out[:, j])
    return out


def compiled_uniforms(states: np.ndarray, n: int) -> np.ndarray:
    out = np.empty((n, len(states)), order="F")
    K.fill(states, out)
    return out


def keys(count: int) -> list[str]:
    return [f"options.lever_{j}.cost" for j in range(count)]


def test_the_versions_this_cpu_runs_include_the_scalar_loop():
    assert VERSIONS[0] == "scalar" and set(VERSIONS) <= set(ALL)
    if sys.platform.startswith("linux") and "avx512dq" in open("/proc/cpuinfo").read():
        assert VERSIONS == list(ALL)


@pytest.mark.parametrize("levers", [1, 3, 4, 5, 9, 72])
@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 1000])
def test_fill_gives_numpys_numbers_and_leaves_numpys_state(version, levers, n):
    gens = streams(11, 3, keys(levers), first=17)
    states = pcg_states(gens)
    got = compiled_uniforms(states, n)
    np.testing.assert_array_equal(got, numpy_uniforms(gens, n))
    np.testing.assert_array_equal(states, pcg_states(gens))  # advanced by n, as numpy's streams are


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**64 - 1), block=st.integers(0, 10_000),
       names=st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=11, unique=True),
       first=st.integers(0, BLOCK), lengths=st.lists(st.integers(0, 70), min_size=1, max_size=4),
       which=st.integers(0, 2))
def test_repeated_fills_continue_numpys_streams(seed, block, names, first, lengths, which):
    before = K.use_simd(VERSIONS[which % len(VERSIONS)])
    try:
        gens = streams(seed, block, names, first)
        states = pcg_states(gens)
        for n in lengths:
            np.testing.assert_array_equal(compiled_uniforms(states, n), numpy_uniforms(gens, n))
    finally:
        K.use_simd(before)


def test_columns_anywhere_in_memory(version):
    """Columns of a larger Fortran array, starting at an offset row and column, and the transposed workspace the
    Monte Carlo passes (each column contiguous, columns a whole step apart): the cells around them untouched."""
    gens = streams(5, 1, keys(9), first=3)
    states = pcg_states(gens)
    big = np.full((50, 12), -1.0, order="F")
    K.fill(states, big[3:40, 2:11])
    want = numpy_uniforms(gens, 37)
    np.testing.assert_array_equal(big[3:40, 2:11], want)
    assert (big[:3] == -1).all() and (big[40:] == -1).all() and (big[:, :2] == -1).all() and (big[:, 11:] == -1).all()
    workspace = np.full((9, 64), -1.0).T  # levers x step, transposed: column j is row j of the workspace
    K.fill(states, workspace[:21])
    np.testing.assert_array_equal(workspace[:21], numpy_uniforms(gens, 21))
    assert (workspace[21:] == -1).all()


def test_no_levers_and_no_draws():
    empty = pcg_states([])
    assert empty.shape == (0, 4)
    K.fill(empty, np.empty((5, 0), order="F"))
    drawn = [Drawn(key, 0.0, 1.0, 2.0) for key in keys(2)]
    assert Uniforms([], 1, 0, 10).take(np.empty((10, 0), order="F")).shape == (10, 0)
    assert Uniforms(drawn, 1, 0, 10).take(np.empty((0, 2), order="F")).shape == (0, 2)


def test_fills_on_threads_at_once_give_each_its_streams(version):
    """fill releases the interpreter lock: blocks filled on four threads at once, each its own streams."""
    from concurrent.futures import ThreadPoolExecutor
    gens = {block: streams(2, block, keys(9)) for block in range(4)}
    states = {block: pcg_states(g) for block, g in gens.items()}
    with ThreadPoolExecutor(4) as pool:
        got = dict(zip(gens, pool.map(lambda block: compiled_uniforms(states[block], 20_000), gens)))
    for block, g in gens.items():
        np.testing.assert_array_equal(got[block], numpy_uniforms(g, 20_000))


def test_layouts_it_cannot_fill_are_refused_with_a_clear_error():
    states = pcg_states(streams(1, 0, keys(3)))
    kept = states.copy()
    with pytest.raises(ValueError, match="columns must be contiguous"):
        K.fill(states, np.empty((10, 3)))  # row-major: a column's draws 24 bytes apart
    with pytest.raises(ValueError, match="2-D float64"):
        K.fill(states, np.empty((10, 3), dtype=np.float32, order="F"))
    with pytest.raises(ValueError, match="2-D float64"):
        K.fill(states, np.empty(10))
    with pytest.raises(ValueError, match="3 streams' states .* for 4 columns"):
        K.fill(states, np.empty((10, 4), order="F"))
    with pytest.raises(ValueError, match="uint64"):
        K.fill(states.astype(np.int32), np.empty((10, 3), order="F"))
    readonly = np.empty((10, 3), order="F")
    readonly.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        K.fill(states, readonly)
    np.testing.assert_array_equal(states, kept)  # nothing advanced by a refused call


def test_use_simd_refuses_an_unknown_version():
    with pytest.raises(ValueError, match="not one of the versions"):
        K.use_simd("sse9")


@pytest.mark.parametrize("first", [0, 1, 4097])
def test_uniforms_give_the_same_passes_compiled_and_with_numpys_streams(monkeypatch, first):
    drawn, lengths = [Drawn(key, 0.0, 1.0, 2.0) for key in keys(7)], (1, 100, 8, 333)
    compiled = Uniforms(drawn, 9, 2, BLOCK, first=first)
    assert compiled.states is not None and compiled.streams is None
    got = [compiled.take(np.empty((n, 7), order="F")) for n in lengths]
    monkeypatch.setattr(sampling, "_PCG", None)
    reference = Uniforms(drawn, 9, 2, BLOCK, first=first)
    assert reference.states is None
    for n, passed in zip(lengths, got):
        np.testing.assert_array_equal(passed, reference.take(np.empty((n, 7), order="F")))


def test_qmc_points_do_not_use_the_streams():
    drawn = [Drawn(key, 0.0, 1.0, 2.0) for key in keys(3)]
    u = Uniforms(drawn, 1, 0, 1024, qmc=True)
    assert u.states is None and u.streams is None


PROGRAM = """
import sys
from costmodel import sampling
if sys.argv[1] == "numpy":
    sampling._PCG = None  # numpy's streams, as without the compiled kernel
sys.argv = ["costmodel", *sys.argv[2:]]
from costmodel.cli import run
run()
"""


def run_montecarlo(tmp_path, uniforms: str, **env_extra) -> bytes:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COSTMODEL_")} | env_extra
    done = subprocess.run([sys.executable, "-c", PROGRAM, uniforms, "montecarlo", "--draws", "70000", "--seed", "7",
                           "--format", "json"], cwd=tmp_path, env=env, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


def test_montecarlo_output_is_byte_identical_with_numpys_streams(tmp_path):
    compiled = run_montecarlo(tmp_path, "compiled")
    assert compiled == run_montecarlo(tmp_path, "numpy")
    assert compiled == run_montecarlo(tmp_path, "compiled", COSTMODEL_NO_SIMD="1")


def test_no_simd_in_the_environment_keeps_the_scalar_loop():
    code = "from costmodel.native import kernel; print(kernel('uniforms').simd())"
    env = {k: v for k, v in os.environ.items() if not k.startswith("COSTMODEL_")}
    off = subprocess.run([sys.executable, "-c", code], env=env | {"COSTMODEL_NO_SIMD": "1"}, capture_output=True,
                         text=True, timeout=60)
    on = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert off.stdout.strip() == "scalar"
    assert on.stdout.strip() == VERSIONS[-1]
