from typing import Any, cast

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import services
from .api_base import ScopedViewSet
from .authentication import token_expired
from .login_guard import lockout_response
from .models import Region, Store, Team, User
from .permissions import RolePermission
from .roles import Role

ADMIN_ONLY = (Role.ADMIN,)


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "name"]


class StoreSerializer(serializers.ModelSerializer):
    # Optional (API.md names only id, name, region): derived from the name when absent.
    code = serializers.SlugField(max_length=20, required=False, allow_blank=True)

    class Meta:
        model = Store
        fields = ["id", "name", "code", "region", "address", "phone"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        exclude = self.instance.pk if self.instance else None
        code = attrs.get("code")
        if code is None and self.instance is not None:
            return attrs
        if not code:
            name = str(attrs.get("name") or getattr(self.instance, "name", ""))
            attrs["code"] = services.store_code_for(name, exclude=exclude)
        elif Store.objects.filter(code=code).exclude(pk=exclude or 0).exists():
            raise serializers.ValidationError({"code": [_("A store with this code exists.")]})
        return attrs


class TeamSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "store", "name", "lead"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        store = attrs.get("store") or getattr(self.instance, "store", None)
        lead = attrs.get("lead")
        if lead and store and not lead.stores.filter(pk=store.pk).exists():
            raise serializers.ValidationError({"lead": ["The team lead must work in this store."]})
        return attrs


class UserSerializer(serializers.ModelSerializer):
    password = serializers.CharField(write_only=True, required=False, style={"input_type": "password"})
    store_ids = serializers.PrimaryKeyRelatedField(
        source="stores", many=True, queryset=Store.objects.all(), required=False
    )

    class Meta:
        model = User
        fields = ["id", "username", "password", "name", "role", "store_ids", "team", "is_active"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        stores = attrs.get("stores")
        if stores is None and self.instance is not None:
            stores = list(self.instance.stores.all())
        team = attrs.get("team")
        if team and team.store not in (stores or []):
            raise serializers.ValidationError({"team": ["The team must belong to one of the user's stores."]})
        if self.instance is None and not attrs.get("password"):
            raise serializers.ValidationError({"password": ["A new user needs a password."]})
        return attrs

    def create(self, validated: dict[str, Any]) -> User:
        return services.user_create(**validated)

    def update(self, instance: User, validated: dict[str, Any]) -> User:
        return services.user_update(user=instance, **validated)


class RegionViewSet(ScopedViewSet):
    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    write_roles = ADMIN_ONLY
    filterset_fields = ["name"]
    ordering_fields = ["name", "id"]


class StoreViewSet(ScopedViewSet):
    queryset = Store.objects.select_related("region")
    serializer_class = StoreSerializer
    write_roles = ADMIN_ONLY
    filterset_fields = ["region", "code"]
    ordering_fields = ["name", "id"]


class TeamViewSet(ScopedViewSet):
    queryset = Team.objects.all()
    serializer_class = TeamSerializer
    write_roles = ADMIN_ONLY
    filterset_fields = ["store", "lead"]
    ordering_fields = ["name", "id"]


class UserViewSet(ScopedViewSet):
    queryset = User.objects.prefetch_related("stores")
    serializer_class = UserSerializer
    write_roles = ADMIN_ONLY
    filterset_fields = ["role", "team", "is_active", "username"]
    ordering_fields = ["username", "id"]

    def get_queryset(self) -> QuerySet[User]:
        qs = super().get_queryset()
        user = cast(User, self.request.user)
        if user.role == Role.CONSULTANT and not user.is_admin:
            # A consultant sees himself and his team, not the whole store's staff list.
            qs = qs.filter(pk=user.pk) | qs.filter(team__isnull=False, team=user.team)
        return qs

    def perform_destroy(self, instance: User) -> None:
        # Users are deactivated, never deleted: their records keep their owner.
        services.user_update(user=instance, is_active=False)


class TokenView(ObtainAuthToken):
    """POST {"username", "password"} → {"token"}; an expired token is replaced by a new one."""

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            # django-axes marks the request it saw; REST framework wraps the original.
            if getattr(request, "axes_locked_out", False) or getattr(
                request._request, "axes_locked_out", False
            ):
                return lockout_response(request._request)
            raise serializers.ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        token, _created = Token.objects.get_or_create(user=user)
        if token_expired(token):
            token.delete()
            token = Token.objects.create(user=user)
        return Response({"token": token.key})


class SearchView(APIView):
    """Customers, vehicles and orders the caller may open that match `q` (name, mobile or its
    last digits, VIN or its last six, plate, order number); one query per kind."""

    permission_classes = [RolePermission]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q", str, description="name, mobile (or its last digits), VIN, plate, order number"
            )
        ],
        responses=inline_serializer(
            "SearchResults",
            {
                "results": serializers.ListField(
                    child=inline_serializer(
                        "SearchHit",
                        {
                            "kind": serializers.ChoiceField(choices=["customer", "vehicle", "order"]),
                            "id": serializers.IntegerField(),
                            "title": serializers.CharField(),
                            "subtitle": serializers.CharField(),
                            "url": serializers.URLField(),
                        },
                    )
                )
            },
        ),
    )
    def get(self, request: Request) -> Response:
        from . import search

        hits = [
            h
            for _source, group in search.find(request.user, request.query_params.get("q", ""))
            for h in group
        ]
        return Response(
            {
                "results": [
                    {
                        "kind": h.kind,
                        "id": h.id,
                        "title": h.title,
                        "subtitle": h.subtitle,
                        "url": request.build_absolute_uri(h.url),
                    }
                    for h in hits
                ]
            }
        )
