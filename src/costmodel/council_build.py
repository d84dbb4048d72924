"""The pieces a council's baseline is built with (:mod:`costmodel.council_baseline` has the rules): the publications
the figures come from, the council the national defaults describe, the constants of the rules, and the builder
that sets each lever with its basis, source, derivation and a note naming the council, its codes and the date each
figure refers to, keeping a trace of every lever set and every fallback taken. Pure.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from types import MappingProxyType

from .assumptions import Assumptions, Lever, Source
from .comparison import NATIONAL_DEFAULT, provenance, reconciliation
from .council_statistics import CouncilStatistics, Figure

WHERE = "costmodel init --council"
#: The section 251 lines that pay for the model's core service, placements and social work (gross, no capital).
#: Left out: Sure Start and early years, services for young people and youth justice (not children's social care).
CORE_SPEND = ("s251_cla_gross_gbp", "s251_safeguarding_gross_gbp", "s251_family_support_gross_gbp",
              "s251_other_children_family_gross_gbp")
CORE_SPEND_WORDS = ("children looked after", "safeguarding", "family support", "other children and family services")
#: Lines of the reconciliation that the model adds beside the core service: netted off the outturn.
NETTED = ("legacy_placements", "agency_premium", "interim_leaders")
#: Scenario levers restated in proportion to the baseline lever named (when init set that lever for the council).
SCENARIO_RATIO = {"options.*.workforce.agency_share_target": "baseline.social_workers.agency_share"}
#: Share of legacy placements that step down to foster care; the rest go to (local) residential care.
FOSTER_SHARE = (1.0, 0.75, 0.5)
#: The decision-framework answers read from Ofsted's judgement of the impact of leaders on social work practice:
#: (can self-assess, can set strategy, can implement).
LEADERS = {"Outstanding": (True, True, True), "Good": (True, True, True),
           "Requires improvement to be good": (True, True, False), "Inadequate": (False, False, False)}
CAPACITY = ("self_assess", "set_strategy", "implement")


@dataclass(frozen=True)
class Publication:
    """A statistical release the figures come from (``key`` as in the data vintage: CIN, CLA, CSWW, S251, OFSTED)."""

    key: str
    title: str
    publisher: str
    release: str
    latest_year: int
    url: str
    updated: str | None = None


@dataclass(frozen=True)
class Reference:
    """The council the national defaults describe, for scaling them to another council's size."""

    children_in_need: float
    children_looked_after: float
    description: str


@dataclass
class CouncilBaseline:
    """The national set with the council's baseline; the trace of every lever set; every fallback taken."""

    assumptions: Assumptions
    trace: list[dict] = field(default_factory=list)
    fallbacks: list[str] = field(default_factory=list)


def source_key(pub: Publication, year: int) -> str:
    """``dfe_csww_2025_la``: the release's local-authority figures; section 251 by the figure's financial year."""
    if pub.key == "S251":
        return f"dfe_s251_{year - 1}_{year % 100:02d}_la"
    prefix = "ofsted" if pub.key == "OFSTED" else f"dfe_{pub.key.lower()}"
    return f"{prefix}_{pub.latest_year}_la"


def make_source(pub: Publication, year: int, council) -> Source:
    """The source-register entry of a release (one per financial year for section 251) for one council."""
    if pub.key == "S251":
        title = (f"LA and school expenditure: financial year {year - 1}-{year % 100:02d} (section 251 outturn), as held "
                 "in DfE's Local Authority Interactive Tool")
    else:
        title = f"{pub.title}, {pub.release}"
    return Source(key=source_key(pub, year), title=title, publisher=pub.publisher,
                  year=int(pub.updated[:4]) if pub.updated else year, url=pub.url,
                  section=f"Local authority figures: {council.name} (ONS {council.code}, DfE {council.dfe_code}); "
                          "packaged in costmodel/files/data ("
                          + ("ofsted_inspections.csv" if pub.key == "OFSTED" else "councils_history.csv") + ")",
                  note=f"Updated {pub.updated}" if pub.updated else "")


def shown(f: Figure) -> str:
    """A figure in words: ``2,251 children in need at 31 March 2025`` (and its status when not published)."""
    v = f.value
    if f.unit == "GBP":
        text = f"£{v:,.0f}"
    elif f.unit == "GBP/week":
        text = f"£{v:,.0f} a week"
    else:
        text = f"{v:,.1f}".removesuffix(".0")
    status = "" if f.status == "published" else f" [{f.status.replace('_', ' ')}: {f.note}]"
    return f"{f.label}: {text} ({f.reference}){status}"


class Builder:
    """The levers as they are set, the sources they cite, the trace and the fallbacks."""

    def __init__(self, stats: CouncilStatistics, national: Assumptions, ref: Reference, pubs: dict[str, Publication],
                 measure_source: dict[str, str]):
        self.stats, self.national, self.ref, self.pubs = stats, national, ref, pubs
        self.measure_source = measure_source
        self.council = stats.council
        self.levers = dict(national.levers)
        self.sources = dict(national.sources)
        self.trace: list[dict] = []
        self.fallbacks: list[str] = []
        self.done: set[str] = set()  # levers set or kept
        self.set_keys: set[str] = set()  # levers set from the council's figures (or scaled to its size)

    def fig(self, measure: str) -> Figure | None:
        f = self.stats.figures.get(measure)
        return f if f is not None and f.value is not None else None

    def cite(self, pub_key: str, year: int) -> str:
        pub = self.pubs[pub_key]
        key = source_key(pub, year)
        self.sources.setdefault(key, make_source(pub, year, self.council))
        return key

    def who(self) -> str:
        c = self.council
        return f"{c.name} (ONS {c.code}, DfE {c.dfe_code})"

    def put(self, key: str, values, *, basis: str, figures=(), source: str | None = None, derivation=None,
            reasoning=None, price_base=None, scaled: str = "", said: str = "") -> None:
        """Set lever ``key`` to ``values`` (one value or low, central, high) from ``figures`` (``said``: the
        figures in words when they are not :class:`Figure` s; ``scaled``: a national default scaled to the council's
        size, with what the council should replace it from)."""
        lo, mid, hi = values if isinstance(values, tuple) else (values,) * 3
        if source is None and figures:
            source = self.cite(self.measure_source[figures[0].measure], figures[0].year)
        said = said or "; ".join(shown(f) for f in figures)
        head = (f"{NATIONAL_DEFAULT}, scaled to the size of {self.who()}: replace it with {self.own()} figure "
                f"({scaled}). " if scaled else f"{self.who()}: ")
        note = head + (said + ". " if said else "") + "Set by costmodel init --council from the packaged statistics."
        nat = self.national.levers[key]
        self.levers[key] = Lever(key=key, label=nat.label, unit=nat.unit, low=lo, central=mid, high=hi,
                                 price_base=price_base if price_base is not None else nat.price_base, source=source,
                                 basis=basis, reasoning=reasoning, note=note, where=WHERE, derivation=derivation)
        self.done.add(key)
        self.set_keys.add(key)
        row = {"lever": key, "provenance": provenance(self.levers[key]),
               "value": mid if lo == hi else {"low": lo, "central": mid, "high": hi}}
        if self.levers[key].price_base is not None:
            row["price_base"] = self.levers[key].price_base
        self.trace.append({**row, "source": source, "figures": [shown(f) for f in figures] or [said]})
        for f in figures:
            if f.status != "published":
                self.fallback(f"{f.label} ({f.reference}): {f.status.replace('_', ' ')} - {f.note}")

    def provisional(self, key: str, value: float, price_base: int) -> None:
        """Set ``key`` to one value for a calculation that needs it (the outset spend before its netting); no trace."""
        self.levers[key] = replace(self.levers[key], low=value, central=value, high=value, price_base=price_base)

    def own(self) -> str:
        return f"{self.council.name}'{'' if self.council.name.endswith('s') else 's'} own"

    def keep(self, key: str, why: str = "", extra: str = "", hint: bool = True) -> None:
        """Keep the national default of ``key``, its note saying so (and ``why`` it was not replaced, a fallback);
        ``hint``: say to replace it with the council's own figure (not for a parameter of the model itself)."""
        nat = self.levers[key]
        if why:
            self.fallback(f"{key}: {why}; the national default is kept - replace it with {self.own()} figure")
        text = (f"{NATIONAL_DEFAULT} (the bundled example)"
                + (f": replace it with {self.own()} figure." if hint else f", kept for {self.council.name}.")
                + (f" Not set from the statistics: {why}." if why else "") + (f" {extra}" if extra else ""))
        self.levers[key] = replace(nat, note=text + (f" {nat.note}" if nat.note else ""))
        self.done.add(key)

    def fallback(self, text: str) -> None:
        if text not in self.fallbacks:
            self.fallbacks.append(text)

    def assumptions(self) -> Assumptions:
        return replace(self.national, levers=MappingProxyType(dict(self.levers)),
                       sources=MappingProxyType(dict(self.sources)))


def reconciled_net(a: Assumptions) -> tuple[dict[str, float], float]:
    """The lines the model adds beside the core service, restated in the outset spend's price year, and the factor
    taking that year to base-year prices: ``(line → GBP/yr, factor)``."""
    rec = reconciliation(a)
    f = a.price_factor("baseline.outset_spend")
    return {line: rec[line] / f for line in NETTED}, f
