"""Break-glass access. Nobody works as a superuser day to day (三权分立: the system administrator,
security administrator and auditor roles share no permission); when an emergency needs one, it is
created here with a reason, a one-time random password, and an audit entry, and revoked afterwards.

    manage.py emergency_superuser break-glass --reason "restore role assignments after incident 42"
    manage.py emergency_superuser break-glass --revoke --reason "incident 42 closed"
"""

import secrets

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from liaison.models import User
from liaison.services import audit_record


class Command(BaseCommand):
    help = "Create (or revoke) an emergency superuser account; both are recorded in the audit log."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--reason", required=True, help="Why the emergency access is needed (kept in the audit log).")
        parser.add_argument("--revoke", action="store_true", help="Take the superuser right away and deactivate the account.")

    @transaction.atomic
    def handle(self, username, reason, revoke, **options):
        if not reason.strip():
            raise CommandError("A reason is required.")
        if revoke:
            user = User.objects.filter(username=username, is_superuser=True).first()
            if user is None:
                raise CommandError(f"No superuser named {username}.")
            user.is_superuser = False
            user.is_active = False
            user.save()
            audit_record(action="emergency_superuser_revoked", obj=user, reason=reason, username="manage.py")
            self.stdout.write(f"Revoked and deactivated {username}.")
            return
        password = secrets.token_urlsafe(18)
        user, created = User.objects.get_or_create(username=username, defaults={"name": username})
        if not created and not user.is_superuser:
            raise CommandError(f"{username} is an ordinary account; choose a dedicated name for emergency access.")
        user.is_superuser = True
        user.is_active = True
        user.set_password(password)
        user.save()
        audit_record(action="emergency_superuser_created", obj=user, reason=reason, username="manage.py")
        self.stdout.write(f"Emergency superuser {username} is active. One-time password (shown once): {password}")
        self.stdout.write(f"Revoke it when the emergency is over: manage.py emergency_superuser {username} --revoke --reason ...")
