"""The automation in `/api/v1/` (API.md; mounted from `config.api_urls`): the twins of
`automation:update` (managers read and change the rules) and of the member's switches
(`automation:my_messages`, and the e-mail's one-click opt-out for a signed-in member)."""

from __future__ import annotations

from django.http import Http404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from advocacy.automation import optout
from advocacy.automation.engine import Rule, registered, save_settings, settings_for
from advocacy.health.permissions import check_view_health
from forum.api import schema
from forum.api.base import ForumAPIView


class AutomationRuleSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField(help_text="In the request's language.")
    description = serializers.CharField()
    enabled = serializers.BooleanField()
    params = serializers.DictField(
        child=serializers.IntegerField(), help_text="{parameter: value}."
    )
    param_ranges = serializers.DictField(
        child=serializers.ListField(child=serializers.IntegerField()),
        help_text="{parameter: [minimum, maximum]}.",
    )
    member_opt_out = serializers.BooleanField(help_text="Members may switch its messages off.")


class RuleChangeSerializer(serializers.Serializer):
    enabled = serializers.BooleanField(required=False)
    params = serializers.DictField(
        child=serializers.IntegerField(),
        required=False,
        help_text="{parameter: value}; parameters left out keep theirs.",
    )


class MessagesSerializer(serializers.Serializer):
    messages = serializers.DictField(
        child=serializers.BooleanField(),
        required=False,
        help_text="{rule: true to get its messages, false to opt out}; rules left out keep "
        "theirs. Rules: remind_accept, welcome, win_back, route_unanswered.",
    )


def _rule_data(rule: Rule) -> dict:
    current = settings_for(rule)
    return {
        "key": rule.key,
        "label": str(rule.label),
        "description": str(rule.description),
        "enabled": current.enabled,
        "params": current.values,
        "param_ranges": {p.name: [p.minimum, p.maximum] for p in rule.params},
        "member_opt_out": rule.opt_out,
    }


def _rule(key: str) -> Rule:
    rule = registered().get(key)
    if rule is None:
        raise Http404
    return rule


class RuleListView(ForumAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["community"],
        summary="The automation rules",
        description="Staff and community managers (403 for anyone else).",
        responses={200: AutomationRuleSerializer(many=True), **schema.read_errors(not_found=False)},
    )
    def get(self, request: Request) -> Response:
        check_view_health(request.user)
        return Response([_rule_data(rule) for rule in registered().values()])


class RuleDetailView(ForumAPIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "post"

    @extend_schema(
        tags=["community"],
        summary="An automation rule",
        description="Staff and community managers (403 for anyone else).",
        responses={200: AutomationRuleSerializer, **schema.read_errors()},
    )
    def get(self, request: Request, key: str) -> Response:
        check_view_health(request.user)
        return Response(_rule_data(_rule(key)))

    @extend_schema(
        tags=["community"],
        summary="Switch a rule on or off, change its parameters",
        description="Staff and community managers. All or nothing: an unknown parameter or "
        "a value out of its range changes nothing (400).",
        request=RuleChangeSerializer,
        responses={
            200: AutomationRuleSerializer,
            **schema.write_errors(schema.field_errors("RuleChange", "enabled", "params")),
        },
    )
    def patch(self, request: Request, key: str) -> Response:
        check_view_health(request.user)
        rule = _rule(key)
        body = RuleChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        current = settings_for(rule)
        values = dict(current.values)
        ranges = {p.name: p for p in rule.params}
        for name, value in body.validated_data.get("params", {}).items():
            param = ranges.get(name)
            if param is None:
                raise ValidationError(
                    {"params": [_("Unknown parameter: %(name)s.") % {"name": name}]}
                )
            if not param.minimum <= value <= param.maximum:
                raise ValidationError(
                    {
                        "params": [
                            _("%(name)s must be between %(min)d and %(max)d.")
                            % {"name": name, "min": param.minimum, "max": param.maximum}
                        ]
                    }
                )
            values[name] = value
        enabled = body.validated_data.get("enabled", current.enabled)
        save_settings(rule, enabled=enabled, values=values, actor=request.user)
        return Response(_rule_data(rule))


class MyMessagesView(ForumAPIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "post"

    @extend_schema(
        tags=["members"],
        summary="Your automatic messages",
        description="For each automation rule you may switch off: whether you get its "
        "messages (true) or opted out (false).",
        responses={200: MessagesSerializer, **schema.read_errors(not_found=False)},
    )
    def get(self, request: Request) -> Response:
        return Response({"messages": optout.receiving(request.user.pk)})

    @extend_schema(
        tags=["members"],
        summary="Switch automatic messages on or off",
        description="All or nothing: an unknown rule changes nothing (400).",
        request=MessagesSerializer,
        responses={
            200: MessagesSerializer,
            **schema.write_errors(schema.field_errors("Messages", "messages"), not_found=False),
        },
    )
    def patch(self, request: Request) -> Response:
        body = MessagesSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            now = optout.set_receiving(request.user.pk, body.validated_data.get("messages", {}))
        except ValueError as exc:
            raise ValidationError(
                {"messages": [_("Unknown rule: %(rules)s.") % {"rules": exc}]}
            ) from exc
        return Response({"messages": now})


urlpatterns = [
    path("community/automation/rules/", RuleListView.as_view(), name="automation-rules"),
    path(
        "community/automation/rules/<slug:key>/",
        RuleDetailView.as_view(),
        name="automation-rule",
    ),
    path("users/me/automatic-messages/", MyMessagesView.as_view(), name="my-automatic-messages"),
]
