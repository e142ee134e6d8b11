"""Which Django permissions each role holds. Permissions come from the role, in code, so that
the separation of duties can be read in one place and tested; nobody edits groups by hand."""

from .models import Role

# app labels whose every model permission the role holds, and single permissions on top.
ROLE_PERMISSIONS = {
    Role.ORG_STAFF: {
        "apps": {"offices", "reception", "cases", "scoring"},
        # Residents' personal-information requests: the staff who answer for residents' data. The
        # SMS outbox of their scope (liaison.sms_selectors), with requeueing of failed messages.
        "perms": {"liaison.view_smsmessage", "liaison.change_smsmessage", "cases.view_privacyrequest"},
    },
    # 三权分立 (MLPS 8.1.4.2 c): the three sets below share nothing (tests/liaison/test_security.py).
    # System administrator: accounts (not their roles) and configuration (scheduled jobs). No
    # business data: not even the SMS outbox, whose rows name deputies, cases and residents' phones.
    Role.SYSADMIN: {
        "apps": {"django_celery_beat"},
        "perms": {"liaison.view_user", "liaison.add_user", "liaison.change_user"},
    },
    # Security administrator: who holds which role and scope, lockouts, second factors.
    Role.SECADMIN: {
        "apps": set(),
        "perms": {
            "liaison.view_roleassignment",
            "liaison.change_roleassignment",
            "liaison.unlock_login",
            "liaison.reset_two_factor",
            "axes.view_accessattempt",
            "axes.delete_accessattempt",
        },
    },
    # Auditor: reads and exports the logs, nothing else.
    Role.AUDITOR: {
        "apps": set(),
        "perms": {"liaison.view_auditlog", "liaison.export_auditlog", "axes.view_accesslog", "axes.view_accessfailurelog"},
    },
    Role.LIAISON: {"apps": set(), "perms": set()},
    Role.DEPUTY: {"apps": set(), "perms": set()},
    Role.UNIT_HANDLER: {"apps": set(), "perms": set()},
}


def role_has_perm(role, perm):
    spec = ROLE_PERMISSIONS.get(role)
    if not spec:
        return False
    return perm in spec["perms"] or perm.split(".", 1)[0] in spec["apps"]


class RolePermissionBackend:
    """Authorization only (authentication stays with ModelBackend): grants the role's permissions
    to active users."""

    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user_obj, perm, obj=None):
        return user_obj.is_active and role_has_perm(getattr(user_obj, "role", ""), perm)

    def has_module_perms(self, user_obj, app_label):
        if not user_obj.is_active:
            return False
        spec = ROLE_PERMISSIONS.get(getattr(user_obj, "role", ""))
        if not spec:
            return False
        return app_label in spec["apps"] or any(p.startswith(app_label + ".") for p in spec["perms"])

    def get_all_permissions(self, user_obj, obj=None):
        return set()
