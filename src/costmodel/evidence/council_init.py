"""``costmodel init --council``: an assumption folder for one council, its baseline from its published statistics.

Reads the council's figures (:func:`costmodel.evidence.council_record.council_statistics`), the national
defaults (the bundled example) and the council those defaults describe, applies the rules of
:func:`costmodel.council_baseline.council_baseline` and writes the folder atomically
(:func:`costmodel.files.council_folder.write_folder_atomically`). docs/any-council.md explains every rule.
"""
from __future__ import annotations

import functools
import re
import statistics
from dataclasses import replace
from pathlib import Path

from ..council_baseline import council_baseline
from ..council_build import CouncilBaseline, Publication, Reference
from ..council_statistics import CouncilStatistics, Figure
from ..councils import Match
from ..files import council_data
from ..files.assumption_folder import load_folder
from ..files.bundled import bundled_assumptions
from ..files.council_folder import write_folder_atomically
from ..files.vintage import data_vintage
from .council_record import EARLIER_YEARS, council_statistics, find, latest_year, series
from .measures import MEASURES, reference

#: Where each release is published (Explore Education Statistics, GOV.UK).
URLS = {
    "CIN": "https://explore-education-statistics.service.gov.uk/find-statistics/characteristics-of-children-in-need",
    "CLA": "https://explore-education-statistics.service.gov.uk/find-statistics/"
           "children-looked-after-in-england-including-adoptions",
    "CSWW": "https://explore-education-statistics.service.gov.uk/find-statistics/children-s-social-work-workforce",
    "S251": "https://explore-education-statistics.service.gov.uk/find-statistics/la-and-school-expenditure",
    "OFSTED": "https://www.gov.uk/government/statistics/local-authority-inspection-outcomes-as-at-31-march-{year}",
}
PUBLISHERS = {"DfE": "Department for Education", "Ofsted": "Ofsted"}
#: The measures the baseline reads; a missing one falls back to the council's last published figure.
USED = ("children_in_need", "children_looked_after", "social_worker_fte", "agency_fte", "case_holding_fte",
        "s251_cla_gross_gbp", "s251_safeguarding_gross_gbp", "s251_family_support_gross_gbp",
        "s251_other_children_family_gross_gbp", "s251_weekly_cost_per_residential_placement_gbp",
        "s251_weekly_cost_per_foster_placement_gbp")


def publications() -> dict[str, Publication]:
    """The releases of the packaged statistics (data vintage) with where each is published."""
    out = {}
    for s in data_vintage()["sources"]:
        if s["key"] in URLS:
            out[s["key"]] = Publication(s["key"], s["title"], PUBLISHERS.get(s["publisher"], s["publisher"]),
                                        s["release"], int(s["latest_year"]),
                                        URLS[s["key"]].format(year=s["latest_year"]), s.get("updated"))
    return out


def reference_council() -> Reference:
    """The council the national defaults describe (docs/defaults.md, "The example council"): the medians of the
    councils judged inadequate in the latest Ofsted data."""
    c = council_data.councils()
    inadequate = c[c["ofsted_overall_grade"] == 4]
    when = latest_year("children_in_need")
    return Reference(float(statistics.median(inadequate["children_in_need"].dropna())),
                     float(statistics.median(inadequate["children_looked_after"].dropna())),
                     f"the median of the {len(inadequate)} councils judged inadequate at 31 March {when}")


def _last_published(f: Figure) -> Figure:
    """A figure missing from the latest release and the two before: the council's last published one, said so."""
    if f.value is not None or f.status != "missing":
        return f
    own = series().get((f.council_code, f.measure), {})
    if not own:
        return f
    year = max(own)
    head = f.note.split("; last published")[0]
    return replace(f, value=own[year], year=year, status="earlier_year", reference=reference(f.measure, year),
                   note=f"{head}: the council's last published figure, for {year} ({f.year - year} years older, beyond "
                        f"the usual {EARLIER_YEARS}), used rather than any national figure - replace it with the "
                        "council's own")


def statistics_for(query: str) -> tuple[Match, CouncilStatistics, str | None]:
    """The match, the council's statistics (a missing figure of :data:`USED` replaced by its last published one)
    and Ofsted's judgement of the impact of leaders at its latest inspection."""
    match = find(query)
    stats = council_statistics(match.council.code)
    figures = {m: (_last_published(f) if m in USED else f) for m, f in stats.figures.items()}
    stats = replace(stats, figures=figures)
    leaders = None
    if stats.ofsted.latest is not None:
        t = council_data.inspections()
        latest = stats.ofsted.latest
        row = t[(t["la_code"] == latest.council_code) & (t["insp_date"].dt.date.astype(str) == latest.date)]
        leaders = str(row["leaders"].iloc[-1]) if len(row) and isinstance(row["leaders"].iloc[-1], str) else None
    return match, stats, leaders


def council_set(query: str) -> tuple[Match, CouncilBaseline]:
    """The council's assumption set (in memory) and how the council was found."""
    match, stats, leaders = statistics_for(query)
    national = national_defaults()
    measure_source = {k: m.source for k, m in MEASURES.items()}
    return match, council_baseline(stats, national, reference_council(), publications(), measure_source, leaders)


@functools.lru_cache(maxsize=1)
def national_defaults():
    """The bundled example, read once: the national defaults every council's folder starts from."""
    return load_folder(bundled_assumptions())


def folder_name(name: str) -> str:
    """The default folder for a council: ``Isle of Wight`` → ``isle-of-wight``, ``Bristol, City of`` → ``bristol-city-of``."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower().replace("&", "and")).strip("-")


def headers(name: str, code: str) -> dict[str, str]:
    """The opening comment of each file of a council's folder."""
    who = f"{name} ({code})"
    return {
        "baseline.yaml": f"The council at the outset: {who}, from its published statistics (costmodel init --council).\n"
                         "Each note names the figure, the date it refers to and the release; 'National default' marks a "
                         "figure the\nstatistics do not give: replace it with the council's own. Money is as published "
                         "with its price year\n(price_base); the engine restates it in the appraisal's base-year prices.",
        "options.yaml": "The delivery options: national defaults copied from costmodel's bundled example (each note says "
                        f"so).\nReplace them with {name}'s own quotes, plans and contracts.",
        "journey.yaml": "The improvement journey: national defaults (Isos for the LGA) copied from the bundled example.",
        "appraisal.yaml": "Appraisal conventions (HM Treasury Green Book) and the example's start year and horizon.",
        "scenarios.yaml": "Scenarios, correlations and groups of the bundled example (national defaults). A scenario "
                          f"value of a lever set from {name}'s\nstatistics is restated in proportion to the council's "
                          "figure (its reason says so); check every value against the council's own.",
        "sources.yaml": f"The source register: the bundled example's sources and, ending _la, the releases {who}'s "
                        "figures come from.",
        "council.yaml": f"Which council this folder describes and from which statistics (costmodel init --council): {who}.\n"
                        "'levers' traces each lever set from the statistics; 'fallbacks' lists every figure that is not "
                        "the\ncouncil's own latest published one. costmodel reads the council's name and codes from here.",
    }


def verbatim() -> dict[str, str]:
    """Files copied from the bundled example with their comments: the price indices."""
    text = (bundled_assumptions() / "prices.yaml").read_text(encoding="utf-8")
    return {"prices.yaml": "# The price indices, copied from costmodel's bundled example.\n" + text}


def init_council(query: str, folder=None, force: bool = False, parent=None):
    """Write the council's folder (default ``<parent or .>/<council-name>``); return ``(folder, match, baseline,
    assumptions)``."""
    match, baseline = council_set(query)
    c = match.council
    folder = Path(folder) if folder is not None else Path(parent or ".") / folder_name(c.name)
    a = write_folder_atomically(baseline.assumptions, folder, force, headers(c.name, c.code), verbatim())
    return folder, match, baseline, a
