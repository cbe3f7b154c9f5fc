"""Fixtures for the points tests."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from gamification import rules
from gamification.badges import BADGES
from gamification.models import Badge, PointRule, PointSettings, PrivilegeThreshold
from tests.factories import AnswerFactory, QuestionFactory
from tests.gamification.support import member


@pytest.fixture
def tune(db):
    """tune(rule="answer_upvoted", delta=7, enabled=True) / tune(cap=15, floor=1) /
    tune(privilege="upvote", reputation=30) / tune(badge="good-answer", threshold=2):
    store a value as the manager would."""

    def _tune(
        *, rule=None, privilege=None, badge=None, cap=None, floor=None, serial=None, **values
    ):  # noqa: ANN001, ANN003, ANN202
        if rule:
            default = rules.RULES[rule]
            PointRule.objects.update_or_create(
                key=rule,
                defaults={
                    "delta": values.get("delta", default.delta),
                    "enabled": values.get("enabled", default.enabled),
                    "capped": values.get("capped", default.capped),
                },
            )
        if badge:
            spec = BADGES[badge]
            Badge.objects.update_or_create(
                key=badge,
                defaults={
                    "enabled": values.get("enabled", True),
                    "threshold": values.get("threshold", spec.threshold),
                },
            )
        if privilege:
            PrivilegeThreshold.objects.update_or_create(
                key=privilege, defaults={"reputation": values["reputation"]}
            )
        if cap is not None or floor is not None or serial is not None:
            current, _ = PointSettings.objects.get_or_create(pk=1)
            if serial is not None:
                current.serial_vote_limit = serial
            if cap is not None:
                current.daily_vote_cap = cap
            if floor is not None:
                current.reputation_floor = floor
            current.save()
        rules.clear_cache()

    return _tune


@pytest.fixture
def thread(db):
    """asker (rep 20) asked `question`; answerer (rep 1) and rival (rep 1) answered it."""
    asker = member(20, username="asker")
    answerer = member(1, username="answerer")
    rival = member(1, username="rival")
    question = QuestionFactory(author=asker, tags=["sim", "roaming"])
    answer = AnswerFactory(question=question, author=answerer)
    rival_answer = AnswerFactory(question=question, author=rival)
    return SimpleNamespace(
        asker=asker,
        answerer=answerer,
        rival=rival,
        question=question,
        answer=answer,
        rival_answer=rival_answer,
    )
