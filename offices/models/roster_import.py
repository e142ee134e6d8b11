"""A roster import run in the background (offices.roster_import_job_services), in two phases on
one row: the uploaded file is read and checked (phase "check", ending in the preview), then, once
the staff member confirms the preview, checked again and written in one transaction (phase
"import"); the requester follows the job's page through both."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RosterImportJob(models.Model):
    """One confirmed roster import. The uploaded workbook waits under settings.IMPORT_ROOT named by
    `token` until the job has run; the initial passwords of the new logins wait only sealed in
    `secret` (offices.roster_import_services.accounts_seal), and are blanked once shown to the
    requester or once ROSTER_PASSWORDS_KEPT has passed."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        REFUSED = "refused", _("Refused")
        FAILED = "failed", _("Failed")

    class Phase(models.TextChoices):
        CHECK = "check", _("Check")
        IMPORT = "import", _("Import")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField(_("file"), max_length=200)
    token = models.CharField(max_length=64, editable=False)
    ip = models.GenericIPAddressField(null=True, blank=True, editable=False)
    # A checked file (phase check, status done) waits for its confirmation, which turns the same
    # row into a queued import.
    phase = models.CharField(_("phase"), max_length=10, choices=Phase.choices, default=Phase.IMPORT)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    # What the preview counted: the new logins (their passwords are hashed before the roster is
    # loaded) and the steps of the write, for the progress bar.
    logins = models.PositiveIntegerField(_("logins to create"), default=0)
    steps = models.PositiveIntegerField(_("steps"), default=0)
    offices = models.PositiveIntegerField(_("offices created"), default=0)
    teams = models.PositiveIntegerField(_("teams created"), default=0)
    deputies = models.PositiveIntegerField(_("deputies created"), default=0)
    # Login names of the accounts created (no passwords), so that the page can still list them
    # after the passwords have been shown.
    usernames = models.JSONField(_("logins created"), default=list, blank=True)
    secret = models.TextField(_("sealed initial passwords"), blank=True, editable=False)
    passwords_shown_at = models.DateTimeField(_("passwords shown at"), null=True, blank=True)
    # What the check found, for the preview page: counts and the first rows of each sheet
    # (offices.roster_import_job_services.roster_preview_summary).
    preview = models.JSONField(_("preview"), default=dict, blank=True)
    # [[sheet, row, column, message]] when the check or a write-time rule refused the file.
    problems = models.JSONField(_("problems"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sweep that blanks passwords nobody came for (roster_import_secrets_purge).
            models.Index(fields=["finished_at"], name="offices_rosterjob_secret_idx",
                         condition=~models.Q(secret="")),
        ]

    def __str__(self):
        return self.file_name
