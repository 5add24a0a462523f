from __future__ import annotations

from rest_framework import serializers

from homecoming.accounts.models import Agency, User
from homecoming.core.models import Job


class JobSerializer(serializers.ModelSerializer[Job]):
    """A job as the API shows it: never the technical error details."""

    kind_label = serializers.CharField(read_only=True)
    created_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(slug_field="username", read_only=True)
    owner_agency: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "kind_label",
            "status",
            "progress",
            "message",
            "error_message",
            "result",
            "created_by",
            "owner_agency",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields
