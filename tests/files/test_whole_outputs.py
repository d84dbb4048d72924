"""Outputs are whole: sets of files move into place as a unit, stale temporary files are settled on the next start,
and a real ``costmodel`` killed at random points leaves its targets whole-old or whole-new and no stray files."""
from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from costmodel.errors import CostmodelError
from costmodel.files import atomic, stale

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, str(ROOT / "cli.py")]


def dead_pid() -> int:
    """The id of a process that has finished (and been reaped)."""
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def ours(folder: Path) -> list[str]:
    return sorted(n for n in os.listdir(folder) if n.startswith(stale.TEMP_PREFIX))


def test_a_set_of_outputs_appears_only_when_committed(tmp_path):
    targets = [tmp_path / f"{n}.txt" for n in "abc"]
    with atomic.whole_outputs() as outputs:
        for t in targets:
            atomic.atomic_write(t, t.name.encode())
        assert not any(t.exists() for t in targets) and len(ours(tmp_path)) == 3
        outputs.commit()
    assert [t.read_text() for t in targets] == ["a.txt", "b.txt", "c.txt"]
    assert ours(tmp_path) == []


def test_an_error_before_the_commit_leaves_the_old_files_and_no_temporary_ones(tmp_path):
    old = tmp_path / "a.txt"
    old.write_text("old")
    with pytest.raises(CostmodelError):
        with atomic.whole_outputs():
            atomic.atomic_write(old, b"new")
            atomic.atomic_write(tmp_path / "b.txt", b"new")
            raise CostmodelError("stop")
    assert old.read_text() == "old" and not (tmp_path / "b.txt").exists() and ours(tmp_path) == []


def test_a_journal_left_by_a_killed_process_is_replayed_on_the_next_start(tmp_path):
    """Killed after the journal was written and one file was moved: the next start moves the others."""
    pid = dead_pid()
    names = ["s.json", "d.parquet", "c.svg"]
    for n in names:
        (tmp_path / n).write_text("old " + n)
    moves = []
    for n in names:
        tmp = tmp_path / f"{stale.TEMP_PREFIX}{pid}-0000-{n}"
        tmp.write_text("new " + n)
        moves.append([str(tmp), str(tmp_path / n)])
    os.replace(moves[0][0], moves[0][1])  # the first rename happened before the kill
    (tmp_path / f"{stale.TEMP_PREFIX}{pid}-1111{stale.JOURNAL_SUFFIX}").write_text(json.dumps({"pid": pid, "moves": moves}))
    (tmp_path / f"{stale.TEMP_PREFIX}{pid}-2222-stray.tmp").write_text("half")
    done = stale.recover(tmp_path)
    assert [(tmp_path / n).read_text() for n in names] == ["new " + n for n in names]
    assert ours(tmp_path) == [] and len(done) == 3


def test_temporary_files_of_running_processes_are_left_alone(tmp_path):
    mine = tmp_path / atomic.temp_name("x.json")
    mine.write_text("writing")
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"]) as other:
        theirs = tmp_path / f"{stale.TEMP_PREFIX}{other.pid}-abcd-y.json"
        theirs.write_text("writing")
        time.sleep(0.1)
        try:
            assert stale.recover(tmp_path) == []
            assert mine.exists() and theirs.exists()
            old = time.time() - 3600  # written an hour before that process started: its id was reused
            os.utime(theirs, (old, old))
            if Path(f"/proc/{other.pid}/stat").exists():
                stale.recover(tmp_path)
                assert not theirs.exists()
        finally:
            other.kill()


def test_stale_temporary_folders_are_removed(tmp_path):
    folder = tmp_path / f"{stale.TEMP_PREFIX}{dead_pid()}-lo-abcd"
    (folder / "user").mkdir(parents=True)
    (folder / "user" / "x").write_text("x")
    stale.recover(tmp_path)
    assert ours(tmp_path) == []


# --- a real process, killed ------------------------------------------------------------------------

OUTPUTS = ("summary.json", "draws.parquet", "npc.svg")


def montecarlo(folder: Path, seed: int) -> subprocess.Popen:
    args = ["montecarlo", "--draws", "100000", "--seed", str(seed), "--force", "--output", OUTPUTS[0],
            "--draws-output", OUTPUTS[1], "--chart", OUTPUTS[2]]
    return subprocess.Popen(CLI + args, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def digests(folder: Path) -> tuple:
    return tuple(hashlib.sha256((folder / n).read_bytes()).hexdigest() if (folder / n).exists() else None for n in OUTPUTS)


@pytest.mark.slow
def test_killed_at_random_points_the_outputs_are_whole_old_or_whole_new(tmp_path):
    """SIGKILL and SIGTERM at random moments of a Monte Carlo run writing three outputs (one of several MB)."""
    new_dir, work = tmp_path / "new", tmp_path / "work"
    new_dir.mkdir()
    work.mkdir()
    start = time.perf_counter()
    assert montecarlo(new_dir, seed=2).wait(timeout=300) == 0
    full = time.perf_counter() - start
    assert montecarlo(work, seed=1).wait(timeout=300) == 0
    old, new = digests(work), digests(new_dir)
    assert None not in old and all(o != n for o, n in zip(old, new))
    rng = random.Random(int(os.environ.get("COSTMODEL_KILL_SEED", "17")))
    kills = int(os.environ.get("COSTMODEL_KILLS", "8"))
    seen = set()
    for i in range(kills):
        _restore(work, tmp_path / "old", old)  # start from the old set each time
        sig = signal.SIGKILL if i % 3 != 2 else signal.SIGTERM
        proc = montecarlo(work, seed=2)
        time.sleep(rng.uniform(0.2, full * 1.1))
        proc.send_signal(sig)
        code = proc.wait(timeout=120)
        assert code in (0, -signal.SIGKILL, 128 + signal.SIGTERM, -signal.SIGTERM), (code, proc.stderr.read())
        subprocess.run(CLI + ["validate"], cwd=work, check=True, capture_output=True)  # the next start
        assert ours(work) == [], ours(work)
        now = digests(work)
        assert now in (old, new), (i, sig, code, [n for n, a, b, c in zip(OUTPUTS, now, old, new) if a not in (b, c)],
                                   (work / OUTPUTS[0]).read_text()[:2000], (new_dir / OUTPUTS[0]).read_text()[:2000])
        seen.add("old" if now == old else "new")
    assert seen  # (which of the two depends on the timing; both are whole)


def _restore(work: Path, keep: Path, old: tuple) -> None:
    """Put the old set back (kept aside after the first run)."""
    if not keep.exists():
        keep.mkdir()
        for n in OUTPUTS:
            (keep / n).write_bytes((work / n).read_bytes())
    for n in OUTPUTS:
        (work / n).write_bytes((keep / n).read_bytes())
    assert digests(work) == old


def test_an_assumption_folder_left_half_written_is_finished_before_it_is_read(tmp_path):
    """``workbook read --output DIR`` killed mid-commit: the next read of DIR (validate, compare) completes it first."""
    import shutil
    from costmodel.files.assumption_folder import load_folder
    folder = tmp_path / "a"
    shutil.copytree(ROOT / "assumptions", folder, ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    pid = dead_pid()
    journey = folder / "journey.yaml"
    new = journey.read_text().replace("  value: 36\n", "  value: 48\n", 1)
    tmp = folder / f"{stale.TEMP_PREFIX}{pid}-0000-journey.yaml"
    tmp.write_text(new)
    (folder / f"{stale.TEMP_PREFIX}{pid}-1111{stale.JOURNAL_SUFFIX}").write_text(
        json.dumps({"pid": pid, "moves": [[str(tmp), str(journey)]]}))
    assert load_folder(folder).central("journey.sustain_months") == 48
    assert ours(folder) == []
