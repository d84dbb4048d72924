"""What ``costmodel init --council`` tells the user: the folder written, each baseline lever set from the council's
statistics (value, provenance, the figures behind it), what stayed a national default, and every fallback taken.
Plain text (no calculation here); the same lines, shortened, head any command run with ``--council``.
"""
from __future__ import annotations

import textwrap

from .text import money_m

PROVENANCE_WORDS = {"published": "published", "derived": "derived", "judgement": "judgement",
                    "national default": "national default scaled to size"}


def value_text(row: dict) -> str:
    """A trace row's central value in words: money in £ (with its price year), a share in %, else the number."""
    v = row["value"]
    central = v["central"] if isinstance(v, dict) else v
    lever = row["lever"]
    if "price_base" in row:
        pounds = money_m(central) if abs(central) >= 1e6 else f"£{central:,.0f}"
        return f"{pounds} ({row['price_base']}-{(row['price_base'] + 1) % 100:02d} prices)"
    if lever.endswith("_share"):
        return f"{central:.1%}"
    if lever.startswith("baseline.capacity."):
        return "yes" if central else "no"
    return f"{central:,.1f}".removesuffix(".0")


def council_line(council: dict, fallbacks: int) -> str:
    """One line naming the council a run uses (printed on stderr by every command given ``--council``)."""
    c = council["council"]
    tail = (f"; {fallbacks} fallback(s), listed by costmodel init --council \"{c['name']}\"" if fallbacks else "")
    return (f"Council: {c['name']} (ONS {c['code']}, DfE {c['dfe_code']}), {c['region']}: baseline from its published "
            f"statistics (costmodel init --council){tail}.")


def init_summary(folder: str, council: dict, match_note: str = "", width: int = 110) -> str:
    """The report of ``costmodel init``: what was written and where every baseline figure came from."""
    c = council["council"]
    out = [f"Wrote {folder}/ for {c['name']} (ONS {c['code']}, DfE {c['dfe_code']}), {c['region']}; it validates.",
           *([f"Note: {match_note}"] if match_note else []), "",
           "Levers set from the council's statistics, or national defaults scaled to its size:"]
    for row in council["levers"]:
        name = row["lever"].removeprefix("baseline.")
        out.append(f"  {name:<44} {value_text(row):<28} {PROVENANCE_WORDS.get(row['provenance'], row['provenance'])}")
        for fig in row["figures"]:
            out += textwrap.wrap(fig, width, initial_indent="      ", subsequent_indent="        ")
    out += ["", "Everything else (salary, on-costs, agency premium, interim day rates, drift, the options but a new "
            "organisation's back office, the journey, the appraisal, scenarios and prices) is the national default of the "
            "bundled example: each note says so; replace it with the council's own figure."]
    fallbacks = council.get("fallbacks") or []
    out += ["", f"Fallbacks ({len(fallbacks)}):" if fallbacks else "Fallbacks: none (every figure is the council's own "
            "latest published one)."]
    out += [line for f in fallbacks for line in textwrap.wrap(f, width, initial_indent="  - ", subsequent_indent="    ")]
    out += ["", f"Next: costmodel compare --assumptions {folder}    (or any command with --council \"{c['name']}\")"]
    return "\n".join(out) + "\n"
