"""API clients for the roles of tests/conftest.py, authenticated by personal token."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from forum.api.services import issue_token


def token_client(user) -> APIClient:  # noqa: ANN001
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(actor=user).key}")
    return client


@pytest.fixture
def api(db) -> APIClient:
    """An anonymous client."""
    return APIClient()


@pytest.fixture
def customer_api(customer) -> APIClient:
    return token_client(customer)


@pytest.fixture
def other_api(other_customer) -> APIClient:
    return token_client(other_customer)


@pytest.fixture
def helper_api(helper) -> APIClient:
    return token_client(helper)


@pytest.fixture
def staff_api(staff) -> APIClient:
    return token_client(staff)


@pytest.fixture
def newcomer_api(newcomer) -> APIClient:
    return token_client(newcomer)
