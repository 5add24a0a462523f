"""The reintegration API: /api/v1/services/, /api/v1/screenings/, /api/v1/vaccination-doses/,
/api/v1/vaccination-plans/{case id}/ and /api/v1/followups/.

Scoped and audited like the pages: out of scope is 404, no permission 403, a list writes one
audit entry with the ids shown, a single record one read entry. Notes of a field group the caller
may not see come back as ``null``. Business errors answer 400 with ``{"code", "detail", "fields"}``;
``code`` is one of ``ReintegrationErrorCode`` (stable).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from homecoming.accounts.models import Agency, User
from homecoming.audit.models import AuditAction
from homecoming.audit.services import audit_record
from homecoming.core.access import (
    Perm,
    access_visit,
    audit_list,
    cases_visible_to,
    require_perm,
    visits_visible_to,
)
from homecoming.core.api import error_response, error_serializer, field_error_response, invalid_input_response
from homecoming.reintegration import selectors, services
from homecoming.reintegration.choices import (
    CaregiverAssessment,
    CivilDocumentKind,
    DoseSource,
    PlacementType,
    PlanStatus,
    ServiceKind,
    ServiceStatus,
    VisitOutcome,
    VisitStatus,
)
from homecoming.reintegration.error_codes import ReintegrationErrorCode, error_code_of
from homecoming.reintegration.models import FollowUpVisit, Screening, Service, VaccinationDose, VaccineScheduleItem
from homecoming.reintegration.rules import (
    NOTE_FIELDS,
    age_of,
    kinds_plannable_by,
    kinds_recordable_by,
    visible_note_groups,
)

# --- errors ---------------------------------------------------------------------------------------


ReintegrationErrorSerializer = error_serializer("ReintegrationError", ReintegrationErrorCode)


ERRORS = {
    400: OpenApiResponse(
        ReintegrationErrorSerializer, description="Refused: see `code` (ReintegrationErrorCode) and `fields`."
    ),
    403: OpenApiResponse(description="Your roles do not allow this."),
    404: OpenApiResponse(description="No such record in your scope."),
}
READ_ERRORS = {403: ERRORS[403], 404: ERRORS[404]}


def _case_or_error(user: Any, pk: int, perm: Perm) -> Any:
    """The case ``pk`` if ``user`` may ``perm`` it, else None (the caller answers 400)."""
    return cases_visible_to(user, perm).select_related("person", "owner_agency").filter(pk=pk).first()


NO_CASE = _("No case with this id is in your records, or you may not record services on it.")


# --- shapes ---------------------------------------------------------------------------------------


class WorkerBriefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    def get_name(self, obj: User) -> str:
        return obj.get_full_name() or obj.username


class ScreeningSerializer(serializers.ModelSerializer[Screening]):
    case = serializers.IntegerField(source="service.case_id", read_only=True)
    date = serializers.DateField(source="service.date", read_only=True)

    class Meta:
        model = Screening
        fields = [
            "id",
            "service",
            "case",
            "date",
            "weight_kg",
            "height_cm",
            "muac_mm",
            "oedema",
            "findings",
            "referrals",
            "age_days",
            "age_estimated",
            "weight_for_age_z",
            "underweight",
            "z_not_computed",
            "z_implausible",
        ]
        read_only_fields = fields


class ServiceSerializer(serializers.ModelSerializer[Service]):
    provider = WorkerBriefSerializer(read_only=True, allow_null=True)
    provider_agency: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    screening = serializers.SerializerMethodField()

    class Meta:
        model = Service
        fields = [
            "id",
            "case",
            "kind",
            "status",
            "date",
            "provider_agency",
            "provider",
            "notes",
            "health_notes",
            "psychosocial_notes",
            "legal_notes",
            "school_name",
            "grade",
            "placement_type",
            "caregiver_name",
            "caregiver_relationship",
            "caregiver_phone",
            "address",
            "district",
            "caregiver_assessment",
            "document_kind",
            "screening",
            "recorded_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _groups(self) -> set[str]:
        groups = self.context.get("note_groups")
        return set(groups) if groups is not None else set()

    def to_representation(self, instance: Service) -> dict[str, Any]:
        data = super().to_representation(instance)
        groups = self._groups()
        for group, name in NOTE_FIELDS.items():
            if group not in groups:
                data[name] = None
        return data

    def get_screening(self, obj: Service) -> dict[str, Any] | None:
        if "health" not in self._groups() or obj.kind != ServiceKind.SCREENING:
            return None
        screening = getattr(obj, "screening", None)
        return ScreeningSerializer(screening).data if screening is not None else None


class ServiceCreateSerializer(serializers.Serializer[Any]):
    case = serializers.IntegerField(min_value=1)
    kind = serializers.ChoiceField(choices=ServiceKind.choices)
    status = serializers.ChoiceField(choices=ServiceStatus.choices, default=ServiceStatus.PLANNED)
    date = serializers.DateField()
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)
    health_notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)
    psychosocial_notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)
    legal_notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)
    school_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    grade = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0, max_value=12)
    placement_type = serializers.ChoiceField(
        choices=PlacementType.choices, required=False, allow_blank=True, default=""
    )
    caregiver_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    caregiver_relationship = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    caregiver_phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)
    address = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    district = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    caregiver_assessment = serializers.ChoiceField(
        choices=CaregiverAssessment.choices, required=False, allow_blank=True, default=""
    )
    document_kind = serializers.ChoiceField(
        choices=CivilDocumentKind.choices, required=False, allow_blank=True, default=""
    )


class ServiceUpdateSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=ServiceStatus.choices, required=False)
    date = serializers.DateField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    health_notes = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    psychosocial_notes = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    legal_notes = serializers.CharField(required=False, allow_blank=True, max_length=10000)


class ScreeningCreateSerializer(serializers.Serializer[Any]):
    case = serializers.IntegerField(min_value=1)
    date = serializers.DateField()
    weight_kg = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        required=False,
        allow_null=True,
        default=None,
        min_value=Decimal("0.5"),
        max_value=Decimal(250),
    )
    height_cm = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        required=False,
        allow_null=True,
        default=None,
        min_value=Decimal(30),
        max_value=Decimal(230),
    )
    muac_mm = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=50, max_value=500)
    oedema = serializers.BooleanField(required=False, default=False)
    findings = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)
    referrals = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)


class DoseSerializer(serializers.ModelSerializer[VaccinationDose]):
    vaccine: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = VaccinationDose
        fields = [
            "id",
            "case",
            "vaccine",
            "dose_number",
            "given_on",
            "source",
            "service",
            "batch_number",
            "recorded_at",
        ]
        read_only_fields = fields


class DoseCreateSerializer(serializers.Serializer[Any]):
    case = serializers.IntegerField(min_value=1)
    vaccine = serializers.SlugField(help_text="The vaccine's code on the schedule, for example `penta`.")
    dose_number = serializers.IntegerField(min_value=1, max_value=10)
    given_on = serializers.DateField()
    source = serializers.ChoiceField(choices=DoseSource.choices)  # type: ignore[assignment]  # a field, not Field.source
    batch_number = serializers.CharField(required=False, allow_blank=True, default="", max_length=60)


class PlannedDoseSerializer(serializers.Serializer[Any]):
    vaccine = serializers.CharField(source="entry.vaccine")
    vaccine_name = serializers.CharField(source="entry.vaccine_name")
    dose_number = serializers.IntegerField(source="entry.dose_number")
    status = serializers.ChoiceField(choices=PlanStatus.choices)
    due_on = serializers.DateField(allow_null=True)
    scheduled_on = serializers.DateField(allow_null=True)
    given_on = serializers.DateField(source="given.given_on", allow_null=True, default=None)
    reason = serializers.CharField()
    warning = serializers.CharField()


class CatchUpPlanSerializer(serializers.Serializer[Any]):
    case = serializers.IntegerField()
    birth_earliest = serializers.DateField(source="plan.birth.earliest")
    birth_latest = serializers.DateField(source="plan.birth.latest")
    estimated = serializers.BooleanField(source="plan.birth.estimated")
    up_to_date = serializers.BooleanField(source="plan.up_to_date")
    doses = PlannedDoseSerializer(source="plan.doses", many=True)


class ChildSerializer(serializers.Serializer[Any]):
    """The minimum about the child a visitor needs: name, age, where and with whom they live."""

    name = serializers.CharField()
    sex = serializers.CharField()
    age_years = serializers.IntegerField(allow_null=True)
    age_estimated = serializers.BooleanField()
    placement = serializers.CharField(allow_blank=True)
    address = serializers.CharField(allow_blank=True)
    district = serializers.CharField(allow_blank=True)
    caregiver = serializers.CharField(allow_blank=True)
    caregiver_relationship = serializers.CharField(allow_blank=True)
    caregiver_phone = serializers.CharField(allow_blank=True)


def _child(visit: FollowUpVisit, placement: Service | None) -> dict[str, Any]:
    person = visit.case.person
    age = age_of(person)
    return {
        "name": person.display_name,
        "sex": person.sex,
        "age_years": age.years_on(timezone.localdate()),
        "age_estimated": age.estimated,
        "placement": placement.placement_type if placement else "",
        "address": placement.address if placement else "",
        "district": placement.district if placement else "",
        "caregiver": placement.caregiver_name if placement else "",
        "caregiver_relationship": placement.caregiver_relationship if placement else "",
        "caregiver_phone": placement.caregiver_phone if placement else "",
    }


class VisitSerializer(serializers.ModelSerializer[FollowUpVisit]):
    assigned_to = WorkerBriefSerializer(read_only=True, allow_null=True)
    child = serializers.SerializerMethodField()
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)

    class Meta:
        model = FollowUpVisit
        fields = [
            "id",
            "case",
            "child",
            "months_after_arrival",
            "due_date",
            "overdue",
            "assigned_to",
            "purpose",
            "status",
            "completed_on",
            "outcome",
            "outcome_notes",
            "next_steps",
        ]
        read_only_fields = fields

    def get_child(self, obj: FollowUpVisit) -> dict[str, Any]:
        placements: dict[int, Service] = self.context.get("placements") or {}
        return ChildSerializer(_child(obj, placements.get(obj.case_id))).data


class VisitRecordSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=[VisitStatus.DONE, VisitStatus.MISSED])
    completed_on = serializers.DateField()
    outcome = serializers.ChoiceField(choices=VisitOutcome.choices, required=False, allow_blank=True, default="")
    outcome_notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)
    next_steps = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)
    next_visit_on = serializers.DateField(required=False, allow_null=True, default=None)


def _placements(case_ids: set[int]) -> dict[int, Service]:
    latest: dict[int, Service] = {}
    for service in Service.objects.filter(
        case_id__in=case_ids, kind=ServiceKind.PLACEMENT, status=ServiceStatus.DELIVERED
    ).order_by("date", "id"):
        latest[service.case_id] = service
    return latest


# --- services -------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Services of the returned persons you may see",
        description="Filter with `?kind=`, `?status=`, `?case=`.",
        responses={200: ServiceSerializer(many=True), 403: ERRORS[403]},
    ),
    retrieve=extend_schema(summary="One service", responses={200: ServiceSerializer, **READ_ERRORS}),
)
class ServiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Service]):
    serializer_class = ServiceSerializer
    queryset = Service.objects.none()

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "note_groups": visible_note_groups(self.request.user)}

    def get_queryset(self) -> QuerySet[Service]:
        request = self.request
        kind = request.query_params.get("kind", "")
        status_ = request.query_params.get("status", "")
        qs = selectors.service_list(
            user=request.user,
            kind=kind if kind in ServiceKind.values else "",
            status=status_ if status_ in ServiceStatus.values else "",
        )
        case = request.query_params.get("case", "")
        if case.isdigit():
            qs = qs.filter(case_id=int(case))
        return qs

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_perm(request.user, Perm.SERVICE_VIEW)
        page = self.paginate_queryset(self.get_queryset())
        rows = list(page or [])
        audit_list(request.user, rows, object_type="reintegration.service")
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        service = selectors.service_get(request.user, kwargs["pk"])
        return Response(self.get_serializer(service).data)

    @extend_schema(
        summary="Plan or record a service",
        description=(
            "Anyone who records services may plan one of any kind; delivered, missed and cancelled "
            "services only of the kinds of their role. Screenings and doses have their own endpoints."
        ),
        request=ServiceCreateSerializer,
        responses={201: ServiceSerializer, **ERRORS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_perm(request.user, Perm.SERVICE_RECORD)
        data_in = ServiceCreateSerializer(data=request.data)
        if not data_in.is_valid():
            return invalid_input_response(data_in.errors, ReintegrationErrorCode.INVALID)
        data = dict(data_in.validated_data)
        case = _case_or_error(request.user, data.pop("case"), Perm.SERVICE_RECORD)
        if case is None:
            return field_error_response("case", NO_CASE, ReintegrationErrorCode.CASE_NOT_FOUND)
        kind, status_ = data.pop("kind"), data.pop("status")
        if kind not in kinds_plannable_by(request.user) or (
            status_ != ServiceStatus.PLANNED
            and (
                kind not in kinds_recordable_by(request.user)
                or kind in (ServiceKind.SCREENING, ServiceKind.VACCINATION)
            )
        ):
            return field_error_response(
                "status",
                _("Your role may plan this kind of service, not record what happened."),
                ReintegrationErrorCode.KIND_NOT_ALLOWED,
            )
        groups = visible_note_groups(request.user)
        for group, name in NOTE_FIELDS.items():
            if group not in groups and data.get(name):
                return field_error_response(
                    name, _("You may not write these notes."), ReintegrationErrorCode.KIND_NOT_ALLOWED
                )
        try:
            service = services.service_record(
                case=case,
                by=request.user,  # type: ignore[arg-type]
                kind=kind,
                status=status_,
                date=data.pop("date"),
                provider=request.user,  # type: ignore[arg-type]
                provider_agency=selectors.provider_agencies(request.user).filter(pk__in=[case.owner_agency_id]).first()
                or selectors.provider_agencies(request.user).first(),
                **data,
            )
        except ValidationError as error:
            return error_response(error, error_code_of)
        return Response(self.get_serializer(service).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a planned service (record what happened) or complete its notes",
        request=ServiceUpdateSerializer,
        responses={200: ServiceSerializer, **ERRORS},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        service = selectors.service_get(request.user, kwargs["pk"], perm=Perm.SERVICE_RECORD, audit=False)
        data_in = ServiceUpdateSerializer(data=request.data)
        if not data_in.is_valid():
            return invalid_input_response(data_in.errors, ReintegrationErrorCode.INVALID)
        changes = dict(data_in.validated_data)
        recordable = service.kind in kinds_recordable_by(request.user)
        if service.status != ServiceStatus.PLANNED and not recordable:
            raise PermissionDenied
        new_status = changes.get("status", service.status)
        if new_status not in (ServiceStatus.PLANNED, ServiceStatus.CANCELLED) and not recordable:
            return field_error_response(
                "status",
                _("Your role may plan this kind of service, not record what happened."),
                ReintegrationErrorCode.KIND_NOT_ALLOWED,
            )
        groups = visible_note_groups(request.user)
        for group, name in NOTE_FIELDS.items():
            if group not in groups and name in changes:
                return field_error_response(
                    name, _("You may not write these notes."), ReintegrationErrorCode.KIND_NOT_ALLOWED
                )
        try:
            service = services.service_update(service=service, by=request.user, **changes)  # type: ignore[arg-type]
        except ValidationError as error:
            return error_response(error, error_code_of)
        return Response(self.get_serializer(selectors.service_get(request.user, service.pk, audit=False)).data)


# --- screenings and doses -------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Screenings (health information)", responses={200: ScreeningSerializer(many=True)}),
    retrieve=extend_schema(summary="One screening", responses={200: ScreeningSerializer, **READ_ERRORS}),
)
class ScreeningViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Screening]):
    serializer_class = ScreeningSerializer
    queryset = Screening.objects.none()

    def get_queryset(self) -> QuerySet[Screening]:
        return (
            Screening.objects.filter(
                service__case__in=cases_visible_to(self.request.user, Perm.SERVICE_VIEW).values("pk")
            )
            .select_related("service")
            .order_by("-service__date", "-id")
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_perm(request.user, Perm.HEALTH_VIEW)
        require_perm(request.user, Perm.SERVICE_VIEW)
        page = self.paginate_queryset(self.get_queryset())
        rows = list(page or [])
        audit_list(request.user, rows, object_type="reintegration.screening")
        return self.get_paginated_response(ScreeningSerializer(rows, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            pk = int(kwargs["pk"])
        except (TypeError, ValueError):
            raise Http404 from None
        screening = Screening.objects.select_related("service").filter(pk=pk).first()
        if screening is None:
            raise Http404
        selectors.service_get(request.user, screening.service_id, audit=False)  # 404 / 403 by the case
        require_perm(request.user, Perm.HEALTH_VIEW)
        with transaction.atomic():
            audit_record(actor=request.user, action=AuditAction.VIEW, obj=screening)
        return Response(ScreeningSerializer(screening).data)

    @extend_schema(
        summary="Record an arrival screening; the weight-for-age z-score is computed (WHO)",
        request=ScreeningCreateSerializer,
        responses={201: ScreeningSerializer, **ERRORS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_perm(request.user, Perm.SERVICE_RECORD)
        if ServiceKind.SCREENING not in kinds_recordable_by(request.user):
            raise PermissionDenied
        data_in = ScreeningCreateSerializer(data=request.data)
        if not data_in.is_valid():
            return invalid_input_response(data_in.errors, ReintegrationErrorCode.INVALID)
        data = dict(data_in.validated_data)
        case = _case_or_error(request.user, data.pop("case"), Perm.SERVICE_RECORD)
        if case is None:
            return field_error_response("case", NO_CASE, ReintegrationErrorCode.CASE_NOT_FOUND)
        try:
            screening = services.screening_record(
                case=case,
                by=request.user,  # type: ignore[arg-type]
                provider=request.user,  # type: ignore[arg-type]
                provider_agency=selectors.provider_agencies(request.user).first(),
                **data,
            )
        except ValidationError as error:
            return error_response(error, error_code_of)
        return Response(ScreeningSerializer(screening).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="Vaccination doses recorded (health information)", responses={200: DoseSerializer(many=True)}
    ),
)
class VaccinationDoseViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[VaccinationDose]):
    serializer_class = DoseSerializer
    queryset = VaccinationDose.objects.none()

    def get_queryset(self) -> QuerySet[VaccinationDose]:
        qs = VaccinationDose.objects.filter(
            case__in=cases_visible_to(self.request.user, Perm.SERVICE_VIEW).values("pk")
        ).select_related("vaccine")
        case = self.request.query_params.get("case", "")
        if case.isdigit():
            qs = qs.filter(case_id=int(case))
        return qs.order_by("case_id", "given_on", "id")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_perm(request.user, Perm.HEALTH_VIEW)
        require_perm(request.user, Perm.SERVICE_VIEW)
        page = self.paginate_queryset(self.get_queryset())
        rows = list(page or [])
        audit_list(request.user, rows, object_type="reintegration.vaccinationdose")
        return self.get_paginated_response(DoseSerializer(rows, many=True).data)

    @extend_schema(summary="Record a dose", request=DoseCreateSerializer, responses={201: DoseSerializer, **ERRORS})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_perm(request.user, Perm.SERVICE_RECORD)
        if ServiceKind.VACCINATION not in kinds_recordable_by(request.user):
            raise PermissionDenied
        data_in = DoseCreateSerializer(data=request.data)
        if not data_in.is_valid():
            return invalid_input_response(data_in.errors, ReintegrationErrorCode.INVALID)
        data = dict(data_in.validated_data)
        case = _case_or_error(request.user, data.pop("case"), Perm.SERVICE_RECORD)
        if case is None:
            return field_error_response("case", NO_CASE, ReintegrationErrorCode.CASE_NOT_FOUND)
        item = (
            VaccineScheduleItem.objects.select_related("vaccine")
            .filter(vaccine__code=data.pop("vaccine"), dose_number=data["dose_number"], is_active=True)
            .first()
        )
        if item is None:
            return field_error_response(
                "dose_number", "This dose is not on the schedule.", ReintegrationErrorCode.DOSE_NOT_ON_SCHEDULE
            )
        try:
            dose = services.vaccination_dose_record(
                case=case,
                by=request.user,  # type: ignore[arg-type]
                vaccine=item.vaccine,
                provider=request.user,  # type: ignore[arg-type]
                provider_agency=selectors.provider_agencies(request.user).first(),
                **data,
            )
        except ValidationError as error:
            return error_response(error, error_code_of)
        return Response(DoseSerializer(dose).data, status=status.HTTP_201_CREATED)


class VaccinationPlanViewSet(viewsets.ViewSet):
    """The catch-up plan of the person of a case: ``/api/v1/vaccination-plans/{case id}/``."""

    @extend_schema(
        summary="The catch-up plan of a case's person",
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="The case's id.")],
        responses={200: CatchUpPlanSerializer, **READ_ERRORS},
    )
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        case = selectors.case_for_services(request.user, pk)
        require_perm(request.user, Perm.HEALTH_VIEW)
        plan = selectors.plan_for_case(case=case)
        if plan is None:
            return field_error_response(
                "case", _("The person has no date of birth or estimate."), ReintegrationErrorCode.INVALID
            )
        return Response(CatchUpPlanSerializer({"case": case.pk, "plan": plan}).data)


# --- follow-up ------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Follow-up visits you may see (a local focal point: those assigned to them)",
        description="Filter with `?mine=1`, `?overdue=1`, `?status=`.",
        responses={200: VisitSerializer(many=True), 403: ERRORS[403]},
    ),
    retrieve=extend_schema(summary="One visit", responses={200: VisitSerializer, **READ_ERRORS}),
)
class FollowUpViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[FollowUpVisit]):
    serializer_class = VisitSerializer
    queryset = FollowUpVisit.objects.none()

    def get_queryset(self) -> QuerySet[FollowUpVisit]:
        params = self.request.query_params
        status_ = params.get("status", "")
        return selectors.visit_list(
            user=self.request.user,
            status=status_ if status_ in VisitStatus.values else "",
            mine=params.get("mine") == "1",
            overdue=params.get("overdue") == "1",
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_perm(request.user, Perm.FOLLOWUP_VIEW)
        page = self.paginate_queryset(self.get_queryset())
        rows = list(page or [])
        audit_list(request.user, rows, object_type="reintegration.followupvisit")
        context = {"placements": _placements({v.case_id for v in rows})}
        return self.get_paginated_response(VisitSerializer(rows, many=True, context=context).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        visit = access_visit(request.user, kwargs["pk"])
        visit = selectors.visit_list(user=request.user).get(pk=visit.pk)
        return Response(VisitSerializer(visit, context={"placements": _placements({visit.case_id})}).data)

    @extend_schema(
        summary="Record a visit as done (with what it found) or missed",
        request=VisitRecordSerializer,
        responses={200: VisitSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def record(self, request: Request, pk: str | None = None) -> Response:
        visit = access_visit(request.user, pk, action="record", audit=False)
        data_in = VisitRecordSerializer(data=request.data)
        if not data_in.is_valid():
            return invalid_input_response(data_in.errors, ReintegrationErrorCode.INVALID)
        try:
            services.visit_record(visit=visit, by=request.user, **data_in.validated_data)  # type: ignore[arg-type]
        except ValidationError as error:
            return error_response(error, error_code_of)
        visit = visits_visible_to(request.user).select_related("case", "case__person", "assigned_to").get(pk=visit.pk)
        return Response(VisitSerializer(visit, context={"placements": _placements({visit.case_id})}).data)
