"""The rhythm as pure functions: matching, the strictest rule, overrides, due dates, leap years, time zones."""

from __future__ import annotations

from datetime import UTC, date, datetime

from linli.visits.cadence import Member, Override, RuleSpec, TagInfo, birthday, cadence, due_dates, due_on, local_day

TAGS = {
    "living_alone": TagInfo("living_alone", "独居老人", 5, True, "care"),
    "veteran": TagInfo("veteran", "退役军人", 1, False, "care"),
}
DEFAULTS = [
    RuleSpec(1, 10, "重点关爱对象", "close_care", "", 3, 5),
    RuleSpec(2, 20, "其他关爱对象", "tagged", "", None, 30),
    RuleSpec(3, 30, "所有住户", "everyone", "", None, 90),
]
TODAY = date(2026, 11, 27)


def person(*tags: str, born: date | None = date(1950, 5, 1), kind: str = "01") -> Member:
    return Member(born, kind, frozenset(tags))


def test_it_gives_close_care_a_contact_every_3_days_and_a_visit_every_5() -> None:
    found = cadence([person("living_alone"), person()], DEFAULTS, TAGS, TODAY)
    assert (found.contact_every, found.visit_every) == (3, 5)
    assert found.basis == "tags:living_alone" and found.care_weight == 5 and found.close_care


def test_it_gives_other_tagged_households_a_monthly_visit_and_everyone_else_a_quarterly_one() -> None:
    assert (cadence([person("veteran")], DEFAULTS, TAGS, TODAY).visit_every, 30) == (30, 30)
    plain = cadence([person()], DEFAULTS, TAGS, TODAY)
    assert (plain.contact_every, plain.visit_every, plain.basis) == (None, 90, "rule:所有住户")


def test_it_takes_the_smallest_interval_of_every_matching_rule() -> None:
    rules = [*DEFAULTS, RuleSpec(4, 40, "八十岁以上", "min_age", "80", 7, 4)]
    found = cadence([person("living_alone", born=date(1940, 1, 1))], rules, TAGS, TODAY)
    assert (found.contact_every, found.visit_every) == (3, 4)


def test_an_override_wins_over_the_rules_even_when_looser() -> None:
    found = cadence([person("living_alone")], DEFAULTS, TAGS, TODAY, Override(None, 14, "子女同住"))
    assert (found.contact_every, found.visit_every, found.basis) == (None, 14, "override:子女同住")


def test_it_matches_a_registration_kind_and_a_single_tag() -> None:
    rules = [RuleSpec(1, 1, "流动人口", "kind", "02", None, 30), RuleSpec(2, 2, "退役军人", "tag", "veteran", 10, 20)]
    assert cadence([person(kind="02")], rules, TAGS, TODAY).visit_every == 30
    assert cadence([person("veteran")], rules, TAGS, TODAY).basis == "tags:veteran"
    assert cadence([person()], rules, TAGS, TODAY).visit_every is None


def test_it_is_due_on_the_registration_day_when_never_contacted() -> None:
    assert due_on(None, 3, date(2026, 3, 1)) == date(2026, 3, 1)
    assert due_on(None, None, date(2026, 3, 1)) is None


def test_it_counts_a_door_visit_as_a_contact() -> None:
    visit = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    contact, door, first = due_dates(3, 5, None, visit, date(2026, 1, 1))
    assert (contact, door, first) == (date(2026, 11, 23), date(2026, 11, 25), date(2026, 11, 23))


def test_it_crosses_a_leap_day() -> None:
    assert due_on(date(2028, 2, 27), 3, date(2028, 1, 1)) == date(2028, 3, 1)
    assert due_on(date(2027, 2, 27), 3, date(2027, 1, 1)) == date(2027, 3, 2)
    assert due_on(date(2028, 2, 29), 365, date(2028, 1, 1)) == date(2029, 2, 28)


def test_it_ages_someone_born_on_29_february_on_1_march() -> None:
    assert birthday(date(1948, 2, 29), 80) == date(2028, 2, 29)
    assert birthday(date(1947, 2, 28), 80) == date(2027, 2, 28)
    assert birthday(date(1948, 2, 29), 79) == date(2027, 3, 1)
    rules = [RuleSpec(1, 1, "八十岁以上", "min_age", "80", 7, 14)]
    leapling = [person(born=date(1947, 2, 28)), person(born=date(1948, 2, 29))]
    found = cadence(leapling, rules, TAGS, date(2027, 2, 27))
    assert found.visit_every is None and found.recheck_on == date(2027, 2, 28)
    assert cadence(leapling, rules, TAGS, date(2027, 2, 28)).visit_every == 14


def test_it_reads_a_log_late_in_the_utc_day_as_the_next_local_day() -> None:
    assert local_day(datetime(2026, 3, 1, 17, 0, tzinfo=UTC)) == date(2026, 3, 2)
    assert local_day(datetime(2026, 3, 1, 15, 59, tzinfo=UTC)) == date(2026, 3, 1)


def test_it_is_never_due_before_the_rhythm_started_again() -> None:
    assert due_on(date(2025, 1, 1), 5, date(2026, 6, 1)) == date(2026, 6, 1)


def test_the_default_rules_read_in_english_and_a_renamed_rule_as_named() -> None:
    from linli.visits.words import basis_words

    assert basis_words("rule:所有住户", {}, False, "en") == "Every household"
    assert basis_words("rule:所有住户", {}, False, "zh") == "所有住户"
    assert basis_words("rule:楼长重点户", {}, False, "en") == "楼长重点户"
    assert basis_words("override:行动不便，每周上门", {}, False, "en") == "行动不便，每周上门"
