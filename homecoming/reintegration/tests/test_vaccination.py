"""The catch-up plan: due dates from the birth date and the doses recorded (pure, no database)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from homecoming.reintegration.choices import PlanStatus
from homecoming.reintegration.vaccination import (
    BirthDate,
    GivenDose,
    ScheduleEntry,
    catch_up_plan,
    humanise_age,
)

W = 7
TODAY = date(2019, 5, 10)  # ten days after the April 2019 flight


def _entry(vaccine, dose, recommended, minimum, interval=None, maximum=None):
    return ScheduleEntry(
        vaccine=vaccine,
        vaccine_name=vaccine.upper(),
        dose_number=dose,
        recommended_age_days=recommended,
        minimum_age_days=minimum,
        minimum_interval_days=interval,
        maximum_age_days=maximum,
    )


# The example schedule seeded by the migration, in short.
SCHEDULE = [
    _entry("bcg", 1, 0, 0, maximum=1826),
    _entry("hepb-birth", 1, 0, 0, maximum=14),
    _entry("penta", 1, 6 * W, 6 * W, maximum=2557),
    _entry("penta", 2, 10 * W, 6 * W, 4 * W, 2557),
    _entry("penta", 3, 14 * W, 6 * W, 4 * W, 2557),
    _entry("penta", 4, 548, 365, 183, 2557),
    _entry("pcv", 1, 6 * W, 6 * W, maximum=1826),
    _entry("pcv", 2, 10 * W, 6 * W, 4 * W, 1826),
    _entry("pcv", 3, 14 * W, 6 * W, 4 * W, 1826),
    _entry("rota", 1, 6 * W, 6 * W, maximum=15 * W),
    _entry("rota", 2, 10 * W, 6 * W, 4 * W, 32 * W),
    _entry("mmr", 1, 365, 365),
    _entry("mmr", 2, 2192, 365, 4 * W),
]


def _by_key(plan):
    return {(d.entry.vaccine, d.entry.dose_number): d for d in plan.doses}


def _days(n):
    return timedelta(days=n)


class TestInfantOfTenWeeks:
    """Born 2019-03-01 (70 days old), nothing recorded."""

    birth = BirthDate.exact(date(2019, 3, 1))

    @pytest.fixture
    def plan(self):
        return _by_key(catch_up_plan(birth=self.birth, schedule=SCHEDULE, given=[], today=TODAY))

    def test_birth_doses_past_their_window_are_no_longer_given(self, plan):
        assert plan[("hepb-birth", 1)].status == PlanStatus.SKIPPED
        assert "2 weeks" in str(plan[("hepb-birth", 1)].reason)
        assert plan[("bcg", 1)].status == PlanStatus.OVERDUE
        assert plan[("bcg", 1)].due_on == TODAY

    def test_the_series_starts_today_and_follows_at_minimum_intervals(self, plan):
        assert plan[("penta", 1)].status == PlanStatus.OVERDUE
        assert plan[("penta", 1)].due_on == TODAY
        assert plan[("penta", 2)].status == PlanStatus.UPCOMING
        assert plan[("penta", 2)].due_on == TODAY + _days(28)
        assert plan[("penta", 3)].due_on == TODAY + _days(56)
        # The booster: at the recommended 18 months, which is later than 6 months after dose 3.
        assert plan[("penta", 4)].due_on == self.birth.latest + _days(548)

    def test_rotavirus_still_in_time(self, plan):
        assert plan[("rota", 1)].status == PlanStatus.OVERDUE
        assert plan[("rota", 2)].due_on == TODAY + _days(28)

    def test_measles_waits_for_the_first_birthday(self, plan):
        assert plan[("mmr", 1)].status == PlanStatus.UPCOMING
        assert plan[("mmr", 1)].due_on == date(2020, 2, 29)

    def test_not_up_to_date(self):
        result = catch_up_plan(birth=self.birth, schedule=SCHEDULE, given=[], today=TODAY)
        assert not result.up_to_date
        assert {(d.entry.vaccine, d.entry.dose_number) for d in result.due_now} == {
            ("bcg", 1),
            ("penta", 1),
            ("pcv", 1),
            ("rota", 1),
        }


class TestChildOfThreeWithACard:
    """Born 2016-04-20; BCG and two pentavalent doses on the card, the rest unknown."""

    birth = BirthDate.exact(date(2016, 4, 20))
    given = [
        GivenDose("bcg", 1, date(2016, 4, 21), "card"),
        GivenDose("penta", 1, date(2016, 6, 5), "card"),
        GivenDose("penta", 2, date(2016, 7, 10), "card"),
    ]

    @pytest.fixture
    def plan(self):
        return _by_key(catch_up_plan(birth=self.birth, schedule=SCHEDULE, given=self.given, today=TODAY))

    def test_recorded_doses_are_given(self, plan):
        assert plan[("bcg", 1)].status == PlanStatus.GIVEN
        assert plan[("penta", 2)].given.given_on == date(2016, 7, 10)
        assert not plan[("penta", 2)].warning

    def test_the_series_resumes_where_it_stopped(self, plan):
        assert plan[("penta", 3)].status == PlanStatus.OVERDUE
        assert plan[("penta", 3)].due_on == TODAY
        # the booster: six months after the third dose, given today
        assert plan[("penta", 4)].status == PlanStatus.UPCOMING
        assert plan[("penta", 4)].due_on == TODAY + _days(183)

    def test_rotavirus_is_no_longer_given(self, plan):
        assert plan[("rota", 1)].status == PlanStatus.SKIPPED
        assert plan[("rota", 2)].status == PlanStatus.SKIPPED
        assert "series is not resumed" in str(plan[("rota", 2)].reason)

    def test_measles_catch_up(self, plan):
        assert plan[("mmr", 1)].status == PlanStatus.OVERDUE
        assert plan[("mmr", 2)].status == PlanStatus.UPCOMING
        assert plan[("mmr", 2)].due_on == self.birth.latest + _days(2192)


class TestEstimatedAge:
    """No documents: the age is estimated, the plan is conservative at both ends."""

    def test_minimum_ages_count_from_the_latest_plausible_birth(self):
        # Born between 1 March and 5 April 2019: 35 to 70 days old.
        birth = BirthDate(date(2019, 3, 1), date(2019, 4, 5))
        plan = _by_key(catch_up_plan(birth=birth, schedule=SCHEDULE, given=[], today=TODAY))
        # Had the child been born on 1 March, the first dose would be overdue; but it may be
        # only 35 days old, so it waits until it is surely six weeks old.
        assert plan[("penta", 1)].status == PlanStatus.UPCOMING
        assert plan[("penta", 1)].due_on == date(2019, 5, 17)
        assert plan[("penta", 2)].due_on == date(2019, 6, 14)
        assert plan[("rota", 1)].due_on == date(2019, 5, 17)

    def test_maximum_ages_count_from_the_earliest_plausible_birth(self):
        # Born between 1 January and 1 March 2019: 70 to 129 days old. Rotavirus may not be
        # started after 15 weeks (105 days): the child may already be past it.
        birth = BirthDate(date(2019, 1, 1), date(2019, 3, 1))
        plan = _by_key(catch_up_plan(birth=birth, schedule=SCHEDULE, given=[], today=TODAY))
        assert plan[("rota", 1)].status == PlanStatus.SKIPPED
        assert "earliest plausible date of birth" in str(plan[("rota", 1)].reason)
        assert plan[("rota", 2)].status == PlanStatus.SKIPPED
        # With an exact birth on the latest date, it would still be given.
        exact = _by_key(
            catch_up_plan(birth=BirthDate.exact(date(2019, 3, 1)), schedule=SCHEDULE, given=[], today=TODAY)
        )
        assert exact[("rota", 1)].status == PlanStatus.OVERDUE

    def test_a_child_of_about_four(self):
        # Born some time between March and September 2015 (3.7 to 4.2 years old), nothing known.
        birth = BirthDate(date(2015, 3, 1), date(2015, 9, 1))
        plan = _by_key(catch_up_plan(birth=birth, schedule=SCHEDULE, given=[], today=TODAY))
        assert plan[("pcv", 1)].status == PlanStatus.OVERDUE
        assert plan[("pcv", 3)].due_on == TODAY + _days(56)  # still before 5 years from 1 March 2015
        assert plan[("mmr", 1)].status == PlanStatus.OVERDUE
        assert plan[("mmr", 2)].due_on == date(2021, 9, 1)  # 6 years from the latest plausible birth
        assert plan[("bcg", 1)].status == PlanStatus.OVERDUE

    def test_pcv_stops_at_five_from_the_earliest_birth(self):
        birth = BirthDate(date(2014, 7, 1), date(2014, 12, 1))  # 4.4 to 4.9 years old
        plan = _by_key(catch_up_plan(birth=birth, schedule=SCHEDULE, given=[], today=TODAY))
        # 5 years from 1 July 2014 is 1 July 2019: dose 1 today, dose 2 on 7 June, dose 3 (5 July) too late
        assert plan[("pcv", 1)].status == PlanStatus.OVERDUE
        assert plan[("pcv", 2)].status == PlanStatus.UPCOMING
        assert plan[("pcv", 3)].status == PlanStatus.SKIPPED

    def test_range_must_be_ordered(self):
        with pytest.raises(ValueError, match="earliest"):
            BirthDate(date(2019, 3, 1), date(2019, 1, 1))


def test_a_dose_given_too_early_still_counts_with_a_warning():
    birth = BirthDate.exact(date(2018, 1, 1))
    given = [GivenDose("penta", 1, date(2018, 1, 20), "verbal")]
    plan = _by_key(catch_up_plan(birth=birth, schedule=SCHEDULE, given=given, today=TODAY))
    assert plan[("penta", 1)].status == PlanStatus.GIVEN
    assert "minimum age of 6 weeks" in str(plan[("penta", 1)].warning)
    given = [GivenDose("penta", 1, date(2018, 2, 12), "card"), GivenDose("penta", 2, date(2018, 2, 26), "card")]
    plan = _by_key(catch_up_plan(birth=birth, schedule=SCHEDULE, given=given, today=TODAY))
    assert not plan[("penta", 1)].warning
    assert "less than 4 weeks after" in str(plan[("penta", 2)].warning)
    assert plan[("penta", 3)].status == PlanStatus.OVERDUE


def test_everything_given_is_up_to_date():
    birth = BirthDate.exact(date(2019, 3, 1))
    given = [
        GivenDose("bcg", 1, date(2019, 3, 1)),
        GivenDose("hepb-birth", 1, date(2019, 3, 1)),
        GivenDose("penta", 1, date(2019, 4, 12)),
        GivenDose("pcv", 1, date(2019, 4, 12)),
        GivenDose("rota", 1, date(2019, 4, 12)),
    ]
    day_before = date(2019, 5, 9)
    plan = catch_up_plan(birth=birth, schedule=SCHEDULE, given=given, today=day_before)
    assert plan.up_to_date
    assert [d.entry.vaccine for d in plan.given][:2] == ["bcg", "hepb-birth"]
    # the second doses fall due the next day: 10 weeks old, and 4 weeks after the first ones
    assert {d.entry.vaccine for d in plan.upcoming if d.due_on == TODAY} == {"penta", "pcv", "rota"}
    assert not catch_up_plan(birth=birth, schedule=SCHEDULE, given=given, today=TODAY).up_to_date


def test_a_due_dose_on_its_day_is_due_not_overdue():
    birth = BirthDate.exact(TODAY - _days(42))
    plan = _by_key(
        catch_up_plan(birth=birth, schedule=SCHEDULE, given=[GivenDose("bcg", 1, birth.latest)], today=TODAY)
    )
    assert plan[("penta", 1)].status == PlanStatus.DUE


def test_birth_in_the_future_is_refused():
    with pytest.raises(ValueError, match="future"):
        catch_up_plan(birth=BirthDate.exact(TODAY + _days(1)), schedule=SCHEDULE, given=[], today=TODAY)


@pytest.mark.parametrize(
    ("days", "words"),
    [
        (0, "birth"),
        (42, "6 weeks"),
        (105, "15 weeks"),
        (274, "9 months"),
        (365, "1 year"),
        (2192, "6 years"),
        (10, "10 days"),
    ],
)
def test_ages_in_the_words_of_a_schedule(days, words):
    assert str(humanise_age(days)) == words
