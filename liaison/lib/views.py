"""View plumbing shared by the apps: how a service's refusal reaches the person who asked.

Services refuse with ValidationError (a domain rule: wrong state, bad input the form could not
check) or PermissionDenied (this actor may not). A view turns the refusal into what the person
sees: on a form page, errors on top of the form, which keeps what was typed; after a bare POST
(a button), error messages on the page it redirects to.
"""

from django.contrib import messages


def error_messages(exc):
    """The texts of a service's refusal: a ValidationError's messages, or a PermissionDenied's one."""
    if hasattr(exc, "messages"):
        return list(exc.messages)
    return [str(exc)]


def show_error(request, exc, *, form=None):
    """Show a service's refusal: each message as an error on top of `form`, or, without a form, as
    an error message on the next page."""
    for message in error_messages(exc):
        if form is not None:
            form.add_error(None, message)
        else:
            messages.error(request, message)
