"""CRM attributes: reading a CSV export of the company's CRM (`parse_crm_csv`) and what
the desk shows about a customer (`crm_attributes_for`). The import's writes are
`advocacy.services.crm.import_crm_csv`; the manager runs it from the admin (CRM records,
"Import CSV") or with `python manage.py import_crm FILE`.

The file: a header row, then one customer per row. An `external_id` and/or `email`
column identifies the customer (header names are matched without case, spaces or
hyphens: "External ID", "e-mail" work); every other column is an attribute, named as in
the header. Comma, semicolon or tab separated (detected); UTF-8 (with or without BOM) by
default, or the encoding given. A record is keyed by its external id, else by its e-mail;
it is linked to the member whose verified e-mail (or account e-mail) matches. Re-importing
updates the attributes in the file and keeps the others; an empty cell clears one.
Nothing is written unless every row is valid: the errors name the line and the problem.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from advocacy.models import CrmRecord
from advocacy.models.crm import EXTERNAL_ID_MAX_LENGTH
from forum.models import User

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
MAX_ATTRIBUTES = 50
ATTRIBUTE_NAME_MAX_LENGTH = 60
VALUE_MAX_LENGTH = 500
EMAIL_MAX_LENGTH = 254
MAX_ERRORS_SHOWN = 100
ENCODINGS = {
    "utf-8": gettext_lazy("UTF-8"),
    "cp1252": gettext_lazy("Windows (Excel, Western Europe)"),
    "latin-1": gettext_lazy("Latin-1 (ISO-8859-1)"),
}
# Header names (casefolded, without spaces, hyphens, underscores) of the key columns.
KEY_COLUMNS = {"externalid": "external_id", "email": "email"}
# C0/C1 control characters (tab aside) have no place in a CRM attribute.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class CrmImportError(Exception):
    """The file cannot be imported; `errors` lists why (line-numbered)."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors[:5]))
        self.errors = errors


@dataclass
class CrmRow:
    line: int
    external_id: str
    email: str
    attributes: dict[str, str]


@dataclass
class CrmFile:
    rows: list[CrmRow] = field(default_factory=list)
    attribute_names: list[str] = field(default_factory=list)


def _key(header: str) -> str:
    return re.sub(r"[\s\-_]+", "", header.strip().casefold())


def _decode(data: bytes, encoding: str) -> str:
    if encoding not in ENCODINGS:
        raise CrmImportError([_("Unknown encoding “%(encoding)s”.") % {"encoding": encoding}])
    try:
        return data.decode("utf-8-sig" if encoding == "utf-8" else encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CrmImportError(
            [
                _(
                    "Line %(line)s is not valid %(encoding)s (byte 0x%(byte)s). Save the file "
                    "as UTF-8, or choose the encoding it was saved in."
                )
                % {"line": line, "encoding": ENCODINGS[encoding], "byte": f"{data[exc.start]:02x}"}
            ]
        ) from None


class _Dialect(csv.excel):
    pass


def _dialect(text: str) -> type[csv.Dialect]:
    """Excel's CSV with the header line's most frequent separator (comma, semicolon as
    Italian Excel writes, or tab); the sniffer guesses wrong on short files."""
    header = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=lambda candidate: (header.count(candidate), candidate == ","))
    return type("CrmDialect", (_Dialect,), {"delimiter": delimiter})


def _clean_value(value: str) -> str:
    return value.strip()


def parse_crm_csv(data: bytes, *, encoding: str = "utf-8") -> CrmFile:
    """Read and validate the whole file; raises CrmImportError listing every problem."""
    if len(data) > MAX_FILE_BYTES:
        raise CrmImportError([_("The file is larger than 5 MB; split it into smaller files.")])
    text = _decode(data, encoding)
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise CrmImportError(
            [
                _("Line %(line)s contains a NUL character: is this really a CSV file?")
                % {"line": line}
            ]
        )
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text))
    errors: list[str] = []
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise CrmImportError(
            [_("The header row cannot be read: %(error)s") % {"error": exc}]
        ) from None
    if not header or not any(cell.strip() for cell in header):
        raise CrmImportError(
            [_("The file is empty: it needs a header row and one row per customer.")]
        )

    columns: list[tuple[str, str]] = []  # (kind, name): kind is external_id, email or attribute
    seen: dict[str, int] = {}
    for position, cell in enumerate(header, start=1):
        name = cell.strip()
        if not name:
            errors.append(_("Column %(column)s has no name in the header.") % {"column": position})
            continue
        if _CONTROL.search(name) or len(name) > ATTRIBUTE_NAME_MAX_LENGTH:
            errors.append(
                _(
                    "Column %(column)s: the name must be at most %(max)s characters, without control characters."
                )
                % {"column": position, "max": ATTRIBUTE_NAME_MAX_LENGTH}
            )
            continue
        kind = KEY_COLUMNS.get(_key(name), "attribute")
        folded = kind if kind != "attribute" else name.casefold()
        if folded in seen:
            errors.append(
                _("Column %(column)s (“%(name)s”) repeats column %(first)s.")
                % {"column": position, "name": name, "first": seen[folded]}
            )
            continue
        seen[folded] = position
        columns.append((kind, name))
    kinds = {kind for kind, _name in columns}
    if not kinds & {"external_id", "email"}:
        errors.append(
            _("The header needs an “external_id” or an “email” column to find each customer.")
        )
    attribute_names = [name for kind, name in columns if kind == "attribute"]
    if len(attribute_names) > MAX_ATTRIBUTES:
        errors.append(_("At most %(max)s attribute columns.") % {"max": MAX_ATTRIBUTES})
    if errors:
        raise CrmImportError(errors)

    parsed = CrmFile(attribute_names=attribute_names)
    by_external: dict[str, int] = {}
    by_email: dict[str, int] = {}
    validate_email = EmailValidator()
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(parsed.rows) >= MAX_ROWS:
                errors.append(_("More than %(max)s rows: split the file.") % {"max": MAX_ROWS})
                break
            if len(cells) > len(header):
                errors.append(
                    _("Line %(line)s has %(cells)s values but the header has %(columns)s columns.")
                    % {"line": line, "cells": len(cells), "columns": len(header)}
                )
                continue
            cells = cells + [""] * (len(header) - len(cells))
            values = dict(zip([h.strip() for h in header], cells, strict=True))
            row = CrmRow(line=line, external_id="", email="", attributes={})
            problems: list[str] = []
            for kind, name in columns:
                value = _clean_value(values[name])
                if _CONTROL.search(value):
                    problems.append(
                        _("“%(column)s” contains a control character") % {"column": name}
                    )
                    continue
                if kind == "external_id":
                    if len(value) > EXTERNAL_ID_MAX_LENGTH:
                        problems.append(
                            _("the external id is longer than %(max)s characters")
                            % {"max": EXTERNAL_ID_MAX_LENGTH}
                        )
                    row.external_id = value
                elif kind == "email":
                    if value:
                        try:
                            if len(value) > EMAIL_MAX_LENGTH:
                                raise ValidationError("too long")
                            validate_email(value)
                        except ValidationError:
                            problems.append(
                                _("“%(value)s” is not an e-mail address") % {"value": value[:80]}
                            )
                    row.email = value.lower()
                else:
                    if len(value) > VALUE_MAX_LENGTH:
                        problems.append(
                            _("“%(column)s” is longer than %(max)s characters")
                            % {"column": name, "max": VALUE_MAX_LENGTH}
                        )
                    row.attributes[name] = value
            if not problems and not row.external_id and not row.email:
                problems.append(_("neither an external id nor an e-mail"))
            if not problems:
                if row.external_id:
                    first = by_external.setdefault(row.external_id, line)
                    if first != line:
                        problems.append(
                            _("external id “%(id)s” is already on line %(first)s")
                            % {"id": row.external_id[:80], "first": first}
                        )
                else:
                    first = by_email.setdefault(row.email, line)
                    if first != line:
                        problems.append(
                            _("e-mail %(email)s is already on line %(first)s")
                            % {"email": row.email, "first": first}
                        )
            if problems:
                errors.append(
                    _("Line %(line)s: %(problems)s.")
                    % {"line": line, "problems": "; ".join(problems)}
                )
            else:
                parsed.rows.append(row)
    except csv.Error as exc:
        errors.append(
            _("Line %(line)s cannot be read: %(error)s") % {"line": reader.line_num, "error": exc}
        )
    if not errors and not parsed.rows:
        errors.append(_("The file has a header but no customer rows."))
    if errors:
        if len(errors) > MAX_ERRORS_SHOWN:
            extra = len(errors) - MAX_ERRORS_SHOWN
            errors = [
                *errors[:MAX_ERRORS_SHOWN],
                _("… and %(count)s more errors.") % {"count": extra},
            ]
        raise CrmImportError(errors)
    return parsed


def members_by_email(emails: list[str]) -> dict[str, User]:
    """{lower-cased e-mail: member} for these addresses: a verified allauth address first,
    else the account's e-mail; an address two members share links to neither."""
    wanted = {e for e in emails if e}
    if not wanted:
        return {}
    found: dict[str, set[int]] = {}
    verified = EmailAddress.objects.filter(verified=True, user__is_active=True)
    verified = verified.annotate(address=Lower("email")).filter(address__in=wanted)
    for email, user_id in verified.values_list("address", "user_id"):
        found.setdefault(email, set()).add(user_id)
    missing = wanted - set(found)
    if missing:
        accounts = User.objects.filter(is_active=True).annotate(address=Lower("email"))
        for email, user_id in accounts.filter(address__in=missing).values_list("address", "pk"):
            found.setdefault(email, set()).add(user_id)
    unique = {email: next(iter(ids)) for email, ids in found.items() if len(ids) == 1}
    members = User.objects.in_bulk(list(unique.values()))
    return {email: members[user_id] for email, user_id in unique.items()}


def crm_attributes_for(user: User) -> list[tuple[str, str]]:
    """What the CRM says about `user`: (name, value) pairs, the external id first, then
    the attributes by name. From the records linked to the member, or not linked yet but
    carrying one of the member's verified addresses; a newer record wins a name both have.
    """
    emails = [
        e.lower()
        for e in EmailAddress.objects.filter(user=user, verified=True).values_list(
            "email", flat=True
        )
    ]
    records = CrmRecord.objects.filter(
        Q(user=user) | Q(user__isnull=True, email__in=emails)
    ).order_by("updated_at", "pk")
    merged: dict[str, str] = {}
    external_ids: list[str] = []
    for record in records:
        if record.external_id and record.external_id not in external_ids:
            external_ids.append(record.external_id)
        for name, value in (record.attributes or {}).items():
            if value != "":
                merged[str(name)] = str(value)
    pairs = [(_("CRM id"), external_id) for external_id in external_ids]
    pairs.extend(sorted(merged.items(), key=lambda item: item[0].casefold()))
    return pairs
