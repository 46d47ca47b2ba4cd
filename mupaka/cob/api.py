"""JSON API of end of day: run it (a job), follow it, read the business date."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from mupaka.cob import selectors, services
from mupaka.cob.models import CobJob
from mupaka.core.api import idempotency_key
from mupaka.core.exceptions import NotFound
from mupaka.core.idempotency import idempotent
from mupaka.core.permissions import require_perm

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="A fresh UUID per request; a retry with the same key returns the same job.",
)


def job_json(job: CobJob) -> dict:
    labels = {s.name: str(s.label) for s in services.runner.steps()}
    percent = round(100 * job.steps_done / job.steps_total) if job.steps_total else 100
    return {
        "job": str(job.pk),
        "status": job.status,
        "from_date": job.from_date.isoformat(),
        "until_date": job.until_date.isoformat(),
        "current_date": job.current_date.isoformat() if job.current_date else None,
        "current_step": job.current_step or None,
        "current_step_label": labels.get(job.current_step) if job.current_step else None,
        "steps_done": job.steps_done,
        "steps_total": job.steps_total,
        "dates_done": job.dates_done,
        "dates_total": job.dates_total,
        "percent": percent if job.status != "done" else 100,
        "business_date": job.business_date.isoformat() if job.business_date else None,
        "error": job.error or None,
        "requested_by": job.requested_by.get_username() if job.requested_by_id else None,
        "created_at": job.created_at.isoformat(),
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


JobOut = inline_serializer(
    "CobJob",
    {
        "job": serializers.UUIDField(),
        "status": serializers.ChoiceField(choices=["queued", "running", "done", "failed"]),
        "from_date": serializers.DateField(),
        "until_date": serializers.DateField(),
        "current_date": serializers.DateField(allow_null=True),
        "current_step": serializers.CharField(allow_null=True),
        "current_step_label": serializers.CharField(allow_null=True),
        "steps_done": serializers.IntegerField(),
        "steps_total": serializers.IntegerField(),
        "dates_done": serializers.IntegerField(),
        "dates_total": serializers.IntegerField(),
        "percent": serializers.IntegerField(),
        "business_date": serializers.DateField(allow_null=True),
        "error": serializers.CharField(allow_null=True),
        "requested_by": serializers.CharField(allow_null=True),
        "created_at": serializers.DateTimeField(),
        "started_at": serializers.DateTimeField(allow_null=True),
        "finished_at": serializers.DateTimeField(allow_null=True),
    },
)


class RunIn(serializers.Serializer):
    until = serializers.DateField(
        required=False,
        help_text="Catch up every business date up to this day (default: the business date only).",
    )

    def to_internal_value(self, data):
        unknown = sorted(set(data) - set(self.fields)) if isinstance(data, dict) else []
        if unknown:
            raise serializers.ValidationError({n: [_("Unknown field.")] for n in unknown})
        return super().to_internal_value(data)


class CobRunView(APIView):
    @extend_schema(
        request=RunIn,
        responses={202: JobOut},
        parameters=[IDEMPOTENCY_HEADER],
        summary="Run end of day (returns a job to follow)",
    )
    def post(self, request):
        key = idempotency_key(request)
        data = RunIn(data=request.data)
        data.is_valid(raise_exception=True)
        until = data.validated_data.get("until")
        result = idempotent(
            key=key,
            scope="cob.request",
            actor=request.user,
            payload={"until": until},
            run=lambda: {"job": str(services.cob_request(actor=request.user, until=until).pk)},
        )
        job = CobJob.objects.get(pk=result.response["job"])
        if not result.replayed:
            services.cob_job_launch(job)
            job.refresh_from_db()
        return Response(job_json(job), status=status.HTTP_202_ACCEPTED)


class CobJobView(APIView):
    @extend_schema(responses={200: JobOut}, summary="Progress of an end-of-day job")
    def get(self, request, job):
        require_perm(request.user, "cob.view")
        found = selectors.job_get(job)
        if found is None:
            raise NotFound(_("There is no such end-of-day job."))
        return Response(job_json(found))


class BusinessDateView(APIView):
    @extend_schema(
        responses={
            200: inline_serializer(
                "BusinessDate",
                {
                    "business_date": serializers.DateField(),
                    "next_date": serializers.DateField(),
                    "closing": serializers.BooleanField(),
                    "last_closed": serializers.DateField(allow_null=True),
                },
            )
        },
        summary="The business date, the next one, and whether end of day is closing it",
    )
    def get(self, request):
        require_perm(request.user, "business_date.view")
        s = selectors.business_date_status()
        return Response(
            {
                "business_date": s.business_date.isoformat(),
                "next_date": s.next_date.isoformat(),
                "closing": s.closing,
                "last_closed": s.last_closed.isoformat() if s.last_closed else None,
            }
        )
