"""Realtime: the AppSync-Events-style WebSocket endpoint and the broadcasts of changes."""

from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "realtime"

    def ready(self) -> None:
        from accounts.suspensions import account_suspended
        from lib.account_connections import end_connections

        account_suspended.connect(end_connections, dispatch_uid="realtime.end_connections")
