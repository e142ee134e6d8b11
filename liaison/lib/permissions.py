"""Roles and scoping: one place decides who may use a view and which objects they may see.

Views declare the roles they admit (deny by default) and fetch objects through a queryset that a
selector has already limited to the viewer, so a list and its detail page never disagree.
"""

from functools import wraps

from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from liaison.models import Role


def has_role(user, *roles):
    if not user.is_authenticated:
        return False
    return user.role in roles


def role_required(*roles):
    """Function-view decorator: anonymous users go to the login page, wrong roles get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = roles
        return wrapped

    return decorator


class RoleRequiredMixin(LoginRequiredMixin):
    """Class-based views list `allowed_roles`; an empty tuple admits nobody."""

    allowed_roles = ()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not has_role(request.user, *self.allowed_roles):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def get_visible_or_404(queryset, **lookup):
    """Fetch one object from a viewer-scoped queryset; anything outside the scope is a 404."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def scope_to_staff(queryset, user, district_path="district"):
    """Limit a queryset to what an org staff member manages: all for city staff and superusers,
    one district for district staff, nothing for anyone else. The system administrator is
    "anyone else" even with a jurisdiction: separation of duties keeps business data from them."""
    if user.is_superuser:
        return queryset
    # Only organization staff: the system administrator runs accounts and configuration, never the
    # department's business data (separation of duties, docs/security.md §2 c).
    if user.role != Role.ORG_STAFF or user.jurisdiction_id is None:
        return queryset.none()
    district_id = user.staff_district_id
    if district_id is None:
        return queryset  # city staff
    return queryset.filter(**{district_path: district_id})


def actor_require(allowed, message=None):
    """Services check who acts, not only the object's state: views are not the only callers
    (admin actions, tasks, other services), and a view's role check says nothing about the
    object. Raises the same PermissionDenied the views turn into 403."""
    if not allowed:
        raise PermissionDenied(message or _("You are not allowed to do this."))
