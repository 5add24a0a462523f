"""Weight-for-age z-scores against the WHO Child Growth Standards' own tables."""

from __future__ import annotations

import math

import pytest

from homecoming.reintegration import growth
from homecoming.reintegration.growth import (
    DAYS_PER_MONTH,
    GrowthError,
    Underweight,
    lms_at,
    weight_for_age,
    zscore,
)

SEXES = ("M", "F")
MONTHS = range(61)


def _exact_age(month: int) -> float:
    return month * DAYS_PER_MONTH


@pytest.mark.parametrize("sex", SEXES)
@pytest.mark.parametrize("month", MONTHS)
def test_median_weight_is_z_zero(sex, month):
    row = growth.table(sex)[month]
    assert zscore(row.lms.m, lms_at(sex, _exact_age(month))) == pytest.approx(0, abs=1e-9)


@pytest.mark.parametrize("sex", SEXES)
@pytest.mark.parametrize("month", MONTHS)
@pytest.mark.parametrize("k", [-3, -2, -1, 0, 1, 2, 3])
def test_published_sd_weights_round_to_their_z(sex, month, k):
    """The table's SD weights are published to 0.1 kg: the exact weight at z = k lies within
    ±0.05 kg of each, so k lies between the z-scores of the two ends of that interval."""
    row = growth.table(sex)[month]
    lms = lms_at(sex, _exact_age(month))
    published = row.sd[k]
    assert zscore(published - 0.05, lms) <= k + 1e-9
    assert zscore(published + 0.05, lms) >= k - 1e-9


@pytest.mark.parametrize(
    ("sex", "month", "kg", "z"),
    [
        # The -2 and +2 SD weights to the gram (the precision of the WHO's expanded tables; the
        # simplified tables round them to 0.1 kg, checked above): boys at birth and 12 months,
        # girls at 24 and 60 months.
        ("M", 0, 2.459, -2),
        ("M", 0, 4.419, 2),
        ("M", 12, 7.742, -2),
        ("M", 12, 11.986, 2),
        ("F", 24, 9.036, -2),
        ("F", 24, 14.845, 2),
        ("F", 60, 13.743, -2),
        ("F", 60, 24.916, 2),
    ],
)
def test_two_sd_weights_give_plus_minus_two(sex, month, kg, z):
    assert zscore(kg, lms_at(sex, _exact_age(month))) == pytest.approx(z, abs=0.01)


def test_the_lms_formula_by_hand():
    """A girl of exactly 6 months weighing 6.2 kg: L=-0.0756, M=7.297, S=0.12204 in the table."""
    expected = ((6.2 / 7.297) ** -0.0756 - 1) / (0.12204 * -0.0756)
    assert zscore(6.2, lms_at("F", _exact_age(6))) == pytest.approx(expected, abs=1e-9)
    assert expected == pytest.approx(-1.34, abs=0.01)


def test_ages_between_months_interpolate_linearly():
    """Half way between 12 and 13 months each of L, M and S lies half way between the months."""
    low, high = growth.table("M")[12].lms, growth.table("M")[13].lms
    lms = lms_at("M", 12.5 * DAYS_PER_MONTH)
    assert lms.l == pytest.approx((low.l + high.l) / 2)
    assert lms.m == pytest.approx((low.m + high.m) / 2)
    assert lms.s == pytest.approx((low.s + high.s) / 2)


def test_age_in_months_converts_at_the_who_month_length():
    assert growth.months_to_days(12) == 365
    assert growth.months_to_days(60) == 1826
    assert growth.MAX_AGE_DAYS == 1826


class TestRestrictedApplication:
    """Beyond ±3 SD the WHO continues the distance between the 2 and 3 SD weights linearly."""

    def test_minus_four(self):
        lms = lms_at("M", _exact_age(24))
        sd3, sd2 = lms.value_at(-3), lms.value_at(-2)
        assert zscore(sd3 - (sd2 - sd3), lms) == pytest.approx(-4, abs=1e-9)

    def test_plus_four(self):
        lms = lms_at("F", _exact_age(36))
        sd3, sd2 = lms.value_at(3), lms.value_at(2)
        assert zscore(sd3 + (sd3 - sd2), lms) == pytest.approx(4, abs=1e-9)

    def test_replaces_the_lms_tail(self):
        """Girls at 60 months, 10 kg: the LMS formula alone gives -4.51; the WHO's method -4.22."""
        lms = lms_at("F", _exact_age(60))
        plain = ((10 / lms.m) ** lms.l - 1) / (lms.s * lms.l)
        sd3, sd2 = lms.value_at(-3), lms.value_at(-2)
        assert plain == pytest.approx(-4.51, abs=0.01)
        assert zscore(10, lms) == pytest.approx(-3 + (10 - sd3) / (sd2 - sd3), abs=1e-9)
        assert zscore(10, lms) == pytest.approx(-4.22, abs=0.01)

    def test_continuous_at_three(self):
        lms = lms_at("M", _exact_age(6))
        sd3 = lms.value_at(3)
        assert zscore(sd3 - 1e-6, lms) == pytest.approx(3, abs=1e-4)
        assert zscore(sd3 + 1e-6, lms) == pytest.approx(3, abs=1e-4)


class TestClassification:
    def test_severe_below_minus_three(self):
        lms = lms_at("M", 400)
        sd3, sd2 = lms.value_at(-3), lms.value_at(-2)
        result = weight_for_age(weight_kg=sd3 - 0.5 * (sd2 - sd3), sex="M", age_days=400)
        assert result.category == Underweight.SEVERE
        assert result.z == pytest.approx(-3.5, abs=0.01)

    def test_moderate_from_minus_three_to_minus_two(self):
        lms = lms_at("F", 700)
        assert weight_for_age(weight_kg=lms.value_at(-2.5), sex="F", age_days=700).category == Underweight.MODERATE
        assert weight_for_age(weight_kg=lms.value_at(-3), sex="F", age_days=700).category == Underweight.MODERATE

    def test_not_underweight_from_minus_two(self):
        lms = lms_at("F", 700)
        assert weight_for_age(weight_kg=lms.value_at(-2), sex="F", age_days=700).category == Underweight.NONE
        assert weight_for_age(weight_kg=lms.value_at(1.5), sex="F", age_days=700).category == Underweight.NONE

    def test_implausible_values_are_flagged(self):
        assert weight_for_age(weight_kg=2.0, sex="M", age_days=1500).implausible
        assert not weight_for_age(weight_kg=15.0, sex="M", age_days=1500).implausible

    def test_result_is_rounded_like_the_who_reports(self):
        result = weight_for_age(weight_kg=9.0, sex="M", age_days=365)
        assert result.z == round(result.z, 2)
        assert result.age_days == 365


class TestOutOfRange:
    def test_sex_unknown(self):
        with pytest.raises(GrowthError) as caught:
            weight_for_age(weight_kg=10, sex="U", age_days=400)
        assert caught.value.code == "sex_unknown"

    def test_over_sixty_months(self):
        with pytest.raises(GrowthError) as caught:
            weight_for_age(weight_kg=20, sex="F", age_days=1827)
        assert caught.value.code == "age_out_of_range"

    def test_exactly_sixty_months_is_covered(self):
        assert math.isfinite(weight_for_age(weight_kg=18.3, sex="M", age_days=1826).z)

    def test_negative_age(self):
        with pytest.raises(GrowthError) as caught:
            weight_for_age(weight_kg=3, sex="F", age_days=-1)
        assert caught.value.code == "age_negative"

    def test_weight_not_positive(self):
        with pytest.raises(GrowthError) as caught:
            weight_for_age(weight_kg=0, sex="F", age_days=10)
        assert caught.value.code == "measure_not_positive"
