"""`manage.py audit verify`: exit 0 on an intact trail, 1 naming the first broken entry."""

from __future__ import annotations

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError

from homecoming.audit.tests.factories import entry, tamper

pytestmark = pytest.mark.django_db


def test_an_intact_trail_exits_0_and_says_how_many_entries_were_checked(capsys) -> None:
    for i in range(4):
        entry(object_id=i)
    execute_from_command_line(["manage.py", "audit", "verify"])  # returns normally: exit status 0
    assert "Audit trail intact: 4 entries checked." in capsys.readouterr().out


def test_an_empty_trail_is_intact(capsys) -> None:
    call_command("audit", "verify")
    assert "intact: 0 entries checked" in capsys.readouterr().out


def test_a_changed_entry_exits_1_and_names_it(capsys) -> None:
    entries = [entry(object_id=i) for i in range(5)]
    victim = entries[2]
    tamper("UPDATE audit_auditentry SET object_id = %s WHERE id = %s", ["999", victim.pk])
    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["manage.py", "audit", "verify"])
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert f"Audit trail broken at entry #{victim.pk}" in err
    assert "content does not match its hash" in err
    assert "2 entries checked before it are intact" in err


def test_a_rewritten_entry_with_a_recomputed_hash_breaks_the_link_of_the_next() -> None:
    from homecoming.audit.models import AuditEntry
    from homecoming.audit.services import compute_hash

    entries = [entry(object_id=i) for i in range(4)]
    forged = AuditEntry.objects.get(pk=entries[1].pk)
    forged.object_id = "forged"
    new_hash = compute_hash(forged)
    tamper("UPDATE audit_auditentry SET object_id = %s, entry_hash = %s WHERE id = %s", ["forged", new_hash, forged.pk])
    with pytest.raises(CommandError) as failed:
        call_command("audit", "verify")
    assert failed.value.returncode == 1
    assert f"#{entries[2].pk}" in str(failed.value)
    assert "link to the previous entry is broken" in str(failed.value)


def test_a_deleted_entry_in_the_middle_is_detected() -> None:
    entries = [entry(object_id=i) for i in range(5)]
    tamper("DELETE FROM audit_auditentry WHERE id = %s", [entries[2].pk])
    with pytest.raises(CommandError) as failed:
        call_command("audit", "verify", "--chunk-size", "2")
    assert failed.value.returncode == 1
    assert f"entry #{entries[3].pk}" in str(failed.value)
    assert "an entry before it was removed" in str(failed.value)


def test_a_subcommand_is_required(capsys) -> None:
    with pytest.raises(CommandError):
        call_command("audit")
