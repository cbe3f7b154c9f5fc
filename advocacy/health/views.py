"""`/community/health/` (staff and managers): the figures, charts, a table and a CSV.

URL names (app "health"): dashboard, csv.
"""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from advocacy.health import charts
from advocacy.health.figures import DEFAULT_DAYS, PERIOD_CHOICES, health_report
from advocacy.health.forms import PeriodForm
from advocacy.health.permissions import check_view_health

app_name = "health"

# (key, label, kind): kind says how a value reads: count, share, minutes.
FIGURES = [
    ("questions", gettext_lazy("Questions asked"), "count"),
    ("answered_share", gettext_lazy("Answered"), "share"),
    ("first_answer_minutes.p50", gettext_lazy("First answer, median (min)"), "minutes"),
    ("first_answer_minutes.p90", gettext_lazy("First answer, p90 (min)"), "minutes"),
    (
        "community_first_answer_minutes.p50",
        gettext_lazy("First community answer, median (min)"),
        "minutes",
    ),
    (
        "community_first_answer_minutes.p90",
        gettext_lazy("First community answer, p90 (min)"),
        "minutes",
    ),
    ("solved_share", gettext_lazy("Solved"), "share"),
    ("community_solved_share", gettext_lazy("Solved by the community"), "share"),
    ("escalated_share", gettext_lazy("Escalated to staff"), "share"),
    ("sla_met_share", gettext_lazy("Escalations within SLA"), "share"),
    ("deflection_estimate", gettext_lazy("Deflection estimate (views)"), "count"),
    ("top1_share", gettext_lazy("Accepted answers by the top 1 % of helpers"), "share"),
    ("top10_share", gettext_lazy("Accepted answers by the top 10 % of helpers"), "share"),
    ("active_helpers", gettext_lazy("Active helpers"), "count"),
    ("new_helpers", gettext_lazy("New helpers"), "count"),
    ("helpers_at_risk", gettext_lazy("Helpers at risk"), "count"),
    ("advocates.accuracy", gettext_lazy("Advocates' accuracy"), "share"),
    ("advocates.escalations_raised", gettext_lazy("Escalations raised by advocates"), "count"),
    ("advocates.flags_upheld", gettext_lazy("Advocates' flags upheld"), "count"),
]
# Figures where a fall is good news (the page colours the change accordingly).
LOWER_IS_BETTER = {
    "first_answer_minutes.p50",
    "first_answer_minutes.p90",
    "community_first_answer_minutes.p50",
    "community_first_answer_minutes.p90",
    "escalated_share",
    "top1_share",
    "top10_share",
    "helpers_at_risk",
}


def _get(figures: dict, key: str) -> object:
    value: object = figures
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _display(value: object, kind: str) -> str:
    if value is None:
        return "–"
    if kind == "share":
        return f"{value * 100:.1f} %"
    return f"{value:g}"


def _change(value: float, kind: str) -> str:
    """A signed difference; shares differ in percentage points."""
    if kind == "share":
        return f"{value * 100:+.1f} pp"
    return f"{round(value, 1):+g}"


def figure_rows(report: dict) -> list[dict]:
    rows = []
    for key, label, kind in FIGURES:
        now, before = _get(report["current"], key), _get(report["previous"], key)
        change = None
        if isinstance(now, int | float) and isinstance(before, int | float):
            change = round(now - before, 4)
        better = None
        if change:
            better = (change < 0) if key in LOWER_IS_BETTER else (change > 0)
        rows.append(
            {
                "key": key,
                "label": label,
                "current": _display(now, kind),
                "previous": _display(before, kind),
                "change": None if change is None else _change(change, kind),
                "better": better,
            }
        )
    return rows


def _period(request: HttpRequest) -> tuple[int, PeriodForm]:
    form = PeriodForm(request.GET)
    days = form.cleaned_data["days"] if form.is_valid() else DEFAULT_DAYS
    return days, form


def _allowed(request: HttpRequest) -> None:
    check_view_health(request.user)


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    days, form = _period(request)
    report = health_report(days)
    current = report["current"]
    worst = current["by_tag"][:10]
    context = {
        "form": form,
        "days": days,
        "choices": sorted({*PERIOD_CHOICES, days}),
        "report": report,
        "rows": figure_rows(report),
        "trend_chart": charts.trend_svg(
            report["trend"],
            [
                ("questions", _("Questions"), "series-1"),
                ("answered", _("Answered"), "series-2"),
                ("solved", _("Solved"), "series-3"),
            ],
            _("Questions, answered and solved per day"),
        ),
        "tag_chart": charts.bars_svg(
            [(t["tag"], t["first_answer_minutes"]["p50"]) for t in worst],
            _("Median minutes to first answer, slowest tags first"),
            "min",
        ),
    }
    return render(request, "advocacy/health.html", context, status=200 if form.is_valid() else 400)


@require_GET
@login_required
def download_csv(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    days, form = _period(request)
    if not form.is_valid():
        return HttpResponse(
            "; ".join(form.errors.get("days", [])), status=400, content_type="text/plain"
        )
    report = health_report(days)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="community-health-{days}d.csv"'
    writer = csv.writer(response)
    # Long format: one number a row, the period before alongside where there is one.
    writer.writerow(["section", "name", "figure", "current", "previous"])
    for key, _label, _kind in FIGURES:
        writer.writerow(
            [
                "community",
                "",
                key,
                _csv(_get(report["current"], key)),
                _csv(_get(report["previous"], key)),
            ]
        )
    before = {t["tag"]: t for t in report["previous"]["by_tag"]}
    for tag in report["current"]["by_tag"]:
        for key in ("questions", "answered_share", "first_answer_minutes.p50", "solved_share"):
            writer.writerow(
                [
                    "tag",
                    tag["tag"],
                    key,
                    _csv(_get(tag, key)),
                    _csv(_get(before.get(tag["tag"], {}), key)),
                ]
            )
    for category in report["current"]["by_category"]:
        for key in ("questions", "answered_share", "first_answer_minutes.p50", "solved_share"):
            writer.writerow(["category", category["category"], key, _csv(_get(category, key)), ""])
    for day in report["trend"]:
        for key in ("questions", "answered", "solved"):
            writer.writerow(["day", day["day"].isoformat(), key, day[key], ""])
    return response


def _csv(value: object) -> str:
    return "" if value is None else str(value)


urlpatterns = [
    path("community/health/", dashboard, name="dashboard"),
    path("community/health/health.csv", download_csv, name="csv"),
]
