"""Single-row settings (core.models.SingletonModel): read without writing, one row only."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction

from core.models import SingletonModel
from gamification.models import PointSettings


def test_every_single_row_settings_model_shares_the_base() -> None:
    found = sorted(m._meta.label for m in apps.get_models() if issubclass(m, SingletonModel))
    assert found == [
        "advocacy.AdvocateRules",
        "advocacy.CommunityRules",
        "advocacy.ModerationSettings",
        "advocacy.SlaSettings",
        "gamification.FairPlaySettings",
        "gamification.PointSettings",
    ]


@pytest.mark.django_db
def test_load_returns_the_defaults_unsaved_and_writes_nothing(django_assert_num_queries) -> None:
    PointSettings.objects.all().delete()
    with django_assert_num_queries(1):
        row = PointSettings.load()
    assert (row.pk, row._state.adding, row.daily_vote_cap) == (1, True, 200)
    assert not PointSettings.objects.exists()


@pytest.mark.django_db
def test_save_always_writes_row_one_and_load_reads_it() -> None:
    PointSettings.objects.all().delete()
    PointSettings(pk=7, daily_vote_cap=50).save()
    assert list(PointSettings.objects.values_list("pk", "daily_vote_cap")) == [(1, 50)]
    assert PointSettings.load().daily_vote_cap == 50


@pytest.mark.django_db
def test_load_for_update_creates_the_row_with_the_defaults() -> None:
    PointSettings.objects.all().delete()
    with transaction.atomic():
        row = PointSettings.load_for_update()
    assert (row.pk, row.daily_vote_cap) == (1, 200)
    assert PointSettings.objects.count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_second_row() -> None:
    PointSettings().save()
    with pytest.raises(IntegrityError), transaction.atomic():
        PointSettings.objects.bulk_create([PointSettings(pk=2)])
