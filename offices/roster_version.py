"""The roster's cache version (liaison.lib.versions): bumped whenever the deputies, their teams or
the teams' offices change, so that read models cached over the roster (the live standings: names,
districts, who is serving, each deputy's office) are retired exactly when it changes.

Saves and deletes of the three models bump it through the receivers below (admin edits, the
services' saves, cascades); the services' bulk writes, which send no signals, call
`roster_changed()` themselves (team_set_members, the roster import)."""

from django.db.models.signals import post_delete, post_save

from liaison.lib.versions import version_bump

from .models import Deputy, Office, Team, TeamMembership

ROSTER = "offices:roster"
# The offices themselves (names, active or not): bumped by every save and delete of an office, for
# the deputies' cached pages that name them (cases.reach_version, reception.panel_version).
OFFICES = "offices:offices"


def roster_changed():
    version_bump(ROSTER)


def _on_change(sender, **kwargs):
    roster_changed()


def _on_office(sender, raw=False, **kwargs):
    version_bump(OFFICES)


def connect():
    post_save.connect(_on_office, sender=Office, dispatch_uid="offices-version-save")
    post_delete.connect(_on_office, sender=Office, dispatch_uid="offices-version-delete")
    for model in (Deputy, Team, TeamMembership):
        post_save.connect(_on_change, sender=model, dispatch_uid=f"roster-version-save-{model.__name__}")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"roster-version-delete-{model.__name__}")
