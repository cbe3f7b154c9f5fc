"""`/community/automation/` (staff and managers): the rules, each with its switch and
parameters, and the activity log (filtered by rule, paginated). The one-click opt-out
from the rules' e-mails at `/community/automation/opt-out/<token>/`.

URL names (app "automation"): rules, update, opt_out, my_messages (the member's switches).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from advocacy.automation import optout
from advocacy.automation.engine import Rule, registered, save_settings, settings_for
from advocacy.health.permissions import check_view_health
from advocacy.models import AutomationAction, AutomationRule

app_name = "automation"

PER_PAGE = 50


def rule_form(rule: Rule, data: dict | None = None) -> forms.Form:
    current = settings_for(rule)
    fields: dict[str, forms.Field] = {
        "enabled": forms.BooleanField(label=gettext_lazy("Enabled"), required=False)
    }
    for param in rule.params:
        fields[param.name] = forms.IntegerField(
            label=param.label, min_value=param.minimum, max_value=param.maximum
        )
    form_class = type("RuleForm", (forms.Form,), fields)
    initial = {"enabled": current.enabled, **current.values}
    return form_class(data, initial=initial, prefix=rule.key)


@login_required
@require_http_methods(["GET"])
def rules_page(request: HttpRequest) -> HttpResponse:
    check_view_health(request.user)
    return _render(request)


def _render(request: HttpRequest, bound: dict | None = None, status: int = 200) -> HttpResponse:
    rules = registered()
    rows = AutomationRule.objects.filter(key__in=list(rules)).select_related("updated_by")
    by_key = {row.key: row for row in rows}
    cards = [
        {
            "rule": rule,
            "form": (bound or {}).get(key) or rule_form(rule),
            "row": by_key.get(key),
        }
        for key, rule in rules.items()
    ]
    chosen = request.GET.get("rule", "")
    actions = AutomationAction.objects.select_related("recipient", "question").order_by(
        "-created_at", "-pk"
    )
    if chosen in rules:
        actions = actions.filter(rule=chosen)
    else:
        chosen = ""
    page = Paginator(actions, PER_PAGE).get_page(request.GET.get("page"))
    labels = {key: rule.label for key, rule in rules.items()}
    entries = [(action, labels.get(action.rule, action.rule)) for action in page]
    return render(
        request,
        "advocacy/automation.html",
        {"cards": cards, "page": page, "entries": entries, "chosen": chosen, "labels": labels},
        status=status,
    )


@login_required
@require_POST
def update_rule(request: HttpRequest, key: str) -> HttpResponse:
    check_view_health(request.user)
    rules = registered()
    if key not in rules:
        return HttpResponseBadRequest(_("Unknown rule."))
    rule = rules[key]
    form = rule_form(rule, request.POST)
    if not form.is_valid():
        return _render(request, bound={key: form}, status=400)
    data = form.cleaned_data
    save_settings(rule, enabled=data["enabled"], values=data, actor=request.user)
    messages.success(request, _("Rule “%(rule)s” saved.") % {"rule": rule.label})
    return redirect("automation:rules")


@csrf_exempt  # one click from the mail client (List-Unsubscribe-Post); the token is signed
@require_http_methods(["GET", "POST"])
def opt_out_view(request: HttpRequest, token: str) -> HttpResponse:
    read = optout.read_token(token)
    if read is None:
        return render(request, "advocacy/automation_opt_out.html", {"invalid": True}, status=400)
    user_id, key = read
    rule = registered()[key]
    done = request.method == "POST"
    if done:
        optout.opt_out(user_id, key)
    return render(
        request, "advocacy/automation_opt_out.html", {"rule": rule, "done": done, "token": token}
    )


@login_required
@require_POST
def my_messages(request: HttpRequest) -> HttpResponse:
    """The member's switches on the e-mail settings page: a ticked box gets the rule's
    messages (`mail/settings.html`, `{% automation_switches %}`)."""
    choices = {key: key in request.POST.getlist("receive") for key in optout.member_rules()}
    optout.set_receiving(request.user.pk, choices)
    messages.success(request, _("Your choices for automatic messages are saved."))
    return redirect(reverse("mail:settings") + "#automatic-messages")


urlpatterns = [
    path("community/automation/", rules_page, name="rules"),
    path("community/automation/<slug:key>/", update_rule, name="update"),
    path("community/automation/opt-out/<str:token>/", opt_out_view, name="opt_out"),
    path("settings/automatic-messages/", my_messages, name="my_messages"),
]
