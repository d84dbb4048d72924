"""The decision framework of Isos for the LGA (2017), 'Consideration of models'."""
import pytest

from costmodel.decision import verdict


def test_sector_led_when_capacity_and_no_systemic_issues():
    v = verdict(True, True, True, False, False)
    assert v.form == "sector_led" and v.for_model("in_house") == "fits" and v.for_model("trust") == "not indicated"


def test_external_scrutiny_when_implementation_is_the_obstacle():
    v = verdict(True, True, False, False, False)
    assert v.form == "external_scrutiny" and v.for_model("in_house") == "fits"


@pytest.mark.parametrize("partner, fits, possible", [(True, "executive_leadership", "trust"),
                                                     (False, "trust", None)])
def test_alternative_delivery_model_when_all_capacity_absent(partner, fits, possible):
    v = verdict(False, False, False, True, partner)
    assert v.form == "alternative_delivery_model"
    assert v.for_model(fits) == "fits" and v.for_model("in_house") == "not indicated"
    if possible:
        assert v.for_model(possible) == "possible"
    else:
        assert v.for_model("executive_leadership") == "needs a willing partner"
    assert v.for_model("business_as_usual") == "counterfactual"


def test_cases_the_report_does_not_place_are_marked_as_judgement():
    v = verdict(True, False, False, True, True)
    assert v.form == "external_scrutiny" and "judgement" in " ".join(v.reasons)
    assert v.for_model("executive_leadership") == "possible"
    assert "can set strategy: no" in v.reasons[0]
