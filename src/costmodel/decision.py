"""Which form of support fits: the decision framework of Isos for the LGA (2017), "Consideration of models".

The report asks three questions of a council's leadership — can it self-assess accurately, set
priorities and a strategic approach, and implement that approach — and whether its issues are
systemic or persistent. Put briefly (``003``, "Consideration of models"):

* all three capacities and issues not systemic or persistent → well-chosen **sector-led support**;
* can self-assess and set strategy but struggles to implement → focused **external scrutiny**
  (an independently chaired improvement board, a DfE commissioner);
* all three absent → consider an **alternative delivery model**: executive leadership if a strong
  partner council is willing, a new organisation (a trust) to break a cycle of failure.

The report does not place every combination. Where it is silent this module takes the nearer
reading and says so in the reasons: capacity present but issues systemic or persistent → external
scrutiny; cannot self-assess or set strategy (but not all three absent) → external scrutiny, with an
alternative delivery model to be considered too when the issues are systemic or persistent.
"""
from __future__ import annotations

from typing import NamedTuple

FORMS = {
    "sector_led": "Sector-led support (peer review, strategic partner)",
    "external_scrutiny": "External scrutiny (improvement board, commissioner)",
    "alternative_delivery_model": "Consider an alternative delivery model",
}


class Verdict(NamedTuple):
    """The framework's answer: the form of support, why, and how each delivery model fits.

    A named tuple (immutable) rather than a frozen dataclass only because it is quicker to define (start-up time).
    """

    form: str
    summary: str
    reasons: tuple[str, ...]
    fit: dict[str, str]  # delivery model -> fits | possible | not indicated | counterfactual

    def for_model(self, model: str) -> str:
        return self.fit.get(model, "not indicated")


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def verdict(self_assess: bool, set_strategy: bool, implement: bool, systemic_issues: bool,
            strong_partner_willing: bool) -> Verdict:
    """Apply the framework of ``003`` to the council's answers (each a yes/no)."""
    answers = (f"can self-assess: {_yes(self_assess)}; can set strategy: {_yes(set_strategy)}; "
               f"can implement: {_yes(implement)}; systemic or persistent issues: {_yes(systemic_issues)}; "
               f"strong partner willing: {_yes(strong_partner_willing)}")
    reasons = [answers]
    fit = {"business_as_usual": "counterfactual"}
    if self_assess and set_strategy and implement and not systemic_issues:
        form = "sector_led"
        reasons.append("Leaders can self-assess, set a strategy and implement it, and the issues are not systemic: "
                       "well-chosen sector-led support at key points is likely to help sustain improvement (003).")
        fit |= {"in_house": "fits", "executive_leadership": "not indicated", "trust": "not indicated"}
    elif not (self_assess or set_strategy or implement):
        form = "alternative_delivery_model"
        reasons.append("All three capacities are absent: the question arises whether an alternative means of "
                       "delivering children's services may put the conditions for improvement in place (003).")
        if strong_partner_willing:
            reasons.append("A strong partner council is willing: executive leadership can start improvement "
                           "within weeks (Hampshire and the Isle of Wight).")
            fit |= {"executive_leadership": "fits", "trust": "possible", "in_house": "not indicated"}
        else:
            reasons.append("No strong partner is willing: a new organisation may be needed to break the cycle of "
                           "past difficulties; executive leadership needs a willing partner.")
            fit |= {"trust": "fits", "executive_leadership": "needs a willing partner", "in_house": "not indicated"}
    else:
        form = "external_scrutiny"
        if self_assess and set_strategy and not implement:
            reasons.append("Leaders can self-assess and set strategy but struggle to implement: focused external "
                           "scrutiny may bring leaders and partners together to overcome the obstacles (003).")
        elif self_assess and set_strategy and implement:
            reasons.append("Capacity is present but the issues are systemic or persistent; the report places "
                           "alternative delivery models where capacity is absent, so external scrutiny is the nearer "
                           "reading (a judgement where 003 is silent).")
        else:
            reasons.append("Some but not all capacities are absent; 003 does not place this case. Without accurate "
                           "self-assessment or a strategy, improvement needs external scrutiny at least (a judgement).")
        fit |= {"in_house": "fits", "executive_leadership": "not indicated", "trust": "not indicated"}
        if systemic_issues and not (self_assess and set_strategy):
            reasons.append("With systemic or persistent issues, an alternative delivery model should be considered too.")
            fit |= {"executive_leadership": "possible" if strong_partner_willing else "needs a willing partner",
                    "trust": "possible"}
    return Verdict(form=form, summary=FORMS[form], reasons=tuple(reasons), fit=fit)


def verdict_from_values(central: dict) -> Verdict:
    """The verdict from lever values keyed ``baseline.capacity.*`` (flags as 1.0 / 0.0)."""
    get = lambda k: bool(central[f"baseline.capacity.{k}"])  # noqa: E731
    return verdict(get("self_assess"), get("set_strategy"), get("implement"), get("systemic_issues"),
                   get("strong_partner_willing"))
