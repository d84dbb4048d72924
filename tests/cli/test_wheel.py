"""The newcomer's path: the README's commands, exactly as written, on what a newcomer would have.

* The wheel is built from a copy of the repository's files (what a fresh clone holds) and installed into
  a fresh virtual environment (no system site packages, no extras; dependencies come from the package
  index as pip resolves them); every ``costmodel …`` command in the README's ``bash`` blocks then runs,
  in order, from an empty folder outside the repository, against the bundled assumptions.
* The README's first ``bash`` block, the quick start, runs as written in a copy of the repository.
* Every command in the README's command table answers ``--help`` from the wheel.

Installing the dependencies takes a minute or two, so the environments are kept under the system's
temporary folder, keyed by a hash of the checkout, the Python version and the wheel's declared dependencies: a
session whose wheel (hashed by its contents) differs from the one installed reinstalls only the wheel,
and the quick start's copy is refreshed with the current files before its command runs again (its
``pip install -e .`` then finds the dependencies in place). Folders unused for a day are removed.
Commands that need LibreOffice or Chromium are skipped only where those are not installed.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest

from costmodel.report.data import chromium_path

pytestmark = [pytest.mark.wheel, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
CACHE = Path(tempfile.gettempdir()) / "costmodel-wheel-test"
TEST_COMMAND = "bash scripts/test.sh"  # runs this suite: checked against .ci/run, not run again here
KEEP_SECONDS = 24 * 3600


# --- what the README shows ------------------------------------------------------------------------

def bash_blocks(text: str) -> list[list[str]]:
    """Each ```bash block's commands: continuation lines joined, blank and comment lines left out."""
    blocks = []
    for body in re.findall(r"^```bash\n(.*?)^```", text, flags=re.S | re.M):
        joined = re.sub(r"\\\n\s*", " ", body)
        blocks.append([line.strip() for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")])
    return blocks


def table_commands(text: str) -> list[str]:
    """The commands in the first column of the README's command table."""
    return re.findall(r"^\| `(costmodel [^`]+)` \|", text, flags=re.M)


def readme_compare_output() -> str:
    """The output of ``costmodel compare`` pasted in the README."""
    shown = re.search(r"## What `costmodel compare` shows\n+```text\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert shown, "the README no longer shows the output of costmodel compare"
    return shown.group(1)


def compare_rows(text: str) -> list[str]:
    """Row labels of a ``compare`` table, and the opening words of the lines under it."""
    rows = [line.split("│")[1].strip() for line in text.splitlines() if line.startswith("│")]
    notes = [re.split(r"[:£(]", line)[0].strip() for line in text.splitlines()
             if line and line[0] not in "│┃┏┡└ " and not line.startswith("  -")]
    return rows + notes


# --- the fresh copy, the wheel and its environment ------------------------------------------------

def copy_repository(dest: Path) -> Path:
    """The files a fresh clone would hold (tracked and new files git does not ignore), copied to ``dest``."""
    listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-co", "--exclude-standard", "-z"],
                            capture_output=True, text=True)
    if listed.returncode == 0:
        for name in filter(None, listed.stdout.split("\0")):
            src = ROOT / name
            if src.is_file():
                (dest / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dest / name)
    else:  # not a git checkout: everything but environments and build output
        shutil.copytree(ROOT, dest, dirs_exist_ok=True, ignore=shutil.ignore_patterns(
            ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis"))
    return dest


def clean_env(venv: Path | None = None) -> dict:
    """The environment a newcomer's shell would have: this test's virtual environment taken off PATH,
    and ``venv`` (if given) activated."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    ours = Path(sys.prefix) / "bin"
    path = [p for p in env.get("PATH", "").split(os.pathsep) if p and Path(p) != ours]
    if venv is not None:
        env["VIRTUAL_ENV"] = str(venv)
        path.insert(0, str(venv / "bin"))
    env["PATH"] = os.pathsep.join(path)
    return env


def wheel_key(wheel: Path) -> str:
    """A hash of the wheel's members (names and bytes), blind to the zip's timestamps."""
    h = hashlib.sha256()
    with zipfile.ZipFile(wheel) as z:
        for name in sorted(z.namelist()):
            h.update(name.encode() + b"\0" + z.read(name))
    return h.hexdigest()[:16]


def environment_key(wheel: Path) -> str:
    """A hash of what the environment holds besides costmodel, the Python version and the wheel's
    declared dependencies (``Requires-Dist``), and of the checkout it serves (two checkouts testing
    different code at once do not share one)."""
    with zipfile.ZipFile(wheel) as z:
        metadata = z.read(next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))).decode()
    requires = sorted(line for line in metadata.splitlines() if line.startswith("Requires-Dist:"))
    return hashlib.sha256("\n".join([str(ROOT), sys.version, *requires]).encode()).hexdigest()[:16]


@contextlib.contextmanager
def locked(path: Path, wait: bool = True):
    """An exclusive lock on ``path`` (another session building the same environment waits)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True


def prune(keep: str) -> None:
    """Remove cached environments nobody has used for a day (and that no session holds)."""
    for folder in CACHE.iterdir() if CACHE.exists() else []:
        if folder.is_dir() and folder.name != keep and time.time() - folder.stat().st_mtime > KEEP_SECONDS:
            with locked(CACHE / f"{folder.name}.lock", wait=False) as mine:
                if mine:
                    shutil.rmtree(folder, ignore_errors=True)


def run(cmd, cwd, env, timeout=900, shell=False) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", cmd] if shell else cmd, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Path:
    """The wheel built from a fresh copy of the repository (``python -m build``)."""
    src = copy_repository(tmp_path_factory.mktemp("clone"))
    out = tmp_path_factory.mktemp("dist")
    env = {**clean_env(), "SOURCE_DATE_EPOCH": "315532800"}
    done = run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(src)], src, env)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    [built] = out.glob("costmodel-*.whl")
    return built


def tell(request, line: str) -> None:
    """A line on the terminal, past pytest's capture (measurements the report should carry)."""
    say = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if say and capture:
        with capture.global_and_fixture_disabled():
            say.write(f"\n{line}\n")


@pytest.fixture(scope="session")
def cache_home(wheel):
    """This dependency set's folder under the cache, locked for the session; old folders pruned."""
    key = environment_key(wheel)
    with locked(CACHE / f"{key}.lock"):
        home = CACHE / key
        home.mkdir(parents=True, exist_ok=True)
        os.utime(home)
        prune(key)
        yield home


@pytest.fixture(scope="session")
def wheel_venv(wheel, cache_home, request) -> Path:
    """A fresh virtual environment holding the wheel and its dependencies (see the module's docstring)."""
    venv, marker = cache_home / "venv", cache_home / "installed.json"
    info = json.loads(marker.read_text()) if marker.exists() else None
    py = str(venv / "bin" / "python")
    if info is None:
        shutil.rmtree(venv, ignore_errors=True)
        base = getattr(sys, "_base_executable", sys.executable)
        made = run([base, "-m", "venv", str(venv)], cache_home, clean_env())
        assert made.returncode == 0, made.stderr
        t0 = time.perf_counter()
        pip = run([py, "-m", "pip", "install", "--no-input", str(wheel)], cache_home, clean_env())
        assert pip.returncode == 0, pip.stdout[-3000:] + pip.stderr[-3000:]
        info = {"install_seconds": round(time.perf_counter() - t0, 1)}
        tell(request, f"wheel environment {venv}: pip install of the wheel with its dependencies took "
                      f"{info['install_seconds']} s")
    elif info.get("wheel") != wheel_key(wheel):
        pip = run([py, "-m", "pip", "install", "--no-input", "--no-deps", "--force-reinstall", str(wheel)],
                  cache_home, clean_env())
        assert pip.returncode == 0, pip.stdout[-3000:] + pip.stderr[-3000:]
        tell(request, f"wheel environment {venv}: the new wheel reinstalled; its dependencies took "
                      f"{info['install_seconds']} s to install when the environment was made")
    marker.write_text(json.dumps({**info, "wheel": wheel_key(wheel)}))
    return venv


# --- the tests ------------------------------------------------------------------------------------

def test_the_wheel_environment_is_fresh_and_imports_costmodel(wheel_venv, tmp_path):
    cfg = (wheel_venv / "pyvenv.cfg").read_text()
    assert re.search(r"include-system-site-packages\s*=\s*false", cfg)
    py = str(wheel_venv / "bin" / "python")
    done = run([py, "-c", "import costmodel, costmodel.cli; print(costmodel.__file__)"], tmp_path, clean_env(wheel_venv))
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()).is_relative_to(wheel_venv) and not Path(done.stdout.strip()).is_relative_to(ROOT)
    installed = run([py, "-m", "pip", "list", "--format", "json"], tmp_path, clean_env(wheel_venv))
    names = {p["name"].lower() for p in json.loads(installed.stdout)}
    assert "costmodel" in names and not names & {"pytest", "hypothesis", "build"}  # no extras
    kernels = sorted(c.stem for c in (ROOT / "src" / "costmodel" / "native").glob("*.c"))
    kernels = [f"costmodel.native.{k}" for k in kernels if k != "engine"] + [
        "costmodel.native.engine_v3", "costmodel.native.engine_v4"]  # setup.py's LEVELS: one per x86-64 level
    built = run([py, "-c", "import sys, importlib.util; "  # found, not imported: a build for a level the processor lacks
                 "print([k for k in sys.argv[1:] if importlib.util.find_spec(k) is None])", *kernels], tmp_path, clean_env(wheel_venv))
    assert built.returncode == 0 and built.stdout.strip() == "[]", built.stdout + built.stderr  # every kernel compiled in


def test_every_readme_command_runs_from_the_wheel_outside_the_repository(wheel_venv, tmp_path):
    text = README.read_text(encoding="utf-8")
    blocks = bash_blocks(text)
    commands = [c for block in blocks[1:] for c in block if c != TEST_COMMAND]
    assert commands, "the README shows no commands"
    strangers = [c for c in commands if not c.startswith("costmodel ")]
    assert not strangers, f"README commands this test does not know how to run: {strangers}"
    work = tmp_path / "newcomer"
    work.mkdir()
    assert not work.resolve().is_relative_to(ROOT.resolve())
    failures, skipped = [], []
    for cmd in commands:
        if "recalc" in cmd and not shutil.which("soffice") and not os.environ.get("COSTMODEL_SOFFICE"):
            skipped.append(cmd)
            continue
        if ".pdf" in cmd and not chromium_path():
            skipped.append(cmd)
            continue
        before = {p: p.stat().st_mtime_ns for p in work.rglob("*")}
        done = run(cmd, work, clean_env(wheel_venv), shell=True)
        problem = sensible(cmd, done, work, before)
        if problem:
            failures.append(f"{cmd}\n    {problem}")
    assert not failures, "README commands that failed:\n" + "\n".join(failures)
    if skipped:
        pytest.skip(f"not installed here, so not run: {skipped}")


def sensible(cmd: str, done: subprocess.CompletedProcess, work: Path, before: dict) -> str | None:
    """What is wrong with a command's outcome, or None: exit 0, no error, and output that looks right."""
    if done.returncode != 0 or "Traceback" in done.stderr or "Error:" in done.stderr:
        return f"exit {done.returncode}: {(done.stderr or done.stdout).strip()[-1500:]}"
    written = [p for p in work.rglob("*") if p.is_file() and before.get(p) != p.stat().st_mtime_ns]
    if not done.stdout.strip() and not written:
        return "printed nothing and wrote nothing"
    for p in written:
        data = p.read_bytes()
        if not data:
            return f"wrote an empty {p.name}"
        kind = p.suffix.lower()
        if kind == ".json":
            json.loads(data)
        elif kind in (".xlsx", ".xlsm") and not zipfile.is_zipfile(p):
            return f"{p.name} is not a workbook"
        elif kind == ".pdf" and not data.startswith(b"%PDF"):
            return f"{p.name} is not a PDF"
        elif kind == ".html" and b"<html" not in data[:500]:
            return f"{p.name} is not HTML"
        elif kind == ".csv" and len(data.splitlines()) < 2:
            return f"{p.name} has no rows"
    if re.fullmatch(r"costmodel compare( --set \S+)*", cmd) and compare_rows(readme_compare_output()) != compare_rows(done.stdout):
        return "its rows differ from the output pasted in the README (paste the output of costmodel compare again)"
    return None


def test_every_command_in_the_readme_table_answers_help(wheel_venv, tmp_path):
    commands = table_commands(README.read_text(encoding="utf-8"))
    assert len(commands) >= 10
    for cmd in commands:
        done = run(f"{cmd} --help", tmp_path, clean_env(wheel_venv), shell=True)
        assert done.returncode == 0 and "Example" in done.stdout, (cmd, done.stderr)


def test_the_quick_start_as_written_in_a_copy_of_the_repository(cache_home, request):
    quick = bash_blocks(README.read_text(encoding="utf-8"))[0]
    assert len(quick) == 1 and "pip install" in quick[0] and quick[0].endswith("costmodel compare")
    clone = cache_home / "clone"
    clone.mkdir(exist_ok=True)
    for old in clone.iterdir():  # the current files; the .venv a previous session made stays
        if old.name != ".venv":
            shutil.rmtree(old) if old.is_dir() else old.unlink()
    copy_repository(clone)
    fresh = not (clone / ".venv").exists()
    t0 = time.perf_counter()
    done = run(quick[0], clone, clean_env(), shell=True)
    seconds = time.perf_counter() - t0
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Options compared" in done.stdout, done.stdout[-3000:]
    table = done.stdout[done.stdout.rfind("\n", 0, done.stdout.index("Options compared")) + 1:]  # after pip's lines
    assert compare_rows(table) == compare_rows(readme_compare_output())
    assert (clone / ".venv" / "bin" / "costmodel").exists()
    tell(request, f"quick start in a copy of the repository ({'new' if fresh else 'existing'} .venv): {seconds:.0f} s")


def test_the_test_command_is_the_one_ci_runs():
    blocks = bash_blocks(README.read_text(encoding="utf-8"))
    assert [TEST_COMMAND] in blocks
    ci = (ROOT / ".ci" / "run").read_text()
    assert "scripts/test.sh" in ci and "set -euo pipefail" in ci and os.access(ROOT / ".ci" / "run", os.X_OK)
    test_sh = (ROOT / "scripts" / "test.sh").read_text()
    assert "scripts/setup.sh" in test_sh and "pytest" in test_sh
    assert "apt-get" not in (ROOT / "tests" / "conftest.py").read_text()  # pytest alone never installs anything
