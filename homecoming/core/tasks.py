"""The shell's own background jobs."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django_tasks import task

from homecoming.audit.models import AuditEntry
from homecoming.audit.services import audit_verify_chain
from homecoming.core.access import Perm
from homecoming.core.jobs import JobError, JobRun, job_kind_register, job_task

AUDIT_VERIFY_KIND = "audit.verify_chain"


@task()
@job_task
def audit_verify_chain_job(run: JobRun) -> dict[str, Any]:
    """Check the hash chain of the whole audit trail (harmless: it only reads)."""
    run.progress(5, _("Counting the entries of the audit trail"))
    total = AuditEntry.objects.count()
    run.log(_("%(count)s entries to check.") % {"count": total})
    run.progress(10, _("Checking the hash chain"))
    report = audit_verify_chain()
    run.progress(95, _("Writing the report"))
    result: dict[str, Any] = {"entries": total, "checked": report.checked, "intact": report.intact}
    if not report.intact:
        result |= {"first_broken_id": report.first_broken_id, "reason": str(report.reason)}
        run.log(
            _("Entry #%(id)s breaks the chain: %(reason)s.") % {"id": report.first_broken_id, "reason": report.reason}
        )
        raise JobError(
            _(
                "The audit trail has been tampered with or damaged: entry #%(id)s breaks the chain "
                "(%(reason)s). %(checked)s entries before it are intact. Report this to your security officer."
            )
            % {"id": report.first_broken_id, "reason": report.reason, "checked": report.checked},
            result=result,
        )
    run.log(_("All %(count)s entries are intact.") % {"count": report.checked})
    run.final_message = _("The audit trail is intact: %(count)s entries checked.") % {"count": report.checked}
    return result


job_kind_register(
    kind=AUDIT_VERIFY_KIND,
    label=_("Verify the audit trail"),
    description=_(
        "Recomputes the hash chain of every audit entry and reports the first one that was changed or removed."
    ),
    task=audit_verify_chain_job,
    start_perm=Perm.AUDIT_VIEW,  # the auditors' check; it reads only
    result_template="core/jobs/results/audit_verify_chain.html",
)
