"""Pages that change parts of a person's record: names, nationality claims, identifiers, documents
(and the audited download of a document)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.views import View

from homecoming.audit.models import AuditAction
from homecoming.audit.services import audit_record
from homecoming.core.access import access_person, persons_visible_to
from homecoming.registry import services
from homecoming.registry.forms import (
    DocumentForm,
    IdentifierForm,
    NameForm,
    NationalityClaimForm,
    NationalityDecisionForm,
)
from homecoming.registry.models import FamilyLink, Identifier, NationalityClaim, Person, PersonDocument, PersonName
from homecoming.registry.views._common import PersonFormView, done, tab_url

# --- names ------------------------------------------------------------------------------------------


class PersonNameAddView(PersonFormView):
    template_name = "registry/record_form.html"
    tab = "names"
    title = _("Add a spelling of the name")

    def make_form(self, request: HttpRequest, person: Person, data: Any = None, files: Any = None) -> NameForm:
        return NameForm(data)

    def save(self, request: HttpRequest, person: Person, form: Any) -> PersonName:
        return services.person_name_add(
            person=person,
            by=request.user,  # type: ignore[arg-type]
            name=form.name_input(),
            make_primary=form.cleaned_data["make_primary"],
        )

    def success_message(self, person: Person, result: Any) -> str:
        return str(_("The name “%(name)s” is added.") % {"name": result.full_name})


class _NameActionView(LoginRequiredMixin, View):
    """A POST on one name of a person (remove it, make it primary)."""

    def post(self, request: HttpRequest, pk: int, name_pk: int) -> HttpResponse:
        person = access_person(request.user, pk, action="change", audit=False)
        name = get_object_or_404(PersonName, pk=name_pk, person=person)
        try:
            message = self.act(request, name)
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        else:
            messages.success(request, message)
        return done(request, tab_url(person, "names"))

    def act(self, request: HttpRequest, name: PersonName) -> str:
        raise NotImplementedError


class PersonNameRemoveView(_NameActionView):
    def act(self, request: HttpRequest, name: PersonName) -> str:
        services.person_name_remove(name=name, by=request.user)  # type: ignore[arg-type]
        return str(_("The name “%(name)s” is removed.") % {"name": name.full_name})


class PersonNamePrimaryView(_NameActionView):
    def act(self, request: HttpRequest, name: PersonName) -> str:
        services.person_name_set_primary(name=name, by=request.user)  # type: ignore[arg-type]
        return str(_("“%(name)s” is now the primary name.") % {"name": name.full_name})


# --- nationality ----------------------------------------------------------------------------------


def _linked_relatives(user: Any, person: Person) -> QuerySet[Person]:
    """Relatives of ``person`` that ``user`` may see (the DNA comparison is with one of them)."""
    links = FamilyLink.objects.filter(Q(person=person) | Q(relative=person))
    ids = {pk for pair in links.values_list("person_id", "relative_id") for pk in pair} - {person.pk}
    return persons_visible_to(user).filter(pk__in=ids).order_by("display_name")


class NationalityCreateView(PersonFormView):
    template_name = "registry/record_form.html"
    title = _("Add a nationality claim")

    def make_form(self, request: HttpRequest, person: Person, data: Any = None, files: Any = None) -> Any:
        return NationalityClaimForm(
            data, documents=person.documents.order_by("-uploaded_at"), relatives=_linked_relatives(request.user, person)
        )

    def save(self, request: HttpRequest, person: Person, form: Any) -> NationalityClaim:
        data = form.cleaned_data
        return services.nationality_claim_add(
            person=person,
            by=request.user,  # type: ignore[arg-type]
            country=data["country"],
            basis=data["basis"],
            statement=data.get("statement") or "",
            documents=data.get("evidence_documents") or [],
            dna_result=data.get("dna_result") or "",
            dna_relative=data.get("dna_relative"),
            dna_reference=data.get("dna_reference") or "",
        )

    def success_message(self, person: Person, result: Any) -> str:
        return str(_("The claim to %(country)s nationality is recorded.") % {"country": result.get_country_display()})


class NationalityDecideView(PersonFormView):
    template_name = "registry/record_form.html"
    title = _("Decide on a nationality claim")

    def claim(self, person: Person) -> NationalityClaim:
        return get_object_or_404(NationalityClaim, pk=self.kwargs_extra["claim_pk"], person=person)

    def make_form(self, request: HttpRequest, person: Person, data: Any = None, files: Any = None) -> Any:
        claim = self.claim(person)
        initial = {
            "status": claim.status if claim.status != "claimed" else None,
            "decision_note": claim.decision_note,
            "evidence_documents": list(claim.evidence_documents.all()),
            "dna_result": claim.dna_result,
            "dna_reference": claim.dna_reference,
        }
        return NationalityDecisionForm(data, initial=initial, documents=person.documents.order_by("-uploaded_at"))

    def extra_context(self, request: HttpRequest, person: Person) -> dict[str, Any]:
        return {"claim": self.claim(person)}

    def save(self, request: HttpRequest, person: Person, form: Any) -> NationalityClaim:
        data = form.cleaned_data
        return services.nationality_claim_decide(
            claim=self.claim(person),
            by=request.user,  # type: ignore[arg-type]
            status=data["status"],
            note=data["decision_note"],
            documents=data.get("evidence_documents") or [],
            dna_result=data.get("dna_result") or "",
            dna_reference=data.get("dna_reference") or "",
        )

    def success_message(self, person: Person, result: Any) -> str:
        return str(
            _("The claim to %(country)s nationality is %(status)s.")
            % {"country": result.get_country_display(), "status": result.get_status_display()}
        )


# --- identifiers ----------------------------------------------------------------------------------


class IdentifierCreateView(PersonFormView):
    template_name = "registry/record_form.html"
    title = _("Add an identifier")

    def make_form(self, request: HttpRequest, person: Person, data: Any = None, files: Any = None) -> Any:
        return IdentifierForm(data)

    def save(self, request: HttpRequest, person: Person, form: Any) -> Identifier:
        data = form.cleaned_data
        return services.identifier_add(
            person=person,
            by=request.user,  # type: ignore[arg-type]
            identifier_type=data["identifier_type"],
            value=data["value"],
            issuer_country=data.get("issuer_country") or "",
            issuing_authority=data.get("issuing_authority") or "",
            issued_on=data.get("issued_on"),
            valid_until=data.get("valid_until"),
        )

    def success_message(self, person: Person, result: Any) -> str:
        return str(_("The identifier is recorded."))


class IdentifierRemoveView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int, identifier_pk: int) -> HttpResponse:
        person = access_person(request.user, pk, action="change", audit=False)
        identifier = get_object_or_404(Identifier, pk=identifier_pk, person=person)
        services.identifier_remove(identifier=identifier, by=request.user)  # type: ignore[arg-type]
        messages.success(request, _("The identifier is removed."))
        return done(request, tab_url(person, "identity"))


# --- documents ------------------------------------------------------------------------------------


class DocumentUploadView(PersonFormView):
    template_name = "registry/record_form.html"
    tab = "documents"
    title = _("Upload a document or photo")

    def make_form(self, request: HttpRequest, person: Person, data: Any = None, files: Any = None) -> Any:
        return DocumentForm(data, files)

    def save(self, request: HttpRequest, person: Person, form: Any) -> PersonDocument:
        data = form.cleaned_data
        return services.document_add(
            person=person,
            by=request.user,  # type: ignore[arg-type]
            kind=data["kind"],
            file=data["file"],
            title=data.get("title") or "",
            issued_on=data.get("issued_on"),
        )

    def success_message(self, person: Person, result: Any) -> str:
        return str(_("“%(name)s” is uploaded.") % {"name": result})


class DocumentDownloadView(LoginRequiredMixin, View):
    """A document, served only here: access-checked, audited, as an attachment, never cached."""

    def get(self, request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
        person = access_person(request.user, pk, audit=False)
        document = get_object_or_404(PersonDocument, pk=document_pk, person=person)
        with transaction.atomic():
            audit_record(
                actor=request.user,
                action=AuditAction.VIEW,
                obj=person,
                changed_fields=["documents"],
                detail={"what": "document_downloaded", "document": document.pk, "sha256": document.sha256},
            )
        try:
            handle = document.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(
            handle,
            content_type=document.content_type or "application/octet-stream",
            as_attachment=True,
            filename=document.original_name or f"document-{document.pk}",
        )
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response
