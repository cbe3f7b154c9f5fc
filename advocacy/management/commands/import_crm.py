"""`python manage.py import_crm FILE [--encoding cp1252] [--dry-run]`: import CRM
attributes from a CSV export (format: `advocacy.crm`). All or nothing; exits non-zero
listing every bad line."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from advocacy.crm import ENCODINGS, MAX_FILE_BYTES, CrmImportError
from advocacy.services.crm import import_crm_csv


class Command(BaseCommand):
    help = (
        "Import CRM attributes from a CSV file (external_id and/or email column, then attributes)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="The CSV file ('-' for standard input).")
        parser.add_argument("--encoding", choices=sorted(ENCODINGS), default="utf-8")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and count, write nothing."
        )

    def handle(self, *args: Any, file: str, encoding: str, dry_run: bool, **options: Any) -> None:
        if file == "-":
            import sys

            data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        else:
            path = Path(file)
            if not path.is_file():
                raise CommandError(f"No such file: {file}")
            with path.open("rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
        try:
            report = import_crm_csv(actor=None, data=data, encoding=encoding, dry_run=dry_run)
        except CrmImportError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(
                f"Nothing imported: {len(exc.errors)} problem(s) in {file}."
            ) from None
        verb = "Would import" if dry_run else "Imported"
        self.stdout.write(
            f"{verb} {report.rows} rows: {report.created} new, {report.updated} updated, "
            f"{report.linked} linked to members."
        )
