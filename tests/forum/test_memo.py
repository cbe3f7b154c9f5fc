"""`{% memo %}` (forum/templatetags/memo.py): the page frame's links and labels rendered
once per process for each variant, and each viewer still gets their own: the desk and
staff links only for staff, the current section marked, their language, their search."""

from __future__ import annotations

import pytest

from forum.templatetags import memo
from tests.pages import client_for, page

pytestmark = pytest.mark.django_db


def test_staff_links_follow_the_member_not_the_first_page_rendered(staff, customer):
    pages = [page(client_for(member), "/") for member in (staff, customer, staff)]

    assert "/desk/" in pages[0]
    assert "Community health" in pages[0]
    assert "/desk/" not in pages[1]
    assert "Community health" not in pages[1]
    assert "My escalations" in pages[1]
    assert pages[2].count("/desk/") == pages[0].count("/desk/")


def test_the_current_section_and_the_search_are_each_pages_own(customer):
    client = client_for(customer)

    tags = page(client, "/tags/")
    questions = page(client, "/")
    search = page(client, "/search/?q=roaming")

    assert 'href="/tags/" aria-current="page"' in tags
    assert 'href="/tags/" aria-current="page"' not in questions
    assert 'value="roaming"' in search
    assert 'value="roaming"' not in questions


def test_each_language_gets_its_own_frame(customer, other_customer):
    other_customer.locale = "it"
    other_customer.save(update_fields=["locale"])

    english = page(client_for(customer), "/")
    italian = page(client_for(other_customer), "/")

    assert "Edit profile" in english
    assert "Modifica profilo" in italian
    assert "Edit profile" not in italian


def test_a_variant_is_rendered_once_then_reused(customer, other_customer):
    memo._rendered.clear()  # noqa: SLF001
    page(client_for(customer), "/")
    entries = len(memo._rendered)  # noqa: SLF001

    page(client_for(other_customer), "/")
    page(client_for(), "/")  # anonymous: the same frame, but for the user menu

    assert entries >= 5
    assert len(memo._rendered) == entries  # noqa: SLF001
