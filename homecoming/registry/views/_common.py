"""Helpers shared by the registry's page views."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View
from django_htmx.http import HttpResponseClientRedirect

from homecoming.audit.models import AuditAction
from homecoming.audit.services import audit_record
from homecoming.core.access import access_person
from homecoming.core.forms import add_service_errors
from homecoming.registry.models import Person


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def person_for(request: HttpRequest, pk: Any, action: str = "view") -> Person:
    """The person if the user may ``action`` them (404 out of scope, 403 without permission).

    A GET shows the person's data, so it also writes the read entry of the audit trail."""
    person = access_person(request.user, pk, action=action, audit=False)
    if request.method == "GET":
        with transaction.atomic():
            audit_record(actor=request.user, action=AuditAction.VIEW, obj=person)
    return person


def tab_url(person: Person, tab: str) -> str:
    return reverse("registry:person_detail", kwargs={"pk": person.pk}) + f"?tab={tab}"


def done(request: HttpRequest, url: str) -> HttpResponse:
    """After a successful write: a client redirect for HTMX, an ordinary one otherwise."""
    if is_htmx(request):
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)


class PersonFormView(LoginRequiredMixin, View):
    """A form on one person's record: GET shows it (audited read), POST validates and calls a service.

    Subclasses set ``template_name``, ``action`` and implement ``make_form`` and ``save``."""

    template_name = ""
    action = "change"
    tab = "identity"
    title: Any = ""
    kwargs_extra: dict[str, Any]

    def make_form(self, request: HttpRequest, person: Person, data: Any = None, files: Any = None) -> Any:
        raise NotImplementedError

    def save(self, request: HttpRequest, person: Person, form: Any) -> Any:
        """Call the service; raise ValidationError to show its errors on the form."""
        raise NotImplementedError

    def success_message(self, person: Person, result: Any) -> str:
        return ""

    def success_url(self, person: Person, result: Any) -> str:
        return tab_url(person, self.tab)

    def extra_context(self, request: HttpRequest, person: Person) -> dict[str, Any]:
        return {}

    def render_form(self, request: HttpRequest, person: Person, form: Any, status: int = 200) -> HttpResponse:
        context = {"person": person, "form": form, "title": self.title, "cancel_url": tab_url(person, self.tab)}
        context.update(self.extra_context(request, person))
        return render(request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, pk: int, **kwargs: Any) -> HttpResponse:
        person = person_for(request, pk, self.action)
        self.kwargs_extra = kwargs
        return self.render_form(request, person, self.make_form(request, person))

    def post(self, request: HttpRequest, pk: int, **kwargs: Any) -> HttpResponse:
        person = person_for(request, pk, self.action)
        self.kwargs_extra = kwargs
        form = self.make_form(request, person, request.POST, request.FILES)
        if form.is_valid():
            try:
                result = self.save(request, person, form)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                message = self.success_message(person, result)
                if message:
                    messages.success(request, message)
                return done(request, self.success_url(person, result))
        return self.render_form(request, person, form, status=400)
