"""``manage.py intake FILE --source NAME [--mapping MAPPING.json] [--user USERNAME] [--dry-run]``

The same steps as the pages: read, map, validate, match, import. A row that may already be in the
registry (or repeats another row) cannot be decided here, so it counts as an error. Invalid input
writes nothing and exits with status 1, printing each problem with its row and column; a file
that cannot be read at all exits with status 2.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from homecoming.accounts.models import Agency, User
from homecoming.intake import services
from homecoming.intake.choices import MatchStatus, SourceKind
from homecoming.intake.commit import CommitError, batch_commit_now
from homecoming.intake.fields import normalise_header
from homecoming.intake.issues import column_letter
from homecoming.intake.models import IntakeBatch
from homecoming.intake.selectors import intake_agencies

EXIT_INVALID = 1
EXIT_UNREADABLE = 2


class Command(BaseCommand):
    help = "Import a list of persons (CSV or XLSX) into the registry, all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The list: .csv, .txt, .tsv or .xlsx")
        parser.add_argument("--source", required=True, help="The authority the list comes from")
        parser.add_argument(
            "--source-kind", choices=SourceKind.values, default=SourceKind.FOREIGN_AUTHORITY, help="Kind of source"
        )
        parser.add_argument("--mapping", help="JSON file: {field: column letter or column name}")
        parser.add_argument("--user", help="The user on whose behalf the list is imported (audited as them)")
        parser.add_argument("--agency", help="Agency code, if the user imports for several")
        parser.add_argument("--encoding", default="", help="Encoding of a CSV file (detected if not given)")
        parser.add_argument("--sheet", default="", help="Sheet of a workbook (the first if not given)")
        parser.add_argument("--list-date", help="Date of the list (YYYY-MM-DD); ages are counted on it")
        parser.add_argument("--dry-run", action="store_true", help="Check everything, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file", returncode=EXIT_UNREADABLE)
        user = self._user(options.get("user"))
        agency = self._agency(user, options.get("agency"))
        list_date = dt.date.fromisoformat(options["list_date"]) if options.get("list_date") else None
        data = path.read_bytes()
        outcome: dict[str, Any] = {}
        try:
            with transaction.atomic():
                batch = services.batch_upload(
                    user=user,
                    agency=agency,
                    file_name=path.name,
                    data=data,
                    source=options["source"],
                    source_kind=options["source_kind"],
                    list_date=list_date,
                    encoding=options["encoding"],
                    sheet=options["sheet"],
                )
                mapping = self._mapping(options.get("mapping"), batch)
                batch = services.batch_map(batch=batch, user=user, mapping=mapping)
                outcome = self._report(batch)
                if outcome["invalid"] or options["dry_run"]:
                    # Invalid input, or only a check: nothing of it stays (not even the upload).
                    transaction.set_rollback(True)
        except services.DuplicateFileError as exc:
            raise CommandError(f"{exc.messages[0]} (list #{exc.batch.pk})", returncode=EXIT_INVALID) from None
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages), returncode=EXIT_UNREADABLE) from None
        except PermissionDenied:
            raise CommandError(
                f"{user.username} may not import lists for {agency.code}.", returncode=EXIT_INVALID
            ) from None
        if outcome["invalid"]:
            raise CommandError(f"{outcome['problems']} problem(s): nothing was imported.", returncode=EXIT_INVALID)
        if options["dry_run"]:
            self.stdout.write(
                self.style.SUCCESS(f"Dry run: the list is valid ({outcome['rows']} rows); nothing was written.")
            )
            return
        try:
            counts = batch_commit_now(batch_id=outcome["batch_id"], user=user)
        except (CommitError, ValidationError) as exc:
            message = exc.message if isinstance(exc, CommitError) else "; ".join(exc.messages)
            raise CommandError(f"Nothing was imported: {message}", returncode=EXIT_INVALID) from None
        self.stdout.write(
            self.style.SUCCESS(
                "Imported list #{batch}: {created} new persons, {updated} updated, {links} family links, "
                "{custody} custody records, {cases} cases opened.".format(batch=outcome["batch_id"], **counts)
            )
        )

    def _user(self, username: str | None) -> User:
        if not username:
            raise CommandError(
                "Name the user on whose behalf the list is imported: --user USERNAME", returncode=EXIT_INVALID
            )
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.", returncode=EXIT_INVALID)
        return user

    def _agency(self, user: User, code: str | None) -> Agency:
        agencies = intake_agencies(user)
        if code:
            agency = agencies.filter(code=code).first()
            if agency is None:
                raise CommandError(
                    f"{user.username} may not import lists for agency {code!r}.", returncode=EXIT_INVALID
                )
            return agency
        choices = list(agencies)
        if not choices:
            raise CommandError(f"{user.username} may not import lists (no intake permission).", returncode=EXIT_INVALID)
        if len(choices) > 1:
            codes = ", ".join(a.code for a in choices)
            raise CommandError(
                f"{user.username} imports for several agencies; choose one with --agency ({codes}).",
                returncode=EXIT_INVALID,
            )
        return choices[0]

    def _mapping(self, path: str | None, batch: IntakeBatch) -> dict[str, str]:
        if not path:
            return dict(batch.mapping)
        try:
            raw = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"{path}: not a JSON mapping ({exc})", returncode=EXIT_INVALID) from None
        if not isinstance(raw, dict):
            raise CommandError(f"{path}: the mapping must be a JSON object {{field: column}}", returncode=EXIT_INVALID)
        by_name = {normalise_header(h): column_letter(i) for i, h in enumerate(batch.headers)}
        mapping = {}
        for field, column in raw.items():
            text = str(column or "").strip()
            mapping[str(field)] = by_name.get(normalise_header(text), text.upper())
        return mapping

    def _report(self, batch: IntakeBatch) -> dict[str, Any]:
        problems = 0
        for issue in batch.file_issue_list:
            if issue.is_error:
                problems += 1
                self.stderr.write(f"{issue.location()}: {issue.message()}")
        for row in batch.rows.order_by("number"):
            for issue in row.errors:
                problems += 1
                self.stderr.write(f"{issue.location()}: {issue.message()}")
            if row.match_status == MatchStatus.AMBIGUOUS:
                problems += 1
                ids = ", ".join(f"#{c['person_id']}" for c in row.candidates)
                self.stderr.write(
                    f"row {row.number}: may already be registered (persons {ids}); decide it on the list's page"
                )
            elif row.match_status == MatchStatus.DUPLICATE:
                problems += 1
                self.stderr.write(
                    f"row {row.number}: repeats row {row.duplicate_of}; remove one or decide on the list's page"
                )
        for issue in batch.file_issue_list:
            if not issue.is_error:
                self.stdout.write(f"warning: {issue.message()}")
        self.stdout.write(
            f"{batch.row_count} rows: {batch.new_count} new, {batch.existing_count} already registered, "
            f"{batch.ambiguous_count} to decide, {batch.duplicate_count} repeated, {batch.error_count} errors."
        )
        return {"invalid": problems > 0, "problems": problems, "rows": batch.row_count, "batch_id": batch.pk}
