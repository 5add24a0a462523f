"""Fellegi-Sunter scoring, explanations and unsupervised training (pure Python, no database)."""

from __future__ import annotations

import datetime
import json
import math
import random
import subprocess
import sys

import pytest

from homecoming.matching.engine.compare import BirthLevel, NameLevel, Person, SexLevel, compare
from homecoming.matching.engine.model import (
    DEFAULT_PARAMS_PATH,
    LEVELS,
    ModelParams,
    expected_f1_threshold,
    load_params,
    name_code,
    score,
    score_pair,
    train,
)
from homecoming.matching.tests.factories import FAMILY, GIVEN


def person(given, family, *, born=None, estimated=False, sex="F"):
    return Person.build(given=given, family=family, birth_date=born, birth_date_estimated=estimated, sex=sex)


BORN = datetime.date(2014, 5, 17)


class TestShippedParameters:
    def test_load_and_document_how_they_were_made(self):
        params = load_params()
        assert 0 < params.prior < 1
        assert 0 < params.threshold < 1
        assert set(params.fields) == set(LEVELS)
        assert "no labels" in params.meta["method"]
        assert params.meta["em_converged"] is True

    def test_weights_are_ordered_sensibly(self):
        params = load_params()
        names = params.fields["names"]
        assert names[name_code(4, 4)].weight > names[name_code(3, 3)].weight > 0
        assert names[name_code(0, 0)].weight < -5
        birth = params.fields["birth_date"]
        assert birth[int(BirthLevel.EXACT)].weight > birth[int(BirthLevel.COMPATIBLE)].weight > 0
        assert birth[int(BirthLevel.DIFFERENT)].weight < 0
        assert params.fields["sex"][int(SexLevel.DISAGREE)].weight < 0

    def test_round_trip(self, tmp_path):
        params = load_params()
        path = tmp_path / "params.json"
        params.save(path)
        again = ModelParams.from_json(json.loads(path.read_text(encoding="utf-8")))
        assert again.prior == pytest.approx(params.prior)
        assert again.fields["names"][name_code(4, 4)].m == pytest.approx(params.fields["names"][name_code(4, 4)].m)

    def test_rejects_incomplete_parameters(self):
        data = json.loads(DEFAULT_PARAMS_PATH.read_text(encoding="utf-8"))
        del data["comparisons"]["sex"]["agree"]
        with pytest.raises(ValueError, match="sex"):
            ModelParams.from_json(data)
        data = json.loads(DEFAULT_PARAMS_PATH.read_text(encoding="utf-8"))
        data["format"] = 99
        with pytest.raises(ValueError, match="format"):
            ModelParams.from_json(data)


class TestScore:
    def test_same_child_across_scripts_is_a_match(self):
        result = score_pair(person("Dilnoza", "Karimova", born=BORN), person("Каримова", "Дилноза", born=BORN))
        assert result.is_match
        assert result.probability > 0.99

    def test_arabic_record_with_an_estimated_date_is_a_match(self):
        result = score_pair(
            person("Khadija", "Rahimova", born=BORN),
            person("خديجة", "رحيموفا", born=datetime.date(2014, 7, 1), estimated=True),
        )
        assert result.is_match

    def test_sister_is_not_a_match(self):
        result = score_pair(
            person("Madina", "Karimova", born=BORN),
            person("Зарина", "Каримова", born=datetime.date(2017, 7, 1), estimated=True),
        )
        assert not result.is_match

    def test_sister_without_a_date_is_not_a_match(self):
        assert not score_pair(person("Madina", "Karimova"), person("Зарина", "Каримова")).is_match

    def test_explanation_adds_up_to_the_match_weight(self):
        params = load_params()
        result = score_pair(person("Jamshed", "Qodirov", born=BORN, sex="M"), person("Ҷамшед", "Қодиров", sex="M"))
        assert [item.field for item in result.explanation] == ["given_name", "family_name", "birth_date", "sex"]
        assert params.prior_weight + sum(item.weight for item in result.explanation) == pytest.approx(
            result.match_weight
        )
        assert result.probability == pytest.approx(1 / (1 + 2**-result.match_weight))
        birth = next(item for item in result.explanation if item.field == "birth_date")
        assert (birth.level, birth.weight) == ("missing", 0.0)

    def test_given_and_family_weights_add_up_to_the_joint_names_weight(self):
        params = load_params()
        result = score_pair(person("Madina", "Karimova"), person("Зарина", "Каримова"))
        given, family = result.explanation[0].weight, result.explanation[1].weight
        joint = params.fields["names"][name_code(int(NameLevel.DIFFERENT), int(NameLevel.EXACT))].weight
        assert given + family == pytest.approx(joint)
        assert family > 0 > given

    def test_a_missing_family_name_uses_the_given_name_alone(self):
        result = score_pair(person("Dilnoza", ""), person("Дилноза", "Каримова"))
        assert result.explanation[1].level == "missing"
        assert result.explanation[1].weight == 0.0
        assert result.explanation[0].weight > 0

    def test_sex_disagreement_lowers_the_score(self):
        same = score_pair(person("Umar", "Nazarov", sex="M"), person("Умар", "Назаров", sex="M"))
        other = score_pair(person("Umar", "Nazarov", sex="M"), person("Умар", "Назаров", sex="F"))
        assert other.match_weight < same.match_weight


class TestExpectedF1Threshold:
    def test_separated_probabilities(self):
        assert expected_f1_threshold([0.99, 0.98, 0.97, 0.02, 0.01]) == pytest.approx(0.97)

    def test_weights_count_as_repeated_pairs(self):
        assert expected_f1_threshold([0.9, 0.3], weights=[1, 100]) == expected_f1_threshold([0.9, *[0.3] * 100])

    def test_empty(self):
        assert expected_f1_threshold([]) == 0.5


def _population(count, seed=3):
    """Left and right records: the first half of the right side are the left people in Cyrillic, the rest
    are their siblings or strangers."""

    rng = random.Random(seed)
    left, right = [], []
    for index in range(count):
        sex = rng.choice("MF")
        given, family = rng.choice(GIVEN[sex]), rng.choice(FAMILY[sex])
        born = datetime.date(2005, 1, 1) + datetime.timedelta(days=rng.randrange(6000))
        left.append(Person.build(given=given[0], family=family[0], birth_date=born, sex=sex))
        if index % 2 == 0:
            right.append(Person.build(given=given[1], family=family[1], birth_date=born, sex=sex))
        else:
            other = rng.choice([name for name in GIVEN[sex] if name != given])
            sibling_born = born + datetime.timedelta(days=rng.randrange(700, 2000))
            right.append(Person.build(given=other[2], family=family[2], birth_date=sibling_born, sex=sex))
    return left, right


class TestTrain:
    def test_em_learns_without_labels(self):
        left, right = _population(300)
        report = train(left, right, random_pairs=3000, seed=1)
        params = report.params
        assert report.converged
        assert report.candidate_pairs > 300
        names = params.fields["names"]
        assert names[name_code(4, 4)].weight > 3
        assert names[name_code(0, 4)].weight < names[name_code(4, 4)].weight
        assert params.fields["birth_date"][int(BirthLevel.EXACT)].weight > 3
        # The trained model tells the listed people from their siblings.
        correct = sum(
            score(compare(a, b), params).is_match == (index % 2 == 0)
            for index, (a, b) in enumerate(zip(left, right, strict=True))
        )
        assert correct / len(left) > 0.95

    def test_is_reproducible(self):
        left, right = _population(120)
        first = train(left, right, random_pairs=1000, seed=5).params
        second = train(left, right, random_pairs=1000, seed=5).params
        assert first.prior == second.prior
        assert first.threshold == second.threshold

    def test_needs_records(self):
        with pytest.raises(ValueError, match="both sides"):
            train([], [person("A", "B")])


def test_engine_does_not_import_django():
    code = (
        "import sys; import homecoming.matching.engine.model, homecoming.matching.engine.pairs, "
        "homecoming.matching.engine.keys; "
        "sys.exit(1 if any(name == 'django' or name.startswith('django.') for name in sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0  # noqa: S603


def test_probability_is_finite_for_extreme_weights():
    params = load_params()
    result = score_pair(person("Dilnoza", "Karimova", born=BORN), person("Dilnoza", "Karimova", born=BORN))
    assert math.isfinite(result.match_weight)
    assert 0 < result.probability <= 1
    assert result.probability >= params.threshold
