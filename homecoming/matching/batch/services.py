"""Deduplicate the whole registry: persons table → Splink on DuckDB → clusters and review candidates back.

``dedup_registry_run()`` is the service behind ``manage.py dedup_registry`` and the ``matching.dedup`` job:

1. read every name of every person (one record per ``PersonName``; a person without names is read with its
   display name) with the person's sex and birth-date range — on PostgreSQL with ``COPY … TO STDOUT``;
2. run :func:`homecoming.matching.batch.pipeline.dedupe` (trained on the data, no labels);
3. in one transaction: replace the stored clusters with this run's (``DedupCluster``, clusters of two or more
   persons only), upsert the scored pairs of persons into ``DuplicateCandidate`` (a pending candidate is
   updated, a decided one is left as the reviewer left it, a pending one not found again is removed), record
   the counts on the ``DedupRun`` and write one audit entry — on PostgreSQL the rows go in with ``COPY``.

Nobody is merged: merging is a person's decision on the review list.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homecoming.audit.models import AuditAction
from homecoming.audit.services import audit_record
from homecoming.matching.batch.pipeline import DEFAULT_REVIEW_THRESHOLD, DEFAULT_THRESHOLD, DedupResult, dedupe
from homecoming.matching.models import (
    DedupCluster,
    DedupRun,
    DedupRunStatus,
    DuplicateCandidate,
    DuplicateStatus,
)
from homecoming.registry.models import Person, PersonName

__all__ = ["dedup_registry_run", "registry_records"]

logger = logging.getLogger(__name__)

Progress = Callable[[int, str], None]

_RECORD_SCHEMA = pa.schema(
    [
        ("record_id", pa.int64()),
        ("person_id", pa.int64()),
        ("given_name", pa.string()),
        ("family_name", pa.string()),
        ("full_name", pa.string()),
        ("sex", pa.string()),
        ("birth_date", pa.date32()),
        ("birth_date_min", pa.date32()),
        ("birth_date_max", pa.date32()),
    ]
)

_BATCH = 5000


def _records_sql() -> str:
    person, name = Person._meta.db_table, PersonName._meta.db_table
    # A person's names are records with positive ids; a person without any name is read once with its display
    # name, under the negative of its id (no name has that id).
    return f"""
        SELECT n.id AS record_id, n.person_id, n.given_name, n.family_name, n.full_name,
               p.sex, p.birth_date, p.birth_date_min, p.birth_date_max
        FROM {name} n JOIN {person} p ON p.id = n.person_id
        UNION ALL
        SELECT -p.id, p.id, '', '', p.display_name, p.sex, p.birth_date, p.birth_date_min, p.birth_date_max
        FROM {person} p WHERE NOT EXISTS (SELECT 1 FROM {name} n WHERE n.person_id = p.id)
    """  # noqa: S608 - table names from the models, no user input


def _read_postgresql(sql: str) -> pa.Table:
    buffer = io.BytesIO()
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER)") as copy:
        for chunk in copy:
            buffer.write(chunk)
    buffer.seek(0)
    return pa_csv.read_csv(
        buffer,
        convert_options=pa_csv.ConvertOptions(
            column_types=_RECORD_SCHEMA, strings_can_be_null=False, quoted_strings_can_be_null=False
        ),
    ).select(_RECORD_SCHEMA.names)


def _read_generic(sql: str) -> pa.Table:
    columns: list[list[Any]] = [[] for _ in _RECORD_SCHEMA.names]
    with connection.cursor() as cursor:
        cursor.execute(sql)
        while rows := cursor.fetchmany(_BATCH):
            for row in rows:
                for position, value in enumerate(row):
                    columns[position].append(value)
    dates = {_RECORD_SCHEMA.get_field_index(name) for name in ("birth_date", "birth_date_min", "birth_date_max")}
    for index in dates:  # SQLite may return dates as text
        columns[index] = [dt.date.fromisoformat(value) if isinstance(value, str) else value for value in columns[index]]
    return pa.Table.from_arrays(
        [pa.array(values, type=field.type) for values, field in zip(columns, _RECORD_SCHEMA, strict=True)],
        names=_RECORD_SCHEMA.names,
    )


def _split_full_names(table: pa.Table) -> pa.Table:
    """Names stored only as a full name: the first word as the given name, the rest as the family name (the
    model compares both orders, so a family-name-first spelling is still found)."""
    given = table["given_name"].to_pylist()
    family = table["family_name"].to_pylist()
    full = table["full_name"].to_pylist()
    for index, (first, last, whole) in enumerate(zip(given, family, full, strict=True)):
        if not (first or last) and whole:
            parts = whole.split(maxsplit=1)
            given[index], family[index] = parts[0], parts[1] if len(parts) > 1 else None
        given[index] = given[index] or None
        family[index] = family[index] or None
    table = table.set_column(table.schema.get_field_index("given_name"), "given_name", pa.array(given, pa.string()))
    return table.set_column(table.schema.get_field_index("family_name"), "family_name", pa.array(family, pa.string()))


def registry_records() -> pa.Table:
    """Every name of every person as one record (``record_id``, ``person_id``, names, sex, birth-date range)."""
    sql = _records_sql()
    table = _read_postgresql(sql) if connection.vendor == "postgresql" else _read_generic(sql)
    return _split_full_names(table)


# --------------------------------------------------------------------------------------------------
# Writing back
# --------------------------------------------------------------------------------------------------


def _evidence_rows(result: DedupResult) -> Iterable[tuple[int, int, float, str]]:
    """(person_a, person_b, probability, evidence JSON) per scored pair of persons."""
    pairs = result.pairs
    comparisons = [name.removeprefix("gamma_") for name in pairs.column_names if name.startswith("gamma_")]
    columns = {name: pairs[name].to_pylist() for name in pairs.column_names}
    no_weights: list[Any] = [None] * pairs.num_rows
    # Each comparison's levels, gammas and weights looked up once (not once per pair).
    per_comparison = [
        (
            comparison,
            columns[f"gamma_{comparison}"],
            columns.get(f"mw_{comparison}", no_weights),
            # A common name's agreement counts less (term frequencies): its adjustment is part of the weight.
            columns.get(f"mw_tf_adj_{comparison}", no_weights),
            result.labels.get(comparison, {}),
        )
        for comparison in comparisons
    ]
    for index in range(pairs.num_rows):
        evidence: dict[str, Any] = {}
        for comparison, gammas, weights, adjustments, labels in per_comparison:
            gamma, weight, adjustment = gammas[index], weights[index], adjustments[index]
            if weight is not None and adjustment is not None:
                weight += adjustment
            evidence[comparison] = {
                "level": "missing" if gamma == -1 else labels.get(gamma, str(gamma)),
                "weight": None if weight is None or gamma == -1 else round(float(weight), 2),
            }
        evidence["match_weight"] = round(float(columns["match_weight"][index]), 2)
        yield (
            int(columns["person_id_l"][index]),
            int(columns["person_id_r"][index]),
            min(max(float(columns["match_probability"][index]), 0.0), 1.0),
            json.dumps(evidence, ensure_ascii=False),
        )


def _copy_in(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _write_clusters(run: DedupRun, clusters: pa.Table) -> None:
    DedupCluster.objects.exclude(run=run).delete()
    rows = zip(
        clusters["person_id"].to_pylist(), clusters["cluster_id"].to_pylist(), clusters["size"].to_pylist(), strict=True
    )
    if connection.vendor == "postgresql":
        _copy_in(
            DedupCluster._meta.db_table, ["run_id", "person_id", "cluster_id", "size"], ((run.pk, *row) for row in rows)
        )
        return
    DedupCluster.objects.bulk_create(
        (DedupCluster(run=run, person_id=person, cluster_id=cluster, size=size) for person, cluster, size in rows),
        batch_size=_BATCH,
    )


def _write_candidates(run: DedupRun, result: DedupResult) -> int:
    """Upsert the scored pairs; keep decided candidates; drop pending ones this run did not find again."""
    table = DuplicateCandidate._meta.db_table
    now = timezone.now()
    rows = ((a, b, run.pk, probability, evidence, now, now) for a, b, probability, evidence in _evidence_rows(result))
    columns = ["person_a_id", "person_b_id", "run_id", "probability", "evidence", "created_at", "updated_at"]
    conflict = f"""
        ON CONFLICT (person_a_id, person_b_id) DO UPDATE SET
            run_id = excluded.run_id, probability = excluded.probability, evidence = excluded.evidence,
            updated_at = excluded.updated_at
        WHERE {table}.status = %s
    """
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Dropped at once too: ON COMMIT only fires at the outermost commit, and a caller may hold a transaction.
            cursor.execute("DROP TABLE IF EXISTS dedup_candidates_in")
            cursor.execute(
                "CREATE TEMPORARY TABLE dedup_candidates_in (person_a_id bigint, person_b_id bigint, run_id bigint, "
                "probability double precision, evidence jsonb, created_at timestamptz, updated_at timestamptz) "
                "ON COMMIT DROP"
            )
            _copy_in("dedup_candidates_in", columns, rows)
            cursor.execute(
                f"INSERT INTO {table} ({names}, status) SELECT {names}, %s FROM dedup_candidates_in {conflict}",  # noqa: S608
                [DuplicateStatus.PENDING, DuplicateStatus.PENDING],
            )
            cursor.execute("DROP TABLE dedup_candidates_in")
        else:
            placeholders = ", ".join(["%s"] * (len(columns) + 1))
            cursor.executemany(
                f"INSERT INTO {table} ({names}, status) VALUES ({placeholders}) {conflict}",  # noqa: S608
                [(*row, DuplicateStatus.PENDING, DuplicateStatus.PENDING) for row in rows],
            )
    DuplicateCandidate.objects.filter(status=DuplicateStatus.PENDING).exclude(run=run).delete()
    return DuplicateCandidate.objects.filter(run=run).count()


# --------------------------------------------------------------------------------------------------
# The service
# --------------------------------------------------------------------------------------------------


def dedup_registry_run(
    *,
    threshold: float = DEFAULT_THRESHOLD,
    review_threshold: float = DEFAULT_REVIEW_THRESHOLD,
    actor: Any = None,
    job: Any = None,
    progress: Progress | None = None,
) -> DedupRun:
    """Deduplicate the whole registry once; returns the finished run (failed runs are recorded, then re-raised).

    ``actor`` is the user who asked (``None`` for the system, e.g. a scheduled command); ``progress(percent,
    message)`` is called between steps (a job passes ``run.progress``, which may raise to cancel).
    """
    report = progress or (lambda percent, message: None)
    run = DedupRun(
        threshold=threshold,
        review_threshold=review_threshold,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        job=job,
    )
    run.full_clean()
    run.save()
    timings: dict[str, float] = {}
    try:
        report(5, str(_("Reading the registry")))
        start = time.perf_counter()
        records = registry_records()
        timings["read"] = round(time.perf_counter() - start, 3)
        report(20, str(_("Training the model and scoring pairs")))
        result = dedupe(records, threshold=threshold, review_threshold=review_threshold)
        timings.update(result.timings)
        report(80, str(_("Writing clusters and pairs to review")))
        start = time.perf_counter()
        with transaction.atomic():
            _write_clusters(run, result.clusters)
            candidates = _write_candidates(run, result)
            run.status = DedupRunStatus.SUCCEEDED
            run.finished_at = timezone.now()
            run.persons, run.names = result.persons, result.records
            run.clusters, run.clustered_persons = result.cluster_count, result.clusters.num_rows
            run.candidates = candidates
            run.model = json.loads(json.dumps(result.model, default=str))
            timings["write"] = round(time.perf_counter() - start, 3)
            run.timings = timings
            run.full_clean()
            run.save()
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                obj=run,
                purpose="registry deduplication",
                detail={
                    "persons": run.persons,
                    "clusters": run.clusters,
                    "clustered_persons": run.clustered_persons,
                    "candidates": run.candidates,
                    "threshold": threshold,
                    "review_threshold": review_threshold,
                },
            )
    except BaseException as exc:
        DedupRun.objects.filter(pk=run.pk).update(
            status=DedupRunStatus.FAILED, finished_at=timezone.now(), timings=timings, error_message=str(exc)[:2000]
        )
        raise
    logger.info("dedup run %s: %s", run.pk, timings)
    return run
