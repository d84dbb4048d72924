"""What the published statistics say about one council: figures with their provenance, the figures derived
from them, and the reading of its Ofsted history that the decision framework needs. Pure data and arithmetic;
``costmodel.evidence.council_record`` fills these records from the packaged statistics.

Every :class:`Figure` says which publication it comes from, the date or period it refers to, the code it is
published under and its *status*:

``published``     the council's own figure in the latest release;
``joint_rate``    a rate of a joint workforce return (Kingston upon Thames with Richmond upon Thames, North
                  with West Northamptonshire) — the rate of the joint service, the same for both councils;
``apportioned``   a count of a joint workforce return shared between its councils in proportion to their
                  children in need at 31 March of the same reporting year;
``earlier_year``  not available for the council in the latest year (e.g. DfE symbol ``x``, or ``c`` withheld):
                  the council's own figure for the most recent earlier year, at most two years older, with the
                  year and the symbol stated;
``low``           DfE symbol ``low`` (fewer than 0.5, rounds to zero but is not zero): taken as 0;
``suppressed``    not applicable (``z``), or withheld (``c``, ``u``) with no earlier figure: no value;
``missing``       no value in the release: no value. Nothing is ever filled with a national average.
``derived``       computed here from other figures; the note gives the formula.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from .councils import CouncilRef

STATUSES = ("published", "joint_rate", "apportioned", "earlier_year", "low", "suppressed", "missing", "derived")
GRADES = {1: "Outstanding", 2: "Good", 3: "Requires improvement to be good", 4: "Inadequate"}


@dataclass(frozen=True)
class Figure:
    """One statistic of one council with its provenance; ``value`` is None when there is no usable figure."""

    measure: str
    label: str
    value: float | None
    unit: str
    year: int | None
    reference: str
    publication: str
    council_code: str
    status: str
    note: str = ""

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"{self.measure}: status {self.status!r} is not one of {STATUSES}")


@dataclass(frozen=True)
class Inspection:
    """One Ofsted ILACS inspection: start date, publication date, type, overall judgement and grade (1-4)."""

    council_code: str
    council_name: str
    date: str
    published: str
    kind: str
    judgement: str
    grade: int


@dataclass(frozen=True)
class OfstedReading:
    """The council's ILACS history read for the decision framework's question "are the issues systemic or
    persistent?" (Isos for the LGA, 2017)."""

    inspections: tuple[Inspection, ...]
    latest: Inspection | None
    inadequate: bool
    two_inadequate_in_a_row: bool
    requires_improvement_after_inadequate: bool
    systemic_or_persistent: bool
    reasons: tuple[str, ...]


def read_ofsted(own: list[Inspection], predecessors: list[Inspection] = ()) -> OfstedReading:
    """Read the inspections (any order) oldest first; the predecessors' (a council this one replaced) come first.

    * ``inadequate``: the latest overall judgement is inadequate (Ofsted: widespread or serious failures);
    * ``two_inadequate_in_a_row``: it and the one before are both inadequate;
    * ``requires_improvement_after_inadequate``: the latest is requires improvement, the one before inadequate;
    * ``systemic_or_persistent``: any of the three. A reorganised council inherits its predecessor's
      inspections for this reading (the same children and usually the same service); the reasons say so.
    """
    own = sorted(own, key=lambda i: i.date)
    seq = sorted(predecessors, key=lambda i: i.date) + own
    if not own:
        reason = "No ILACS inspection of this council in the data (Ofsted inspections from 2018 to 31 March 2025)."
        return OfstedReading(tuple(seq), None, False, False, False, False, (reason,))
    latest, before = seq[-1], (seq[-2] if len(seq) > 1 else None)
    inadequate = latest.grade == 4
    twice = inadequate and before is not None and before.grade == 4
    ri_after = latest.grade == 3 and before is not None and before.grade == 4
    reasons = [f"Latest ILACS judgement: {latest.judgement} (inspection starting {latest.date}, "
               f"published {latest.published}, {latest.kind})."]
    if before is not None:
        whose = "" if before.council_code == latest.council_code else \
            f" (of {before.council_name}, which this council replaced)"
        reasons.append(f"The inspection before{whose}: {before.judgement} ({before.date}).")
    else:
        reasons.append("Only one ILACS inspection (from 2018) is in the data: judgements under the earlier "
                       "framework are not, so a longer history cannot be read from it.")
    if twice:
        reasons.append("Two inadequate judgements in a row: persistent issues.")
    elif ri_after:
        reasons.append("Requires improvement after inadequate: not yet good after intervention, persistent issues.")
    elif inadequate:
        reasons.append("Inadequate: widespread or serious failures, systemic issues.")
    else:
        reasons.append("Neither inadequate nor requires improvement after inadequate: the history alone does not "
                       "show systemic or persistent issues.")
    return OfstedReading(tuple(seq), latest, inadequate, twice, ri_after, inadequate or twice or ri_after,
                         tuple(reasons))


def apportion(joint_value: float, member_weight: float, total_weight: float) -> float:
    """A member's share of a joint figure: ``joint_value × member_weight / total_weight``."""
    return joint_value * member_weight / total_weight


#: Derived figures: name → (label, unit, numerator measures (summed), denominator measures (summed), scale).
DERIVED = {
    "agency_share": ("Share of social worker FTE that is agency", "fraction",
                     ("agency_fte",), ("social_worker_fte", "agency_fte"), 1.0),
    "case_holding_share": ("Share of social worker FTE (employed and agency) holding cases", "fraction",
                           ("case_holding_fte",), ("social_worker_fte", "agency_fte"), 1.0),
    "children_in_need_per_case_holder": ("Children in need per case-holding FTE", "children/FTE",
                                         ("children_in_need",), ("case_holding_fte",), 1.0),
    "childrens_social_care_spend": ("Children's social care spend (s251: looked after + safeguarding + family "
                                    "support)", "GBP/yr", ("s251_cla_gross_gbp", "s251_safeguarding_gross_gbp",
                                                           "s251_family_support_gross_gbp"), (), 1.0),
    "spend_per_child": ("Children's social care spend per child aged 0-17", "GBP/child/yr",
                        ("s251_cla_gross_gbp", "s251_safeguarding_gross_gbp", "s251_family_support_gross_gbp"),
                        ("population_0_17",), 1.0),
    "weekly_cost_per_child_looked_after": ("Spend on children looked after per child looked after per week",
                                           "GBP/child/week", ("s251_cla_gross_gbp",), ("children_looked_after",),
                                           7 / 365),
}


def _describe(f: Figure) -> str:
    flag = "" if f.status == "published" else f", {f.status.replace('_', ' ')}"
    return f"{f.measure} {f.reference}{flag}"


def derive(figures: dict[str, Figure], council_code: str) -> dict[str, Figure]:
    """The :data:`DERIVED` figures from ``figures``; a missing part gives value None and says which."""
    out = {}
    for name, (label, unit, num, den, scale) in DERIVED.items():
        parts = [figures.get(m) for m in (*num, *den)]
        absent = [m for m, f in zip((*num, *den), parts) if f is None or f.value is None]
        formula = " + ".join(num) + (f" / ({' + '.join(den)})" if den else "") + (" x 7 / 365" if scale != 1 else "")
        if absent:
            out[name] = Figure(name, label, None, unit, None, "", "computed", council_code, "missing",
                               f"{formula}; not available: {', '.join(absent)}")
            continue
        top = sum(figures[m].value for m in num)
        bottom = sum(figures[m].value for m in den) if den else 1.0
        value = top / bottom * scale if bottom else None
        years = [f.year for f in parts if f.year is not None]
        out[name] = Figure(name, label, value, unit, max(years) if years else None,
                           "; ".join(_describe(f) for f in parts), "computed from the figures named", council_code,
                           "derived" if value is not None else "missing", formula)
    return out


@dataclass(frozen=True)
class CouncilStatistics:
    """Everything the statistics say about one council, ready for the baseline (``costmodel init --council``)."""

    council: CouncilRef
    figures: dict[str, Figure]
    derived: dict[str, Figure]
    ofsted: OfstedReading
    notes: tuple[str, ...] = ()
    vintage: dict = field(default_factory=dict)

    def value(self, measure: str) -> float | None:
        f = self.figures.get(measure) or self.derived.get(measure)
        return None if f is None else f.value

    def flagged(self) -> list[Figure]:
        """Figures that are not the council's own published figure for the latest year (derived ones aside)."""
        return [f for f in self.figures.values() if f.status not in ("published",)]

    def to_dict(self) -> dict:
        """Plain data (JSON-ready)."""
        return {"council": asdict(self.council), "figures": {k: asdict(v) for k, v in self.figures.items()},
                "derived": {k: asdict(v) for k, v in self.derived.items()}, "ofsted": asdict(self.ofsted),
                "notes": list(self.notes), "vintage": self.vintage}
