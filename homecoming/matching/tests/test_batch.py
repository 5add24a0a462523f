"""The batch deduplication without Django: generator, derived columns, model definition, DuckDB pipeline.

Quality floors are measured on 2,000 generated people (fixed seed) and are real: a change that loses the
cross-script keys, the swapped-order levels or the estimated-date levels makes them fail.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pytest
from splink import Linker, SettingsCreator

from homecoming.matching.batch.evaluate import cluster_scores, recall_at_precision
from homecoming.matching.batch.model import MODEL_BLOCKING_RULES, baseline_settings, model_settings
from homecoming.matching.batch.pipeline import dedupe
from homecoming.matching.batch.prepare import name_parts, prepare_records, stem
from homecoming.matching.generator import POPULATION_SCHEMA, generate_population, true_pair_count


@pytest.fixture(scope="module")
def population() -> pa.Table:
    return generate_population(n=2000, seed=11)


@pytest.fixture(scope="module")
def ours(population):
    return dedupe(population, analyse_blocking=True)


@pytest.fixture(scope="module")
def baseline(population):
    return dedupe(population, model="baseline")


# --- generator -------------------------------------------------------------------------------------


def test_generator_is_deterministic_and_exact_in_size():
    first = generate_population(n=500, seed=5)
    assert first.schema == POPULATION_SCHEMA
    assert first.num_rows == 500
    assert first.equals(generate_population(n=500, seed=5))
    assert not first.equals(generate_population(n=500, seed=6))
    assert first["record_id"].to_pylist() == list(range(1, 501))


def test_generator_makes_duplicates_across_scripts_and_families(population):
    rows = population.to_pylist()
    assert {row["script"] for row in rows} == {"latn", "cyrl", "arab"}
    by_entity: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        by_entity.setdefault(row["entity_id"], []).append(row)
    duplicated = [records for records in by_entity.values() if len(records) > 1]
    assert len(duplicated) > 200
    # Some duplicates are written in another script than the first record.
    assert sum(1 for records in duplicated if len({r["script"] for r in records}) > 1) > 100
    # Families: several people (mother and children) share a family id.
    family_sizes: dict[int, set[int]] = {}
    for row in rows:
        family_sizes.setdefault(row["family_id"], set()).add(row["entity_id"])
    assert sum(1 for members in family_sizes.values() if len(members) >= 3) > 50
    # Estimated dates have a range around 1 July; some dates and sexes are missing.
    estimated = [row for row in rows if row["birth_date_min"] and row["birth_date_min"] != row["birth_date_max"]]
    assert estimated
    assert all(row["birth_date"].month == 7 and row["birth_date"].day == 1 for row in estimated)
    assert any(row["birth_date"] is None for row in rows)
    assert any(row["sex"] is None for row in rows)
    assert true_pair_count(population["entity_id"].to_pylist()) > 400


# --- derived columns -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Ҷамшед", "Djamshed"),
        ("Каримова", "كريموفا"),
        ("Каримов", "Karimzoda"),
        ("Mukhriddin", "Муҳриддин"),
        ("الحسن", "al-Hassan"),
    ],
)
def test_spellings_of_one_name_share_a_stem(left, right):
    assert name_parts(left)[2] == name_parts(right)[2]


def test_stem_strips_surname_suffixes_but_keeps_two_letters():
    assert stem("krmsd") == "krm"
    assert stem("krmf") == "krm"
    assert stem("sf") == "sf"
    assert name_parts("") == (None, None, None)


def test_prepare_records_keeps_ids_and_makes_order_free_keys():
    table = pa.table(
        {
            "record_id": [1, 2, 3],
            "given_name": ["Madina", "Каримова", None],
            "family_name": ["Karimova", "Мадина", "Rahmonov"],
            "sex": ["F", "U", None],
            "birth_date": [dt.date(2014, 5, 3), dt.date(2014, 7, 1), None],
            "birth_date_min": [dt.date(2014, 5, 3), dt.date(2013, 7, 1), None],
            "birth_date_max": [dt.date(2014, 5, 3), dt.date(2015, 7, 1), None],
        }
    )
    prepared = prepare_records(table).to_pylist()
    assert [row["record_id"] for row in prepared] == [1, 2, 3]
    assert [row["person_id"] for row in prepared] == [1, 2, 3]
    assert prepared[0]["name_key"] == prepared[1]["name_key"]  # swapped order, other script
    assert prepared[1]["sex"] is None  # "U" is unknown
    assert prepared[0]["birth_exact_day"] == prepared[0]["birth_day"]
    assert prepared[1]["birth_exact_day"] is None
    assert prepared[1]["birth_hi"] - prepared[1]["birth_lo"] == 730
    assert prepared[0]["birth_ydm"] == 20140305


def test_prepare_records_names_missing_columns():
    with pytest.raises(ValueError, match="birth_date_min"):
        prepare_records(
            pa.table({"record_id": [1], "given_name": ["a"], "family_name": ["b"], "sex": ["F"], "birth_date": [None]})
        )


# --- model definition ----------------------------------------------------------------------------


@pytest.mark.parametrize("dialect", ["duckdb", "spark"])
def test_model_settings_build_for_duckdb_and_spark(dialect):
    settings = model_settings().create_settings_dict(dialect)
    name_levels = settings["comparisons"][0]["comparison_levels"]
    jaro_winkler = "jaro_winkler_similarity(" if dialect == "duckdb" else "jaro_winkler("
    assert any(jaro_winkler in level["sql_condition"] for level in name_levels)
    # Every name level also tests the swapped order.
    assert "given_sk_l = family_sk_r" in name_levels[2]["sql_condition"]
    assert settings["link_type"] == "dedupe_only"
    assert len(settings["blocking_rules_to_generate_predictions"]) == len(MODEL_BLOCKING_RULES)


def test_baseline_is_plain_splink_on_raw_columns():
    settings = baseline_settings().create_settings_dict("duckdb")
    columns = {comparison["output_column_name"] for comparison in settings["comparisons"]}
    assert columns == {"given_name", "family_name", "birth_date", "sex"}


# --- the pipeline on 2,000 people --------------------------------------------------------------


def test_blocking_keeps_the_candidate_pairs_small(ours, population):
    assert ours.blocking
    candidates = ours.blocking[-1]["cumulative"]
    all_pairs = population.num_rows * (population.num_rows - 1) // 2
    assert candidates < all_pairs / 50


@pytest.mark.slow
def test_our_model_finds_duplicates_across_scripts_with_few_errors(ours, population):
    scores = cluster_scores(ours.clusters, population)
    assert scores.precision >= 0.97
    assert scores.recall >= 0.3  # measured 0.34 at the 0.9 threshold (seed 11)
    # Mothers and siblings (same family name, close birth dates) are rarely merged.
    assert scores.family_false_pairs <= 0.02 * scores.predicted_pairs


@pytest.mark.slow
def test_our_model_beats_plain_splink_at_equal_precision(ours, baseline, population):
    ours_recall, _ = recall_at_precision(ours.pairs, population, precision=0.95)
    baseline_recall, _ = recall_at_precision(baseline.pairs, population, precision=0.95)
    assert ours_recall >= baseline_recall + 0.2


def test_result_tables_have_the_documented_shape(ours):
    assert ours.clusters.column_names == ["person_id", "cluster_id", "size"]
    rows = ours.clusters.to_pylist()
    assert all(row["size"] >= 2 and row["cluster_id"] <= row["person_id"] for row in rows)
    pairs = ours.pairs.to_pylist()
    assert pairs
    assert all(row["person_id_l"] < row["person_id_r"] for row in pairs)
    assert all(row["match_probability"] >= ours.review_threshold for row in pairs)
    assert {"gamma_name", "gamma_birth_date", "gamma_sex", "mw_name"} <= set(ours.pairs.column_names)
    assert ours.labels["name"][max(ours.labels["name"])] == "Same romanised names"
    assert set(ours.timings) >= {"prepare", "train", "predict", "cluster"}


def test_names_of_one_person_are_clustered_as_one_person():
    """Records sharing a ``person_id`` (a person's names in several scripts) count once, as that person."""
    population = generate_population(n=300, seed=2)
    doubled = pa.concat_tables([population, population])
    doubled = doubled.set_column(0, "record_id", pa.array(range(1, doubled.num_rows + 1), pa.int64()))
    doubled = doubled.append_column("person_id", pa.concat_arrays([population["record_id"].combine_chunks()] * 2))
    result = dedupe(doubled)
    assert result.persons == 300
    assert result.records == 600
    assert set(result.clusters["person_id"].to_pylist()) <= set(population["record_id"].to_pylist())


def test_thresholds_are_checked():
    with pytest.raises(ValueError, match="review_threshold"):
        dedupe(generate_population(n=10, seed=1), threshold=0.5, review_threshold=0.9)


def test_same_definition_runs_as_a_splink_linker(population):
    """The settings are plain Splink: a Linker accepts them on DuckDB (as SparkAPI would on Spark)."""
    from splink import DuckDBAPI

    db_api = DuckDBAPI()
    frame = db_api.register(prepare_records(population.slice(0, 200)))
    linker = Linker(frame, model_settings())
    assert isinstance(model_settings(), SettingsCreator)
    records = linker.blocking_analysis.count_comparisons_from_blocking_rules(record_sample_proportion=1.0)
    assert len(records) == len(MODEL_BLOCKING_RULES)
