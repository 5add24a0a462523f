"""The person pages: the list (search by any spelling), registering, the record with its tabs, editing.

Each view: one access check (``core.access``), one service or selector, render. Out of scope
answers 404, a missing permission 403. Pages that show a person write the read entry of the audit
trail; lists write one entry for the ids shown.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views import View

from homecoming.accounts.models import Agency
from homecoming.core.access import (
    Perm,
    Scope,
    access_person,
    agencies_with,
    audit_list,
    can_see_field_group,
    require_perm,
)
from homecoming.core.forms import add_service_errors
from homecoming.registry import selectors, services
from homecoming.registry.choices import BirthDatePrecision
from homecoming.registry.filters import facility_countries
from homecoming.registry.forms import PersonCreateForm, PersonEditForm, SimilarQueryForm
from homecoming.registry.models import Person
from homecoming.registry.views._common import done, is_htmx, person_for, tab_url

PAGE_SIZE = 25
PERSON_TABS: tuple[tuple[str, Any], ...] = (
    ("identity", _("Identity")),
    ("names", _("Names")),
    ("family", _("Family")),
    ("custody", _("Custody")),
    ("documents", _("Documents")),
    ("cases", _("Cases")),
    ("history", _("History")),
)
OBJECT_TYPE = "registry.person"


# --- the list -----------------------------------------------------------------------------------


class PersonListView(LoginRequiredMixin, View):
    """Persons the user may see, newest first; search by any spelling; filters; keyset paging."""

    def get(self, request: HttpRequest) -> HttpResponse:
        require_perm(request.user, Perm.PERSON_VIEW)
        data = request.GET.copy()
        after, before = data.pop("after", [None])[-1], data.pop("before", [None])[-1]
        filterset, page = selectors.person_list_page(
            user=request.user, data=data or None, after=after, before=before, size=PAGE_SIZE
        )
        audit_list(request.user, page.rows, object_type=OBJECT_TYPE)
        context = {
            "filter": filterset,
            "page": page,
            "persons": page.rows,
            "filtered": any(v for k, v in data.items()),
            "query": data.urlencode(),
            "countries": facility_countries(),
            "can_create": bool(agencies_with(request.user, Perm.PERSON_CHANGE, Scope.AGENCY)),
        }
        if is_htmx(request) and request.headers.get("HX-Target") == "person-results":
            return render(request, "registry/_person_results.html", context)
        return render(request, "registry/person_list.html", context)


class PersonPickView(LoginRequiredMixin, View):
    """Persons matching a name, to choose a relative from (an HTMX fragment with radio buttons)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        require_perm(request.user, Perm.PERSON_VIEW)
        text = request.GET.get("find", "")[:200]
        exclude = [int(v) for v in request.GET.getlist("exclude") if v.isdigit()]
        persons = selectors.persons_pickable(user=request.user, text=text, exclude=exclude)
        audit_list(request.user, persons, object_type=OBJECT_TYPE, purpose="choosing a relative")
        return render(
            request,
            "registry/_person_pick.html",
            {"persons": persons, "find": text, "field": request.GET.get("field", "relative")},
        )


class PersonSimilarView(LoginRequiredMixin, View):
    """Likely duplicates of the person being typed in, shown before saving: the matching engine's
    scored candidates (every spelling, in any script; the date of birth or its estimated range; sex),
    with the reasons field by field. Fields that do not parse yet are left out of the comparison."""

    def get(self, request: HttpRequest) -> HttpResponse:
        require_perm(request.user, Perm.PERSON_VIEW)
        query = SimilarQueryForm(request.GET)
        query.is_valid()
        data = query.cleaned_data
        names = [(data.get("given_name") or "", data.get("family_name") or "")] if data.get("given_name") else []
        for text in [data.get("full_name") or "", *(data.get("other_names") or "").splitlines()][:10]:
            parts = text.split(maxsplit=1)
            names.append((parts[0], parts[1]) if len(parts) == 2 else (text, ""))
        estimated = data.get("birth_date_precision") == BirthDatePrecision.ESTIMATED
        hits = selectors.person_likely_duplicates(
            user=request.user,
            names=names,
            sex=data.get("sex") or "",
            birth_date=data.get("birth_date"),
            birth_date_min=data.get("birth_date_min") if estimated else None,
            birth_date_max=data.get("birth_date_max") if estimated else None,
            exclude=data.get("exclude"),
        )
        audit_list(
            request.user, [hit.person for hit in hits], object_type=OBJECT_TYPE, purpose="checking for duplicates"
        )
        return render(request, "registry/_person_similar.html", {"hits": hits})


# --- registering ----------------------------------------------------------------------------------


class PersonCreateView(LoginRequiredMixin, View):
    """Register a person. ``?link_to=<id>&relation=<relation>``: a relative of that person (the
    link is made in the same step)."""

    def _agencies(self, request: HttpRequest) -> Any:
        require_perm(request.user, Perm.PERSON_CHANGE)
        ids = agencies_with(request.user, Perm.PERSON_CHANGE, Scope.AGENCY)
        return Agency.objects.filter(pk__in=ids, is_active=True).order_by("name")

    def _link_target(self, request: HttpRequest, source: Any) -> Person | None:
        value = source.get("link_to") or ""
        if not value:
            return None
        return access_person(request.user, value, action="change", audit=False)

    def _render(
        self, request: HttpRequest, form: PersonCreateForm, link_to: Person | None, status: int = 200
    ) -> HttpResponse:
        return render(
            request, "registry/person_form.html", {"form": form, "link_to": link_to, "creating": True}, status=status
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        agencies = self._agencies(request)
        link_to = self._link_target(request, request.GET)
        initial = {}
        if link_to is not None:
            initial = {"link_to": link_to.pk, "link_relation": request.GET.get("relation", "")}
        return self._render(request, PersonCreateForm(initial=initial, agencies=agencies, link_to=link_to), link_to)

    def post(self, request: HttpRequest) -> HttpResponse:
        agencies = self._agencies(request)
        link_to = self._link_target(request, request.POST)
        form = PersonCreateForm(request.POST, agencies=agencies, link_to=link_to)
        if form.is_valid():
            try:
                with transaction.atomic():
                    person = services.person_create(
                        by=request.user,  # type: ignore[arg-type]
                        owner_agency=form.cleaned_data["owner_agency"],
                        name=form.primary_name(),
                        other_names=form.other_name_inputs(),
                        **form.identity(),
                    )
                    relation = form.cleaned_data.get("link_relation")
                    if link_to is not None and relation:
                        services.family_link_add(
                            person=link_to,
                            relative=person,
                            relation=relation,
                            by=request.user,  # type: ignore[arg-type]
                        )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("%(name)s is registered.") % {"name": person.display_name})
                target = tab_url(link_to, "family") if link_to is not None and relation else person.get_absolute_url()
                return done(request, target)
        return self._render(request, form, link_to, status=400)


# --- one person -----------------------------------------------------------------------------------


class PersonDetailView(LoginRequiredMixin, View):
    """The record, in tabs. Every request (the page or a tab) writes one read entry."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        person = access_person(request.user, pk)  # audited read
        tab = request.GET.get("tab", "identity")
        if tab not in dict(PERSON_TABS):
            tab = "identity"
        context = self.tab_context(request, person, tab)
        if is_htmx(request) and request.headers.get("HX-Target") == "person-tab-panel":
            return render(request, f"registry/_tab_{tab}.html", context)
        context["counts"] = selectors.person_tab_counts(person=person)
        return render(request, "registry/person_detail.html", context)

    def tab_context(self, request: HttpRequest, person: Person, tab: str) -> dict[str, Any]:
        user = request.user
        context: dict[str, Any] = {
            "person": person,
            "tab": tab,
            "tabs": PERSON_TABS,
            "can": selectors.person_abilities(user=user, person=person),
            "primary": person.names.filter(is_primary=True).first(),
        }
        if tab == "identity":
            context["claims"] = list(selectors.person_nationality_claims(person=person))
            context["identifiers"] = list(selectors.person_identifiers(person=person))
            context["current_custody"] = selectors.person_custody(person=person).filter(until__isnull=True).first()
        elif tab == "names":
            context["names"] = list(selectors.person_names(person=person))
        elif tab == "family":
            family = selectors.person_family(user=user, person=person)
            audit_list(user, family.visible_ids, object_type=OBJECT_TYPE, purpose="family of a person")
            context["family"] = family
        elif tab == "custody":
            context["records"] = list(selectors.person_custody(person=person))
            context["legal"] = can_see_field_group(user, "legal")
        elif tab == "documents":
            context["documents"] = list(selectors.person_documents(person=person))
        elif tab == "history":
            context["entries"] = list(selectors.person_history(person=person))
        return context


class PersonEditView(LoginRequiredMixin, View):
    def _render(self, request: HttpRequest, person: Person, form: PersonEditForm, status: int = 200) -> HttpResponse:
        return render(request, "registry/person_form.html", {"form": form, "person": person}, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        person = person_for(request, pk, "change")
        return self._render(request, person, PersonEditForm(initial=PersonEditForm.initial_for(person)))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        person = person_for(request, pk, "change")
        form = PersonEditForm(request.POST, initial=PersonEditForm.initial_for(person))
        if form.is_valid():
            try:
                changed = services.person_update(
                    person=person,
                    by=request.user,  # type: ignore[arg-type]
                    changes={**form.identity(), "name": form.primary_name()},
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if changed:
                    messages.success(request, _("The record of %(name)s is saved.") % {"name": person.display_name})
                return done(request, person.get_absolute_url())
        return self._render(request, person, form, status=400)
