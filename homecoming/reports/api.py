"""``GET /api/v1/figures/``: every figure, by the same rules as ``manage.py figures --json``: exact
counts for callers who may see them (``Perm.FIGURES_EXACT``), through disclosure control for the
others who may see public figures (``Perm.FIGURES_PUBLIC``). Counts and sums only, never a person."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from homecoming.core.access import Perm, has_perm, require_perm
from homecoming.reports.selectors import figures_document


class FiguresApi(APIView):
    @extend_schema(
        summary="Every figure computed from the records",
        description=(
            "Operations (returned women and children, handovers by receiving state, fees paid to the "
            "detaining authority per currency), nationals still held abroad by country, and children "
            "assessed per month. Exact for managers; otherwise counts from 1 to 4 (and what would give "
            "them away) are null."
        ),
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        exact = has_perm(request.user, Perm.FIGURES_EXACT)
        if not exact:
            require_perm(request.user, Perm.FIGURES_PUBLIC)
        document: dict[str, Any] = figures_document(public=not exact)
        return Response(document)
