"""Realtime: the AppSync-Events-style WebSocket endpoint and the broadcasts of changes."""

from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "realtime"
