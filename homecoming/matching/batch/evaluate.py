"""Pairwise quality of a deduplication against known truth (generated data only).

A pair of records is *predicted* when both are in the same cluster, and *true* when both describe the same
person (same ``entity_id``). Precision, recall and F1 count pairs, so a wrongly merged family of six weighs
15 false pairs, as it would for the people reviewing it.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa

__all__ = ["PairwiseScores", "cluster_scores", "recall_at_precision"]


@dataclass(frozen=True)
class PairwiseScores:
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int
    family_false_pairs: int  # wrongly merged pairs of the same family (mother, siblings): the hard negatives

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def cluster_scores(clusters: pa.Table, truth: pa.Table) -> PairwiseScores:
    """Scores of ``clusters`` (person_id, cluster_id; persons not in it are alone) against ``truth``
    (record_id, entity_id, family_id), where each generated record is one person (``person_id = record_id``)."""
    con = duckdb.connect()
    con.register("clusters_given", clusters.select(["person_id", "cluster_id"]))
    con.register("truth", truth.select(["record_id", "entity_id", "family_id"]))
    con.execute(
        """CREATE TABLE clusters AS
        SELECT t.record_id, coalesce(c.cluster_id, -t.record_id) AS cluster_id
        FROM truth t LEFT JOIN clusters_given c ON c.person_id = t.record_id"""
    )
    row = con.execute(
        """
        WITH joined AS (
            SELECT c.cluster_id, t.entity_id, t.family_id
            FROM clusters c JOIN truth t USING (record_id)
        ),
        by_cluster AS (SELECT count(*) AS n FROM joined GROUP BY cluster_id),
        by_entity AS (SELECT count(*) AS n FROM joined GROUP BY entity_id),
        by_both AS (SELECT count(*) AS n FROM joined GROUP BY cluster_id, entity_id),
        by_family AS (SELECT count(*) AS n FROM joined GROUP BY cluster_id, family_id)
        SELECT
            (SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM by_entity),
            (SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM by_cluster),
            (SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM by_both),
            (SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM by_family)
        """
    ).fetchone()
    con.close()
    assert row is not None  # noqa: S101 - an aggregate query always returns one row
    true_pairs, predicted, correct, same_family = (int(value) for value in row)
    return PairwiseScores(true_pairs, predicted, correct, same_family - correct)


def recall_at_precision(pairs: pa.Table, truth: pa.Table, *, precision: float) -> tuple[float, float]:
    """The best pairwise recall of the scored ``pairs`` at a threshold whose precision is at least ``precision``,
    and that threshold (edges only, before clustering). ``(0.0, 1.0)`` when no threshold reaches it."""
    con = duckdb.connect()
    con.register("pairs", pairs.select(["person_id_l", "person_id_r", "match_probability"]))
    con.register("truth", truth.select(["record_id", "entity_id"]))
    row = con.execute(
        """
        WITH total AS (
            SELECT sum(n * (n - 1) // 2) AS true_pairs FROM (SELECT count(*) AS n FROM truth GROUP BY entity_id)
        ),
        labelled AS (
            SELECT p.match_probability, (l.entity_id = r.entity_id)::INTEGER AS correct
            FROM pairs p JOIN truth l ON l.record_id = p.person_id_l JOIN truth r ON r.record_id = p.person_id_r
        ),
        by_threshold AS (
            SELECT match_probability, sum(correct) AS correct, count(*) AS n FROM labelled GROUP BY match_probability
        ),
        cumulative AS (
            SELECT match_probability,
                   sum(correct) OVER (ORDER BY match_probability DESC) AS tp,
                   sum(n) OVER (ORDER BY match_probability DESC) AS predicted
            FROM by_threshold
        )
        SELECT max(tp / (SELECT true_pairs FROM total)) AS recall,
               arg_max(match_probability, tp) AS threshold
        FROM cumulative WHERE tp / predicted >= ?
        """,
        [precision],
    ).fetchone()
    con.close()
    if row is None or row[0] is None:
        return 0.0, 1.0
    return float(row[0]), float(row[1])
