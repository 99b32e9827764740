from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.models import ReportExport
from core.reports import REPORTS
from core.services import report_export_start


def _report(request, slug):
    report = REPORTS.get(slug)
    if report is None:
        raise NotFound()
    if not report.allowed(request.user):
        raise PermissionDenied()
    return report


class ReportListView(APIView):
    @extend_schema(
        operation_id="reports_list", responses={200: OpenApiResponse(description="The reports available to the user")}
    )
    def get(self, request):
        return Response(
            [
                {"slug": r.slug, "title": str(r.title), "description": str(r.description)}
                for r in REPORTS.values()
                if r.allowed(request.user)
            ]
        )


class ReportView(APIView):
    """Rows of one report (a database aggregate); query parameters are the report's parameters."""

    @extend_schema(operation_id="reports_rows", responses={200: OpenApiResponse(description="columns and rows")})
    def get(self, request, slug):
        report = _report(request, slug)
        form, rows = report.build(user=request.user, data=request.query_params.copy())
        if form.is_bound and not form.is_valid():
            raise ValidationError(
                form.errors.get_json_data()
                and {k: [e["message"] for e in v] for k, v in form.errors.get_json_data().items()}
            )
        return Response(
            {
                "slug": report.slug,
                "title": str(report.title),
                "columns": [{"key": c.key, "label": str(c.label)} for c in report.columns],
                "rows": rows,
            }
        )


class ReportExportSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportExport
        fields = ["id", "report", "params", "format", "state", "file", "rows", "error", "created_at", "finished_at"]
        read_only_fields = fields


class ReportExportInput(serializers.Serializer):
    format = serializers.ChoiceField(choices=["csv", "xlsx"], default="xlsx")
    params = serializers.DictField(child=serializers.CharField(), required=False, default=dict)


class ReportExportCreateView(APIView):
    @extend_schema(request=ReportExportInput, responses={202: ReportExportSerializer})
    def post(self, request, slug):
        report = _report(request, slug)
        data = ReportExportInput(data=request.data)
        data.is_valid(raise_exception=True)
        export = report_export_start(
            report_slug=report.slug,
            params=data.validated_data["params"],
            fmt=data.validated_data["format"],
            user=request.user,
        )
        return Response(
            ReportExportSerializer(export, context={"request": request}).data, status=status.HTTP_202_ACCEPTED
        )


class ReportExportDetailView(APIView):
    @extend_schema(responses={200: ReportExportSerializer})
    def get(self, request, pk):
        export = ReportExport.objects.filter(pk=pk, requested_by=request.user).first()
        if export is None:
            raise NotFound()
        return Response(ReportExportSerializer(export, context={"request": request}).data)
