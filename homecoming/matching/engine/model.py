"""Fellegi-Sunter scoring of record pairs, with parameters trained by expectation-maximisation.

Pure Python, no Django.

For each comparison and level the model holds two probabilities: ``m`` (the chance of that level when the
two records are the same person) and ``u`` (the chance when they are not). A level's match weight is
``log2(m / u)`` bits: positive is evidence for a match, negative against. The total weight is the prior
``log2(λ / (1 - λ))`` plus every comparison's weight (a missing value weighs 0), and the match probability
is ``1 / (1 + 2^-total)``.

Given and family names are ONE comparison with a level per pair (given level, family level): they are not
independent (siblings share a family name and differ in the given name, the commonest near-miss in this
work), so multiplying separate weights would double-count. The explanation still shows them apart, by the
chain rule: the family name's weight ``log2(m_f / u_f)`` from the family level alone, then the given name's
weight given the family level; the two add up to the joint weight exactly.

Training (:func:`train`) uses no labels. ``u`` is first measured on random record pairs (almost all
non-matches). EM over the candidate pairs that blocking produces then estimates λ, every ``m``, and the ``u``
of the names (blocking chose pairs whose names look alike, so random pairs understate it); the ``u`` of date of
birth and sex stays as measured, which also keeps EM from taking "same sex" for "same person" when a
population has few names. The threshold is the one that maximises the F1 score the trained model expects of
itself on the candidates.
"""

from __future__ import annotations

import datetime
import json
import math
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from homecoming.matching.engine.blocking import candidate_pairs
from homecoming.matching.engine.compare import BirthLevel, Comparison, NameLevel, Person, SexLevel, compare

__all__ = [
    "COMPARISONS",
    "DEFAULT_PARAMS_PATH",
    "FieldWeight",
    "LevelParams",
    "ModelParams",
    "Score",
    "TrainingReport",
    "expected_f1_threshold",
    "load_params",
    "score",
    "score_pair",
    "train",
]

DEFAULT_PARAMS_PATH = Path(__file__).with_name("params.json")
FORMAT_VERSION = 1
MISSING = -1

#: The model's comparisons. "names" is the joint (given, family) level, see the module docstring.
COMPARISONS = ("names", "birth_date", "sex")
_NAME_LEVELS = tuple(int(level) for level in reversed(NameLevel) if level != NameLevel.MISSING)


def name_code(given: int, family: int) -> int:
    """The joint level of the names comparison: 10 * given + family (both 0 to 4), or MISSING."""
    if given == MISSING or family == MISSING:
        return MISSING
    return 10 * given + family


LEVELS: dict[str, tuple[int, ...]] = {
    "names": tuple(name_code(given, family) for given in _NAME_LEVELS for family in _NAME_LEVELS),
    "birth_date": tuple(int(level) for level in reversed(BirthLevel) if level != BirthLevel.MISSING),
    "sex": tuple(int(level) for level in reversed(SexLevel) if level != SexLevel.MISSING),
}


def level_name(comparison: str, level: int) -> str:
    if comparison == "names":
        return f"given {NameLevel(level // 10).name.lower()}, family {NameLevel(level % 10).name.lower()}"
    if comparison == "birth_date":
        return BirthLevel(level).name.lower()
    return SexLevel(level).name.lower()


# No probability goes below these, so that one contradicting field weighs a bounded number of bits:
# a typing slip can put a true match anywhere.
_FLOOR = {"names": 5e-4, "birth_date": 2e-3, "sex": 2e-3}
# The comparisons whose u EM re-estimates on the candidate pairs (see train()).
_EM_U = frozenset({"names"})


@dataclass(frozen=True, slots=True)
class LevelParams:
    m: float
    u: float

    @property
    def weight(self) -> float:
        """The match weight of this level, in bits."""
        return math.log2(self.m / self.u)


@dataclass(frozen=True)
class ModelParams:
    """Trained parameters: the prior λ, the decision threshold, and m/u per comparison and level."""

    prior: float
    threshold: float
    fields: dict[str, dict[int, LevelParams]]
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def prior_weight(self) -> float:
        return math.log2(self.prior / (1.0 - self.prior))

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "prior": self.prior,
            "threshold": self.threshold,
            "comparisons": {
                name: {
                    level_name(name, level): {
                        "level": level,
                        "m": round(params.m, 8),
                        "u": round(params.u, 8),
                        "weight_bits": round(params.weight, 3),
                    }
                    for level, params in levels.items()
                }
                for name, levels in self.fields.items()
            },
            "meta": self.meta,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ModelParams:
        if data.get("format") != FORMAT_VERSION:
            raise ValueError(f"unsupported parameter format {data.get('format')!r}")
        fields: dict[str, dict[int, LevelParams]] = {}
        for name in COMPARISONS:
            entries = data["comparisons"][name].values()
            fields[name] = {
                int(entry["level"]): LevelParams(m=float(entry["m"]), u=float(entry["u"])) for entry in entries
            }
            if set(fields[name]) != set(LEVELS[name]):
                raise ValueError(f"parameters for {name} must cover levels {sorted(LEVELS[name])}")
        prior, threshold = float(data["prior"]), float(data["threshold"])
        if not (0 < prior < 1 and 0 < threshold < 1):
            raise ValueError("prior and threshold must lie strictly between 0 and 1")
        return cls(prior=prior, threshold=threshold, fields=fields, meta=dict(data.get("meta", {})))

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    # Marginals of the joint names table, for explanations and for a name missing on one side.
    def name_marginal(self, *, family: int | None = None, given: int | None = None) -> LevelParams:
        table = self.fields["names"]
        if family is not None:
            cells = [table[name_code(g, family)] for g in _NAME_LEVELS]
        elif given is not None:
            cells = [table[name_code(given, f)] for f in _NAME_LEVELS]
        else:
            raise TypeError("name_marginal() needs family= or given=")
        return LevelParams(m=sum(cell.m for cell in cells), u=sum(cell.u for cell in cells))


_CACHE: dict[Path, ModelParams] = {}


def load_params(path: Path | None = None) -> ModelParams:
    """The parameters shipped with the code (params.json next to this module), or those at ``path``."""
    path = (path or DEFAULT_PARAMS_PATH).resolve()
    if path not in _CACHE:
        _CACHE[path] = ModelParams.from_json(json.loads(path.read_text(encoding="utf-8")))
    return _CACHE[path]


@dataclass(frozen=True, slots=True)
class FieldWeight:
    """One line of an explanation: a field, the level it reached, and the evidence in bits."""

    field: str
    level: str
    weight: float


@dataclass(frozen=True, slots=True)
class Score:
    probability: float
    match_weight: float
    is_match: bool
    explanation: tuple[FieldWeight, ...]
    comparison: Comparison


def _name_weights(given: int, family: int, params: ModelParams) -> tuple[float, float]:
    """(given weight, family weight) in bits; together they are the joint weight of the names level."""
    if given == MISSING and family == MISSING:
        return 0.0, 0.0
    if given == MISSING:
        return 0.0, params.name_marginal(family=family).weight
    if family == MISSING:
        return params.name_marginal(given=given).weight, 0.0
    family_weight = params.name_marginal(family=family).weight
    return params.fields["names"][name_code(given, family)].weight - family_weight, family_weight


def _comparison_weights(comparison: Comparison, params: ModelParams) -> list[FieldWeight]:
    given_weight, family_weight = _name_weights(int(comparison.given_name), int(comparison.family_name), params)
    birth, sex = int(comparison.birth_date), int(comparison.sex)
    return [
        FieldWeight("given_name", comparison.given_name.name.lower(), given_weight),
        FieldWeight("family_name", comparison.family_name.name.lower(), family_weight),
        FieldWeight(
            "birth_date",
            comparison.birth_date.name.lower(),
            0.0 if birth == MISSING else params.fields["birth_date"][birth].weight,
        ),
        FieldWeight("sex", comparison.sex.name.lower(), 0.0 if sex == MISSING else params.fields["sex"][sex].weight),
    ]


def score(comparison: Comparison, params: ModelParams | None = None) -> Score:
    """The match probability of a compared pair, with the weight of every field (given name, family name,
    date of birth, sex) in bits."""
    params = params or load_params()
    explanation = _comparison_weights(comparison, params)
    total = params.prior_weight + sum(item.weight for item in explanation)
    probability = _logistic2(total)
    return Score(
        probability=probability,
        match_weight=total,
        is_match=probability >= params.threshold,
        explanation=tuple(explanation),
        comparison=comparison,
    )


def score_pair(left: Person, right: Person, params: ModelParams | None = None) -> Score:
    return score(compare(left, right), params)


def _logistic2(weight: float) -> float:
    if weight >= 0:
        return 1.0 / (1.0 + 2.0**-weight)
    odds = 2.0**weight
    return odds / (1.0 + odds)


# --------------------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingReport:
    params: ModelParams
    candidate_pairs: int
    random_pairs: int
    iterations: int
    converged: bool


# A vector is (given level, family level, birth level, sex level).
_Vector = tuple[int, int, int, int]


def _vector(comparison: Comparison) -> _Vector:
    return (int(comparison.given_name), int(comparison.family_name), int(comparison.birth_date), int(comparison.sex))


def _model_levels(vector: _Vector) -> tuple[int, int, int]:
    given, family, birth, sex = vector
    return name_code(given, family), birth, sex


def _level_counts(vectors: Sequence[_Vector], weights: Sequence[float]) -> dict[str, dict[int, float]]:
    counts: dict[str, dict[int, float]] = {name: dict.fromkeys(LEVELS[name], 0.0) for name in COMPARISONS}
    for vector, weight in zip(vectors, weights, strict=True):
        for name, level in zip(COMPARISONS, _model_levels(vector), strict=True):
            if level != MISSING:
                counts[name][level] += weight
    return counts


def _normalise(counts: dict[int, float], floor: float) -> dict[int, float]:
    """Proportions with a floor, so that no level is ever impossible."""
    total = sum(counts.values())
    if total <= 0:
        return {level: 1.0 / len(counts) for level in counts}
    shares = {level: max(count / total, floor) for level, count in counts.items()}
    scale = sum(shares.values())
    return {level: share / scale for level, share in shares.items()}


def _initial_m() -> dict[str, dict[int, float]]:
    """Where EM starts: matches mostly agree on names and date of birth."""
    name_start = {4: 0.5, 3: 0.25, 2: 0.1, 1: 0.08, 0: 0.07}
    start = {
        "names": {name_code(g, f): name_start[g] * name_start[f] for g in _NAME_LEVELS for f in _NAME_LEVELS},
        "birth_date": {4: 0.6, 3: 0.05, 2: 0.25, 1: 0.05, 0: 0.05},
        "sex": {1: 0.95, 0: 0.05},
    }
    return {name: _normalise(start[name], _FLOOR[name]) for name in COMPARISONS}


def _params(
    prior: float, threshold: float, m: dict[str, dict[int, float]], u: dict[str, dict[int, float]], meta: dict[str, Any]
) -> ModelParams:
    return ModelParams(
        prior=prior,
        threshold=threshold,
        fields={
            name: {level: LevelParams(m=m[name][level], u=u[name][level]) for level in LEVELS[name]}
            for name in COMPARISONS
        },
        meta=meta,
    )


def _vector_probability(vector: _Vector, params: ModelParams) -> float:
    given, family, birth, sex = vector
    total = params.prior_weight + sum(_name_weights(given, family, params))
    if birth != MISSING:
        total += params.fields["birth_date"][birth].weight
    if sex != MISSING:
        total += params.fields["sex"][sex].weight
    return _logistic2(total)


def expected_f1_threshold(probabilities: Sequence[float], weights: Sequence[float] | None = None) -> float:
    """The probability threshold that maximises the F1 score expected from the model's own probabilities.

    With posterior ``p`` per pair, accepting the pairs at or above a threshold expects ``Σp`` true matches among
    them and ``Σ(1 - p)`` false ones, and misses the ``Σp`` below. No labels are needed.
    """
    counts = list(weights) if weights is not None else [1.0] * len(probabilities)
    ordered = sorted(zip(probabilities, counts, strict=True), reverse=True)
    total = sum(probability * count for probability, count in ordered)
    if not ordered or total <= 0:
        return 0.5
    best_f1, best_threshold = -1.0, 0.5
    true_positive = false_positive = 0.0
    for index, (probability, count) in enumerate(ordered):
        true_positive += probability * count
        false_positive += (1.0 - probability) * count
        if index + 1 < len(ordered) and ordered[index + 1][0] == probability:
            continue
        false_negative = total - true_positive
        f1 = 2 * true_positive / (2 * true_positive + false_positive + false_negative)
        if f1 > best_f1:
            best_f1, best_threshold = f1, probability
    return min(max(best_threshold, 1e-6), 1 - 1e-6)


def train(
    left: Sequence[Person],
    right: Sequence[Person],
    *,
    random_pairs: int = 20000,
    max_iterations: int = 500,
    tolerance: float = 1e-7,
    seed: int = 20240601,
    source: str = "",
) -> TrainingReport:
    """Train the prior, m, u and the threshold from two lists of records, without labels.

    ``u`` is measured on ``random_pairs`` random left-right pairs (almost all non-matches); EM over the
    candidate pairs that share a blocking key (without the three-letter prefix keys) then updates λ, m and the
    u of the names (pairs with the same comparison vector are counted once, weighted by their number).
    """
    if not left or not right:
        raise ValueError("training needs records on both sides")
    rng = random.Random(seed)  # noqa: S311 - sampling pairs, not security
    random_vectors = [
        _vector(compare(left[rng.randrange(len(left))], right[rng.randrange(len(right))])) for _ in range(random_pairs)
    ]
    random_counts = _level_counts(random_vectors, [1.0] * len(random_vectors))
    u = {name: _normalise(random_counts[name], _FLOOR[name]) for name in COMPARISONS}

    patterns: Counter[_Vector] = Counter(
        _vector(compare(left[i], right[j])) for i, j in candidate_pairs(left, right, prefixes=False)
    )
    if not patterns:
        raise ValueError("blocking found no candidate pairs to train on")
    vectors = list(patterns)
    counts = [float(patterns[vector]) for vector in vectors]
    total = sum(counts)
    # A record is one person: at most min(left, right) of the candidate pairs can be matches. Without this bound,
    # EM on a population with few names may take "same given name" for "same person".
    max_prior = min(len(left), len(right)) / total
    m = _initial_m()
    prior = min(0.05, max_prior / 2)
    converged = False
    iteration = 0
    for iteration in range(1, max_iterations + 1):  # noqa: B007 - the count is reported
        current = _params(prior, 0.5, m, u, {})
        posteriors = [_vector_probability(vector, current) for vector in vectors]  # E step
        matched = [count * p for count, p in zip(counts, posteriors, strict=True)]
        unmatched = [count * (1.0 - p) for count, p in zip(counts, posteriors, strict=True)]
        # M step: λ from the expected number of matches, m and u from the weighted level counts.
        new_prior = min(max(sum(matched) / total, 1e-6), max_prior)
        matched_counts, unmatched_counts = _level_counts(vectors, matched), _level_counts(vectors, unmatched)
        new_m = {name: _normalise(matched_counts[name], _FLOOR[name]) for name in COMPARISONS}
        # u of the names is re-estimated (blocking picked pairs whose names look alike, so random pairs
        # understate it); u of the other fields stays as measured on random pairs, which also keeps EM from
        # mistaking "same sex" for "same person" when names are few.
        new_u = {
            name: _normalise(unmatched_counts[name], _FLOOR[name]) if name in _EM_U else u[name] for name in COMPARISONS
        }
        change = max(
            abs(new_prior - prior),
            *(abs(new_m[name][level] - m[name][level]) for name in COMPARISONS for level in LEVELS[name]),
            *(abs(new_u[name][level] - u[name][level]) for name in COMPARISONS for level in LEVELS[name]),
        )
        m, u, prior = new_m, new_u, new_prior
        if change < tolerance:
            converged = True
            break

    trained = _params(prior, 0.5, m, u, {})
    threshold = expected_f1_threshold([_vector_probability(vector, trained) for vector in vectors], weights=counts)
    params = _params(
        prior,
        threshold,
        m,
        u,
        {
            "trained_at": datetime.datetime.now(tz=datetime.UTC).isoformat(timespec="seconds"),
            "source": source,
            "left_records": len(left),
            "right_records": len(right),
            "candidate_pairs": int(total),
            "random_pairs": random_pairs,
            "em_iterations": iteration,
            "em_converged": converged,
            "seed": seed,
            "method": (
                "u measured on random record pairs; prior, m and the names' u by EM over the candidate pairs that "
                "share a blocking key; threshold maximises the model's own expected F1 on those candidates; "
                "no labels used"
            ),
        },
    )
    return TrainingReport(
        params=params, candidate_pairs=int(total), random_pairs=random_pairs, iterations=iteration, converged=converged
    )
