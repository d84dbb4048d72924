"""The vector loops of the compiled PERT lookup (AVX2, AVX-512F; native/pert_lookup.h) against its scalar loop and
the numpy passes of ``sampling._body``: the same bits for every draw, steep ends included, whatever the length,
the start of the column in memory, or whether the draws are written over the uniforms."""
from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from costmodel import sampling
from costmodel.beta_quantiles import TABLE_CELLS, TAIL_KNOTS
from costmodel.native import kernel

K = kernel("sampling")
ALL = ("scalar", "avx2", "avx512f")
pytestmark = pytest.mark.skipif(K is None, reason="the compiled kernels are not built")


def runnable(module=K, versions=ALL) -> list[str]:
    """The loops of a kernel with ``simd``/``use_simd`` that this CPU runs (use_simd refuses the others), in the order
    of ``versions`` (the scalar one first)."""
    found, before = [], module.simd()
    for version in versions:
        try:
            module.use_simd(version)
        except ValueError:
            continue
        found.append(version)
    module.use_simd(before)
    return found


VERSIONS = runnable() if K is not None else ["scalar"]


@pytest.fixture(scope="module")
def version_switch():
    """Run the kernel as a given loop (each test names the loop before each call); the loop chosen at import after."""
    before = K.simd()
    yield K.use_simd
    K.use_simd(before)


@pytest.fixture(scope="module")
def bundled_levers():
    from costmodel import montecarlo as mc
    from costmodel.files.assumption_folder import load_folder
    from costmodel.files.bundled import bundled_assumptions
    p = mc.plan(load_folder(bundled_assumptions()), 1000, 1)
    mc.prepare(p, mc.local_map())
    return list(p.drawn)


def _flags() -> set[str]:
    text = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    line = next((row for row in text.splitlines() if row.startswith("flags")), "")
    return set(line.split(":", 1)[-1].split())


def test_the_loop_at_import_is_the_widest_the_cpu_runs():
    """On an x86-64 CPU with AVX2 or AVX-512F the tests below compare a vector loop, not the scalar one twice."""
    assert VERSIONS[0] == "scalar" and set(VERSIONS) <= set(ALL)
    if platform.machine() == "x86_64":
        flags = _flags()
        want = ["scalar"] + [v for v in ("avx2", "avx512f") if v in flags]
        assert VERSIONS == want
    env = {k: v for k, v in os.environ.items() if k != "COSTMODEL_NO_SIMD"}
    assert _simd_at_import(env) == VERSIONS[-1]


def test_costmodel_no_simd_keeps_the_scalar_loop():
    env = {k: v for k, v in os.environ.items() if k != "COSTMODEL_NO_SIMD"}
    assert _simd_at_import({**env, "COSTMODEL_NO_SIMD": "1"}) == "scalar"
    assert _simd_at_import({**env, "COSTMODEL_NO_SIMD": "0"}) == VERSIONS[-1]


def _simd_at_import(env: dict) -> str:
    code = "from costmodel.native import kernel; print(kernel('sampling').simd())"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_use_simd_names_what_it_refuses(version_switch):
    with pytest.raises(ValueError, match="sse9 is not one of the versions built here"):
        K.use_simd("sse9")
    assert version_switch("scalar") in VERSIONS
    assert K.simd() == "scalar"


def _lookup(d, u: np.ndarray, out: np.ndarray) -> np.ndarray:
    table = sampling._pert_table(d.low, d.central, d.high)
    q = table.q
    K.pert_lever(u, table.body, float(TABLE_CELLS), q.ends_x, q.ends_scale, q.ends_power, TAIL_KNOTS,
                 d.high - d.low, d.low, out)
    return out


def _bits(x: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(x).view(np.int64)


LENGTHS = st.one_of(st.sampled_from([0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 511, 512, 513, 1023, 1025]),
                    st.integers(0, 3000), st.integers(16_380, 16_400))  # the last: the table prefetched first


@st.composite
def uniforms(draw, n: int) -> np.ndarray:
    """n uniforms in [0, 1): random, with u = 0, values just below 1 and runs in the steep ends' cells mixed in."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    u = rng.random(n)
    special = np.array([0.0, 2.0**-53, 1.0 - 2.0**-53, 1.0 - 2.0**-52, np.nextafter(1.0, 0.0) - 2.0**-50,
                        0.5, 1e-300, 5e-324])
    steep = rng.random(n) * 0.01  # the steep ends' cells are the outer 1.2 % at each end
    kind = rng.integers(0, 4, n)
    u = np.where(kind == 1, steep, np.where(kind == 2, 1.0 - steep, u))
    u = np.where(kind == 3, special[rng.integers(0, special.size, n)], u)
    if draw(st.booleans()) and n > 8:  # a run of steep ends longer than a 512-draw block of the AVX-512 loop
        u[: min(n, 700)] = rng.random(min(n, 700)) * 1e-3
    return u


@settings(max_examples=60, deadline=None)
@given(data=st.data(), n=LENGTHS, start=st.integers(0, 9), in_place=st.booleans())
def test_every_loop_gives_the_scalar_loops_bits(bundled_levers, version_switch, data, n, start, in_place):
    """Each lever's draws from each loop, at a column that starts `start` doubles into a Fortran block (so not on a
    vector boundary), into a fresh buffer or over the uniforms: bit for bit the scalar loop's, steep ends included."""
    j = data.draw(st.integers(0, len(bundled_levers) - 1))
    d = bundled_levers[j]
    block = np.asfortranarray(np.zeros((n + start, 3)))
    block[start:, 1] = data.draw(uniforms(n))
    u = block[start:, 1]
    version_switch("scalar")
    want = _lookup(d, u, np.empty(n))
    for version in VERSIONS[1:]:
        version_switch(version)
        if in_place:  # over a copy of the column, starting as far into its buffer
            work = block[:, 1].copy()[start:]
            got = _lookup(d, work, work)
        else:
            got = _lookup(d, u, np.empty(n))
        np.testing.assert_array_equal(_bits(got), _bits(want), err_msg=f"{version}, lever {j}, n={n}, start={start}")
    assert (block[:, 0] == 0).all() and (block[:, 2] == 0).all()  # nothing written outside the column


@settings(max_examples=40, deadline=None)
@given(data=st.data(), n=LENGTHS, start=st.integers(0, 9))
def test_every_loop_gives_the_numpy_passes_bits_in_the_body(bundled_levers, version_switch, data, n, start):
    """Against ``sampling._body``'s numpy passes: the same bits wherever numpy has a value, and the steep ends' cells
    (NaN there, listed for the ends' tables) exactly where numpy lists them, each with a finite value in range."""
    j = data.draw(st.integers(0, len(bundled_levers) - 1))
    d = bundled_levers[j]
    u = np.concatenate([np.zeros(start), data.draw(uniforms(n))])[start:]
    with pytest.MonkeyPatch.context() as m:
        m.setattr(sampling, "_KERNEL", None)
        numpy_out = np.empty(n)
        found = sampling._body(d, u, numpy_out, sampling._buffers(max(n, 1)))
    listed = np.concatenate([where for where, _ in found]) if found else np.zeros(0, dtype=int)
    body = ~np.isnan(numpy_out)
    np.testing.assert_array_equal(np.flatnonzero(~body), listed)
    for version in VERSIONS:
        version_switch(version)
        got = _lookup(d, u, np.empty(n))
        np.testing.assert_array_equal(_bits(got[body]), _bits(numpy_out[body]), err_msg=version)
        slack = 1e-12 * (d.high - d.low)
        assert np.isfinite(got).all() and ((got >= d.low - slack) & (got <= d.high + slack)).all()


def test_the_edge_uniforms_of_every_lever_on_every_loop(bundled_levers, version_switch):
    """u = 0, the smallest u > 0, the largest u < 1 and its neighbours, and u on and just below each border between
    the lever's steep ends and its body, 17 of them (two whole AVX-512 vectors and a tail), at every start in a
    vector: the scalar loop's bits, all finite."""
    cells = float(TABLE_CELLS)
    for d in bundled_levers:
        slope = sampling._pert_table(d.low, d.central, d.high).q.slope[:TABLE_CELLS]
        body = np.flatnonzero(~np.isnan(slope))
        assert body[0] > 0 and body[-1] < TABLE_CELLS - 1  # both ends steep: the borders below are inside (0, 1)
        borders = np.array([body[0], body[-1] + 1]) / cells
        edges = np.concatenate([[0.0, 2.0**-53, 5e-324, 1.0 - 2.0**-53, 1.0 - 2.0**-52, 1.0 - 2.0**-40, 0.5],
                                borders, np.nextafter(borders, 0.0), np.nextafter(borders, 1.0),
                                [1.0 / cells, 1.0 - 1.0 / cells, 2.0**-20, 0.999]])
        assert edges.size == 17
        for start in range(9):
            u = np.concatenate([np.full(start, 0.5), edges])[start:]
            version_switch("scalar")
            want = _lookup(d, u, np.empty(u.size))
            assert np.isfinite(want).all()
            for version in VERSIONS[1:]:
                version_switch(version)
                np.testing.assert_array_equal(_bits(_lookup(d, u, np.empty(u.size))), _bits(want), err_msg=version)


def _synthetic_table(rng, rows: int, tail: int):
    """A made-up table: random slopes and intercepts with NaN (steep) cells at both ends, random end knots."""
    body = rng.normal(size=(rows, 2))
    steep = rng.integers(0, rows // 2 + 1)
    body[:steep] = np.nan
    body[rows - rng.integers(0, rows // 2 + 1):] = np.nan
    knots = np.sort(rng.random(2 * (tail + 1)))
    return body, knots, rng.random(2) * 2 + 0.1, rng.random(2) + 0.2


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), rows=st.integers(1, 40), cells=st.integers(1, 64), tail=st.integers(1, 9),
       n=st.integers(0, 200))
def test_every_loop_clips_and_steps_as_the_scalar_loop_on_any_table(version_switch, seed, rows, cells, tail, n):
    """Tables with more or fewer rows than cells (k clipped to the last row), u = 1 exactly, NaN cells anywhere in
    the ends: the vector loops' bits are the scalar loop's."""
    rng = np.random.default_rng(seed)
    body, knots, scale, power = _synthetic_table(rng, rows, tail)
    u = rng.random(n)
    u[rng.random(n) < 0.1] = 1.0
    u[rng.random(n) < 0.1] = 0.0
    outs = {}
    for version in VERSIONS:
        version_switch(version)
        outs[version] = np.empty(n)
        K.pert_lever(u, body, float(cells), knots, scale, power, tail, 3.0, -1.0, outs[version])
    for version in VERSIONS[1:]:
        np.testing.assert_array_equal(_bits(outs[version]), _bits(outs["scalar"]), err_msg=version)


CLI = "import sys; sys.argv = ['costmodel', *sys.argv[1:]]; from costmodel.cli import run; run()"


def test_montecarlo_is_the_same_on_the_scalar_loop(tmp_path):
    """The command end to end, with and without COSTMODEL_NO_SIMD: byte-identical output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COSTMODEL_")}
    outputs = []
    for extra in ({}, {"COSTMODEL_NO_SIMD": "1"}):
        done = subprocess.run([sys.executable, "-c", CLI, "montecarlo", "--draws", "40000", "--seed", "3", "--format",
                               "json"], cwd=tmp_path, env={**env, **extra}, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    assert len(outputs[0]) > 1000 and outputs[0] == outputs[1]
