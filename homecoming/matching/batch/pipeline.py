# ruff: noqa: S608 - SQL over DuckDB tables this module names itself (Splink table names), no user input
"""Run a batch deduplication: records in (a pyarrow table), trained model, scored pairs and clusters out.

``dedupe(records)`` does the whole job on DuckDB, in memory, with no Django:

1. derive the script-free columns (:func:`homecoming.matching.batch.prepare.prepare_records`);
2. load them into DuckDB and hand them to Splink with the model of :mod:`homecoming.matching.batch.model`;
3. train on the data itself (:class:`~homecoming.matching.batch.model.TrainingRecipe`: the prior from
   near-certain rules, ``u`` from random pairs with a fixed seed, ``m`` by EM);
4. score the candidate pairs of the blocking rules (``predict``) down to ``review_threshold``;
5. keep, for each pair of persons, their best-scoring pair of names (a person may have names in several
   scripts: each name is a record) and cluster the persons at ``threshold`` with Splink's connected
   components (``cluster_pairwise_predictions_at_threshold``).

The Django side (reading the registry, writing clusters and review candidates back) is
:mod:`homecoming.matching.batch.services`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from splink import DuckDBAPI, Linker, SettingsCreator
from splink.clustering import cluster_pairwise_predictions_at_threshold

from homecoming.matching.batch.model import (
    BASELINE_TRAINING,
    MODEL_TRAINING,
    TrainingRecipe,
    baseline_settings,
    model_settings,
)
from homecoming.matching.batch.prepare import INPUT_COLUMNS, prepare_records

__all__ = ["DEFAULT_REVIEW_THRESHOLD", "DEFAULT_THRESHOLD", "DedupResult", "ModelName", "dedupe"]

logger = logging.getLogger(__name__)

ModelName = Literal["ours", "baseline"]

#: Pairs at or above this probability are the same person (put in one cluster).
DEFAULT_THRESHOLD = 0.9
#: Pairs from here up are listed for a person to review.
DEFAULT_REVIEW_THRESHOLD = 0.5

_EM_SAMPLING_FROM = 50_000


@dataclass
class DedupResult:
    """What a run gives back.

    ``clusters``: one row per person in a cluster of two or more (``person_id``, ``cluster_id`` = the smallest
    person id of the cluster, ``size``). ``pairs``: one row per pair of persons scored at or above the review
    threshold (``person_id_l`` < ``person_id_r``, ``match_probability``, ``match_weight``, and for their best
    pair of names the comparison levels ``gamma_*`` (-1 missing) and match weights ``mw_*`` in bits).
    ``labels``: the name of each level per comparison, for reading ``gamma_*``. ``blocking``: candidate pairs
    per blocking rule, when asked for.
    """

    clusters: pa.Table
    pairs: pa.Table
    threshold: float
    review_threshold: float
    records: int
    persons: int
    labels: dict[str, dict[int, str]] = field(default_factory=dict)
    blocking: list[dict[str, Any]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    model: dict[str, Any] = field(default_factory=dict)

    @property
    def cluster_count(self) -> int:
        return len(pc.unique(self.clusters["cluster_id"])) if self.clusters.num_rows else 0


@contextmanager
def _timed(timings: dict[str, float], step: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    timings[step] = round(time.perf_counter() - start, 3)
    logger.info("dedup step %s took %.1f s", step, timings[step])


def _train(linker: Linker, recipe: TrainingRecipe, n_records: int) -> None:
    training = linker.training
    training.estimate_probability_two_random_records_match(list(recipe.deterministic_rules), recall=recipe.recall)
    # Enough random pairs to see every level, never more than all pairs there are.
    max_pairs = min(recipe.u_max_pairs, max(n_records * (n_records - 1) / 2, 1.0))
    training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=recipe.seed)
    # Sampling pairs for EM only pays on large data (on small data Splink's probe finds nothing to sample).
    em_max_pairs = recipe.em_max_pairs if n_records >= _EM_SAMPLING_FROM else None
    for rule in recipe.em_rules:
        training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True, max_pairs=em_max_pairs
        )


def _arrow(relation: Any) -> pa.Table:
    result = relation.arrow()
    return result.read_all() if isinstance(result, pa.RecordBatchReader) else result


def _level_labels(model: dict[str, Any]) -> dict[str, dict[int, str]]:
    """``{comparison: {gamma: label}}`` from a trained settings dict (Splink numbers levels from the last)."""
    labels: dict[str, dict[int, str]] = {}
    for comparison in model.get("comparisons", []):
        levels = [level for level in comparison["comparison_levels"] if not level.get("is_null_level")]
        labels[comparison["output_column_name"]] = {
            len(levels) - 1 - position: level.get("label_for_charts", "") for position, level in enumerate(levels)
        }
    return labels


def dedupe(
    records: pa.Table,
    *,
    model: ModelName = "ours",
    threshold: float = DEFAULT_THRESHOLD,
    review_threshold: float = DEFAULT_REVIEW_THRESHOLD,
    connection: duckdb.DuckDBPyConnection | None = None,
    settings: SettingsCreator | None = None,
    recipe: TrainingRecipe | None = None,
    analyse_blocking: bool = False,
) -> DedupResult:
    """Deduplicate person records (columns ``INPUT_COLUMNS``, optionally ``person_id``; others are ignored).

    ``analyse_blocking=True`` also counts the candidate pairs of each blocking rule (Splink's blocking
    analysis; exact, so it costs about as much as the join itself). ``model="baseline"`` runs "plain Splink"
    on the names as written, for comparison. ``connection`` lets a caller choose DuckDB's memory limit,
    threads or an on-disk database; by default a new in-memory one is used and closed.
    """
    if not 0 < review_threshold <= threshold <= 1:
        raise ValueError("Thresholds must satisfy 0 < review_threshold <= threshold <= 1.")
    timings: dict[str, float] = {}
    con = connection or duckdb.connect()
    try:
        return _dedupe(con, records, model, threshold, review_threshold, settings, recipe, analyse_blocking, timings)
    finally:
        if connection is None:
            con.close()


def _dedupe(
    con: duckdb.DuckDBPyConnection,
    records: pa.Table,
    model: ModelName,
    threshold: float,
    review_threshold: float,
    settings: SettingsCreator | None,
    recipe: TrainingRecipe | None,
    analyse_blocking: bool,
    timings: dict[str, float],
) -> DedupResult:
    with _timed(timings, "prepare"):
        if model == "ours":
            table = prepare_records(records)
        else:
            columns = list(INPUT_COLUMNS) + (["person_id"] if "person_id" in records.column_names else [])
            table = records.select(columns)
            if "person_id" not in table.column_names:
                table = table.append_column("person_id", table["record_id"])
        con.register("_dedup_input_arrow", table)
        con.execute("CREATE OR REPLACE TABLE dedup_input AS SELECT * FROM _dedup_input_arrow")
        con.unregister("_dedup_input_arrow")
        con.execute("CREATE OR REPLACE TABLE dedup_persons AS SELECT DISTINCT person_id FROM dedup_input")
    n_records = table.num_rows

    db_api = DuckDBAPI(connection=con)
    input_sdf = db_api.register("dedup_input", table_name="dedup_input_records")
    chosen_settings = settings or (model_settings() if model == "ours" else baseline_settings())
    linker = Linker(input_sdf, chosen_settings, log_level=logging.WARNING)

    with _timed(timings, "train"):
        _train(linker, recipe or (MODEL_TRAINING if model == "ours" else BASELINE_TRAINING), n_records)

    with _timed(timings, "predict"):
        predictions = linker.inference.predict(threshold_match_probability=review_threshold, warning_mode="never")
        evidence = [
            name
            for name in con.sql(f"SELECT * FROM {predictions.physical_name} LIMIT 0").columns
            if name.startswith(("gamma_", "mw_"))
        ]
        # One row per pair of persons: the best-scoring pair of their names.
        con.execute(
            f"""
            CREATE OR REPLACE TABLE dedup_person_pairs AS
            SELECT * EXCLUDE (rank) FROM (
                SELECT least(person_id_l, person_id_r) AS person_id_l,
                       greatest(person_id_l, person_id_r) AS person_id_r,
                       match_probability, match_weight, {", ".join(evidence)},
                       row_number() OVER (
                           PARTITION BY least(person_id_l, person_id_r), greatest(person_id_l, person_id_r)
                           ORDER BY match_probability DESC, record_id_l, record_id_r
                       ) AS rank
                FROM {predictions.physical_name}
                WHERE person_id_l <> person_id_r
            ) WHERE rank = 1
            """
        )
        pairs = _arrow(con.sql("SELECT * FROM dedup_person_pairs ORDER BY person_id_l, person_id_r"))

    blocking: list[dict[str, Any]] = []
    if analyse_blocking:
        with _timed(timings, "blocking_analysis"):
            analysis = linker.blocking_analysis.count_comparisons_from_blocking_rules(record_sample_proportion=1.0)
            blocking = [
                {
                    "rule": row["blocking_rule"],
                    "pairs": int(row["marginal_comparison_count"]),
                    "cumulative": int(row["cumulative_comparison_count"]),
                }
                for row in analysis
            ]

    with _timed(timings, "cluster"):
        nodes = db_api.register("dedup_persons", table_name="dedup_person_nodes")
        edges = db_api.register("dedup_person_pairs", table_name="dedup_person_edges")
        components = cluster_pairwise_predictions_at_threshold(
            nodes,
            edges,
            db_api=db_api,
            node_id_column_name="person_id",
            edge_id_column_name_left="person_id_l",
            edge_id_column_name_right="person_id_r",
            threshold_match_probability=threshold,
        )
        clusters = _arrow(
            con.sql(
                f"""
                SELECT person_id, cluster_id, size FROM (
                    SELECT person_id,
                           min(person_id) OVER (PARTITION BY cluster_id) AS cluster_id,
                           count(*) OVER (PARTITION BY cluster_id) AS size
                    FROM {components.physical_name}
                ) WHERE size > 1 ORDER BY cluster_id, person_id
                """
            )
        )

    trained = linker._settings_obj.as_dict()  # the trained parameters, kept with the run
    persons = con.execute("SELECT count(*) FROM dedup_persons").fetchall()[0][0]
    return DedupResult(
        clusters=clusters,
        pairs=pairs,
        threshold=threshold,
        review_threshold=review_threshold,
        records=n_records,
        persons=int(persons),
        labels=_level_labels(trained),
        blocking=blocking,
        timings=timings,
        model=trained,
    )
