"""Scoring rows against persons and against each other (pure)."""

from __future__ import annotations

import datetime as dt

from homecoming.intake import linking
from homecoming.intake.linking import EXISTING_SCORE, PersonFacts, birth_agreement, score, within_file_duplicates


def facts(name, sex="F", born=None, *, estimated=False, others=()):
    if born is None:
        return PersonFacts(names=(name, *others), sex=sex)
    day = dt.date.fromisoformat(born)
    if estimated:
        return PersonFacts(
            names=(name, *others), sex=sex, birth_earliest=day - dt.timedelta(days=365), birth_latest=day
        )
    return PersonFacts(names=(name, *others), sex=sex, birth_earliest=day, birth_latest=day, exact_birth=True)


def test_the_same_person_in_two_scripts_scores_as_existing():
    total, reasons = score(facts("Zarina Rahimova", born="1990-03-12"), facts("Зарина Рахимова", born="1990-03-12"))
    assert total >= EXISTING_SCORE
    assert "sex" in reasons


def test_different_sex_is_never_a_match():
    assert score(facts("Zarina Rahimova", "F"), facts("Zarina Rahimova", "M")) == (0.0, ["sex_differs"])


def test_far_apart_birth_dates_sink_the_score():
    total, reasons = score(facts("Zarina Rahimova", born="1990-03-12"), facts("Zarina Rahimova", born="2012-03-12"))
    assert total < 0.6
    assert "birth_differs" in reasons


def test_other_spellings_count():
    total, _ = score(facts("Z. R.", others=("Zarina Rahimova",)), facts("Zarina Rahimova"))
    assert total > 0.8


def test_birth_agreement_levels():
    assert birth_agreement(facts("a", born="2010-01-05"), facts("a", born="2010-01-05")) == 1.0
    assert birth_agreement(facts("a", born="2010-05-01"), facts("a", born="2010-01-05")) == 0.6  # day and month swapped
    assert birth_agreement(facts("a", born="2010-06-01", estimated=True), facts("a", born="2010-01-05")) == 0.7
    assert birth_agreement(facts("a", born="2010-01-05"), facts("a")) is None
    # Two exact dates a year apart: two people (a sibling, a namesake) — not a candidate.
    assert birth_agreement(facts("a", born="2011-01-20"), facts("a", born="2010-01-05")) == 0.0
    # An estimated date a year away from an exact one is still weakly compatible.
    assert birth_agreement(facts("a", born="2011-06-01", estimated=True), facts("a", born="2009-01-05")) == 0.3


def test_duplicates_within_a_file_point_at_the_first_row():
    rows = [
        (2, facts("Zarina Rahimova", born="1990-03-12")),
        (3, facts("Madina Rahimova", born="2019-01-01")),
        (4, facts("Rahimova Zarina", born="1990-03-12")),
        (5, facts("Zarina Rahimova", born="1990-03-12")),
        (6, facts("Zarina Rahimova", born="1970-03-12")),
    ]
    assert within_file_duplicates(rows) == {4: 2, 5: 2}


def test_names_compared_in_worker_processes_give_the_same_matches(monkeypatch):
    """A long list's names are compared in several processes: the duplicates found are the same."""
    from homecoming.intake import linking

    given = ["Zarina", "Зарина", "زرينة", "Madina", "Мадина", "Farida", "Aisha", "Айша", "عائشة"]
    family = ["Rahimova", "Рахимова", "Karimova", "Каримова", "Yusupova"]
    rows = [
        (
            number,
            facts(f"{given[number % len(given)]} {family[number % len(family)]}", born=f"20{10 + number % 7}-05-01"),
        )
        for number in range(2, 92)
    ]
    linking._PAIRS.clear()
    one_by_one = within_file_duplicates(rows)
    compared_alone = dict(linking._PAIRS)
    linking._PAIRS.clear()
    monkeypatch.setattr(linking, "PARALLEL_MIN_PAIRS", 1)
    monkeypatch.setattr(linking, "PARALLEL_CHUNK", 7)
    reported: list[tuple[int, int]] = []
    in_processes = within_file_duplicates(
        rows, processes=2, progress=lambda done, total: reported.append((done, total))
    )
    assert in_processes == one_by_one
    assert one_by_one  # the list repeats people
    assert all(linking._PAIRS[pair] == value for pair, value in compared_alone.items())
    assert reported[-1] == (1000, 1000)
    assert [done for done, _total in reported] == sorted(done for done, _total in reported)


def test_only_ids_two_tokens_point_at_are_candidates_however_often_the_tokens_repeat():
    ids_by_key = {"zar": {1, 2, 3}, "sar": {4}, "rah": {1, 4, 5}, "nab": {2, 5}, "bib": {6}}
    index = linking.TokenIndex(ids_by_key)
    zareena, rahimova, nabieva = frozenset({"zar", "sar"}), frozenset({"rah"}), frozenset({"nab"})
    for _repeat in range(2):  # the second time from what was computed the first
        found, token_sets = index.covering([zareena, rahimova])
        assert found == {1, 4}  # 2 and 3 share the given name only, 5 the family name only
        assert sorted(map(sorted, token_sets)) == [[1, 2, 3, 4], [1, 4, 5]]
        assert index.covering([zareena, rahimova, nabieva])[0] == {1, 2, 4, 5}
        assert index.covering([frozenset({"bib"})])[0] == {6}  # a name of one token: that token's ids
        assert index.covering([])[0] == set()
