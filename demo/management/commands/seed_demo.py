"""`manage.py seed_demo`: a deterministic demo community (see demo.seeding)."""

from __future__ import annotations

import time
from datetime import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from demo import sqlite_schema
from demo.members import DEMO_ACCOUNTS, DEMO_PASSWORD
from demo.seeding import seed_demo
from forum.models import Question, User


def _anchor(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--anchor: not an ISO date/time: {value!r}") from exc
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_fixed_timezone(0))
    return moment


class Command(BaseCommand):
    help = (
        "Create demo members and content: the demo-* accounts (password 'demo'), N members "
        "member0001... (password 'demo') and questions with answers, comments, votes, tags, "
        "revisions. The same --seed gives the same content; times count back from --anchor "
        "(default: the current hour)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--users", type=int, default=60, help="generated members (60)")
        parser.add_argument("--questions", type=int, default=300, help="questions (300)")
        parser.add_argument(
            "--answers-per-question",
            type=int,
            default=3,
            help="average answers of an answered question (3); about 15%% get none",
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
        parser.add_argument(
            "--anchor",
            type=_anchor,
            default=None,
            help="ISO time the content counts back from (default: now, to the hour); "
            "fix it for a run reproducible to the second",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the database already has questions",
        )
        parser.add_argument(
            "--migrate",
            action="store_true",
            help=(
                "migrate the database first, in this process (`make run`: one start-up, not "
                "two); an empty SQLite database is created from demo/sqlite_schema.sql"
            ),
        )
        parser.add_argument("--force", action="store_true", help="run even though DEBUG is off")

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "DEBUG is off, so this may be a production database. seed_demo creates "
                "accounts whose password is 'demo'; pass --force if you really mean it."
            )
        if options["migrate"]:
            # An empty SQLite database (a new clone's) gets the migrations' result in one step.
            sqlite_schema.migrate(connection)
        if options["if_empty"] and Question.objects.exists():
            self.stdout.write("The database already has questions: nothing seeded.")
            return
        for name in ("users", "questions", "answers_per_question"):
            if options[name] < 0:
                raise CommandError(f"--{name.replace('_', '-')} cannot be negative.")
        taken = User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS])
        if taken.exists():
            raise CommandError(
                "The demo accounts already exist; seed a fresh database "
                "(or use --if-empty to skip when there is content)."
            )
        anchor = options["anchor"] or timezone.now().replace(minute=0, second=0, microsecond=0)
        started = time.monotonic()
        counts = seed_demo(
            users=options["users"],
            questions=options["questions"],
            answers_per_question=options["answers_per_question"],
            seed=options["seed"],
            anchor=anchor,
            log=self.stdout.write if options["verbosity"] > 1 else None,
        )
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded in {elapsed:.1f} s (seed {options['seed']}, anchor "
                f"{anchor.isoformat()}): {counts['users']:,} members, "
                f"{counts['questions']:,} questions ({counts['unanswered']:,} unanswered, "
                f"{counts['accepted']:,} solved, {counts['closed']:,} closed), "
                f"{counts['answers']:,} answers, {counts['comments']:,} comments, "
                f"{counts['votes']:,} votes, {counts['revisions']:,} revisions."
            )
        )
        names = [a.username for a in DEMO_ACCOUNTS]
        activity = {
            username: (questions, answers)
            for username, questions, answers in User.objects.filter(username__in=names)
            .annotate(q=Count("questions", distinct=True), a=Count("answers", distinct=True))
            .values_list("username", "q", "a")
        }
        self.stdout.write(f"Demo logins (password: {DEMO_PASSWORD}):")
        for account in DEMO_ACCOUNTS:
            questions, answers = activity.get(account.username, (0, 0))
            self.stdout.write(
                f"  {account.username:<14} {account.role}, reputation {account.reputation:,}; "
                f"{questions} questions, {answers} answers"
            )
        if options["users"]:
            width = max(4, len(str(options["users"])))
            self.stdout.write(
                f"  member{1:0{width}d} … member{options['users']:0{width}d} "
                f"(generated members, same password)"
            )
