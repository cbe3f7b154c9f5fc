"""Gamification's models (app label "gamification", tables unchanged), one module a topic:

- `points`: the ledger (`PointEvent`), its rules and settings, privilege thresholds; its
  docstring is where the reputation arithmetic is written down.
- `badges`: badges, their awards, ranks.
- `boards`: the leaderboards' counters and score buckets.
- `gamification.rewards.models` (payback) and `gamification.fairplay.models` live with
  their features.

Django registers an app's models by importing `<app>.models`, so this package imports
every module that defines one; the names below are the ones the rest of the code imports
from `gamification.models`.
"""

from gamification.fairplay.models import FairPlayCase, FairPlayEvidence, FairPlaySettings
from gamification.models.badges import Badge, BadgeAward, Rank, Tier
from gamification.models.boards import Period, ScoreBucket, ScoreCounter
from gamification.models.points import (
    PointEvent,
    PointEventQuerySet,
    PointRule,
    PointSettings,
    PrivilegeThreshold,
)
from gamification.rewards.models import Redemption, Reward, RewardAccount, RewardEntry

__all__ = [
    "Badge",
    "BadgeAward",
    "FairPlayCase",
    "FairPlayEvidence",
    "FairPlaySettings",
    "Period",
    "PointEvent",
    "PointEventQuerySet",
    "PointRule",
    "PointSettings",
    "PrivilegeThreshold",
    "Rank",
    "Redemption",
    "Reward",
    "RewardAccount",
    "RewardEntry",
    "ScoreBucket",
    "ScoreCounter",
    "Tier",
]
