"""The batch deduplication model: Splink (Fellegi-Sunter) settings over the engine's script-free keys.

Two models are defined here, on the same records:

- :func:`model_settings`, ours: compares the derived columns of :mod:`homecoming.matching.batch.prepare`
  (romanised names, phonetic skeletons, suffix-free stems; birth-date ranges), names in both orders;
- :func:`baseline_settings`, "plain Splink" as its documentation sets up a person dedupe: Jaro-Winkler and
  Levenshtein on the names as written, ``DateOfBirthComparison``, exact sex, ``block_on`` the raw columns.

Both are plain :class:`splink.SettingsCreator` objects with no SQL dialect in them: the levels below build their
SQL for the dialect Splink asks for, so the same definition runs on DuckDB (one machine) and on Spark (a hub
too large for one machine, see ``docs/matching-batch.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import splink.comparison_library as cl
from splink import SettingsCreator, block_on
from splink.internals.comparison_level_creator import ComparisonLevelCreator
from splink.internals.dialects import SplinkDialect

__all__ = [
    "BASELINE_TRAINING",
    "MODEL_TRAINING",
    "TrainingRecipe",
    "baseline_settings",
    "model_settings",
]


class _SqlLevel(ComparisonLevelCreator):
    """A comparison level whose SQL is written for the dialect at hand (Jaro-Winkler is named differently)."""

    def __init__(self, label: str, template: str, *, null_level: bool = False) -> None:
        self.label = label
        self.template = template
        if null_level:
            self.configure(is_null_level=True)

    def create_sql(self, sql_dialect: SplinkDialect) -> str:
        return self.template.format(jw=sql_dialect.jaro_winkler_function_name)

    def create_label_for_charts(self) -> str:
        return self.label


# --------------------------------------------------------------------------------------------------
# Names: one comparison for given and family name together, in both orders
# --------------------------------------------------------------------------------------------------
#
# Given and family names are one comparison because they are not independent: siblings share the family name
# and differ in the given name, and a mother often shares it too. Two separate comparisons would add the
# shared family name's weight on top of everything else and merge sisters. Each level is tested in the
# written order (G-G, F-F) and in the swapped order (G-F, F-G): clerks swap them in about one record in ten.


def _close(left: str, right: str) -> str:
    """Two name fields spell the same name: same skeleton, same suffix-free stem, or romanisations alike."""
    return (
        f"({left}_sk_l = {right}_sk_r OR {left}_stem_l = {right}_stem_r OR {{jw}}({left}_rom_l, {right}_rom_r) >= 0.9)"
    )


def _weak(left: str, right: str) -> str:
    """Two name fields are somewhat alike (a typing slip, an unusual spelling; or rhyming sisters' names)."""
    return f"({{jw}}({left}_rom_l, {right}_rom_r) >= 0.75 OR {{jw}}({left}_sk_l, {right}_sk_r) >= 0.8)"


def _swap_right_columns(sql: str) -> str:
    """The same SQL with the right record's given and family name columns swapped (``given_sk_r`` ↔ ``family_sk_r``)."""
    out = []
    for token in _split_keep(sql):
        if token.endswith("_r") and token.startswith("given_"):
            token = "family_" + token.removeprefix("given_")
        elif token.endswith("_r") and token.startswith("family_"):
            token = "given_" + token.removeprefix("family_")
        out.append(token)
    return "".join(out)


def _split_keep(sql: str) -> list[str]:
    """Split SQL into identifier and non-identifier runs (so that columns can be renamed one by one)."""
    parts: list[str] = []
    current = ""
    for ch in sql:
        is_word = ch.isalnum() or ch == "_"
        if current and (current[-1].isalnum() or current[-1] == "_") != is_word:
            parts.append(current)
            current = ""
        current += ch
    if current:
        parts.append(current)
    return parts


def _either_order(sql: str) -> str:
    """``sql`` (written for the straight order) OR the same with the right record's names swapped."""
    return f"(({sql}) OR ({_swap_right_columns(sql)}))"


def _name_comparison() -> cl.CustomComparison:
    exact = "given_rom_l = given_rom_r AND family_rom_l = family_rom_r"
    skeletons = "given_sk_l = given_sk_r AND family_sk_l = family_sk_r"
    both_close = f"{_close('given', 'given')} AND {_close('family', 'family')}"
    family_close_given_weak = f"{_close('family', 'family')} AND {_weak('given', 'given')}"
    return cl.CustomComparison(
        output_column_name="name",
        comparison_description="Given and family name, across scripts, in either order",
        comparison_levels=[
            _SqlLevel(
                "Name missing",
                "(given_rom_l IS NULL AND family_rom_l IS NULL) OR (given_rom_r IS NULL AND family_rom_r IS NULL)",
                null_level=True,
            ),
            # Term-frequency adjusted on the order-free name key: "Muhammad Karimov" agreeing is weaker
            # evidence than a rare name agreeing.
            _SqlLevel("Same romanised names", _either_order(exact)).configure(
                tf_adjustment_column="name_key", tf_minimum_u_value=1e-6, disable_tf_exact_match_detection=True
            ),
            _SqlLevel("Same phonetic skeletons", _either_order(skeletons)).configure(
                tf_adjustment_column="name_key", tf_minimum_u_value=1e-6, disable_tf_exact_match_detection=True
            ),
            _SqlLevel("Both names close", _either_order(both_close)),
            _SqlLevel("Family name close, given name somewhat alike", _either_order(family_close_given_weak)),
            _SqlLevel("Family name close, given name different", _either_order(_close("family", "family"))),
            _SqlLevel(
                "Given name close, family name somewhat alike",
                _either_order(f"{_close('given', 'given')} AND {_weak('family', 'family')}"),
            ),
            _SqlLevel("Given name close, family name different", _either_order(_close("given", "given"))),
            _SqlLevel("Names different", "TRUE"),
        ],
    )


# --------------------------------------------------------------------------------------------------
# Date of birth: exact dates and estimated ranges
# --------------------------------------------------------------------------------------------------
#
# ``birth_lo``/``birth_hi`` are the range in days (equal for an exact date). The gap between two ranges is
# greatest(lo) - least(hi): zero or less when they overlap. So an estimated "about 2015" (2014-07-01 to
# 2016-07-01) is *compatible* with any exact date inside it, and the tolerance grows with the uncertainty.

_GAP = "(greatest(birth_lo_l, birth_lo_r) - least(birth_hi_l, birth_hi_r))"
_BOTH_EXACT = "(birth_lo_l = birth_hi_l AND birth_lo_r = birth_hi_r)"


def _birth_comparison() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="birth_date",
        comparison_description="Date of birth, exact or an estimated range",
        comparison_levels=[
            _SqlLevel("Date of birth missing", "birth_lo_l IS NULL OR birth_lo_r IS NULL", null_level=True),
            _SqlLevel("Same exact date", f"{_BOTH_EXACT} AND birth_day_l = birth_day_r"),
            _SqlLevel(
                "Exact dates within a month, or day and month swapped",
                f"{_BOTH_EXACT} AND (abs(birth_day_l - birth_day_r) <= 31 OR birth_ymd_l = birth_ydm_r)",
            ),
            _SqlLevel("Ranges overlap (an estimated date fits)", f"{_GAP} <= 0"),
            _SqlLevel("Within a year of the range", f"{_GAP} <= 366"),
            _SqlLevel("Within three years of the range", f"{_GAP} <= 1096"),
            _SqlLevel("Further apart", "TRUE"),
        ],
    )


def _sex_comparison() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="sex",
        comparison_levels=[
            _SqlLevel("Sex unknown", "sex_l IS NULL OR sex_r IS NULL", null_level=True),
            _SqlLevel("Same sex", "sex_l = sex_r"),
            _SqlLevel("Different sex", "TRUE"),
        ],
    )


#: Candidate pairs for prediction, sized for a million records on one machine (about 17 million pairs):
#: the order-free name key with stated birth years at most two apart (an estimated date may be off by that
#: much); or one name's skeleton (given) or stem (family) with the same exact birth date, for a typing slip or
#: a changed surname in the other name. A common name with a missing or far-off date is left out: nothing in
#: the record could tell those people apart anyway.
MODEL_BLOCKING_RULES = (
    "l.name_key = r.name_key AND abs(l.birth_year - r.birth_year) <= 2",
    block_on("given_sk", "birth_exact_day"),
    block_on("family_stem", "birth_exact_day"),
)


def model_settings(*, blocking_rules: tuple[Any, ...] = MODEL_BLOCKING_RULES) -> SettingsCreator:
    """Our model: names across scripts in either order, birth-date ranges, sex (records from ``prepare``)."""
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="record_id",
        comparisons=[_name_comparison(), _birth_comparison(), _sex_comparison()],
        blocking_rules_to_generate_predictions=list(blocking_rules),
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,
        additional_columns_to_retain=["person_id"],
        max_iterations=20,
    )


def baseline_settings() -> SettingsCreator:
    """ "Plain Splink": its documented person-dedupe set-up on the names as written (no cross-script keys)."""
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="record_id",
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("family_name"),
            cl.DateOfBirthComparison("birth_date", input_is_string=False),
            cl.ExactMatch("sex"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "family_name"),
            block_on("given_name", "birth_date"),
            block_on("family_name", "birth_date"),
        ],
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,
        additional_columns_to_retain=["person_id"],
        max_iterations=20,
    )


@dataclass(frozen=True)
class TrainingRecipe:
    """How a model is trained on the data itself (no labels).

    ``deterministic_rules`` with their assumed ``recall`` estimate the prior (the share of pairs that match);
    ``u`` is measured on random pairs (``u_max_pairs``, fixed ``seed``); then EM runs once per blocking rule in
    ``em_rules`` (each rule's own columns are not trained in its session), on at most ``em_max_pairs`` pairs.
    """

    deterministic_rules: tuple[str, ...]
    recall: float
    em_rules: tuple[str, ...]
    u_max_pairs: float = 2e6
    em_max_pairs: float = 1.5e6
    seed: int = 42


MODEL_TRAINING = TrainingRecipe(
    # Same skeletons in either order and the same exact date: nearly no false positives. About a quarter to a
    # third of the duplicates in a registry keep both (the rest differ in spelling, order, or have an estimated
    # or no date): 26 % in the generated population. An assumption of the model: it sets the prior.
    deterministic_rules=(
        "l.name_key = r.name_key AND l.given_sk = r.given_sk AND l.family_sk = r.family_sk "
        "AND l.birth_lo = l.birth_hi AND l.birth_day = r.birth_day",
    ),
    recall=0.3,
    em_rules=(
        # Names trained on pairs with the same exact date; birth date and sex on pairs with the same names.
        "l.birth_day = r.birth_day AND l.birth_lo = l.birth_hi AND r.birth_lo = r.birth_hi",
        "l.given_sk = r.given_sk AND l.family_sk = r.family_sk",
    ),
)

BASELINE_TRAINING = TrainingRecipe(
    deterministic_rules=(
        "l.given_name = r.given_name AND l.family_name = r.family_name AND l.birth_date = r.birth_date",
    ),
    recall=0.45,
    em_rules=("l.birth_date = r.birth_date", "l.given_name = r.given_name AND l.family_name = r.family_name"),
)
