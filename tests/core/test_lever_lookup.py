"""The catalogue lookup: by pattern first (fast), else by scanning the catalogue; both give the same entry."""
from costmodel import levers as lv


def test_lever_lookup_by_pattern_gives_what_the_catalogue_scan_gives():
    def scan(key):
        return next((s for s in lv.CATALOGUE if s.matches(key)), None)

    keys = [s.pattern.replace("*", "trust", 1).replace("*", "improvement_board", 1) for s in lv.CATALOGUE]
    keys += ["options.trust.nope", "baseline.nope.count", "options", "options.trust", "appraisal.discount_rate.x"]
    for key in keys:
        lv.spec_for.cache_clear()
        assert lv.spec_for(key) is scan(key), key
