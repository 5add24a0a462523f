"""The duplicate review pages. Each view: one access check, one selector or service, render.

Everything needs ``match.review``; a pair is in scope when the user may change both persons (404 otherwise),
a merge when the user may change its surviving record. Pages that show persons write the read entries of the
audit trail; decisions are audited by the services.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from homecoming.audit.models import AuditAction
from homecoming.audit.services import audit_record
from homecoming.core.access import audit_list
from homecoming.matching import selectors, services
from homecoming.matching.forms import MERGE_FIELD_LABELS, MergeForm
from homecoming.matching.models import DuplicateCandidate, DuplicateStatus
from homecoming.registry.models import Person

PAGE_SIZE = 25
OBJECT_TYPE = "registry.person"


def _errors(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _value(person: Person, field: str) -> str:
    if field == "name":
        return person.display_name
    if field == "sex":
        return str(person.get_sex_display())
    if field == "birth_date":
        if person.birth_date is None:
            return ""
        if person.birth_is_estimated and person.birth_date_min and person.birth_date_max:
            return _("about %(date)s (%(low)s to %(high)s)") % {
                "date": person.birth_date.isoformat(),
                "low": person.birth_date_min.isoformat(),
                "high": person.birth_date_max.isoformat(),
            }
        return person.birth_date.isoformat()
    if field == "birth_country":
        return str(person.get_birth_country_display()) if person.birth_country else ""
    return str(getattr(person, field) or "")


class CandidateListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        status = request.GET.get("status") or DuplicateStatus.PENDING
        queue = selectors.candidate_queue(user=request.user, status=status)
        page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = list(page.object_list)
        audit_list(
            request.user,
            sorted({pk for row in rows for pk in (row.person_a_id, row.person_b_id)}),
            object_type=OBJECT_TYPE,
            purpose="duplicate review",
        )
        return render(
            request,
            "matching/candidate_list.html",
            {"page": page, "candidates": rows, "status": status, "statuses": DuplicateStatus.choices},
        )


class CandidateDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        candidate = selectors.candidate_get(user=request.user, pk=pk)
        with transaction.atomic():
            for person in (candidate.person_a, candidate.person_b):
                audit_record(actor=request.user, action=AuditAction.VIEW, obj=person, purpose="duplicate review")
        return render(request, "matching/candidate_detail.html", self.context(candidate, MergeForm()))

    @staticmethod
    def context(candidate: DuplicateCandidate, form: MergeForm) -> dict[str, Any]:
        left, right = candidate.person_a, candidate.person_b
        fields = [
            {
                "name": name,
                "label": label,
                "left": _value(left, name),
                "right": _value(right, name),
                "same": _value(left, name) == _value(right, name),
                "field": form[name],
            }
            for name, label in MERGE_FIELD_LABELS.items()
        ]
        return {
            "candidate": candidate,
            "left": left,
            "right": right,
            "left_names": list(left.names.all()),
            "right_names": list(right.names.all()),
            "evidence": selectors.candidate_evidence(candidate),
            "batch_evidence": selectors.batch_evidence(candidate),
            "fields": fields,
            "form": form,
            "pending": candidate.status == DuplicateStatus.PENDING,
        }


class CandidateNotSameView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        candidate = selectors.candidate_get(user=request.user, pk=pk)
        try:
            services.candidate_mark_not_same(candidate=candidate, by=request.user)
        except ValidationError as error:
            _errors(request, error)
            return HttpResponseRedirect(reverse("matching:candidate_detail", kwargs={"pk": candidate.pk}))
        messages.success(request, _("Recorded: different people. This pair will not be proposed again."))
        return HttpResponseRedirect(reverse("matching:candidate_list"))


class CandidateMergeView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        candidate = selectors.candidate_get(user=request.user, pk=pk)
        form = MergeForm(request.POST)
        if not form.is_valid():
            context = CandidateDetailView.context(candidate, form)
            return render(request, "matching/candidate_detail.html", context, status=400)
        survivor = candidate.person_a if form.cleaned_data["survivor"] == "a" else candidate.person_b
        try:
            merge = services.person_merge(
                candidate=candidate, survivor=survivor, by=request.user, choices=form.choices()
            )
        except ValidationError as error:
            _errors(request, error)
            return HttpResponseRedirect(reverse("matching:candidate_detail", kwargs={"pk": candidate.pk}))
        messages.success(request, _("The two records are now one."))
        return HttpResponseRedirect(reverse("matching:merge_detail", kwargs={"pk": merge.pk}))


class MergeDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        merge = selectors.merge_get(user=request.user, pk=pk)
        if merge.survivor is not None:
            with transaction.atomic():
                audit_record(actor=request.user, action=AuditAction.VIEW, obj=merge.survivor, purpose="merge")
        choices = [
            {"label": MERGE_FIELD_LABELS[name], "kept": side}
            for name, side in merge.choices.items()
            if name in MERGE_FIELD_LABELS
        ]
        return render(
            request,
            "matching/merge_detail.html",
            {"merge": merge, "choices": choices, "moved": services.merge_journal_summary(merge)},
        )


class MergeUndoView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        merge = selectors.merge_get(user=request.user, pk=pk)
        try:
            restored = services.person_merge_undo(merge=merge, by=request.user)
        except ValidationError as error:
            _errors(request, error)
            return HttpResponseRedirect(reverse("matching:merge_detail", kwargs={"pk": merge.pk}))
        messages.success(
            request,
            _("The merge is undone: “%(name)s” is a record of its own again.") % {"name": restored.display_name},
        )
        return HttpResponseRedirect(reverse("matching:merge_detail", kwargs={"pk": merge.pk}))
