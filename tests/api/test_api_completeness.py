"""Everything a person can do in HTML can be done through `/api/v1/`.

The test walks every URL pattern of the site and POSTs to it as a community manager
(who may do the most). A route that refuses the method (405) is a page, not an action.
Any other route is an action and must be listed in TWINS with its API twin (which must
exist and implement the method), or in NO_TWIN / PAGES_IGNORING_POST with the reason.
A new HTML action without an API twin fails here.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# HTML action (URL name) -> (HTTP method, API URL name).
TWINS: dict[str, tuple[str, str]] = {
    "forum:ask": ("POST", "api:question-list"),
    # One HTML route for the three kinds; the API has one per kind (tag-, category-follow).
    "forum:follow": ("POST", "api:question-follow"),
    "forum:post_answer": ("POST", "api:answer-create"),
    "forum:comment_question": ("POST", "api:question-comments"),
    "forum:comment_answer": ("POST", "api:answer-comments"),
    "forum:vote_question": ("POST", "api:question-vote"),
    "forum:vote_answer": ("POST", "api:answer-vote"),
    "forum:accept_answer": ("POST", "api:answer-accept"),
    "forum:unaccept_answer": ("DELETE", "api:answer-accept"),
    "forum:edit_question": ("PATCH", "api:question-detail"),
    "forum:edit_answer": ("PATCH", "api:answer-detail"),
    "moderation:delete_question": ("DELETE", "api:question-detail"),
    "moderation:delete_answer": ("DELETE", "api:answer-detail"),
    "moderation:delete_comment": ("DELETE", "api:comment-detail"),
    "moderation:close_question": ("POST", "api:moderation-act"),  # action "close"
    "moderation:reopen_question": ("POST", "api:moderation-act"),  # action "reopen"
    "moderation:lock_question": ("POST", "api:moderation-act"),  # action "lock"
    "moderation:unlock_question": ("POST", "api:moderation-act"),  # action "unlock"
    "notifications:read": ("POST", "api:notification-read"),
    "forum:profile_edit": ("PATCH", "api:my-profile"),
    "mail:settings": ("PATCH", "api:my-email-preferences"),
    "automation:my_messages": ("PATCH", "api:my-automatic-messages"),
    "automation:update": ("PATCH", "api:automation-rule"),
    "gamification:redeem_reward": ("POST", "api:reward-redeem"),
    "gamification:approve_redemption": ("POST", "api:redemption-approve"),
    "gamification:refuse_redemption": ("POST", "api:redemption-refuse"),
    "gamification:review_fair_play_case": ("POST", "api:fair-play-review"),
    "community:vote_close": ("POST", "api:question-close-vote"),
    "community:suggest_question_edit": ("POST", "api:question-suggest-edit"),
    "community:suggest_answer_edit": ("POST", "api:answer-suggest-edit"),
    "community:approve_suggestion": ("POST", "api:suggestion-approve"),
    "community:reject_suggestion": ("POST", "api:suggestion-reject"),
    "programme:approve": ("POST", "api:advocate-approve"),
    "programme:revoke": ("POST", "api:advocate-revoke"),
    "desk:escalate": ("POST", "api:question-escalate"),
    "desk:claim": ("POST", "api:escalation-claim"),
    "desk:assign": ("POST", "api:escalation-assign"),
    "desk:bulk_assign": ("POST", "api:escalation-bulk-assign"),
    "desk:status": ("POST", "api:escalation-status"),
    # the case page's one Save: assign, status and priority, each through its own twin
    "desk:update": ("POST", "api:escalation-status"),
    "desk:priority": ("POST", "api:escalation-priority"),
    "desk:note": ("POST", "api:escalation-notes"),
    "desk:answer": ("POST", "api:escalation-answer"),
    "desk:resolve": ("POST", "api:escalation-resolve"),
    "desk:dismiss": ("POST", "api:escalation-dismiss"),
    "moderation:flag": ("POST", "api:question-flags"),  # and answer-flags, comment-flags
    "moderation:resolve": ("POST", "api:moderation-resolve"),
    "moderation:act": ("POST", "api:moderation-act"),
    "moderation:claim": ("POST", "api:moderation-claim"),
    "moderation:release": ("POST", "api:moderation-release"),
    "moderation:suspend": ("POST", "api:member-suspend"),
    "moderation:unsuspend": ("POST", "api:member-unsuspend"),
    "privacy:settings": ("DELETE", "api:me"),  # erasure, with the password
}

# Routes that take a POST but need no API twin, and why.
NO_TWIN: dict[str, str] = {
    "forum:preview": "renders a Markdown preview for the form and stores nothing; the API "
    "returns the rendered `body_html` of what is posted",
    "mail:unsubscribe": "the one-click link of an e-mail, authorised by its signed token "
    "(RFC 8058); API clients use PATCH /api/v1/users/me/email-preferences/",
    "automation:opt_out": "the one-click opt-out link of an automation e-mail, authorised "
    "by its signed token, like mail:unsubscribe; API clients use PATCH "
    "/api/v1/users/me/automatic-messages/",
    "csp-report": "the browser's own Content-Security-Policy violation reports; nothing a "
    "person does",
    "api-not-found": "the JSON 404 for /api/ paths that match no endpoint",
    "set_language": "Django's language switch for the browser session; API clients send "
    "Accept-Language or set `locale` in PATCH /api/v1/users/me/profile/",
}

# Read-only pages whose views do not restrict the method (a POST renders the page and
# writes nothing), so the probe cannot tell them from actions.
PAGES_IGNORING_POST: dict[str, str] = {
    "forum:question_list": "the question list",
    "forum:search": "search results",
    "forum:tag_list": "the tag directory",
    "forum:category": "a category's questions",
    "forum:tag": "a tag's questions",
    "forum:profile": "a member's profile",
    "gamification:badges": "the badge list",
    "gamification:leaderboard": "the leaderboard",
    "gamification:privileges": "the privilege table",
    "feeds:questions": "an Atom feed",
    "feeds:tag": "an Atom feed",
    "feeds:category": "an Atom feed",
    "feeds:question": "an Atom feed",
    "health": "the health check",
    "favicon": "the site's icon, for pages that name none",
}

# Whole URL trees left out of the walk, and why.
EXCLUDED_PREFIXES: dict[str, str] = {
    "admin/": "the Django admin is the managers' own tool; its data has API twins where "
    "members act (webhooks, canned responses) or is configuration",
    "api/": "the API itself",
    "accounts/": "django-allauth's sign-up, login and password flows (browser sessions); "
    "API clients authenticate with POST /api/v1/auth/token/",
    "static/": "files",
    "media/": "files",
}


def _walk(patterns, prefix: str = "", ns: str = ""):  # noqa: ANN001, ANN202
    for p in patterns:
        if isinstance(p, URLResolver):
            namespace = ns + (f"{p.namespace}:" if p.namespace else "")
            yield from _walk(p.url_patterns, prefix + str(p.pattern), namespace)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), ns + (p.name or "")


def _html_routes() -> dict[str, str]:
    routes = {}
    for route, name in _walk(get_resolver().url_patterns):
        if route.startswith(tuple(EXCLUDED_PREFIXES)):
            continue
        assert name, f"unnamed route {route!r}"
        routes[name] = route
    return routes


def _probe_path(route: str) -> str:
    path = re.sub(r"<int:\w+>", "999999", route)
    path = re.sub(r"<(?:str|slug):\w+>", "zz", path)
    return "/" + path


def _api_view_methods(api_name: str) -> set[str]:
    for route, name in _walk(get_resolver().url_patterns):
        if name == api_name:
            from django.urls import resolve

            kwargs = dict.fromkeys(re.findall(r"<int:(\w+)>", route), 1)
            kwargs.update(dict.fromkeys(re.findall(r"<(?:str|slug):(\w+)>", route), "zz"))
            view = resolve(reverse(api_name, kwargs=kwargs)).func.view_class
            return {
                m.upper() for m in ("get", "post", "patch", "put", "delete") if hasattr(view, m)
            }
    raise AssertionError(f"no API route named {api_name}")


@pytest.mark.django_db
def test_every_html_action_has_an_api_twin_or_a_reason(manager):
    client = Client()
    client.force_login(manager)
    actions = set()
    for name, route in _html_routes().items():
        status = client.post(_probe_path(route), {}).status_code
        if status != 405:
            actions.add(name)
    unlisted = actions - set(TWINS) - set(NO_TWIN) - set(PAGES_IGNORING_POST)
    assert not unlisted, f"HTML actions with no API twin and no reason: {sorted(unlisted)}"
    stale = (set(TWINS) | set(NO_TWIN) | set(PAGES_IGNORING_POST)) - set(_html_routes())
    assert not stale, f"listed routes that no longer exist: {sorted(stale)}"
    not_actions = (set(TWINS) | set(NO_TWIN)) - actions
    assert not not_actions, f"listed as actions but refuse POST: {sorted(not_actions)}"


def test_every_twin_exists_and_takes_its_method():
    for html_name, (method, api_name) in TWINS.items():
        assert method in _api_view_methods(api_name), (html_name, method, api_name)


def test_no_route_is_listed_twice():
    lists = [set(TWINS), set(NO_TWIN), set(PAGES_IGNORING_POST)]
    for i, first in enumerate(lists):
        for second in lists[i + 1 :]:
            assert not first & second
