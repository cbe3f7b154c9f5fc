"""The API answers as its OpenAPI schema says: schemathesis with all its checks, example
based and stateful, as staff and anonymous, against the WSGI application in process.

Bounded (a fixed number of examples per operation, a derandomised seed) so CI spends a
few minutes at most; throttles are raised only for this module. Run alone with
`pytest -m schemathesis tests/api/test_schemathesis.py`.

schemathesis and hypothesis are imported by the tests that run them, not when the module
is collected: importing schemathesis takes about a second, which every pytest-xdist worker
would otherwise pay before its first test (its pytest plugin is off, `-p no:schemathesis`,
for the same reason: these tests call it directly).
"""

from __future__ import annotations

import pytest
from django.core.wsgi import get_wsgi_application

from forum.api.services import issue_token
from tests.advocacy.desk_support import escalate
from tests.factories import AnswerFactory, CategoryFactory, CommentFactory, QuestionFactory

pytestmark = [pytest.mark.schemathesis, pytest.mark.django_db(transaction=True)]

EXAMPLES = 12
# Requests valid by the schema that are rightly refused with a documented 400, because a
# fuzzer cannot invent what they need: a member's password, a category slug or tag that
# exists.
NEEDS_REAL_DATA = {
    "POST /api/v1/auth/token/",
    "GET /api/v1/questions/",
    "GET /api/v1/escalations/",
    "GET /api/v1/leaderboard/",  # a tag name with a NUL byte is refused
    "POST /api/v1/rewards/{id}/redeem/",  # an idempotency key with a NUL byte is refused
    # Posts: minimum lengths (after trimming) and tag counts are not in the schema yet.
    "POST /api/v1/questions/",
    "PATCH /api/v1/questions/{id}/",
    "POST /api/v1/questions/{id}/answers/",
    "PATCH /api/v1/answers/{id}/",
    "POST /api/v1/questions/{id}/comments/",
    "POST /api/v1/answers/{id}/comments/",
    "POST /api/v1/escalations/{id}/answer/",
    # An existing staff member's id, a moderation queue item's key, the member's password.
    "POST /api/v1/escalations/{id}/assign/",
    "POST /api/v1/escalations/bulk-assign/",
    "POST /api/v1/moderation/claim/",
    "POST /api/v1/moderation/release/",
    "DELETE /api/v1/users/me/",
    # An empty change is refused ("nothing to change"); a locale must be one we ship.
    "PATCH /api/v1/users/me/email-preferences/",
    "PATCH /api/v1/users/me/profile/",
    # A rule's key must be one the engine runs; a parameter likewise, within its range.
    "PATCH /api/v1/users/me/automatic-messages/",
    "PATCH /api/v1/community/automation/rules/{key}/",
}


def excluded_for(label: str) -> list:
    from schemathesis.specs.openapi.checks import positive_data_acceptance

    return [positive_data_acceptance] if label in NEEDS_REAL_DATA else []


@pytest.fixture
def world(settings, customer, other_customer, advocate, staff):
    """Some of everything, and throttles out of the way for this run only."""
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(rates, "1000000/min"),
    }
    settings.CIRCOLO_POST_RATE = "1000000/m"
    settings.CIRCOLO_FLAG_RATE = "1000000/m"
    category = CategoryFactory(name="Network", slug="network")
    for n in range(3):
        question = QuestionFactory(author=customer, category=category, title=f"Router {n} drops")
        answer = AnswerFactory(question=question, author=other_customer)
        CommentFactory(question=None, answer=answer, author=customer)
    escalate(advocate, question)
    return {"staff": issue_token(actor=staff).key}


@pytest.fixture
def api_schema(world):
    import schemathesis

    loaded = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    # Revoking the token would log the rest of the run out; it has its own tests.
    return loaded.exclude(path="/api/v1/auth/token/", method="DELETE")


def _checker(operation, headers: dict[str, str]):  # noqa: ANN001, ANN202
    import hypothesis
    from hypothesis import HealthCheck, Phase

    excluded = excluded_for(operation.label)

    @hypothesis.given(case=operation.as_strategy())
    @hypothesis.settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case) -> None:  # noqa: ANN001
        case.call_and_validate(headers=headers, excluded_checks=excluded)

    return check


def run_every_operation(api_schema, headers: dict[str, str]) -> list[str]:
    """Each operation's generated cases, every check; the failures, one line each."""
    failures = []
    for result in api_schema.get_all_operations():
        operation = result.ok()

        check = _checker(operation, headers)
        try:
            check()
        except (Exception, BaseExceptionGroup) as exc:  # collect them all, then fail once
            failures.append(f"{operation.label}: {str(exc).strip()[:2000]}")
    return failures


def test_every_operation_as_staff(api_schema, world):
    failures = run_every_operation(api_schema, {"Authorization": f"Token {world['staff']}"})
    assert not failures, "\n\n".join(failures)


def test_every_operation_anonymous(api_schema):
    failures = run_every_operation(api_schema, {})
    assert not failures, "\n\n".join(failures)


def test_stateful_as_staff(api_schema, world):
    import hypothesis
    from hypothesis import HealthCheck
    from schemathesis.specs.openapi.checks import ignored_auth

    machine = api_schema.as_state_machine()
    headers = {"Authorization": f"Token {world['staff']}"}

    class Staff(machine):
        def get_call_kwargs(self, case):  # noqa: ANN001, ANN201
            return {"headers": headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):  # noqa: ANN001, ANN003, ANN201
            # ignored_auth swaps in made-up credentials, which get_call_kwargs puts back.
            case.validate_response(
                response,
                additional_checks=additional_checks,
                excluded_checks=[ignored_auth, *excluded_for(case.operation.label)],
                transport_kwargs=kwargs or None,
                recorder=self.recorder,
            )

    Staff.run(
        settings=hypothesis.settings(
            max_examples=15,
            stateful_step_count=5,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
