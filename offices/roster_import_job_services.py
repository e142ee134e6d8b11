"""The roster import as a background job (SPEC §6; issue 10: a city's roster of 20,000 deputies
takes longer to check and write than a request should wait).

The admin's preview stays in the request; confirming queues a RosterImportJob
(`roster_import_request`) and the staff member follows the job's page. The worker
(offices.tasks.roster_import_task → `roster_import_job_run`) claims the job once, reads and checks
the uploaded file again (the chart may have changed since the preview), writes it in one
transaction with progress, and deletes the file whatever the outcome: a refused or failed job
writes nothing.

The initial passwords of the new logins. They are shown once, to the staff member who ran the
import, and kept nowhere in clear: the job row holds them only sealed (Fernet: AES-128-CBC with an
HMAC-SHA256 tag, under a key derived from SECRET_KEY, the way the SMS outbox keeps one-time
codes), written in the same transaction as the accounts, so a rolled-back import leaves none.
The requester's first look at the finished job takes them (`roster_import_passwords_take`: the row
locked, read, blanked, committed), so a second look, a second tab or anyone else finds nothing;
a sealed copy nobody came for is unreadable after rules.ROSTER_PASSWORDS_KEPT_HOURS (the token's
own time stamp) and blanked by the hourly sweep (`roster_import_secrets_purge`). Not in the cache:
an evicted key would lose the passwords silently, and the in-process cache of the demo is not
shared between processes. Not in a file: a file must be deleted by someone; a column is blanked in
the same statement that reads it. Whoever holds SECRET_KEY and a copy of the database could open a
token during those hours, but SECRET_KEY already lets its holder sign sessions as anyone.
"""

import base64
import datetime as dt
import json
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from liaison.services import audit_record

from . import rules
from .models import RosterImportJob
from .roster_import_services import (
    RosterFileError,
    RosterImportRefused,
    new_credential,
    plan_roster,
    read_roster,
    roster_import,
    roster_import_steps,
)

_SALT = "offices.roster_import_job_services"
PROGRESS_SECONDS = 24 * 3600


# --- The uploaded file ------------------------------------------------------------------------------


def import_dir():
    directory = Path(settings.IMPORT_ROOT)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def upload_path(token):
    """Where the workbook of `token` waits, or None for a token that is not one of ours."""
    if not token or not token.replace("-", "").replace("_", "").isalnum():
        return None
    return import_dir() / f"{token}.xlsx"


# --- The sealed passwords --------------------------------------------------------------------------


def _fernet():
    digest = salted_hmac(_SALT, "fernet-key", algorithm="sha256").digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def accounts_seal(accounts):
    """A token for [(deputy name, login name, password)], or "" for none."""
    if not accounts:
        return ""
    return _fernet().encrypt(json.dumps(accounts, ensure_ascii=False).encode()).decode()


def accounts_unseal(token):
    """The accounts sealed in `token`, or None when it is blank, older than
    ROSTER_PASSWORDS_KEPT_HOURS or sealed under another key."""
    if not token:
        return None
    try:
        data = _fernet().decrypt(token.encode(), ttl=rules.ROSTER_PASSWORDS_KEPT_HOURS * 3600)
    except (InvalidToken, ValueError):
        return None
    return [tuple(a) for a in json.loads(data)]


# --- Progress (the write runs in one transaction, so the job row cannot show it) ---------------------


def _progress_key(job_id):
    return f"offices:roster-import:{job_id}"


def _progress_save(job_id, stage, done=0, total=0):
    cache.set(_progress_key(job_id), {"stage": stage, "done": done, "total": total}, PROGRESS_SECONDS)


def roster_import_progress(job):
    """{"status", "stage", "percent", "done", "total"} for the job's page and its status URL."""
    state = {"stage": "", "done": 0, "total": 0}
    if job.status == RosterImportJob.Status.RUNNING:
        state.update(cache.get(_progress_key(job.pk)) or {})
    percent = 100 if job.status != RosterImportJob.Status.QUEUED and job.finished_at else 0
    if state["total"]:
        percent = min(99, int(100 * state["done"] / state["total"]))
    return {"status": job.status, "percent": percent, **state}


# --- Requesting and running -------------------------------------------------------------------------


def roster_import_counts(plan):
    """What roster_import_request wants to know of the previewed plan: {"logins", "steps"}."""
    return {"logins": sum(1 for d in plan.deputies if d.username), "steps": roster_import_steps(plan)}


def roster_import_request(*, user, token, file_name, ip=None, logins=0, steps=0):
    """Queue the import of the previewed file `token` for `user` (`logins` and `steps` as the
    preview counted them: roster_import_counts). The caller starts the task once its transaction
    has committed (offices.admin.roster_import)."""
    return RosterImportJob.objects.create(
        requested_by=user, token=token, file_name=file_name[:200], ip=ip, logins=logins, steps=steps
    )


def roster_import_job_run(*, job_id):
    """Run one job: claimed once with a conditional UPDATE (a redelivered task finds nothing to
    do), the file read and checked again, then written in one transaction together with the job's
    outcome and sealed passwords. Returns the job, or None when it was not queued any more."""
    jobs = RosterImportJob.objects.filter(pk=job_id)
    if not jobs.filter(status=RosterImportJob.Status.QUEUED).update(status=RosterImportJob.Status.RUNNING):
        return None
    job = RosterImportJob.objects.select_related("requested_by").get(pk=job_id)
    path = upload_path(job.token)
    try:
        _progress_save(job.pk, "check")
        _run(job, jobs, path)
    except Exception as exc:
        jobs.update(status=RosterImportJob.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now())
        audit_record(action="roster_import", actor=job.requested_by, ip=job.ip, obj=job, outcome="failed",
                     file=job.file_name)
        raise
    finally:
        if path is not None:
            path.unlink(missing_ok=True)
        cache.delete(_progress_key(job.pk))
    job.refresh_from_db()
    return job


def _refuse(job, jobs, *, problems=(), error=""):
    jobs.update(
        status=RosterImportJob.Status.REFUSED, error=error,
        problems=[[e.sheet, e.row, e.column, e.message] for e in problems], finished_at=timezone.now(),
    )
    audit_record(action="roster_import", actor=job.requested_by, ip=job.ip, obj=job, outcome="refused",
                 file=job.file_name, errors=len(problems) or 1)


def _run(job, jobs, path):
    if path is None or not path.exists():
        return _refuse(job, jobs, error=_("This import has expired or was already done. Upload the file again."))
    # The passwords are hashed first, while the process holds nothing of the roster: Argon2's
    # 100 MiB of working memory a hash then never adds to the rows' (issue 10: peak RSS).
    total = job.logins + job.steps
    credentials = []
    for i in range(job.logins):
        credentials.append(new_credential())
        if i % 5 == 4:
            _progress_save(job.pk, "logins", i + 1, total)
    _progress_save(job.pk, "check", job.logins, total)
    try:
        with open(path, "rb") as f:
            sheets = read_roster(f)
    except RosterFileError as e:
        return _refuse(job, jobs, error=str(e))
    total_rows = sum(len(s.rows) for s in sheets.values())
    jobs.update(total_rows=total_rows)
    plan = plan_roster(sheets, user=job.requested_by)
    del sheets  # the rows as read: the plan holds what is written
    if plan.errors:
        return _refuse(job, jobs, problems=plan.errors)
    total = job.logins + roster_import_steps(plan)
    _progress_save(job.pk, "write", job.logins, total)
    try:
        with transaction.atomic():
            result = roster_import(
                plan=plan, actor=job.requested_by, credentials=credentials,
                progress=lambda done: _progress_save(job.pk, "write", job.logins + done, total),
            )
            del credentials
            accounts = result["accounts"]
            jobs.update(
                status=RosterImportJob.Status.DONE, offices=result["offices"], teams=result["teams"],
                deputies=result["deputies"], usernames=[username for _name, username, _password in accounts],
                secret=accounts_seal(accounts), finished_at=timezone.now(),
            )
            audit_record(action="roster_import", actor=job.requested_by, ip=job.ip, obj=job, file=job.file_name,
                         offices=result["offices"], teams=result["teams"], deputies=result["deputies"],
                         accounts=len(accounts))
    except RosterImportRefused as e:
        return _refuse(job, jobs, problems=e.errors)
    return None


# --- Showing the passwords once ---------------------------------------------------------------------


@transaction.atomic
def roster_import_passwords_take(*, job_id, user):
    """The initial passwords of a finished job, for its requester, once: the sealed copy is
    blanked in the same transaction. None when they were taken before, have expired, or the
    job is not `user`'s."""
    job = (
        RosterImportJob.objects.select_for_update()
        .filter(pk=job_id, requested_by=user, status=RosterImportJob.Status.DONE)
        .exclude(secret="")
        .first()
    )
    if job is None:
        return None
    accounts = accounts_unseal(job.secret)
    job.secret = ""
    job.passwords_shown_at = timezone.now() if accounts else None
    job.save(update_fields=["secret", "passwords_shown_at"])
    return accounts


def roster_import_secrets_purge(*, now=None):
    """Blank the sealed passwords nobody came for within ROSTER_PASSWORDS_KEPT_HOURS. Returns how
    many jobs lost theirs."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(hours=rules.ROSTER_PASSWORDS_KEPT_HOURS)
    return RosterImportJob.objects.exclude(secret="").filter(finished_at__lt=cutoff).update(secret="")
