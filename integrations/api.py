"""`/api/v1/webhooks/...` (API.md, "Webhooks and feeds"): community managers register
endpoints, read each one's delivery log, send a test event and retry a delivery.

Thin: permission first (403 for anyone but a manager, before anything is looked up),
the serializer checks the JSON's shape, one service writes. The secret is in the body
of the 201 that creates the endpoint and nowhere else.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from forum.api import schema
from forum.api.base import MAX_ID, ForumAPIView, Pagination
from forum.api.exceptions import Conflict
from forum.api.fields import StrictCharField
from integrations import services
from integrations.models import EVENT_TYPES, Delivery, Endpoint
from integrations.permissions import check_manage_webhooks

TAG = "webhooks"


class EndpointSerializer(serializers.ModelSerializer):
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_TYPES), help_text="Subscribed events."
    )

    class Meta:
        model = Endpoint
        fields = [
            "id",
            "url",
            "description",
            "events",
            "is_active",
            "trusted_personal_data",
            "created_at",
            "disabled_at",
            "disabled_reason",
        ]
        read_only_fields = fields


class CreatedEndpointSerializer(EndpointSerializer):
    secret = serializers.CharField(
        help_text="The signing secret (`whsec_...`), shown this once: store it now."
    )

    class Meta(EndpointSerializer.Meta):
        fields = [*EndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = Delivery
        fields = [
            "id",
            "event",
            "message_id",
            "status",
            "attempts",
            "response_code",
            "last_error",
            "created_at",
            "last_attempt_at",
            "next_attempt_at",
        ]
        read_only_fields = fields


class EndpointRequestSerializer(serializers.Serializer):
    url = StrictCharField(help_text="An http(s) URL on a public address (at most 500).")
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_TYPES), max_length=len(EVENT_TYPES) * 2
    )
    description = StrictCharField(required=False, default="")
    trusted_personal_data = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Payloads to this endpoint include members' e-mail addresses.",
    )
    is_active = serializers.BooleanField(required=False)

    def to_internal_value(self, data: object) -> dict:
        if isinstance(data, dict):
            for name in ("trusted_personal_data", "is_active"):
                if name in data and not isinstance(data[name], bool):
                    raise serializers.ValidationError({name: ["Expected true or false."]})
        return super().to_internal_value(data)


def _errors(name: str) -> type[serializers.Serializer]:
    return schema.field_errors(
        name, "url", "events", "description", "trusted_personal_data", "is_active"
    )


def _valid(data: object, *, partial: bool = False) -> dict:
    serializer = EndpointRequestSerializer(data=data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class _ManagerView(ForumAPIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "post"

    def endpoint(self, request: Request, pk: int) -> Endpoint:
        check_manage_webhooks(request.user)
        return get_object_or_404(Endpoint, pk=pk)


class EndpointListView(_ManagerView):
    pagination_class = Pagination

    @extend_schema(
        tags=[TAG],
        summary="The webhook endpoints",
        description="Community managers.",
        responses={
            200: EndpointSerializer(many=True),
            # 404: a page number past the end; 400: a page size that is not a whole number
            **schema.read_errors(bad_request=schema.field_errors("EndpointList", "page_size")),
            403: schema.FORBIDDEN,
        },
    )
    def get(self, request: Request) -> Response:
        check_manage_webhooks(request.user)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(Endpoint.objects.order_by("pk"), request, view=self)
        return paginator.get_paginated_response(EndpointSerializer(page, many=True).data)

    @extend_schema(
        tags=[TAG],
        summary="Register a webhook endpoint",
        description="Community managers. The URL must be http(s) on a public address "
        "(loopback, private, link-local and metadata addresses are refused unless the "
        "server allows them). The answer carries the signing `secret`, shown only here.",
        request=EndpointRequestSerializer,
        responses={
            201: CreatedEndpointSerializer,
            **schema.write_errors(_errors("CreateEndpoint"), not_found=False),
        },
    )
    def post(self, request: Request) -> Response:
        check_manage_webhooks(request.user)
        data = _valid(request.data)
        data.pop("is_active", None)
        endpoint = services.create_endpoint(actor=request.user, **data)
        location = reverse("api:webhook-detail", kwargs={"pk": endpoint.pk}, request=request)
        return Response(
            CreatedEndpointSerializer(endpoint).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": location},
        )


class EndpointDetailView(_ManagerView):
    @extend_schema(
        tags=[TAG],
        summary="A webhook endpoint",
        description="Community managers. The secret is not shown again.",
        responses={200: EndpointSerializer, **schema.read_errors(), 403: schema.FORBIDDEN},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(EndpointSerializer(self.endpoint(request, pk)).data)

    @extend_schema(
        tags=[TAG],
        summary="Change a webhook endpoint",
        description="Community managers. Any of `url`, `events`, `description`, "
        "`trusted_personal_data`, `is_active` (true re-enables a disabled endpoint).",
        request=EndpointRequestSerializer(partial=True),
        responses={200: EndpointSerializer, **schema.write_errors(_errors("UpdateEndpoint"))},
    )
    def patch(self, request: Request, pk: int) -> Response:
        endpoint = self.endpoint(request, pk)
        data = _valid(request.data, partial=True)
        endpoint = services.update_endpoint(actor=request.user, endpoint=endpoint, **data)
        return Response(EndpointSerializer(endpoint).data)

    @extend_schema(
        tags=[TAG],
        summary="Delete a webhook endpoint",
        description="Community managers. Its delivery log goes with it.",
        request=None,
        responses={
            204: OpenApiResponse(description="Deleted."),
            **schema.write_errors(None),
        },
    )
    def delete(self, request: Request, pk: int) -> Response:
        endpoint = self.endpoint(request, pk)
        services.delete_endpoint(actor=request.user, endpoint=endpoint)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DeliveryListView(_ManagerView):
    pagination_class = Pagination

    @extend_schema(
        tags=[TAG],
        summary="An endpoint's delivery log",
        description="Community managers. Newest first: status, attempts, response code.",
        responses={
            200: DeliverySerializer(many=True),
            **schema.read_errors(bad_request=schema.field_errors("DeliveryList", "page_size")),
            403: schema.FORBIDDEN,
        },
    )
    def get(self, request: Request, pk: int) -> Response:
        endpoint = self.endpoint(request, pk)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(endpoint.deliveries.all(), request, view=self)
        return paginator.get_paginated_response(DeliverySerializer(page, many=True).data)


class TestEventView(_ManagerView):
    @extend_schema(
        tags=[TAG],
        summary="Send a test event",
        description="Community managers. Queues a `webhook.test` delivery to the endpoint "
        "(sent by the worker; follow it in the delivery log). 409 when it is disabled.",
        request=None,
        responses={202: DeliverySerializer, **schema.write_errors(None)},
    )
    def post(self, request: Request, pk: int) -> Response:
        endpoint = self.endpoint(request, pk)
        try:
            delivery = services.send_test_event(actor=request.user, endpoint=endpoint)
        except services.Conflict as exc:
            raise Conflict(detail=str(exc)) from exc
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class RetryDeliveryView(_ManagerView):
    @extend_schema(
        tags=[TAG],
        summary="Retry a delivery",
        description="Community managers. Queues one more attempt now; 409 when it "
        "succeeded already or the endpoint is disabled.",
        request=None,
        responses={202: DeliverySerializer, **schema.write_errors(None)},
    )
    def post(self, request: Request, pk: int, delivery_id: int) -> Response:
        endpoint = self.endpoint(request, pk)
        if delivery_id > MAX_ID:
            raise NotFound()
        delivery = get_object_or_404(Delivery, pk=delivery_id, endpoint=endpoint)
        try:
            delivery = services.retry_delivery(actor=request.user, delivery=delivery)
        except services.Conflict as exc:
            raise Conflict(detail=str(exc)) from exc
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


urlpatterns = [
    path("webhooks/", EndpointListView.as_view(), name="webhook-list"),
    path("webhooks/<int:pk>/", EndpointDetailView.as_view(), name="webhook-detail"),
    path("webhooks/<int:pk>/deliveries/", DeliveryListView.as_view(), name="webhook-deliveries"),
    path("webhooks/<int:pk>/test/", TestEventView.as_view(), name="webhook-test"),
    path(
        "webhooks/<int:pk>/deliveries/<int:delivery_id>/retry/",
        RetryDeliveryView.as_view(),
        name="webhook-delivery-retry",
    ),
]
