"""The roster import as a background job (SPEC §6; issue 10: a city's roster of 20,000 deputies
takes longer to check and write than a request should wait).

One RosterImportJob row carries the file through two phases. Uploading stores the file and
queues the check (`roster_check_request`; offices.tasks.roster_check_task → `roster_check_job_run`):
the file is read and every row checked with progress, and the job ends either refused (the
file-level message or every bad row, the file deleted) or done with the preview's counts and first
rows on the row and the file kept. Confirming that preview (`roster_import_confirm`) turns the same
row into a queued import (offices.tasks.roster_import_task → `roster_import_job_run`), which claims
the job once, reads and checks the file again (the chart may have changed since the preview),
writes it in one transaction with progress, and deletes the file whatever the outcome: a refused
or failed job writes nothing. Small files are checked inside the upload request instead
(offices.admin.roster_import), by the same function.

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
    team_name,
)

_SALT = "offices.roster_import_job_services"
PROGRESS_SECONDS = 24 * 3600
PREVIEW_ROWS = 50


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


# --- Checking the uploaded file (the preview) --------------------------------------------------------


def roster_check_request(*, user, token, file_name, ip=None):
    """Queue the check of the uploaded file `token` for `user`. The uploader's earlier previews
    that were never confirmed lose their files (one file waits per staff member, as when the
    upload was kept in the session). The caller runs or starts the check once its transaction has
    committed (offices.admin.roster_import)."""
    earlier = RosterImportJob.objects.filter(
        requested_by=user, phase=RosterImportJob.Phase.CHECK, status=RosterImportJob.Status.DONE
    )
    for old_token in earlier.values_list("token", flat=True):
        old = upload_path(old_token)
        if old is not None:
            old.unlink(missing_ok=True)
    earlier.update(status=RosterImportJob.Status.REFUSED, error=_expired())
    return RosterImportJob.objects.create(
        requested_by=user, phase=RosterImportJob.Phase.CHECK, token=token, file_name=file_name[:200], ip=ip
    )


def _expired():
    return _("This import has expired or was already done. Upload the file again.")


def roster_preview_summary(plan):
    """What the preview page shows of a checked plan, as JSON: the counts and the first
    PREVIEW_ROWS rows of each sheet."""
    return {
        "offices": len(plan.offices),
        "teams": len(plan.new_teams),
        "deputies": len(plan.deputies),
        "office_rows": [
            {"row": o.row, "name": o.name, "kind": o.kind, "jurisdiction": str(o.jurisdiction),
             "team_name": o.team_name}
            for o in plan.offices[:PREVIEW_ROWS]
        ],
        "deputy_rows": [
            {"row": d.row, "name": d.name, "district": str(d.district) if d.district else "",
             "communities": "、".join(str(c) for c in d.communities), "team": team_name(d.team) if d.team else "",
             "is_leader": bool(d.is_leader), "username": d.username}
            for d in plan.deputies[:PREVIEW_ROWS]
        ],
    }


def roster_check_job_run(*, job_id):
    """Read and check the uploaded file of a queued check job: claimed once with a conditional
    UPDATE; ends refused (the file deleted: a message, or every bad row) or done with the preview
    (the file kept for the confirmation). Returns the job, or None when it was not queued any more."""
    jobs = RosterImportJob.objects.filter(pk=job_id, phase=RosterImportJob.Phase.CHECK)
    if not jobs.filter(status=RosterImportJob.Status.QUEUED).update(status=RosterImportJob.Status.RUNNING):
        return None
    job = RosterImportJob.objects.select_related("requested_by").get(pk=job_id)
    path = upload_path(job.token)
    keep = False
    try:
        keep = _check(job, jobs, path)
    except Exception as exc:
        jobs.update(status=RosterImportJob.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now())
        raise
    finally:
        if path is not None and not keep:
            path.unlink(missing_ok=True)
        cache.delete(_progress_key(job.pk))
    job.refresh_from_db()
    return job


def _check(job, jobs, path):
    """True when the file passed and waits for its confirmation."""
    if path is None or not path.exists():
        jobs.update(status=RosterImportJob.Status.REFUSED, error=_expired(), finished_at=timezone.now())
        return False
    _progress_save(job.pk, "read")
    # Reading and checking take about as long as each other: the bar runs through the rows twice.
    announced = [0]

    def read(done, expected):
        announced[0] = max(expected, done)
        _progress_save(job.pk, "read", done, 2 * announced[0])

    try:
        with open(path, "rb") as f:
            sheets = read_roster(f, progress=read)
    except RosterFileError as e:
        jobs.update(status=RosterImportJob.Status.REFUSED, error=str(e), finished_at=timezone.now())
        return False
    rows = sum(len(s.rows) for s in sheets.values())
    _progress_save(job.pk, "check", rows, 2 * rows)
    plan = plan_roster(sheets, user=job.requested_by,
                       progress=lambda done: _progress_save(job.pk, "check", rows + done, 2 * rows))
    del sheets
    if plan.errors:
        jobs.update(
            status=RosterImportJob.Status.REFUSED, total_rows=rows,
            problems=[[e.sheet, e.row, e.column, e.message] for e in plan.errors], finished_at=timezone.now(),
        )
        return False
    jobs.update(status=RosterImportJob.Status.DONE, total_rows=rows, preview=roster_preview_summary(plan),
                finished_at=timezone.now(), **roster_import_counts(plan))
    return True


def roster_import_confirm(*, job_id, user, ip=None):
    """Turn `user`'s checked job into a queued import. Returns the job, or None when it is not
    waiting for a confirmation (confirmed already, refused, or its file is gone). The caller
    starts the task once its transaction has committed."""
    job = RosterImportJob.objects.filter(pk=job_id, requested_by=user).first()
    path = upload_path(job.token) if job else None
    if path is None or not path.exists():
        return None
    waiting = RosterImportJob.objects.filter(
        pk=job_id, requested_by=user, phase=RosterImportJob.Phase.CHECK, status=RosterImportJob.Status.DONE
    )
    if not waiting.update(phase=RosterImportJob.Phase.IMPORT, status=RosterImportJob.Status.QUEUED,
                          finished_at=None, ip=ip or job.ip):
        return None
    job.refresh_from_db()
    return job


# --- Requesting and running the import -------------------------------------------------------------


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
    jobs = RosterImportJob.objects.filter(pk=job_id, phase=RosterImportJob.Phase.IMPORT)
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
        return _refuse(job, jobs, error=_expired())
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
