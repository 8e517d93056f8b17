"""Chunking: large realtime messages split into frames and reassembled through the database."""

from django.apps import AppConfig


class ChunkingConfig(AppConfig):
    name = "chunking"
    default_auto_field = "django.db.models.BigAutoField"
