"""trainings/ (issue 15 item 8): sessions with their attendees and scores, over the
one service; scoped like the pages (a consultant reads the sessions he attended)."""

from typing import Any, cast

from django.db.models import Prefetch, QuerySet
from rest_framework import serializers

from apps.org.api_base import ScopedViewSet
from apps.org.models import Store, User
from apps.org.roles import Role
from apps.org.scoping import store_ids, visible

from . import selectors, services
from .models import Attendance, TrainingSession


class AttendeeSerializer(serializers.Serializer):
    attendee = serializers.IntegerField(source="attendee_id", help_text="A user id of the session's store.")
    score = serializers.DecimalField(
        max_digits=4, decimal_places=1, min_value=0, max_value=100, required=False, allow_null=True
    )


class TrainingSerializer(serializers.ModelSerializer):
    """A training session (培训). `attendees` replaces the list on every write."""

    store = serializers.PrimaryKeyRelatedField(queryset=Store.objects.none())
    trainer = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(), required=False, allow_null=True
    )
    attendees = AttendeeSerializer(many=True, source="attendances_list")
    average_score = serializers.DecimalField(max_digits=4, decimal_places=1, read_only=True, allow_null=True)

    class Meta:
        model = TrainingSession
        fields = [
            "id",
            "store",
            "topic",
            "title",
            "trainer",
            "trainer_name",
            "date",
            "hours",
            "note",
            "attendees",
            "average_score",
            "created_at",
        ]
        read_only_fields = ["created_at"]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and getattr(request.user, "is_authenticated", False):
            fields["store"].queryset = visible(Store.objects.all(), request.user)  # type: ignore[attr-defined]
            staff = User.objects.filter(stores__in=store_ids(request.user), is_active=True).distinct()
            fields["trainer"].queryset = staff  # type: ignore[attr-defined]
        return fields

    def _save(self, validated: dict[str, Any], instance: TrainingSession | None) -> TrainingSession:
        def value(name: str, default: Any = None) -> Any:
            if name in validated:
                return validated[name]
            return getattr(instance, name) if instance is not None else default

        if "attendances_list" in validated:
            attendees = {a["attendee_id"]: a.get("score") for a in validated["attendances_list"]}
        elif instance is not None:
            attendees = dict(instance.attendances.values_list("attendee_id", "score"))
        else:
            attendees = {}
        return services.training_session_save(
            store=value("store"),
            topic=value("topic"),
            title=value("title", ""),
            date=value("date"),
            hours=value("hours"),
            trainer=value("trainer"),
            trainer_name=value("trainer_name", "") or "",
            note=value("note", "") or "",
            attendees=attendees,
            by=cast(User, self.context["request"].user),
            instance=instance,
        )

    def create(self, validated: dict[str, Any]) -> TrainingSession:
        return self._save(validated, None)

    def update(self, instance: TrainingSession, validated: dict[str, Any]) -> TrainingSession:
        return self._save(validated, instance)


class TrainingViewSet(ScopedViewSet):
    """Training sessions with topic, trainer, date, hours, attendees and their scores.
    Filters: `store`, `topic`, `date`, `trainer`."""

    queryset = TrainingSession.objects.all()
    serializer_class = TrainingSerializer
    read_roles = (Role.MANAGER, Role.CONSULTANT)
    write_roles = (Role.MANAGER,)
    filterset_fields = ["store", "topic", "date", "trainer"]
    ordering_fields = ["date", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.sessions_for(self.request.user).prefetch_related(
            Prefetch("attendances", queryset=Attendance.objects.order_by("pk"), to_attr="attendances_list")
        )

    def perform_create(self, serializer: Any) -> None:
        # Answer with the saved session as a read returns it (attendees, average score).
        saved = serializer.save()
        serializer.instance = self.get_queryset().get(pk=saved.pk)

    def perform_update(self, serializer: Any) -> None:
        saved = serializer.save()
        serializer.instance = self.get_queryset().get(pk=saved.pk)
