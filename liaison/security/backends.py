from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, first in AUTHENTICATION_BACKENDS.

    Every login a person can reach (the portal's and the admin's login forms) passes the request,
    so they are all counted and locked. Calls without a request (the test client's login(), a
    management shell) cannot come from outside and have no address to lock; they are passed on to
    the next backend instead of raising, which django-axes does by default.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
