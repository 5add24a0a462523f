"""Batch deduplication of the whole registry at scale, side by side with a plain Splink model (issue 7b).

    DATABASE_URL=postgres://…/hc_dedup_bench .venv/bin/python -m bench.matching_dedup --persons 1000000

1. **Load** (once; reused while the count and seed match) ``--persons`` generated people
   (``matching.generator``: families, duplicates across scripts, estimated dates; known truth) into the
   registry tables of the database, as persons of an agency of their own (code ``bench-dedup``), with ``COPY``.
   Not timed: the issue's figure excludes generation.
2. **Ours, end to end**: a child process runs ``dedup_registry_run()`` — the service behind ``manage.py
   dedup_registry`` — from the persons table to clusters and review candidates written back. Its wall time and
   peak memory (the child's maximum resident set, from ``wait4``) are what is reported.
3. **Plain Splink**: a child process reads the same records from the database (the same ``registry_records``)
   and runs Splink as its documentation sets up a person dedupe (``model.baseline_settings``: Jaro-Winkler on
   the names as written, ``DateOfBirthComparison``, exact sex, ``block_on`` the raw columns, trained by EM the
   same way), then clusters. Its pairs and clusters are kept in a Parquet file for scoring; nothing is written
   back (so its time leaves out a write ours includes).
4. **Scores** against the truth (``batch.evaluate``): pairwise precision, recall and F1 of the clusters each
   model makes at its threshold, and the best recall each model's scored pairs reach at a precision of at
   least ours (edges, before clustering) — "recall at equal precision".

``--skip-baseline`` runs only ours. DuckDB uses every core.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("DJANGO_DEBUG", "false")

import django

django.setup()

import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from homecoming.accounts.choices import AgencyKind  # noqa: E402
from homecoming.accounts.models import Agency  # noqa: E402
from homecoming.matching.batch.evaluate import cluster_scores, recall_at_precision  # noqa: E402
from homecoming.matching.batch.fixtures import population_load  # noqa: E402
from homecoming.matching.generator import generate_population  # noqa: E402
from homecoming.registry.models import NameKey, Person, PersonName  # noqa: E402

AGENCY = "bench-dedup"


# --------------------------------------------------------------------------------------------------
# Loading the generated population (not timed)
# --------------------------------------------------------------------------------------------------


def _load(persons: int, seed: int) -> pa.Table:
    """The truth table (``record_id`` = the person id in the database, ``entity_id``, ``family_id``)."""
    agency, _ = Agency.objects.get_or_create(
        code=AGENCY, defaults={"name": "Deduplication benchmark", "kind": AgencyKind.CHILD_PROTECTION}
    )
    marker = f"generated n={persons} seed={seed}"
    population = generate_population(n=persons, seed=seed)
    loaded = Person.objects.filter(owner_agency=agency).count()
    if loaded != persons or agency.name != f"Deduplication benchmark ({marker})":
        print(f"loading {persons:,} generated persons (found {loaded:,})…", flush=True)
        start = time.perf_counter()
        with transaction.atomic():
            NameKey.objects.filter(person__owner_agency=agency).delete()
            PersonName.objects.filter(person__owner_agency=agency).delete()
            Person.objects.filter(owner_agency=agency).delete()
        population_load(population, agency=agency)
        Agency.objects.filter(pk=agency.pk).update(name=f"Deduplication benchmark ({marker})")
        with connection.cursor() as cursor:
            for model in (Person, PersonName):
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
        print(f"loaded in {time.perf_counter() - start:.0f} s", flush=True)
    others = Person.objects.exclude(owner_agency=agency).count()
    if others:
        print(f"note: the database holds {others:,} other persons; they are deduplicated too, and scored as unique")
    first = Person.objects.filter(owner_agency=agency).order_by("pk").values_list("pk", flat=True).first() or 1
    offset = first - 1
    ids = pa.array([offset + value for value in population["record_id"].to_pylist()], pa.int64())
    return pa.table({"record_id": ids, "entity_id": population["entity_id"], "family_id": population["family_id"]})


# --------------------------------------------------------------------------------------------------
# The measured runs, each in a child process of its own
# --------------------------------------------------------------------------------------------------


def _child_ours(out: Path) -> None:
    from homecoming.matching.batch.services import dedup_registry_run

    run = dedup_registry_run()
    out.write_text(json.dumps({"run": run.pk, "timings": run.timings, "persons": run.persons, "names": run.names}))


def _child_baseline(out: Path) -> None:
    from homecoming.matching.batch.pipeline import dedupe
    from homecoming.matching.batch.services import registry_records

    timings: dict[str, float] = {}
    start = time.perf_counter()
    records = registry_records()
    timings["read"] = round(time.perf_counter() - start, 3)
    result = dedupe(records, model="baseline")
    timings.update(result.timings)
    pq.write_table(result.clusters, out.with_suffix(".clusters.parquet"))
    pq.write_table(
        result.pairs.select(["person_id_l", "person_id_r", "match_probability"]), out.with_suffix(".pairs.parquet")
    )
    trained = {
        comparison["output_column_name"]: [
            (level.get("label_for_charts"), level.get("m_probability"), level.get("u_probability"))
            for level in comparison["comparison_levels"]
        ]
        for comparison in result.model.get("comparisons", [])
    }
    out.write_text(
        json.dumps(
            {"timings": timings, "model": trained, "prior": result.model.get("probability_two_random_records_match")}
        )
    )


def _measure(kind: str, out: Path) -> dict[str, Any]:
    """Run ``--child kind`` and return its report with its wall time and peak resident memory."""
    command = [sys.executable, "-m", "bench.matching_dedup", "--child", kind, "--out", str(out)]
    start = time.perf_counter()
    process = subprocess.Popen(command)  # noqa: S603 - our own interpreter and module
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"the {kind} run failed (exit {process.returncode})")
    report: dict[str, Any] = json.loads(out.read_text())
    report["wall"] = wall
    report["peak_mb"] = usage.ru_maxrss / 1024  # kilobytes on Linux
    report["cpu"] = usage.ru_utime + usage.ru_stime
    return report


# --------------------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------------------


def _ours_results(run_id: int) -> tuple[pa.Table, pa.Table]:
    from homecoming.matching.models import DedupCluster, DuplicateCandidate

    clusters = list(DedupCluster.objects.filter(run_id=run_id).values_list("person_id", "cluster_id"))
    pairs = list(
        DuplicateCandidate.objects.filter(run_id=run_id).values_list("person_a_id", "person_b_id", "probability")
    )
    return (
        pa.table(
            {"person_id": [c[0] for c in clusters], "cluster_id": [c[1] for c in clusters]},
            schema=pa.schema([("person_id", pa.int64()), ("cluster_id", pa.int64())]),
        ),
        pa.table(
            {
                "person_id_l": [p[0] for p in pairs],
                "person_id_r": [p[1] for p in pairs],
                "match_probability": [p[2] for p in pairs],
            },
            schema=pa.schema(
                [("person_id_l", pa.int64()), ("person_id_r", pa.int64()), ("match_probability", pa.float64())]
            ),
        ),
    )


def _line(
    name: str, report: dict[str, Any], clusters: pa.Table, pairs: pa.Table, truth: pa.Table, at: list[float]
) -> dict[str, Any]:
    scores = cluster_scores(clusters, truth)
    edges = {precision: recall_at_precision(pairs, truth, precision=precision) for precision in at}
    steps = ", ".join(f"{step} {seconds:.1f}" for step, seconds in report["timings"].items())
    print(
        f"{name:<14} wall {report['wall']:6.1f} s (cpu {report['cpu']:.0f} s; {steps})  peak memory {report['peak_mb']:,.0f} MB\n"
        f"{'':<14} clusters: precision {scores.precision:.3f}, recall {scores.recall:.3f}, F1 {scores.f1:.3f} "
        f"({scores.predicted_pairs:,} pairs predicted of {scores.true_pairs:,} true; {scores.family_false_pairs:,} wrong pairs within a family)"
    )
    for precision, (recall, threshold) in edges.items():
        print(
            f"{'':<14} scored pairs: best recall at precision ≥ {precision:.3f}: {recall:.3f} (threshold {threshold:.3f})"
        )
    return {"precision": scores.precision, "recall": scores.recall, "edges": edges}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--child", choices=["ours", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        (_child_ours if args.child == "ours" else _child_baseline)(args.out)
        return 0
    if connection.vendor != "postgresql":
        print("Run it on PostgreSQL (DATABASE_URL=postgres://…).", file=sys.stderr)
        return 2

    truth = _load(args.persons, args.seed)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB; "
        f"PostgreSQL {connection.pg_version}; {Person.objects.count():,} persons, {PersonName.objects.count():,} names; "  # type: ignore[attr-defined]
        f"seed {args.seed}",
        flush=True,
    )
    connection.close()  # the children open their own
    with tempfile.TemporaryDirectory(prefix="bench-dedup-") as work:
        ours = _measure("ours", Path(work) / "ours.json")
        ours_clusters, ours_pairs = _ours_results(ours["run"])
        first = _line("ours", ours, ours_clusters, ours_pairs, truth, [0.99, 0.95])
        precision = round(first["precision"], 3)
        if args.skip_baseline:
            return 0
        base = _measure("baseline", Path(work) / "baseline.json")
        base_clusters = pq.read_table(Path(work) / "baseline.clusters.parquet")
        base_pairs = pq.read_table(Path(work) / "baseline.pairs.parquet")
        print(f"{'':<14} (ours' cluster precision {precision:.3f} is the precision the two are compared at)")
        second = _line("plain Splink", base, base_clusters, base_pairs, truth, [precision, 0.99, 0.95])
        ours_at = recall_at_precision(ours_pairs, truth, precision=precision)[0]
        print(
            f"recall at precision ≥ {precision:.3f}: ours {max(first['recall'], ours_at):.3f} (clusters {first['recall']:.3f}, "
            f"scored pairs {ours_at:.3f}), plain Splink {second['edges'][precision][0]:.3f} (scored pairs; clusters "
            f"{second['recall']:.3f} at precision {second['precision']:.3f})"
        )
        print("plain Splink's trained model (m, u per level):")
        for comparison, levels in base["model"].items():
            cells = "; ".join(
                f"{label}: {m if m is None else round(m, 4)}/{u if u is None else round(u, 5)}"
                for label, m, u in levels
            )
            print(f"  {comparison}: {cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
