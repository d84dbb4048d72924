"""``costmodel national --resume``: a run killed part way (SIGKILL, a real process) resumes from the chunks its
journal holds and writes exactly the bytes an uninterrupted run writes; the journal goes once the output is whole."""
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from costmodel.cli import main

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, str(ROOT / "cli.py")]
ARGS = ["national", "--region", "North East", "--draws", "3000", "--seed", "11", "--chunk", "2"]


def test_killed_run_resumes_to_the_same_bytes(tmp_path):
    whole = tmp_path / "whole.json"
    subprocess.run(CLI + ARGS + ["--output", str(whole)], check=True, capture_output=True, timeout=600)
    assert not (tmp_path / "whole.json.journal").exists()

    out = tmp_path / "resumed.json"
    journal = tmp_path / "resumed.json.journal"
    proc = subprocess.Popen(CLI + ARGS + ["--output", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 300
    while time.time() < deadline and len(list(journal.glob("chunk-*.json"))) < 2 and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    done = len(list(journal.glob("chunk-*.json")))
    assert 1 <= done < 6, "the run should be killed part way (12 councils, 2 a chunk)"
    assert not out.exists()

    resumed = subprocess.run(CLI + ARGS + ["--output", str(out), "--resume"], capture_output=True, text=True,
                             timeout=600, check=True)
    assert "Resuming:" in resumed.stderr
    assert all(line.startswith(("Resuming:", "Wrote", "Note:")) for line in resumed.stderr.splitlines()), \
        "no progress bar when stderr is not a terminal"
    assert out.read_bytes() == whole.read_bytes()
    assert not journal.exists()
    assert len({r["la_code"] for r in json.loads(out.read_text())["records"]}) == 12


def test_resume_refuses_a_journal_of_other_settings(tmp_path):
    out = tmp_path / "n.json"
    folder = tmp_path / "n.json.journal"
    folder.mkdir()
    (folder / "run.json").write_text(json.dumps({"draws": 5, "seed": 1}))
    result = CliRunner().invoke(main, ["national", "--council", "Doncaster", "--output", str(out), "--resume"])
    assert result.exit_code == 2, result.output
    assert "--resume: the journal" in result.stderr and "other settings" in result.stderr
    assert not out.exists()


def test_resume_needs_output():
    result = CliRunner().invoke(main, ["national", "--council", "Doncaster", "--resume"])
    assert result.exit_code == 2 and "--resume needs --output" in result.stderr
