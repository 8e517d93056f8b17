"""Read replicas: which requests may read one (``ReplicaReadsMiddleware``) and where each query
goes (``ReplicaRouter``), installed by settings only when DATABASE_REPLICA_URLS lists some.

Read-your-writes is kept by choosing who reads a replica: only GET and HEAD requests without
credentials. Whoever writes (posts, comments, profile, sign-in) is signed in, so every request
that could expect to see its own write reads the primary; a reader without credentials sees
the site as of the replica's lag. Inside such a request, a write (a view count) or an open
transaction sends the reads after it to the primary (``lib.read_routing``), and cached
answers, shared with signed-in viewers, are built from the primary (``blog.read_cache``).
"""

import random
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Model
from django.http import HttpRequest, HttpResponseBase

from lib.read_routing import note_write, read_alias, replica_reads

_SAFE_METHODS = ("GET", "HEAD")


class ReplicaRouter:
    """Django's database router: reads where ``lib.read_routing`` says, writes and migrations
    on the primary. Replicas hold the primary's data (streaming replication), so objects read
    from any database may be related to each other."""

    def db_for_read(self, model: type[Model], **hints: object) -> str:
        return read_alias()

    def db_for_write(self, model: type[Model], **hints: object) -> str:
        note_write()
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: object) -> bool:
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: object) -> bool:
        return db == DEFAULT_DB_ALIAS


class ReplicaReadsMiddleware:
    """Runs GET and HEAD requests without credentials with their reads on one replica, chosen
    at random per request (one per request, so its reads agree with each other)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.replicas = [alias for alias in settings.DATABASES if alias != DEFAULT_DB_ALIAS]
        if not self.replicas:
            raise MiddlewareNotUsed

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not self._may_read_a_replica(request):
            return self.get_response(request)
        with replica_reads(random.choice(self.replicas)):
            return self.get_response(request)

    @staticmethod
    def _may_read_a_replica(request: HttpRequest) -> bool:
        return (
            request.method in _SAFE_METHODS
            and "HTTP_AUTHORIZATION" not in request.META
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
        )
