"""The registry API: /api/v1/persons/, /api/v1/facilities/, /api/v1/custody-records/.

Scoped and audited like the pages: a person out of the caller's scope is 404, a missing
permission 403; a list writes one audit entry with the ids shown, a single person one read entry.
Business errors answer 400 with ``{"code", "detail", "fields"}``; ``code`` is one of
``RegistryErrorCode`` (stable). Facilities are reference data: ``Perm.FACILITY_VIEW`` reads them,
``Perm.FACILITY_CHANGE`` writes them.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from homecoming.accounts.models import Agency
from homecoming.core.access import (
    Perm,
    Scope,
    access_person,
    agencies_with,
    audit_list,
    can_see_field_group,
    has_perm,
    persons_visible_to,
    require_perm,
)
from homecoming.core.api import error_response, error_serializer, field_error_response, invalid_input_response
from homecoming.registry import selectors, services
from homecoming.registry.birth import birth_range_from_age
from homecoming.registry.choices import (
    BirthDatePrecision,
    CustodyEndReason,
    FacilityKind,
    NameKind,
    Sex,
)
from homecoming.registry.countries import COUNTRY_CHOICES
from homecoming.registry.error_codes import RegistryErrorCode, error_code_of
from homecoming.registry.filters import FacilityFilterSet, PersonFilterSet
from homecoming.registry.models import LEGAL_FIELDS, CustodyRecord, Facility, Person, PersonName
from homecoming.registry.services import NameInput

# --- errors ---------------------------------------------------------------------------------------


RegistryErrorSerializer = error_serializer("RegistryError", RegistryErrorCode)


class RegistryDetailSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()


ERRORS = {
    400: OpenApiResponse(RegistryErrorSerializer, description="Refused: see `code` (RegistryErrorCode) and `fields`."),
    403: OpenApiResponse(RegistryDetailSerializer, description="Your roles do not allow this."),
    404: OpenApiResponse(RegistryDetailSerializer, description="No such record in your scope."),
}
READ_ERRORS = {403: ERRORS[403], 404: ERRORS[404]}


# --- shapes ---------------------------------------------------------------------------------------


class PersonNameSerializer(serializers.ModelSerializer[PersonName]):
    class Meta:
        model = PersonName
        fields = ["id", "full_name", "given_name", "family_name", "script", "kind", "is_primary", "source", "romanised"]
        read_only_fields = fields


class FacilityBriefSerializer(serializers.ModelSerializer[Facility]):
    class Meta:
        model = Facility
        fields = ["id", "name", "kind", "country", "custodian_authority"]
        read_only_fields = fields


class CurrentCustodySerializer(serializers.Serializer[Any]):
    facility = FacilityBriefSerializer()
    since = serializers.DateField()


class PersonSerializer(serializers.ModelSerializer[Person]):
    owner_agency: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    names = PersonNameSerializer(many=True, read_only=True, source="all_names")
    current_custody = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = [
            "id",
            "display_name",
            "names",
            "sex",
            "birth_date",
            "birth_date_precision",
            "birth_date_min",
            "birth_date_max",
            "birth_place",
            "birth_country",
            "owner_agency",
            "current_custody",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(CurrentCustodySerializer(allow_null=True))
    def get_current_custody(self, person: Person) -> dict[str, Any] | None:
        current = getattr(person, "current_custody_list", None)
        if current is None:
            current = list(person.custody_records.filter(until__isnull=True).select_related("facility")[:1])
        if not current:
            return None
        return dict(CurrentCustodySerializer({"facility": current[0].facility, "since": current[0].since}).data)


class NameInputSerializer(serializers.Serializer[Any]):
    full_name = serializers.CharField(max_length=300, help_text="As written, in any script.")
    given_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    family_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(
        choices=[(k.value, k.label) for k in NameKind if k != NameKind.PRIMARY],
        required=False,
        default=NameKind.ALIAS,
        help_text="For other names only; the primary name is always of kind `primary`.",
    )
    source = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")  # type: ignore[assignment]

    def to_input(self, data: dict[str, Any]) -> NameInput:
        return NameInput(
            full_name=data["full_name"],
            given_name=data.get("given_name", ""),
            family_name=data.get("family_name", ""),
            kind=data.get("kind", NameKind.ALIAS),
            source=data.get("source", ""),
        )


class _IdentityInputSerializer(serializers.Serializer[Any]):
    sex = serializers.ChoiceField(choices=Sex.choices, required=False, default=Sex.UNKNOWN)
    birth_date = serializers.DateField(required=False, allow_null=True, default=None)
    birth_date_precision = serializers.ChoiceField(
        choices=BirthDatePrecision.choices, required=False, default=BirthDatePrecision.EXACT
    )
    birth_date_min = serializers.DateField(required=False, allow_null=True, default=None)
    birth_date_max = serializers.DateField(required=False, allow_null=True, default=None)
    age_years = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=0,
        max_value=120,
        help_text="Instead of a range: the age told at `age_on` (gives an estimated date of birth).",
    )
    age_on = serializers.DateField(required=False, allow_null=True, default=None)
    age_approximate = serializers.BooleanField(required=False, default=False, help_text="The age is ± 1 year.")
    birth_place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    birth_country = serializers.ChoiceField(choices=COUNTRY_CHOICES, required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        age, on = attrs.pop("age_years", None), attrs.pop("age_on", None)
        approximate = attrs.pop("age_approximate", False)
        if age is None and on is None:
            return attrs
        if age is None or on is None:
            raise serializers.ValidationError({"age_years": [_("Give both the age and the date it was told.")]})
        if on > timezone.localdate():
            raise serializers.ValidationError({"age_on": [_("The date cannot be in the future.")]})
        born = birth_range_from_age(age=age, on=on, margin=1 if approximate else 0)
        attrs.update(
            birth_date_precision=BirthDatePrecision.ESTIMATED,
            birth_date_min=born.earliest,
            birth_date_max=born.latest,
            birth_date=None,
        )
        return attrs


class PersonCreateSerializer(_IdentityInputSerializer):
    owner_agency = serializers.SlugField(help_text="Code of the owner agency (one you work in).")
    name = NameInputSerializer(help_text="The primary name.")
    other_names = NameInputSerializer(many=True, required=False, default=list)


class PersonUpdateSerializer(_IdentityInputSerializer):
    name = NameInputSerializer(required=False, help_text="The primary name, corrected.")


class FacilitySerializer(serializers.ModelSerializer[Facility]):
    is_abroad = serializers.BooleanField(read_only=True)

    class Meta:
        model = Facility
        fields = [
            "id",
            "name",
            "kind",
            "country",
            "locality",
            "custodian_authority",
            "notes",
            "is_active",
            "is_abroad",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "is_abroad", "created_at", "updated_at"]
        extra_kwargs = {"kind": {"choices": FacilityKind.choices}}


class CustodySerializer(serializers.ModelSerializer[CustodyRecord]):
    """A stay. The legal fields (charge, sentence, court, notes) are present only for callers whose
    role may see legal details (``Perm.LEGAL_VIEW``)."""

    facility = FacilityBriefSerializer(read_only=True)

    class Meta:
        model = CustodyRecord
        fields = ["id", "person", "facility", "since", "until", "end_reason", *LEGAL_FIELDS, "created_at", "updated_at"]
        read_only_fields = fields

    def to_representation(self, instance: CustodyRecord) -> dict[str, Any]:
        data = dict(super().to_representation(instance))
        if not self.context.get("legal", False):
            for name in LEGAL_FIELDS:
                data.pop(name, None)
        return data


class CustodyInputSerializer(serializers.Serializer[Any]):
    person = serializers.IntegerField(min_value=1, required=False, help_text="Registry id (on creation).")
    facility = serializers.IntegerField(min_value=1, required=False)
    since = serializers.DateField(required=False)
    until = serializers.DateField(required=False, allow_null=True)
    end_reason = serializers.ChoiceField(choices=CustodyEndReason.choices, required=False, allow_blank=True)
    end_current = serializers.BooleanField(
        required=False, default=False, help_text="On creation: the new stay ends the current one (a transfer)."
    )
    charge = serializers.CharField(required=False, allow_blank=True)
    sentence = serializers.CharField(required=False, allow_blank=True, max_length=300)
    sentence_months = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=1200)
    life_sentence = serializers.BooleanField(required=False)
    court = serializers.CharField(required=False, allow_blank=True, max_length=200)
    sentenced_on = serializers.DateField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True)


# --- persons --------------------------------------------------------------------------------------

OBJECT_TYPE = "registry.person"


def _persons(user: Any) -> QuerySet[Person]:
    return (
        persons_visible_to(user)
        .select_related("owner_agency")
        .prefetch_related(
            Prefetch("names", queryset=PersonName.objects.order_by("-is_primary", "id"), to_attr="all_names"),
            Prefetch(
                "custody_records",
                queryset=CustodyRecord.objects.filter(until__isnull=True).select_related("facility"),
                to_attr="current_custody_list",
            ),
        )
    )


@extend_schema_view(
    list=extend_schema(
        summary="Persons you may see",
        description=(
            "Search with `?q=` in any script or spelling (“Mukhriddin”, “Muhriddin” and “Мухриддин” find "
            "the same person); filter with `?sex=`, `?age_band=`, `?facility=`, `?custody_country=`, "
            "`?agency=`, `?stage=`."
        ),
        responses={200: PersonSerializer(many=True), 403: ERRORS[403]},
    ),
    retrieve=extend_schema(summary="One person", responses={200: PersonSerializer, **READ_ERRORS}),
)
class PersonViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Person]):
    serializer_class = PersonSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = PersonFilterSet

    def get_queryset(self) -> QuerySet[Person]:
        return _persons(self.request.user).order_by("-pk")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_perm(request.user, Perm.PERSON_VIEW)
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        rows = list(page or [])
        audit_list(request.user, rows, object_type=OBJECT_TYPE)
        return self.get_paginated_response(PersonSerializer(rows, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = access_person(request.user, kwargs["pk"])
        return Response(PersonSerializer(self.get_queryset().get(pk=person.pk)).data)

    @extend_schema(
        summary="Register a person",
        description=(
            "A primary name as written (any script) and any other spellings. Date of birth exact "
            "(`birth_date`), a range (`birth_date_precision=estimated` with `birth_date_min` and "
            "`birth_date_max`), or an age told on a date (`age_years`, `age_on`)."
        ),
        request=PersonCreateSerializer,
        responses={201: PersonSerializer, **ERRORS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_perm(request.user, Perm.PERSON_CHANGE)
        data_in = PersonCreateSerializer(data=request.data)
        if not data_in.is_valid():
            return invalid_input_response(data_in.errors, RegistryErrorCode.INVALID)
        data = dict(data_in.validated_data)
        agency_ids = agencies_with(request.user, Perm.PERSON_CHANGE, Scope.AGENCY)
        agency = Agency.objects.filter(code=data.pop("owner_agency"), pk__in=agency_ids, is_active=True).first()
        if agency is None:
            return field_error_response(
                "owner_agency",
                _("You can register persons only for an agency you work in."),
                RegistryErrorCode.AGENCY_NOT_ALLOWED,
            )
        name_field = PersonCreateSerializer().fields["name"]
        primary = name_field.to_input(data.pop("name"))  # type: ignore[attr-defined]
        others = [name_field.to_input(other) for other in data.pop("other_names", [])]  # type: ignore[attr-defined]
        try:
            person = services.person_create(
                by=request.user,  # type: ignore[arg-type]
                owner_agency=agency,
                name=primary,
                other_names=others,
                **data,
            )
        except ValidationError as error:
            return error_response(error, error_code_of)
        return Response(PersonSerializer(self.get_queryset().get(pk=person.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Correct a person's identity",
        request=PersonUpdateSerializer,
        responses={200: PersonSerializer, **ERRORS},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = access_person(request.user, kwargs["pk"], action="change", audit=False)
        data_in = PersonUpdateSerializer(data=request.data, partial=True)
        if not data_in.is_valid():
            return invalid_input_response(data_in.errors, RegistryErrorCode.INVALID)
        changes = dict(data_in.validated_data)  # partial: only what was sent (and an age turned into a range)
        if "name" in changes:
            changes["name"] = NameInputSerializer().to_input(changes["name"])
        try:
            services.person_update(person=person, by=request.user, changes=changes)  # type: ignore[arg-type]
        except ValidationError as error:
            return error_response(error, error_code_of)
        return Response(PersonSerializer(self.get_queryset().get(pk=person.pk)).data)

    @extend_schema(
        summary="Add a spelling of a person's name",
        request=NameInputSerializer,
        responses={201: PersonNameSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def names(self, request: Request, pk: str | None = None) -> Response:
        person = access_person(request.user, pk, action="change", audit=False)
        data_in = NameInputSerializer(data=request.data)
        if not data_in.is_valid():
            return invalid_input_response(data_in.errors, RegistryErrorCode.INVALID)
        try:
            name = services.person_name_add(
                person=person,
                by=request.user,  # type: ignore[arg-type]
                name=data_in.to_input(data_in.validated_data),
            )
        except ValidationError as error:
            return error_response(error, error_code_of)
        return Response(PersonNameSerializer(name).data, status=status.HTTP_201_CREATED)


# --- facilities -----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Facilities abroad and at home",
        description="Filter with `?q=`, `?kind=`, `?country=`, `?abroad=`.",
        responses={200: FacilitySerializer(many=True), 403: ERRORS[403]},
    ),
    retrieve=extend_schema(summary="One facility", responses={200: FacilitySerializer, **READ_ERRORS}),
    create=extend_schema(summary="Register a facility", responses={201: FacilitySerializer, **ERRORS}),
    partial_update=extend_schema(summary="Correct a facility", responses={200: FacilitySerializer, **ERRORS}),
)
class FacilityViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Facility],
):
    serializer_class = FacilitySerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = FacilityFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Facility]:
        return Facility.objects.order_by("country", "name", "pk")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_perm(request.user, Perm.FACILITY_VIEW)
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_perm(request.user, Perm.FACILITY_VIEW)
        return Response(FacilitySerializer(selectors.facility_get(pk=kwargs["pk"])).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_perm(request.user, Perm.FACILITY_CHANGE)
        data_in = FacilitySerializer(data=request.data)
        if not data_in.is_valid():
            return invalid_input_response(data_in.errors, RegistryErrorCode.INVALID)
        values = {k: v for k, v in data_in.validated_data.items() if k != "is_active"}
        try:
            facility = services.facility_create(by=request.user, **values)  # type: ignore[arg-type]
        except ValidationError as error:
            return error_response(error, error_code_of)
        return Response(FacilitySerializer(facility).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_perm(request.user, Perm.FACILITY_CHANGE)
        facility = selectors.facility_get(pk=kwargs["pk"])
        data_in = FacilitySerializer(facility, data=request.data, partial=True)
        if not data_in.is_valid():
            return invalid_input_response(data_in.errors, RegistryErrorCode.INVALID)
        try:
            services.facility_update(
                facility=facility,
                by=request.user,  # type: ignore[arg-type]
                changes=dict(data_in.validated_data),
            )
        except ValidationError as error:
            return error_response(error, error_code_of)
        facility.refresh_from_db()
        return Response(FacilitySerializer(facility).data)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.partial_update(request, *args, **kwargs)


# --- custody --------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Custody records of the persons you may see",
        description="`?person=<id>` for one person's stays. Legal details only with the legal field group.",
        parameters=[OpenApiParameter("person", int, description="A person's registry id.")],
        responses={200: CustodySerializer(many=True), 403: ERRORS[403]},
    ),
    retrieve=extend_schema(summary="One stay", responses={200: CustodySerializer, **READ_ERRORS}),
)
class CustodyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[CustodyRecord]):
    serializer_class = CustodySerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[CustodyRecord]:
        return selectors.custody_list(user=self.request.user)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "legal": can_see_field_group(self.request.user, "legal")}

    def _record(self, pk: Any, *, action: str) -> CustodyRecord:
        try:
            record = CustodyRecord.objects.select_related("facility").get(pk=int(pk))
        except (TypeError, ValueError, CustodyRecord.DoesNotExist):
            raise Http404 from None
        record.person = access_person(self.request.user, record.person_id, action=action, audit=action == "view")
        return record

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_perm(request.user, Perm.PERSON_VIEW)
        qs = self.get_queryset()
        person = request.query_params.get("person")
        if person:
            if not person.isdigit():
                return field_error_response("person", _("Give a person's registry id."), RegistryErrorCode.INVALID)
            qs = qs.filter(person_id=int(person))
        page = self.paginate_queryset(qs)
        rows = list(page or [])
        audit_list(request.user, [r.person for r in rows], object_type=OBJECT_TYPE, purpose="custody records")
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_perm(request.user, Perm.PERSON_VIEW)
        return Response(self.get_serializer(self._record(kwargs["pk"], action="view")).data)

    def _legal(self, data: dict[str, Any]) -> dict[str, Any] | Response:
        legal = {k: data[k] for k in LEGAL_FIELDS if k in data}
        if legal and not has_perm(self.request.user, Perm.LEGAL_VIEW):
            return field_error_response(
                sorted(legal)[0],
                _("Your role may not record legal details (charge, sentence, court)."),
                RegistryErrorCode.INVALID,
            )
        return legal

    def _facility(self, pk: int) -> Facility | Response:
        facility = Facility.objects.filter(pk=pk).first()
        if facility is None:
            return field_error_response("facility", _("No facility with this id."), RegistryErrorCode.INVALID)
        return facility

    @extend_schema(
        summary="Record a stay in a facility",
        request=CustodyInputSerializer,
        responses={201: CustodySerializer, **ERRORS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_perm(request.user, Perm.PERSON_CHANGE)
        data_in = CustodyInputSerializer(data=request.data)
        if not data_in.is_valid():
            return invalid_input_response(data_in.errors, RegistryErrorCode.INVALID)
        data = dict(data_in.validated_data)
        for required in ("person", "facility", "since"):
            if data.get(required) in (None, ""):
                return field_error_response(required, _("This field is required."), RegistryErrorCode.INVALID)
        person = access_person(request.user, data["person"], action="change", audit=False)
        facility = self._facility(data["facility"])
        if isinstance(facility, Response):
            return facility
        legal = self._legal(data)
        if isinstance(legal, Response):
            return legal
        try:
            record = services.custody_create(
                person=person,
                by=request.user,  # type: ignore[arg-type]
                facility=facility,
                since=data["since"],
                until=data.get("until"),
                end_reason=data.get("end_reason", ""),
                end_current=data.get("end_current", False),
                **legal,
            )
        except ValidationError as error:
            return error_response(error, error_code_of)
        return Response(self.get_serializer(record).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Correct a stay or record its end",
        request=CustodyInputSerializer,
        responses={200: CustodySerializer, **ERRORS},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        record = self._record(kwargs["pk"], action="change")
        data_in = CustodyInputSerializer(data=request.data, partial=True)
        if not data_in.is_valid():
            return invalid_input_response(data_in.errors, RegistryErrorCode.INVALID)
        data = {k: v for k, v in data_in.validated_data.items() if k not in ("person", "end_current")}
        legal = self._legal(data)
        if isinstance(legal, Response):
            return legal
        if "facility" in data:
            facility = self._facility(data["facility"])
            if isinstance(facility, Response):
                return facility
            data["facility"] = facility
        try:
            services.custody_update(record=record, by=request.user, changes=data)  # type: ignore[arg-type]
        except ValidationError as error:
            return error_response(error, error_code_of)
        record.refresh_from_db()
        return Response(self.get_serializer(record).data)
