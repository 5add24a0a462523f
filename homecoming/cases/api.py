"""The cases API: /api/v1/cases/, /api/v1/approvals/, /api/v1/assessments/, /api/v1/consents/.

Scoped and audited like the pages: out of scope is 404, no permission 403, a list writes one
audit entry with the ids shown, a single record one read entry. Business errors answer 400 with
``{"code", "detail", "fields"}``; ``code`` is one of ``CaseErrorCode`` (stable).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from homecoming.accounts.models import Agency, User
from homecoming.audit.models import AuditAction
from homecoming.audit.services import audit_record
from homecoming.cases import selectors, services
from homecoming.cases.choices import (
    ApprovalStatus,
    AssessmentKind,
    AssessmentOutcome,
    CasePriority,
    CaseStage,
    ConsentGiver,
    ConsentScope,
)
from homecoming.cases.error_codes import CaseErrorCode, error_code_of
from homecoming.cases.filters import AssessmentFilterSet, CaseFilterSet, ConsentFilterSet
from homecoming.cases.models import ApprovalRequest, Assessment, Case, CaseTransition, Consent
from homecoming.core.access import (
    Perm,
    Scope,
    access_case,
    agencies_with,
    audit_list,
    cases_visible_to,
    persons_visible_to,
    require_perm,
)
from homecoming.core.api import error_response, error_serializer, field_error_response, invalid_input_response

# --- shapes ---------------------------------------------------------------------------------------


CaseErrorSerializer = error_serializer("CaseError", CaseErrorCode)


class DetailSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()


ERRORS = {
    400: OpenApiResponse(CaseErrorSerializer, description="Refused: see `code` (CaseErrorCode) and `fields`."),
    403: OpenApiResponse(DetailSerializer, description="Your roles do not allow this."),
    404: OpenApiResponse(DetailSerializer, description="No such record in your scope."),
}
READ_ERRORS = {403: ERRORS[403], 404: ERRORS[404]}


class PersonBriefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    display_name = serializers.CharField()
    sex = serializers.CharField()
    birth_date = serializers.DateField(allow_null=True)


class UserBriefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.SerializerMethodField()

    def get_name(self, obj: User) -> str:
        return obj.get_full_name() or obj.username


class CaseSerializer(serializers.ModelSerializer[Case]):
    reference = serializers.CharField(read_only=True)
    person = PersonBriefSerializer(read_only=True)
    owner_agency: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    assigned_to = UserBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "person",
            "owner_agency",
            "assigned_to",
            "stage",
            "held_from_stage",
            "priority",
            "summary",
            "opened_at",
            "closed_at",
            "updated_at",
        ]
        read_only_fields = fields


class CaseCreateSerializer(serializers.Serializer[Any]):
    person = serializers.IntegerField(min_value=1, help_text="Registry id of the person.")
    owner_agency = serializers.SlugField(help_text="Code of the owner agency (one you work in).")
    assigned_to = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    priority = serializers.ChoiceField(choices=CasePriority.choices, default=CasePriority.NORMAL)
    summary = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class TransitionInputSerializer(serializers.Serializer[Any]):
    to_stage = serializers.CharField(help_text="One of the stages (CaseStage).")
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class CaseTransitionSerializer(serializers.ModelSerializer[CaseTransition]):
    by = UserBriefSerializer(read_only=True)
    approval: serializers.PrimaryKeyRelatedField[ApprovalRequest] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True
    )

    class Meta:
        model = CaseTransition
        fields = ["id", "from_stage", "to_stage", "by", "at", "reason", "approval"]
        read_only_fields = fields


class TransitionResultSerializer(serializers.Serializer[Any]):
    case = serializers.IntegerField()
    stage = serializers.ChoiceField(choices=CaseStage.choices)
    transition = CaseTransitionSerializer()


class ApprovalRequestSerializer(serializers.ModelSerializer[ApprovalRequest]):
    person = serializers.SerializerMethodField()
    requested_by = UserBriefSerializer(read_only=True)
    decided_by = UserBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ApprovalRequest
        fields = [
            "id",
            "case",
            "person",
            "from_stage",
            "to_stage",
            "reason",
            "status",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = fields

    def get_person(self, obj: ApprovalRequest) -> str:
        return obj.case.person.display_name


class ApprovalInputSerializer(serializers.Serializer[Any]):
    to_stage = serializers.CharField(help_text="The stage to move to: approved or closed.")
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class ApprovalDecisionSerializer(serializers.Serializer[Any]):
    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class AssessmentSerializer(serializers.ModelSerializer[Assessment]):
    recorded_by = UserBriefSerializer(read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "case",
            "kind",
            "assessed_on",
            "round_label",
            "assessor",
            "assessor_name",
            "assessor_role",
            "outcome",
            "reasons",
            "recommendations",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields


class AssessmentCreateSerializer(serializers.Serializer[Any]):
    case = serializers.IntegerField(min_value=1)
    kind = serializers.ChoiceField(choices=AssessmentKind.choices)
    assessed_on = serializers.DateField()
    outcome = serializers.ChoiceField(choices=AssessmentOutcome.choices)
    reasons = serializers.CharField(max_length=10000)
    recommendations = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)
    round_label = serializers.CharField(required=False, allow_blank=True, default="", max_length=60)
    assessor = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    assessor_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    assessor_role = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class ConsentSerializer(serializers.ModelSerializer[Consent]):
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=ConsentScope.choices), read_only=True)
    is_withdrawn = serializers.BooleanField(read_only=True)
    has_document = serializers.SerializerMethodField()
    document_url = serializers.SerializerMethodField()
    recorded_by = UserBriefSerializer(read_only=True)

    class Meta:
        model = Consent
        fields = [
            "id",
            "case",
            "given_by_relation",
            "given_by_name",
            "given_by_person",
            "scopes",
            "given_on",
            "witness_name",
            "interpreter_name",
            "language",
            "has_document",
            "document_name",
            "document_content_type",
            "document_size",
            "document_sha256",
            "document_url",
            "recorded_by",
            "recorded_at",
            "is_withdrawn",
            "withdrawn_on",
            "withdrawal_reason",
        ]
        read_only_fields = fields

    def get_has_document(self, obj: Consent) -> bool:
        return bool(obj.document)

    def get_document_url(self, obj: Consent) -> str | None:
        """The access-checked, audited page that serves the signed document."""
        if not obj.document:
            return None
        return reverse("cases:consent_document", kwargs={"case_pk": obj.case_id, "pk": obj.pk})


class ConsentCreateSerializer(serializers.Serializer[Any]):
    case = serializers.IntegerField(min_value=1)
    given_by_relation = serializers.ChoiceField(choices=ConsentGiver.choices)
    given_by_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    given_by_person = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=ConsentScope.choices), allow_empty=True)
    given_on = serializers.DateField()
    witness_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    interpreter_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    language = serializers.CharField(required=False, allow_blank=True, default="", max_length=60)
    document = serializers.FileField(required=False, allow_null=True, default=None, help_text="PDF, JPEG or PNG.")


class ConsentWithdrawSerializer(serializers.Serializer[Any]):
    withdrawn_on = serializers.DateField()
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


# --- cases -------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Cases you may see",
        description="Filter with `?q=` (person name), `?stage=`, `?owner_agency=`, `?assigned=me|nobody`, …",
        responses={200: CaseSerializer(many=True), 403: ERRORS[403]},
    ),
    retrieve=extend_schema(summary="One case", responses={200: CaseSerializer, **READ_ERRORS}),
)
class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Case]):
    serializer_class = CaseSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = CaseFilterSet

    def get_queryset(self) -> QuerySet[Case]:
        return cases_visible_to(self.request.user).select_related("person", "owner_agency", "assigned_to")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_perm(request.user, Perm.CASE_VIEW)
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        rows = list(page or [])
        audit_list(request.user, rows, object_type="cases.case")
        return self.get_paginated_response(CaseSerializer(rows, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        case = access_case(request.user, kwargs["pk"])
        case = self.get_queryset().get(pk=case.pk)
        return Response(CaseSerializer(case).data)

    @extend_schema(
        summary="Open a case for a person",
        request=CaseCreateSerializer,
        responses={201: CaseSerializer, **ERRORS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_perm(request.user, Perm.CASE_CHANGE)
        data_in = CaseCreateSerializer(data=request.data)
        if not data_in.is_valid():
            return invalid_input_response(data_in.errors, CaseErrorCode.INVALID)
        data = data_in.validated_data
        person = persons_visible_to(request.user).filter(pk=data["person"]).first()
        if person is None:
            return field_error_response(
                "person", _("No person with this id is in your records."), CaseErrorCode.PERSON_NOT_FOUND
            )
        agency_ids = agencies_with(request.user, Perm.CASE_CHANGE, Scope.AGENCY)
        agency = Agency.objects.filter(code=data["owner_agency"], pk__in=agency_ids).first()
        if agency is None:
            return field_error_response(
                "owner_agency",
                _("You can open cases only for an agency you work in."),
                CaseErrorCode.AGENCY_NOT_ALLOWED,
            )
        assigned_to = None
        if data["assigned_to"] is not None:
            assigned_to = User.objects.filter(pk=data["assigned_to"], is_active=True).first()
            if assigned_to is None:
                return field_error_response("assigned_to", _("No such user."), CaseErrorCode.ASSIGNEE_NOT_MEMBER)
        try:
            case = services.case_open(
                person=person,
                owner_agency=agency,
                by=request.user,  # type: ignore[arg-type]
                assigned_to=assigned_to,
                priority=data["priority"],
                summary=data["summary"],
            )
        except ValidationError as error:
            return error_response(error, error_code_of)
        return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Move a case to another stage",
        description=(
            "Moves allowed by the stage table only; a reason is required. Moves to `approved` and "
            "`closed` need a manager's approval (400 `approval_required`): ask for one with "
            "`POST /cases/{id}/approval-request/`."
        ),
        request=TransitionInputSerializer,
        responses={200: TransitionResultSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        case = access_case(request.user, pk, action="transition", audit=False)
        data_in = TransitionInputSerializer(data=request.data)
        if not data_in.is_valid():
            return invalid_input_response(data_in.errors, CaseErrorCode.INVALID)
        try:
            transition = services.case_transition(
                case=case,
                to_stage=data_in.validated_data["to_stage"],
                by=request.user,  # type: ignore[arg-type]
                reason=data_in.validated_data["reason"],
            )
        except ValidationError as error:
            return error_response(error, error_code_of)
        return Response({"case": case.pk, "stage": case.stage, "transition": CaseTransitionSerializer(transition).data})

    @extend_schema(
        summary="Ask a manager to approve a move (to approved or closed)",
        request=ApprovalInputSerializer,
        responses={201: ApprovalRequestSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="approval-request", url_name="approval-request")
    def approval_request(self, request: Request, pk: str | None = None) -> Response:
        case = access_case(request.user, pk, action="transition", audit=False)
        data_in = ApprovalInputSerializer(data=request.data)
        if not data_in.is_valid():
            return invalid_input_response(data_in.errors, CaseErrorCode.INVALID)
        try:
            approval = services.approval_request(
                case=case,
                to_stage=data_in.validated_data["to_stage"],
                by=request.user,  # type: ignore[arg-type]
                reason=data_in.validated_data["reason"],
            )
        except ValidationError as error:
            return error_response(error, error_code_of)
        return Response(ApprovalRequestSerializer(approval).data, status=status.HTTP_201_CREATED)


# --- approvals --------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Approval requests on cases you may approve",
        description="Pending ones by default; `?status=approved|rejected|superseded|all`.",
        responses={200: ApprovalRequestSerializer(many=True), 403: ERRORS[403]},
    ),
    retrieve=extend_schema(summary="One approval request", responses={200: ApprovalRequestSerializer, **READ_ERRORS}),
)
class ApprovalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[ApprovalRequest]):
    serializer_class = ApprovalRequestSerializer

    def get_queryset(self) -> QuerySet[ApprovalRequest]:
        wanted = self.request.query_params.get("status", ApprovalStatus.PENDING)
        status_filter = "" if wanted == "all" else wanted if wanted in ApprovalStatus.values else ApprovalStatus.PENDING
        return selectors.approval_list(user=self.request.user, status=status_filter)

    def _get(self, request: Request, pk: Any) -> ApprovalRequest:
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            raise Http404 from None
        approval = (
            ApprovalRequest.objects.filter(pk=pk, case__in=cases_visible_to(request.user).values("pk"))
            .select_related("case", "case__person", "requested_by", "decided_by")
            .first()
        )
        if approval is None:
            raise Http404
        access_case(request.user, approval.case_id, action="approve", audit=False)
        return approval

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_perm(request.user, Perm.CASE_APPROVE)
        rows = list(self.paginate_queryset(self.get_queryset()) or [])
        audit_list(request.user, sorted({a.case_id for a in rows}), object_type="cases.case")
        return self.get_paginated_response(ApprovalRequestSerializer(rows, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        approval = self._get(request, kwargs["pk"])
        with transaction.atomic():
            audit_record(actor=request.user, action=AuditAction.VIEW, obj=approval, detail={"case": approval.case_id})
        return Response(ApprovalRequestSerializer(approval).data)

    @extend_schema(
        summary="Approve (and make the move) or reject a request",
        description="By a user who may approve the case and did not make the request.",
        request=ApprovalDecisionSerializer,
        responses={200: ApprovalRequestSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        approval = self._get(request, pk)
        data_in = ApprovalDecisionSerializer(data=request.data)
        if not data_in.is_valid():
            return invalid_input_response(data_in.errors, CaseErrorCode.INVALID)
        try:
            decided = services.approval_decide(
                request=approval,
                by=request.user,  # type: ignore[arg-type]
                approve=data_in.validated_data["approve"],
                note=data_in.validated_data["note"],
            )
        except ValidationError as error:
            return error_response(error, error_code_of)
        return Response(ApprovalRequestSerializer(decided).data)


# --- assessments and consents -------------------------------------------------------------------------


class _CaseRecordViewSet(viewsets.GenericViewSet[Any]):
    """Assessments and consents: listed within the cases the caller may see."""

    filter_backends = [DjangoFilterBackend]
    object_type = ""

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_perm(request.user, Perm.CASE_VIEW)
        rows = list(self.paginate_queryset(self.filter_queryset(self.get_queryset())) or [])
        audit_list(request.user, rows, object_type=self.object_type)
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self._get(kwargs["pk"])
        with transaction.atomic():
            audit_record(actor=request.user, action=AuditAction.VIEW, obj=obj, detail={"case": obj.case_id})
        return Response(self.get_serializer(obj).data)

    def _get(self, pk: Any) -> Any:
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            raise Http404 from None
        obj = self.get_queryset().filter(pk=pk).first()
        if obj is None:
            raise Http404
        return obj


@extend_schema_view(
    list=extend_schema(
        summary="Assessments of the cases you may see",
        responses={200: AssessmentSerializer(many=True), 403: ERRORS[403]},
    ),
    retrieve=extend_schema(summary="One assessment", responses={200: AssessmentSerializer, **READ_ERRORS}),
)
class AssessmentViewSet(_CaseRecordViewSet):
    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilterSet
    object_type = "cases.assessment"

    def get_queryset(self) -> QuerySet[Assessment]:
        return selectors.assessment_list(user=self.request.user)

    @extend_schema(
        summary="Record an assessment",
        request=AssessmentCreateSerializer,
        responses={201: AssessmentSerializer, **ERRORS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_perm(request.user, Perm.ASSESSMENT_RECORD)
        data_in = AssessmentCreateSerializer(data=request.data)
        if not data_in.is_valid():
            return invalid_input_response(data_in.errors, CaseErrorCode.INVALID)
        data = data_in.validated_data
        case = access_case(request.user, data["case"], action="assess", audit=False)
        assessor = None
        if data["assessor"] is not None:
            assessor = selectors.assignable_users(agency_ids={case.owner_agency_id}).filter(pk=data["assessor"]).first()
            if assessor is None:
                return field_error_response(
                    "assessor", _("The assessor must be a user of the case's owner agency."), CaseErrorCode.INVALID
                )
        try:
            assessment = services.assessment_record(
                case=case,
                by=request.user,  # type: ignore[arg-type]
                kind=data["kind"],
                assessed_on=data["assessed_on"],
                outcome=data["outcome"],
                reasons=data["reasons"],
                recommendations=data["recommendations"],
                round_label=data["round_label"],
                assessor=assessor,
                assessor_name=data["assessor_name"],
                assessor_role=data["assessor_role"],
            )
        except ValidationError as error:
            return error_response(error, error_code_of)
        return Response(AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="Consents on the cases you may see",
        responses={200: ConsentSerializer(many=True), 403: ERRORS[403]},
    ),
    retrieve=extend_schema(summary="One consent", responses={200: ConsentSerializer, **READ_ERRORS}),
)
class ConsentViewSet(_CaseRecordViewSet):
    serializer_class = ConsentSerializer
    filterset_class = ConsentFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    object_type = "cases.consent"

    def get_queryset(self) -> QuerySet[Consent]:
        return selectors.consent_list(user=self.request.user)

    @extend_schema(
        summary="Record a consent (multipart, to attach the signed document)",
        request={"multipart/form-data": ConsentCreateSerializer, "application/json": ConsentCreateSerializer},
        responses={201: ConsentSerializer, **ERRORS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_perm(request.user, Perm.CONSENT_RECORD)
        data_in = ConsentCreateSerializer(data=request.data)
        if not data_in.is_valid():
            return invalid_input_response(data_in.errors, CaseErrorCode.INVALID)
        data = data_in.validated_data
        case = access_case(request.user, data["case"], action="consent", audit=False)
        given_by_person = None
        if data["given_by_person"] is not None:
            given_by_person = persons_visible_to(request.user).filter(pk=data["given_by_person"]).first()
            if given_by_person is None:
                return field_error_response(
                    "given_by_person", _("No person with this id is in your records."), CaseErrorCode.PERSON_NOT_FOUND
                )
        try:
            consent = services.consent_record(
                case=case,
                by=request.user,  # type: ignore[arg-type]
                given_by_relation=data["given_by_relation"],
                given_by_name=data["given_by_name"],
                given_by_person=given_by_person,
                scopes=data["scopes"],
                given_on=data["given_on"],
                witness_name=data["witness_name"],
                interpreter_name=data["interpreter_name"],
                language=data["language"],
                document=data["document"],
            )
        except ValidationError as error:
            return error_response(error, error_code_of)
        consent = self.get_queryset().get(pk=consent.pk)
        return Response(ConsentSerializer(consent).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Record that a consent was withdrawn",
        request=ConsentWithdrawSerializer,
        responses={200: ConsentSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        consent = self._get(pk)
        access_case(request.user, consent.case_id, action="consent", audit=False)
        data_in = ConsentWithdrawSerializer(data=request.data)
        if not data_in.is_valid():
            return invalid_input_response(data_in.errors, CaseErrorCode.INVALID)
        try:
            services.consent_withdraw(
                consent=consent,
                by=request.user,  # type: ignore[arg-type]
                withdrawn_on=data_in.validated_data["withdrawn_on"],
                reason=data_in.validated_data["reason"],
            )
        except ValidationError as error:
            return error_response(error, error_code_of)
        return Response(ConsentSerializer(self.get_queryset().get(pk=consent.pk)).data)
