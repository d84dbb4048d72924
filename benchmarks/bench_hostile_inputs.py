"""How fast hostile assumption files are refused, against loading the bundled folder in the same run.

    python benchmarks/bench_hostile_inputs.py            # both parsers (libyaml when installed, pure Python)

Each case is one mutated copy of the bundled folder; the time is that of ``load_folder`` until it raises
(the command line adds its start-up, about a quarter of a second). Issue 17 asks for each refusal in
under a second; the ratio shows the cost against an ordinary load measured here, now.
"""
from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import yaml

from costmodel.errors import AssumptionError
from costmodel.files.assumption_folder import load_folder

ROOT = Path(__file__).resolve().parents[1]


def laughs(levels: int = 9, width: int = 9) -> str:
    node = "&a0 [" + ",".join(["lol"] * width) + "]"
    for i in range(1, levels):
        node = f"&a{i} [{node}," + ",".join([f"*a{i - 1}"] * (width - 1)) + "]"
    return node


CASES = {
    "billion laughs in a note": lambda t: t.replace("  value: 36\n", f"  value: 36\n  note: {laughs()}\n", 1),
    "5,000-deep flow mapping": lambda t: t + "deep: " + "{a: " * 5000 + "1" + "}" * 5000 + "\n",
    "20,000+ values (dense list)": lambda t: "x: [" + ",".join(["1"] * 120_000) + "]\n",
    "20,000+ values (block mapping)": lambda t: "".join(f"k{i}: {i}\n" for i in range(21_000)),
    "250 KB of one string": lambda t: "x: " + "a" * 250_000 + "\n",
    "a list as a key": lambda t: t.replace("sustain_months:", "[a, b]:", 1),
}


def timed(folder: Path) -> float:
    start = time.perf_counter()
    try:
        load_folder(folder)
    except AssumptionError:
        pass
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        shutil.copytree(ROOT / "assumptions", base, ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
        journey = (base / "journey.yaml").read_text()
        for parser in (["libyaml"] if yaml.__with_libyaml__ else []) + ["pure Python"]:
            if parser == "pure Python":
                yaml.__with_libyaml__ = False
            ordinary = min(timed(base) for _ in range(5))
            print(f"{parser}: loading the bundled folder takes {ordinary * 1000:.0f} ms")
            for name, mutate in CASES.items():
                case = Path(tmp) / f"{parser}-{name}".replace(" ", "_").replace(",", "")
                shutil.copytree(base, case)
                (case / "journey.yaml").write_text(mutate(journey))
                took = timed(case)
                print(f"  {name:32s} {took * 1000:7.0f} ms  ({took / ordinary:5.1f} x an ordinary load)")


if __name__ == "__main__":
    main()
