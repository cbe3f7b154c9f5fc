"""CRM attributes: CSV import (admin page and `import_crm`), linked by e-mail or external
id, all or nothing with every bad line reported, and what the desk's customer 360 panel
reads (`crm_attributes_for`)."""

from __future__ import annotations

import io

import pytest
from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from advocacy.crm import CrmImportError, crm_attributes_for
from advocacy.models import CrmRecord
from advocacy.services.crm import import_crm_csv
from tests.factories import UserFactory
from tests.naughty import NAUGHTY

pytestmark = pytest.mark.django_db


def _import(text: str | bytes, *, encoding: str = "utf-8", actor=None, dry_run=False):  # noqa: ANN001, ANN202
    data = text.encode("utf-8") if isinstance(text, str) else text
    return import_crm_csv(actor=actor, data=data, encoding=encoding, dry_run=dry_run)


def _errors(text: str | bytes, **kwargs) -> list[str]:  # noqa: ANN003
    with pytest.raises(CrmImportError) as caught:
        _import(text, **kwargs)
    assert not CrmRecord.objects.exists() or kwargs.get("keep")
    return caught.value.errors


# Importing ---------------------------------------------------------------------------------------


def test_rows_are_imported_and_linked_to_members_by_email(customer, other_customer):
    report = _import(
        "external_id,email,Plan,Customer since\n"
        "C-1,ANNA@example.com,Giga 100,2019\n"
        "C-2,bruno@example.com,Basic,2023\n"
        "C-3,nobody@example.com,Basic,2024\n"
    )

    assert (report.rows, report.created, report.updated, report.linked) == (3, 3, 0, 2)
    anna = CrmRecord.objects.get(external_id="C-1")
    assert anna.email == "anna@example.com"
    assert anna.user == customer
    assert anna.attributes == {"Plan": "Giga 100", "Customer since": "2019"}
    assert CrmRecord.objects.get(external_id="C-3").user is None
    assert crm_attributes_for(customer) == [
        ("CRM id", "C-1"),
        ("Customer since", "2019"),
        ("Plan", "Giga 100"),
    ]


def test_reimporting_by_external_id_updates_keeps_and_clears(customer):
    _import("external_id,email,Plan,Segment\nC-1,anna@example.com,Basic,Retail\n")

    report = _import("External ID;Plan;Segment;Churn risk\nC-1;Giga 100;;low\n")

    assert (report.created, report.updated) == (0, 1)
    record = CrmRecord.objects.get()
    assert record.attributes == {"Plan": "Giga 100", "Churn risk": "low"}
    assert record.user == customer  # the link stays: the row had no e-mail


def test_email_only_rows_are_keyed_by_email_and_gain_an_external_id(customer):
    _import("e-mail,Plan\nanna@example.com,Basic\n")
    _import("email,Plan\nAnna@Example.com,Giga\n")
    assert CrmRecord.objects.count() == 1

    _import("external_id,email,Plan\nC-9,anna@example.com,Giga 200\n")

    record = CrmRecord.objects.get()
    assert record.external_id == "C-9"
    assert record.attributes == {"Plan": "Giga 200"}


def test_a_record_waiting_for_its_member_shows_once_they_verify_the_address():
    _import("email,Plan\nnew@example.com,Basic\n")
    member = UserFactory(username="newbie", email="new@example.com", verified=False)
    assert crm_attributes_for(member) == []

    EmailAddress.objects.create(user=member, email="new@example.com", verified=True, primary=True)

    assert crm_attributes_for(member) == [("Plan", "Basic")]


def test_an_address_two_members_share_links_to_neither(customer):
    UserFactory(username="twin", email="ANNA@example.com", verified=False)

    _import("email,Plan\nanna@example.com,Basic\n")

    assert CrmRecord.objects.get().user == customer  # the verified address wins


def test_bom_semicolons_quotes_and_crlf():
    data = '\ufeffexternal_id;email;Note\r\nC-1;x@example.com;"a; b ""quoted"", c"\r\n'.encode()

    _import(data)

    assert CrmRecord.objects.get().attributes == {"Note": 'a; b "quoted", c'}


def test_windows_encoded_files_with_the_encoding_given():
    data = "external_id,Città\nC-1,Forlì\n".encode("cp1252")

    errors = _errors(data)
    assert errors == [
        "Line 1 is not valid UTF-8 (byte 0xe0). Save the file as UTF-8, or choose the encoding it was saved in."
    ]

    _import(data, encoding="cp1252")
    assert CrmRecord.objects.get().attributes == {"Città": "Forlì"}


def test_a_dry_run_writes_nothing(customer):
    report = _import("external_id,email\nC-1,anna@example.com\n", dry_run=True)

    assert (report.rows, report.created, report.linked, report.dry_run) == (1, 1, 1, True)
    assert not CrmRecord.objects.exists()


# Bad files: every problem reported, nothing imported ------------------------------------------


def test_bad_rows_are_reported_by_line_and_nothing_is_imported():
    errors = _errors(
        "external_id,email,Plan\n"
        "C-1,anna@example.com,Basic\n"
        "C-2,not-an-email,Basic\n"
        ",,Orphan\n"
        "C-1,other@example.com,Dup\n"
        "C-4,d@example.com,Basic,extra\n"
        "C-5,e@example.com,Basic\n"
    )

    assert errors == [
        "Line 3: “not-an-email” is not an e-mail address.",
        "Line 4: neither an external id nor an e-mail.",
        "Line 5: external id “C-1” is already on line 2.",
        "Line 6 has 4 values but the header has 3 columns.",
    ]
    assert not CrmRecord.objects.exists()


def test_duplicate_emails_without_external_id():
    errors = _errors("email,Plan\na@example.com,1\nA@example.com,2\n")

    assert errors == ["Line 3: e-mail a@example.com is already on line 2."]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "The file is empty: it needs a header row and one row per customer."),
        ("\n\n", "The file is empty: it needs a header row and one row per customer."),
        ("external_id,email\n", "The file has a header but no customer rows."),
        (
            "name,plan\nAnna,Basic\n",
            "The header needs an “external_id” or an “email” column to find each customer.",
        ),
        ("email,Plan,plan\na@example.com,1,2\n", "Column 3 (“plan”) repeats column 2."),
        ("email,,Plan\na@example.com,,1\n", "Column 2 has no name in the header."),
        (
            "email,Plan\na@example.com,x\x00y\n",
            "Line 2 contains a NUL character: is this really a CSV file?",
        ),
        ("email,Plan\na@example.com,bell\x07\n", "Line 2: “Plan” contains a control character."),
        (
            "email,Plan\na@example.com," + "x" * 501 + "\n",
            "Line 2: “Plan” is longer than 500 characters.",
        ),
        (
            "external_id,Plan\n" + "x" * 101 + ",1\n",
            "Line 2: the external id is longer than 100 characters.",
        ),
    ],
)
def test_malformed_files_are_refused_with_a_clear_reason(text, expected):
    assert _errors(text) == [expected]


def test_an_existing_import_is_untouched_by_a_failed_one(customer):
    _import("external_id,email,Plan\nC-1,anna@example.com,Basic\n")

    with pytest.raises(CrmImportError):
        _import("external_id,Plan\nC-1,Giga\nC-2,bad\x01\n")

    assert CrmRecord.objects.get().attributes == {"Plan": "Basic"}


def test_too_many_errors_are_summarised():
    text = "email\n" + "".join(f"bad{i}\n" for i in range(150))

    errors = _errors(text)

    assert len(errors) == 101
    assert errors[-1] == "… and 50 more errors."


def test_naughty_strings_are_stored_as_given_and_shown_escaped(customer, staff_client):
    values = [
        s
        for s in NAUGHTY
        if s.strip()
        and len(s.strip()) <= 500
        and not any(ord(c) < 32 and c != "\t" or 0x7F <= ord(c) <= 0x9F for c in s)
    ][:200]
    buffer = io.StringIO()
    import csv

    writer = csv.writer(buffer)
    writer.writerow(["external_id", "Note"])
    for i, value in enumerate(values):
        writer.writerow([f"N-{i}", value])

    report = _import(buffer.getvalue())

    assert report.rows == len(values)
    stored = dict(CrmRecord.objects.values_list("external_id", "attributes"))
    for i, value in enumerate(values):
        assert stored[f"N-{i}"] == {"Note": value.strip()}


# Who may import, and the admin page --------------------------------------------------------------


def test_only_managers_may_import(customer, staff, advocate):
    for member in (customer, staff, advocate):
        with pytest.raises(Exception, match="Only community managers"):
            _import("email\na@example.com\n", actor=member)
    assert not CrmRecord.objects.exists()


def test_the_manager_imports_from_the_admin_page(manager_client, customer):
    url = reverse("admin:advocacy_crmrecord_import")
    assert manager_client.get(url).status_code == 200
    upload = SimpleUploadedFile("crm.csv", b"external_id,email,Plan\nC-1,anna@example.com,Giga\n")

    response = manager_client.post(url, {"file": upload, "encoding": "utf-8"})

    assert response.status_code == 302
    assert CrmRecord.objects.get().user == customer
    listing = manager_client.get(reverse("admin:advocacy_crmrecord_changelist"))
    assert "Imported 1 rows: 1 new, 0 updated, 1 linked to members." in listing.content.decode()
    assert "Import CSV" in listing.content.decode()


def test_the_admin_page_lists_every_problem(manager_client):
    upload = SimpleUploadedFile("crm.csv", b"email,Plan\nnope,<script>alert(1)</script>\n")

    response = manager_client.post(
        reverse("admin:advocacy_crmrecord_import"), {"file": upload, "encoding": "utf-8"}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was imported: 1 problem." in page
    assert "Line 2: “nope” is not an e-mail address." in page.replace("&ldquo;", "“").replace(
        "&rdquo;", "”"
    )
    assert not CrmRecord.objects.exists()


def test_staff_without_the_permission_cannot_open_the_import(staff_client):
    response = staff_client.get(reverse("admin:advocacy_crmrecord_import"))

    assert response.status_code in (302, 403)


# The management command ----------------------------------------------------------------------


def test_the_command_imports_and_reports(tmp_path, customer):
    path = tmp_path / "crm.csv"
    path.write_text("external_id,email,Plan\nC-1,anna@example.com,Giga\n", encoding="utf-8")
    out = io.StringIO()

    call_command("import_crm", str(path), stdout=out)

    assert out.getvalue().strip() == "Imported 1 rows: 1 new, 0 updated, 1 linked to members."
    assert CrmRecord.objects.get().user == customer


def test_the_command_fails_listing_the_bad_lines(tmp_path):
    path = tmp_path / "crm.csv"
    path.write_bytes("email,Città\nx@example.com,Forlì\nbad,1\n".encode("cp1252"))
    err = io.StringIO()

    with pytest.raises(CommandError, match="Nothing imported: 1 problem"):
        call_command("import_crm", str(path), "--encoding", "cp1252", stderr=err)

    assert err.getvalue().strip() == "Line 3: “bad” is not an e-mail address."
    assert not CrmRecord.objects.exists()


def test_the_command_refuses_a_missing_file():
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_crm", "/nonexistent/crm.csv")


def test_the_desks_customer_panel_reads_the_attributes(customer):
    from advocacy.desk.selectors import crm_attributes

    _import("external_id,email,Plan\nC-1,anna@example.com,Giga\n")

    assert crm_attributes(customer) == (True, [("CRM id", "C-1"), ("Plan", "Giga")])
