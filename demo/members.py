"""The demo community's people and places: the demo accounts, the generated members, the
categories and the advocates' lounge (`CommunityBuilder`, a part of `demo.seeding.Seeder`)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from taggit.models import Tag

from demo import content as dc
from demo.threads import _Cat
from forum.markdown import render_markdown
from forum.models import (
    Answer,
    Category,
    Question,
    Revision,
    TagInfo,
    User,
)
from forum.search import update_search_vector

DEMO_PASSWORD = "demo"
BATCH = 1000  # rows per INSERT statement
NEWCOMERS = 3  # generated members who joined days ago (the first-posts queue)
CANDIDATE_REPUTATION = 3200  # the advocate candidate's reputation, at least


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: str
    reputation: int
    is_staff: bool = False
    is_superuser: bool = False
    locale: str = "it"
    bio: str = ""


# Always created, password `demo`, verified e-mail. The advocacy app has no models yet, so
# demo-advocate is an advocate by reputation alone; when advocacy grows an Advocate model
# (approved status), create that record in `Seeder.create_users` right after these rows.
# Every seeded member gets an opening entry in the points ledger: their reputation less
# what the seeded recent votes and acceptances paid them (`demo.points`), so
# `recompute_reputation --check` holds and the weekly and monthly leaderboards show people.
DEMO_ACCOUNTS = (
    DemoAccount(
        "demo-customer",
        "Giulia (demo)",
        "customer",
        21,
        bio="Cliente da poco, ho sempre qualche domanda sulla mia offerta.",
    ),
    DemoAccount(
        "demo-helper",
        "Luca (demo helper)",
        "helper",
        1520,
        bio="Aiuto volentieri con reti, APN e eSIM.",
    ),
    DemoAccount(
        "demo-advocate",
        "Chiara (demo advocate)",
        "advocate",
        6140,
        bio="Community advocate: faccio da ponte tra la community e lo staff.",
    ),
    DemoAccount(
        "demo-staff",
        "Sofia (Support)",
        "support staff",
        250,
        is_staff=True,
        bio="Customer care team.",
    ),
    DemoAccount(
        "demo-manager",
        "Marco (Community manager)",
        "community manager, admin",
        400,
        is_staff=True,
        is_superuser=True,
        locale="en",
        bio="I look after this community.",
    ),
)

# The advocates' lounge's slug, as advocacy/migrations/0006_seed_advocates_lounge.py has it.
LOUNGE_SLUG = "advocates-lounge"


class CommunityBuilder:
    """Creates (or loads) the members, categories and lounge the threads are built on."""

    def create_users(self, count: int) -> None:
        """The demo accounts and `count` members, all with password `demo` (one hash)."""
        rng = self.rng
        password = make_password(DEMO_PASSWORD)
        rows: list[User] = []
        for account in DEMO_ACCOUNTS:
            rows.append(
                User(
                    username=account.username,
                    email=f"{account.username}@example.com",
                    password=password,
                    display_name=account.display_name,
                    bio=account.bio,
                    locale=account.locale,
                    reputation=account.reputation,
                    is_staff=account.is_staff,
                    is_superuser=account.is_superuser,
                    date_joined=self._ago(days=rng.uniform(200, 900)),
                )
            )
        width = max(4, len(str(count)))
        for n in range(1, count + 1):
            username = f"member{n:0{width}d}"
            lang = rng.choice(("it", "it", "it", "en"))
            rows.append(
                User(
                    username=username,
                    email=f"{username}@example.com",
                    password=password,
                    display_name=dc.display_name(rng) if rng.random() < 0.85 else "",
                    bio=dc.bio(rng, lang) if rng.random() < 0.4 else "",
                    locale=rng.choice((lang, lang, "")),
                    reputation=self._member_reputation(),
                    date_joined=self._ago(days=rng.uniform(190, 1500)),
                )
            )
        self._story_members(rows[len(DEMO_ACCOUNTS) :])
        created = User.objects.bulk_create(rows, batch_size=BATCH)
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in created],
            batch_size=BATCH,
        )
        self._index_users([(u.pk, u.username, u.reputation, u.is_staff) for u in created])
        # Their opening ledger entries are written by `self.points.finish()`, once the
        # recent votes and acceptances they earned from are in the ledger too.
        self.points.expect_reputation([(u.pk, u.reputation) for u in created])
        self.counts["users"] += len(created)

    def _story_members(self, members: list[User]) -> None:
        """Cast two generated members for the demo's story (when there are enough): the
        best-reputed one becomes a candidate for the advocate programme (the plans give
        them the accepted answers the rules ask for), and the last few are newcomers who
        joined days ago, whose only post waits in the first-posts review queue."""
        if len(members) < NEWCOMERS + 5:
            return
        for member in members[-NEWCOMERS:]:
            member.reputation = 1
            member.date_joined = self._ago(days=self.rng.uniform(1, 6))
            self._newcomer_names.append(member.username)
        pool = members[:-NEWCOMERS]
        candidate = max(pool, key=lambda m: (m.reputation, -pool.index(m)))
        candidate.reputation = max(candidate.reputation, CANDIDATE_REPUTATION)
        self._candidate_name = candidate.username

    def _member_reputation(self) -> int:
        r = self.rng.random()
        if r < 0.5:
            return self.rng.randint(1, 50)
        if r < 0.8:
            return self.rng.randint(51, 500)
        if r < 0.95:
            return self.rng.randint(501, 3000)
        return self.rng.randint(3001, 12000)

    def _index_users(self, rows: list[tuple[int, str, int, bool]]) -> None:
        demo_names = {a.username for a in DEMO_ACCOUNTS}
        for pk, username, reputation, is_staff in rows:
            if username in self._newcomer_names:  # they post only what the plans give them
                self.newcomers.append(pk)
                continue
            if username == self._candidate_name:
                self.candidate = pk
            self.users.append(pk)
            self.reputation[pk] = reputation
            if username in demo_names:
                self.demo[username] = pk
            else:
                self.members.append(pk)
            if is_staff:
                self.moderators.append(pk)
        # Answerers: members weighted by the square root of their reputation.
        total = 0.0
        self._answerer_cum = []
        for pk in self.members:
            total += 1 + math.sqrt(self.reputation[pk]) / 4
            self._answerer_cum.append(total)

    def load_existing(self, *, members: int | None = None) -> None:
        """Index the users, categories and tags already in the database (in pk order)."""
        users = User.objects.order_by("pk").values_list("pk", "username", "reputation", "is_staff")
        self._index_users(list(users[:members] if members else users))
        pools = {slug: tags for slug, *_, tags in dc.CATEGORIES}
        self.categories = [
            _Cat(pk, slug, pools[slug])
            for pk, slug in Category.objects.order_by("position", "pk").values_list("pk", "slug")
            if slug in pools
        ]
        self.tag_ids = dict(Tag.objects.values_list("name", "pk"))

    # Categories and tags ----------------------------------------------------------------

    def create_categories(self) -> None:
        for position, (slug, name, name_it, description, tags) in enumerate(dc.CATEGORIES):
            category, _ = Category.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "name_it": name_it,
                    "description": description,
                    "position": position,
                },
            )
            self.categories.append(_Cat(category.pk, slug, tags))
        names = sorted({t for c in self.categories for t in c.tags} | set(dc.GENERAL_TAGS))
        existing = dict(Tag.objects.filter(name__in=names).values_list("name", "pk"))
        missing = [Tag(name=n, slug=n) for n in names if n not in existing]
        Tag.objects.bulk_create(missing)
        self.tag_ids = dict(Tag.objects.filter(name__in=names).values_list("name", "pk"))
        TagInfo.objects.bulk_create(
            [
                TagInfo(tag_id=self.tag_ids[name], description=en, description_it=it)
                for name, (en, it) in dc.TAG_DESCRIPTIONS.items()
                if name in self.tag_ids
            ],
            ignore_conflicts=True,  # a tag described already (an earlier seed) keeps its text
        )

    # The advocate programme and the advocates' lounge ------------------------------------

    def create_lounge(self) -> None:
        """Approve demo-advocate through the programme's service (audited, welcomed) and
        open the lounge (the private category, created by a migration) with one thread
        between demo-advocate and demo-staff, at fixed moments before the anchor."""
        from advocacy.services.programme import approve_advocate

        advocate = User.objects.get(pk=self.demo["demo-advocate"])
        manager = User.objects.get(pk=self.demo["demo-manager"])
        approve_advocate(
            actor=manager,
            member=advocate,
            note="Demo account: approved by the seed.",
            override=True,
        )
        lounge, _created = Category.objects.get_or_create(
            slug=LOUNGE_SLUG,
            defaults={
                "name": "Advocates' lounge",
                "name_it": "Sala advocate",
                "description": "Advocates and staff talk shop here; nobody else sees these threads.",
                "position": 1000,
                "is_private": True,
            },
        )
        asked = self.anchor - timedelta(days=2)
        body = (
            "Ciao staff! Da qualche giorno vedo molte domande sui rimborsi dopo il cambio "
            "di offerta. C'è una risposta ufficiale da linkare, o conviene scalarle tutte?"
        )
        question = Question.objects.create(
            author=advocate,
            title="Rimborsi dopo il cambio di offerta: risposta ufficiale?",
            body=body,
            body_html=render_markdown(body).html,
            category=lounge,
            created_at=asked,
            last_activity_at=asked + timedelta(hours=3),
            answer_count=1,
        )
        question.tags.set(["rimborso", "offerte"])
        Revision.objects.create(
            question=question,
            number=1,
            author=advocate,
            title=question.title,
            body=body,
            tags="offerte rimborso",
            created_at=asked,
        )
        staff = User.objects.get(pk=self.demo["demo-staff"])
        reply = (
            "Grazie Chiara! Stiamo preparando una pagina di aiuto: intanto scalate solo i "
            "casi con addebiti doppi, gli altri si risolvono da soli entro 14 giorni."
        )
        answer = Answer.objects.create(
            question=question,
            author=staff,
            body=reply,
            body_html=render_markdown(reply).html,
            created_at=asked + timedelta(hours=3),
        )
        Revision.objects.create(
            answer=answer, number=1, author=staff, body=reply, created_at=answer.created_at
        )
        update_search_vector([question.pk])
        self.counts["questions"] += 1
        self.counts["answers"] += 1

    # Questions --------------------------------------------------------------------------
