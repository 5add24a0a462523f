"""Family pages: linking a relative (found by name, or registered on the way), unlinking, family groups."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.views import View

from homecoming.core.access import Perm, access_person, persons_visible_to
from homecoming.registry import services
from homecoming.registry.forms import FamilyGroupForm, FamilyLinkForm
from homecoming.registry.models import FamilyGroupMember, FamilyLink, Person
from homecoming.registry.views._common import PersonFormView, done, tab_url


class FamilyLinkCreateView(PersonFormView):
    template_name = "registry/family_link_form.html"
    tab = "family"
    title = _("Link a relative")

    def make_form(self, request: HttpRequest, person: Person, data: Any = None, files: Any = None) -> Any:
        candidates = persons_visible_to(request.user).exclude(pk=person.pk)
        return FamilyLinkForm(data, candidates=candidates, initial={"relation": request.GET.get("relation", "mother")})

    def extra_context(self, request: HttpRequest, person: Person) -> dict[str, Any]:
        chosen = None
        relative_id = request.POST.get("relative") if request.method == "POST" else None
        if relative_id and relative_id.isdigit():
            chosen = persons_visible_to(request.user).filter(pk=int(relative_id)).first()
        return {"chosen": chosen}

    def save(self, request: HttpRequest, person: Person, form: Any) -> FamilyLink:
        data = form.cleaned_data
        return services.family_link_add(
            person=person,
            relative=data["relative"],
            relation=data["relation"],
            by=request.user,  # type: ignore[arg-type]
            source=data.get("source") or "",
            confidence=data["confidence"],
        )

    def success_message(self, person: Person, result: Any) -> str:
        return str(_("The family link is recorded."))


class FamilyLinkRemoveView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int, link_pk: int) -> HttpResponse:
        person = access_person(request.user, pk, action="change", audit=False)
        link = get_object_or_404(FamilyLink, Q(person=person) | Q(relative=person), pk=link_pk)
        services.family_link_remove(link=link, by=request.user)  # type: ignore[arg-type]
        messages.success(request, _("The family link is removed."))
        return done(request, tab_url(person, "family"))


def _group_candidates(user: Any, person: Person) -> QuerySet[Person]:
    """The person and their linked relatives that ``user`` may change, not yet in a group."""
    links = FamilyLink.objects.filter(Q(person=person) | Q(relative=person))
    ids = {pk for pair in links.values_list("person_id", "relative_id") for pk in pair} | {person.pk}
    in_groups = FamilyGroupMember.objects.filter(person_id__in=ids).values("person_id")
    return (
        persons_visible_to(user, Perm.PERSON_CHANGE)
        .filter(pk__in=ids)
        .exclude(pk__in=in_groups)
        .order_by("birth_date", "display_name")
    )


class FamilyGroupCreateView(PersonFormView):
    template_name = "registry/record_form.html"
    tab = "family"
    title = _("Start a family group")

    def make_form(self, request: HttpRequest, person: Person, data: Any = None, files: Any = None) -> Any:
        candidates = _group_candidates(request.user, person)
        family = person.display_name.split(" ")[-1] if person.display_name else ""
        return FamilyGroupForm(
            data,
            candidates=candidates,
            initial={"members": list(candidates), "name": _("%(name)s family") % {"name": family}},
        )

    def save(self, request: HttpRequest, person: Person, form: Any) -> Any:
        data = form.cleaned_data
        members = list(data["members"])
        if person not in members:
            members.insert(0, person)
        return services.family_group_create(
            by=request.user,  # type: ignore[arg-type]
            name=data["name"],
            owner_agency=person.owner_agency,
            members=members,
            notes=data.get("notes") or "",
        )

    def success_message(self, person: Person, result: Any) -> str:
        return str(_("The family group “%(name)s” is formed.") % {"name": result.name})


class FamilyGroupLeaveView(LoginRequiredMixin, View):
    """Take the person out of their family group."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        person = access_person(request.user, pk, action="change", audit=False)
        member = get_object_or_404(FamilyGroupMember.objects.select_related("group"), person=person)
        still = services.family_group_member_remove(group=member.group, person=person, by=request.user)  # type: ignore[arg-type]
        if still:
            messages.success(request, _("%(name)s no longer travels with this group.") % {"name": person.display_name})
        else:
            messages.success(request, _("The family group is dissolved (fewer than two persons were left)."))
        return done(request, tab_url(person, "family"))
