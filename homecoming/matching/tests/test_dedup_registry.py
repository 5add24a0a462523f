"""The batch deduplication against the database: registry tables in, clusters and review candidates out.

Generated people (fixed seed) are loaded into the registry tables; the run reads them back from the database
(``COPY`` on PostgreSQL), trains on them and writes its findings. Runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import math
from io import StringIO
from unittest import mock

import pyarrow as pa
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from homecoming.audit.models import AuditEntry
from homecoming.core.models import Job
from homecoming.core.testing.factories import AgencyFactory
from homecoming.matching.batch.fixtures import population_load
from homecoming.matching.batch.services import dedup_registry_run, registry_records
from homecoming.matching.generator import generate_population
from homecoming.matching.models import DedupCluster, DedupRun, DedupRunStatus, DuplicateCandidate, DuplicateStatus
from homecoming.registry.models import Person, PersonName

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def population() -> pa.Table:
    return generate_population(n=800, seed=7)


@pytest.fixture
def loaded(population) -> tuple[pa.Table, dict[int, int]]:
    """The population in the registry; returns it and ``{person id: entity id}`` (the truth)."""
    offset = population_load(population, agency=AgencyFactory(code="own"))
    truth = {
        offset + record: entity
        for record, entity in zip(population["record_id"].to_pylist(), population["entity_id"].to_pylist(), strict=True)
    }
    return population, truth


def test_registry_records_reads_every_name_with_the_persons_dates(loaded):
    population, truth = loaded
    records = registry_records()
    assert records.num_rows == population.num_rows
    assert set(records["person_id"].to_pylist()) == set(truth)
    by_person = {row["person_id"]: row for row in records.to_pylist()}
    first = population.slice(0, 1).to_pylist()[0]
    row = by_person[min(truth)]
    assert (row["given_name"], row["family_name"]) == (first["given_name"], first["family_name"])
    assert row["birth_date"] == first["birth_date"]
    assert row["birth_date_min"] == first["birth_date_min"]


def test_a_person_with_names_in_two_scripts_is_one_person_and_nameless_persons_are_read():
    agency = AgencyFactory(code="own")
    person = Person.objects.create(owner_agency=agency, display_name="Madina Karimova", sex="F")
    PersonName.objects.create(
        person=person, full_name="Madina Karimova", given_name="Madina", family_name="Karimova", kind="primary",
        is_primary=True,
    )  # fmt: skip
    PersonName.objects.create(person=person, full_name="Мадина Каримова", kind="alias")
    bare = Person.objects.create(owner_agency=agency, display_name="Zarina Sharipova", sex="F")
    records = registry_records().to_pylist()
    assert sorted(row["person_id"] for row in records) == sorted([person.pk, person.pk, bare.pk])
    split = [row for row in records if row["person_id"] == person.pk and row["given_name"] == "Мадина"]
    assert split
    assert split[0]["family_name"] == "Каримова"  # the full name split into given and family
    nameless = next(row for row in records if row["person_id"] == bare.pk)
    assert (nameless["given_name"], nameless["family_name"]) == ("Zarina", "Sharipova")


def test_run_writes_clusters_and_candidates_that_are_mostly_true(loaded):
    _population, truth = loaded
    run = dedup_registry_run(threshold=0.9, review_threshold=0.5)
    run.refresh_from_db()
    assert run.status == DedupRunStatus.SUCCEEDED
    assert run.persons == len(truth)
    assert run.names == len(truth)
    assert run.finished_at is not None
    assert set(run.timings) >= {"read", "prepare", "train", "predict", "cluster", "write"}
    assert run.model["comparisons"]

    clusters = list(DedupCluster.objects.filter(run=run).values_list("person_id", "cluster_id", "size"))
    assert run.clustered_persons == len(clusters) > 20
    correct = sum(1 for person, cluster, _size in clusters if truth[person] == truth[cluster])
    assert correct / len(clusters) >= 0.95

    candidates = list(DuplicateCandidate.objects.filter(run=run))
    assert run.candidates == len(candidates) >= run.clusters
    assert all(c.person_a_id < c.person_b_id and c.probability >= 0.5 for c in candidates)
    confident = [c for c in candidates if c.probability >= 0.9]
    true_confident = sum(1 for c in confident if truth[c.person_a_id] == truth[c.person_b_id])
    assert true_confident / len(confident) >= 0.95
    evidence = candidates[0].evidence
    assert {"name", "birth_date", "sex", "match_weight"} <= set(evidence)
    assert set(evidence["name"]) == {"level", "weight"}
    # The fields' weights (a common name's term-frequency adjustment included) and the prior add up to the
    # pair's match weight, so a reviewer reads where every bit of the score comes from.
    prior = run.model["probability_two_random_records_match"]
    prior_weight = math.log2(prior / (1 - prior))
    for candidate in candidates:
        fields = [candidate.evidence[name]["weight"] or 0.0 for name in ("name", "birth_date", "sex")]
        assert sum(fields) + prior_weight == pytest.approx(candidate.evidence["match_weight"], abs=0.05)
    assert AuditEntry.objects.filter(object_type="matching.deduprun", object_id=str(run.pk)).exists()


def test_a_later_run_keeps_decisions_and_refreshes_pending_pairs(loaded):
    first = dedup_registry_run()
    candidates = list(DuplicateCandidate.objects.order_by("id"))
    decided, pending = candidates[0], candidates[1]
    decided.status = DuplicateStatus.NOT_SAME
    decided.save()
    stale = DuplicateCandidate.objects.create(
        person_a_id=min(loaded[1]), person_b_id=max(loaded[1]), run=first, probability=0.6
    )
    second = dedup_registry_run()
    decided.refresh_from_db()
    pending.refresh_from_db()
    assert decided.status == DuplicateStatus.NOT_SAME
    assert decided.run_id == first.pk  # left as the reviewer left it
    assert pending.run_id == second.pk
    assert not DuplicateCandidate.objects.filter(pk=stale.pk).exists()  # not found again: dropped
    assert set(DedupCluster.objects.values_list("run_id", flat=True)) == {second.pk}


def test_a_failed_run_is_recorded(loaded):
    with (
        mock.patch("homecoming.matching.batch.services.dedupe", side_effect=RuntimeError("out of memory")),
        pytest.raises(RuntimeError),
    ):
        dedup_registry_run()
    run = DedupRun.objects.get()
    assert run.status == DedupRunStatus.FAILED
    assert "out of memory" in run.error_message
    assert not DuplicateCandidate.objects.exists()


def test_command_runs_now_and_reports(loaded):
    out = StringIO()
    call_command("dedup_registry", "--threshold", "0.9", "--review-threshold", "0.6", stdout=out)
    run = DedupRun.objects.get()
    assert f"Run #{run.pk}: {run.persons} persons" in out.getvalue()
    assert run.review_threshold == 0.6


def test_command_checks_thresholds():
    with pytest.raises(CommandError):
        call_command("dedup_registry", "--threshold", "0.5", "--review-threshold", "0.8")
    with pytest.raises(CommandError):
        call_command("dedup_registry", "--threshold", "1.5")


def test_command_in_the_background_queues_a_job_that_reports_progress(loaded):
    from homecoming.matching.batch.tasks import DEDUP_KIND, dedup_registry_job

    out = StringIO()
    call_command("dedup_registry", "--background", stdout=out)
    job = Job.objects.get(kind=DEDUP_KIND)
    assert f"job #{job.pk}" in out.getvalue()
    assert not DedupRun.objects.exists()  # queued, not run
    dedup_registry_job.call(job.pk, **{k: job.params[k] for k in ("threshold", "review_threshold")})
    job.refresh_from_db()
    run = DedupRun.objects.get()
    assert job.status == "succeeded", job.error
    assert job.progress == 100
    assert job.result["candidates"] == run.candidates
    assert run.job_id == job.pk
    assert "pairs to review" in job.log
