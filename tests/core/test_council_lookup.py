"""Finding a council from what a person types (costmodel.councils): real spellings, codes, former councils.

The council list is read from the packaged councils.csv with the standard library (the core is pure: it is
given the list), so these tests also check the lookup against all 153 real names.
"""
import csv
from pathlib import Path

import pytest

from costmodel.councils import CouncilRef, core_name, find_council, find_region, normalise, search
from costmodel.errors import CostmodelError

DATA = Path(__file__).resolve().parents[2] / "src" / "costmodel" / "files" / "data"
with open(DATA / "councils.csv", encoding="utf-8") as fh:
    COUNCILS = [CouncilRef(r["la_code"], r["old_la_code"], r["la_name"], r["region"]) for r in csv.DictReader(fh)]
REGIONS = sorted({c.region for c in COUNCILS})


def code_of(query: str) -> str:
    return find_council(query, COUNCILS, regions=REGIONS).council.code


SPELLINGS = {
    "E08000017": ["Doncaster", "DONCASTER", "doncaster ", "Doncaster Council", "City of Doncaster Council",
                  "E08000017", "e08000017", "371", " 371 "],
    "E06000023": ["Bristol", "Bristol, City of", "City of Bristol", "Bristol City Council", "bristol city",
                  "E06000023", "801"],
    "E06000010": ["Hull", "Kingston upon Hull", "Kingston upon Hull, City of", "Hull City Council",
                  "City of Kingston upon Hull"],
    "E06000047": ["County Durham", "Durham", "Durham County Council", "county durham council", "840"],
    "E08000013": ["St Helens", "St. Helens", "Saint Helens", "ST HELENS COUNCIL", "St Helens Borough Council"],
    "E06000043": ["Brighton & Hove", "Brighton and Hove", "Brighton and Hove City Council", "Brighton"],
    "E09000013": ["Hammersmith & Fulham", "London Borough of Hammersmith and Fulham", "Hammersmith", "LBHF"],
    "E09000020": ["Kensington and Chelsea", "Royal Borough of Kensington & Chelsea", "RBKC", "Kensington"],
    "E06000058": ["Bournemouth, Christchurch and Poole", "Bournemouth, Christchurch & Poole", "BCP", "BCP Council"],
    "E06000019": ["Herefordshire", "Herefordshire, County of", "County of Herefordshire", "Herefordshire Council"],
    "E06000021": ["Stoke-on-Trent", "Stoke on Trent", "Stoke", "Stoke-on-Trent City Council"],
    "E06000033": ["Southend-on-Sea", "Southend", "Southend-on-Sea City Council"],
    "E06000022": ["Bath and North East Somerset", "B&NES", "BANES", "Bath"],
    "E09000001": ["City of London", "the City of London", "City of London Corporation"],
    "E09000021": ["Kingston upon Thames", "Royal Borough of Kingston upon Thames"],
    "E09000027": ["Richmond upon Thames", "Richmond", "London Borough of Richmond upon Thames"],
    "E06000060": ["Buckinghamshire", "Buckinghamshire Council", "E10000002"],
    "E06000065": ["North Yorkshire", "North Yorkshire County Council", "E10000023", "815"],
    "E08000016": ["Barnsley", "Barnsley Metropolitan Borough Council", "E08000038"],
    "E08000019": ["Sheffield", "Sheffield City Council", "E08000039"],
    "E06000046": ["Isle of Wight", "Isle of Wight Council", "Wight", "921", "E06000046"],
    "E08000025": ["Birmingham", "Birmingham City Council", "330"],
    "E06000055": ["Bedford", "Bedford Borough Council", "Bedford Borough"],
    "E06000064": ["Westmorland and Furness", "Westmorland & Furness", "Westmorland"],
    "E06000050": ["Cheshire West and Chester", "Cheshire West", "Cheshire West & Chester Council"],
    "E06000016": ["Leicester", "Leicester City Council"],
    "E10000018": ["Leicestershire", "Leicestershire County Council"],
    "E06000059": ["Dorset", "Dorset Council"],
    "E06000014": ["York", "City of York Council"],
    "E06000053": ["Isles of Scilly", "Scilly", "Council of the Isles of Scilly"],
    "E08000021": ["Newcastle upon Tyne", "Newcastle"],
    "E06000020": ["Telford & Wrekin", "Telford"],
    "E06000040": ["Windsor and Maidenhead", "Royal Borough of Windsor & Maidenhead"],
    "E08000010": ["Wigan", "Wigan Metropolitan Borough Council", "Metropolitan Borough of Wigan"],
}


@pytest.mark.parametrize("code,spelling", [(c, s) for c, ss in SPELLINGS.items() for s in ss])
def test_real_spellings_find_the_council(code, spelling):
    assert code_of(spelling) == code


def test_every_council_is_found_by_its_own_name_and_both_codes():
    for c in COUNCILS:
        assert find_council(c.name, COUNCILS).council == c
        assert find_council(c.code, COUNCILS).council == c
        assert find_council(c.dfe_code, COUNCILS).council == c
        assert find_council(c.name.upper().replace(" and ", " & "), COUNCILS).council == c


def test_an_old_code_says_which_code_is_current():
    m = find_council("E10000002", COUNCILS)
    assert m.how == "earlier ONS code" and "E06000060" in m.note and "county" in m.note


@pytest.mark.parametrize("query,successors", [
    ("Northamptonshire", ["North Northamptonshire (E06000061, DfE 940)", "West Northamptonshire (E06000062, DfE 941)"]),
    ("E10000021", ["North Northamptonshire", "West Northamptonshire"]),
    ("928", ["North Northamptonshire", "West Northamptonshire"]),
    ("Cumbria", ["Cumberland (E06000063", "Westmorland and Furness (E06000064"]),
    ("Cumbria County Council", ["Cumberland", "Westmorland and Furness"]),
    ("Bournemouth", ["Bournemouth, Christchurch and Poole (E06000058"]),
    ("Poole", ["Bournemouth, Christchurch and Poole"]),
    ("E06000029", ["Bournemouth, Christchurch and Poole"]),
    ("E10000009", ["Dorset (E06000059", "Bournemouth, Christchurch and Poole", "Christchurch moved"]),
    ("Cheshire", ["Cheshire East", "Cheshire West and Chester"]),
])
def test_former_councils_say_they_no_longer_exist_and_name_their_successors(query, successors):
    with pytest.raises(CostmodelError) as e:
        find_council(query, COUNCILS)
    text = str(e.value)
    assert "no longer exists" in text and "replaced on" in text
    for s in successors:
        assert s in text


@pytest.mark.parametrize("query,expected", [
    ("Kingston", ["Kingston upon Hull, City of (E06000010", "Kingston upon Thames (E09000021"]),
    ("North", ["matches", "councils"]),
    ("Yorkshire", ["East Riding of Yorkshire", "North Yorkshire"]),
])
def test_an_ambiguous_name_lists_the_councils_it_could_be(query, expected):
    with pytest.raises(CostmodelError) as e:
        find_council(query, COUNCILS)
    assert "Give more of the name" in str(e.value)
    for s in expected:
        assert s in str(e.value)


@pytest.mark.parametrize("query,closest", [
    ("Doncastr", "Doncaster (E08000017"), ("Birmingam", "Birmingham (E08000025"), ("Isle of Wite", "Isle of Wight"),
    ("Nottinghamshre", "Nottinghamshire"), ("Suthampton", "Southampton"), ("Glasgow", "closest"),
])
def test_a_misspelt_or_unknown_name_is_an_error_listing_the_closest(query, closest):
    with pytest.raises(CostmodelError) as e:
        find_council(query, COUNCILS, where="--council")
    text = str(e.value)
    assert text.startswith(f"--council {query!r}: no English council") and closest in text
    assert "costmodel councils --search" in text


@pytest.mark.parametrize("query", ["E09999999", "999", "", "   "])
def test_unknown_codes_and_empty_text_are_errors(query):
    with pytest.raises(CostmodelError):
        find_council(query, COUNCILS)


def test_a_region_is_not_a_council():
    with pytest.raises(CostmodelError, match="is a region, not a council"):
        find_council("London", COUNCILS, regions=REGIONS)


def test_normalise_and_core_name():
    assert normalise("Bristol, City of") == "city of bristol"
    assert normalise("St. Helens") == normalise("Saint Helens") == "saint helens"
    assert normalise("Brighton & Hove") == "brighton and hove"
    assert core_name(normalise("London Borough of Hammersmith & Fulham")) == "hammersmith and fulham"
    assert core_name("city of london") == "city of london"


def test_search_matches_names_and_codes_forgivingly():
    names = lambda q: {c.name for c in search(q, COUNCILS)}  # noqa: E731
    assert names("durham") == {"County Durham"}
    assert {"North Northamptonshire", "West Northamptonshire"} == names("northamptonshire")
    assert names("371") == {"Doncaster"}
    assert names("E06000046") == {"Isle of Wight"}
    assert "Kingston upon Hull, City of" in names("hull")
    assert len(search("", COUNCILS)) == 153


def test_regions_match_forgivingly_and_a_vague_one_is_an_error():
    assert find_region("yorkshire", REGIONS) == "Yorkshire and The Humber"
    assert find_region("north-west", REGIONS) == "North West"
    assert find_region("LONDON", REGIONS) == "London"
    with pytest.raises(CostmodelError, match="East Midlands, East of England"):
        find_region("east", REGIONS)
    with pytest.raises(CostmodelError, match="is not a region"):
        find_region("Wales", REGIONS)


def test_the_start_of_a_word_is_part_of_the_name_but_never_a_guess_between_two():
    assert code_of("Nottinghamshir") == "E10000024"
    with pytest.raises(CostmodelError, match="Nottingham .*Nottinghamshire|Nottinghamshire.*Nottingham"):
        find_council("Notting", COUNCILS)
