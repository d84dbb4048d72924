"""The Beta quantile tables kept on disk between runs (costmodel.files.table_cache): a kept table is exactly the
table the code builds, a file that is not that table is built again, and a cache that cannot be written is no error."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from numpy.testing import assert_array_equal

from costmodel import beta_quantiles as bq
from costmodel.files import table_cache
from costmodel.files.table_cache import TableCache, cache_folder

CLI = "import sys; sys.argv = ['costmodel', *sys.argv[1:]]; from costmodel.cli import run; run()"


def same_table(a: bq.BetaQuantile, b: bq.BetaQuantile) -> None:
    assert (a.alpha, a.beta, a.first, a.last) == (b.alpha, b.beta, b.first, b.last)
    for name in ("slope", "intercept", "ends_x", "ends_scale", "ends_power"):
        assert_array_equal(getattr(a, name), getattr(b, name))  # NaN where NaN (the steep ends' cells)
    for end in ("left", "right"):
        x, y = getattr(a, end), getattr(b, end)
        assert (x is None) == (y is None)
        if x is not None:
            assert x[0] == y[0]
            assert_array_equal(x[1], y[1])


@pytest.fixture
def store(tmp_path):
    """A cache in a fresh folder, in use for the test, and the tables in memory forgotten afterwards."""
    cache = TableCache(tmp_path)
    previous = bq.keep_tables(cache)
    kept = dict(bq._tables)
    yield cache
    bq.keep_tables(previous)
    bq._tables.clear()
    bq._tables.update(kept)


@settings(max_examples=12, deadline=None)
@given(st.floats(1.0, 5.0), st.floats(1.0, 5.0))
def test_a_packed_table_reads_back_as_the_same_table(alpha, beta):
    q = bq.BetaQuantile(alpha, beta)
    same_table(bq.unpacked(alpha, beta, q.packed()), q)


def test_a_kept_table_is_read_instead_of_built(store, monkeypatch):
    shape = (1.0 + 4.0 * 0.123456789, 1.0 + 4.0 * (1 - 0.123456789))  # a shape no other test builds
    built = bq.beta_quantiles([shape])[0]
    assert store.path(*shape).is_file()
    bq._tables.pop(shape)

    def no_building(*_):
        raise AssertionError("built again although kept")
    monkeypatch.setattr(bq, "half_anchors", no_building)  # where every build begins
    same_table(bq.beta_quantiles([shape])[0], built)


@pytest.mark.parametrize("spoil", ["truncated", "not numpy", "another shape", "float32"])
def test_a_file_that_is_not_the_table_is_built_again_and_replaced(store, spoil):
    shape, other = (2.5, 3.5), (3.5, 2.5)
    right = bq.BetaQuantile(*shape)
    path = store.path(*shape)
    store.folder.mkdir(parents=True, exist_ok=True)
    if spoil == "truncated":
        store.save(right)
        path.write_bytes(path.read_bytes()[:5000])
    elif spoil == "not numpy":
        path.write_text("hello")
    elif spoil == "another shape":
        np.save(path, bq.BetaQuantile(*other).packed())
    else:
        np.save(path, right.packed().astype(np.float32))
    assert store.load(*shape) is None
    bq._tables.pop(shape, None)
    same_table(bq.beta_quantiles([shape])[0], right)
    same_table(store.load(*shape), right)  # the file replaced by the table built


def test_a_cache_that_cannot_be_written_is_no_error(tmp_path):
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    cache = TableCache(blocker)
    previous = bq.keep_tables(cache)
    try:
        shape = (1.75, 4.25)
        bq._tables.pop(shape, None)
        same_table(bq.beta_quantiles([shape])[0], bq.BetaQuantile(*shape))
        assert cache.writable is False
    finally:
        bq.keep_tables(previous)


def test_tables_of_other_code_are_in_another_folder(tmp_path, monkeypatch):
    first = TableCache(tmp_path).folder
    monkeypatch.setattr(table_cache.np, "__version__", "0.0.0")
    assert TableCache(tmp_path).folder != first
    assert first.parent == tmp_path and first.name.startswith("beta-tables-")


def test_where_tables_are_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("COSTMODEL_CACHE", str(tmp_path / "mine"))
    assert cache_folder() == tmp_path / "mine"
    for off in ("off", "0", "", "OFF"):
        monkeypatch.setenv("COSTMODEL_CACHE", off)
        assert cache_folder() is None
    monkeypatch.delenv("COSTMODEL_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_folder() == tmp_path / "xdg" / "costmodel"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_folder() == tmp_path / "home" / ".cache" / "costmodel"


def montecarlo(cache) -> bytes:
    env = dict(os.environ, COSTMODEL_CACHE=str(cache))
    done = subprocess.run([sys.executable, "-c", CLI, "montecarlo", "--draws", "5000", "--seed", "3", "--format", "json"],
                          capture_output=True, env=env, check=True)
    assert json.loads(done.stdout)
    return done.stdout


def test_the_command_keeps_its_tables_and_gives_the_same_figures(tmp_path):
    without = montecarlo("off")
    once = montecarlo(tmp_path)
    files = sorted(tmp_path.glob("beta-tables-*/beta_*.npy"))
    assert files and not list(tmp_path.glob("beta-tables-*/*.tmp"))
    written = {f: f.stat().st_mtime_ns for f in files}
    again = montecarlo(tmp_path)
    assert once == without and again == without  # byte for byte
    assert {f: f.stat().st_mtime_ns for f in files} == written  # read, not written again
