"""Django's FallbackStorage (messages in a signed cookie, the overflow in the session), with its
two backends built when a message is first added or read instead of on every request.

MessageMiddleware makes a storage for every request; Django's builds a cookie storage (a signer
from the settings) and a session storage at once, although most requests neither add nor read a
message (an eighth of the signed-in hello-world's own time; issue 10's floor). Nothing else
changes: a request that adds or reads messages builds the same backends and stores them the same
way (`update` touches the backends only when a message was read or added)."""

from django.contrib.messages.storage.base import BaseStorage
from django.contrib.messages.storage.fallback import FallbackStorage
from django.utils.functional import cached_property


class LazyFallbackStorage(FallbackStorage):
    def __init__(self, request, *args, **kwargs):
        BaseStorage.__init__(self, request, *args, **kwargs)
        self._backend_args = (request, *args), kwargs
        self._used_storages = set()

    @cached_property
    def storages(self):
        args, kwargs = self._backend_args
        return [storage_class(*args, **kwargs) for storage_class in self.storage_classes]
