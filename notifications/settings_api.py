"""The member's own settings in `/api/v1/` (twins of `forum:profile_edit` and
`mail:settings`): the profile (display name, bio, language) and the e-mail mode per
notification type. Avatars are uploaded through the HTML form only (multipart)."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from forum import services
from forum.api import schema
from forum.api.base import ForumAPIView
from forum.api.fields import StrictCharField
from forum.models import Notification


class ProfileSerializer(serializers.Serializer):
    username = serializers.CharField(read_only=True)
    display_name = StrictCharField(required=False, help_text="At most 50 characters.")
    bio = StrictCharField(required=False, help_text="“About me”, at most 2000 characters.")
    locale = StrictCharField(
        required=False, help_text="`en`, `it`, or empty for the browser's language."
    )


class EmailPreferencesSerializer(serializers.Serializer):
    modes = serializers.DictField(
        child=serializers.ChoiceField(choices=["instant", "digest", "off"]),
        help_text="{notification type: instant | digest | off}; types not given keep theirs. "
        f"Types: {', '.join(Notification.Kind.values)}.",
    )


def _profile(user) -> dict:  # noqa: ANN001
    return {
        "username": user.username,
        "display_name": user.display_name,
        "bio": user.bio,
        "locale": user.locale,
    }


class ProfileView(ForumAPIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "post"

    @extend_schema(
        tags=["members"],
        summary="Your profile",
        responses={200: ProfileSerializer, **schema.read_errors(not_found=False)},
    )
    def get(self, request: Request) -> Response:
        return Response(_profile(request.user))

    @extend_schema(
        tags=["members"],
        summary="Change your profile",
        description="Left-out fields keep their value.",
        request=ProfileSerializer,
        responses={
            200: ProfileSerializer,
            **schema.write_errors(
                schema.field_errors("Profile", "display_name", "bio", "locale"), not_found=False
            ),
        },
    )
    def patch(self, request: Request) -> Response:
        body = ProfileSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        user = request.user
        member = services.update_profile(
            actor=user,
            member=user,
            display_name=data.get("display_name", user.display_name),
            bio=data.get("bio", user.bio),
            locale=data.get("locale", user.locale),
        )
        return Response(_profile(member))


class EmailPreferencesView(ForumAPIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "post"

    @extend_schema(
        tags=["members"],
        summary="Your e-mail preferences",
        responses={200: EmailPreferencesSerializer, **schema.read_errors(not_found=False)},
    )
    def get(self, request: Request) -> Response:
        from notifications.mail.preferences import email_modes_for

        return Response({"modes": email_modes_for(request.user)})

    @extend_schema(
        tags=["members"],
        summary="Change your e-mail preferences",
        description="All or nothing: an unknown type or mode changes nothing (400).",
        request=EmailPreferencesSerializer,
        responses={
            200: EmailPreferencesSerializer,
            **schema.write_errors(
                schema.field_errors("EmailPreferences", "modes", "kind"), not_found=False
            ),
        },
    )
    def patch(self, request: Request) -> Response:
        from notifications.mail.choices import set_email_preferences

        body = EmailPreferencesSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        modes = set_email_preferences(actor=request.user, modes=body.validated_data["modes"])
        return Response({"modes": modes})


urlpatterns = [
    path("users/me/profile/", ProfileView.as_view(), name="my-profile"),
    path(
        "users/me/email-preferences/", EmailPreferencesView.as_view(), name="my-email-preferences"
    ),
]
