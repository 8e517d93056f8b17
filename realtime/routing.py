"""WebSocket URL routes."""

from django.urls import path

from realtime.consumers import RealtimeConsumer

websocket_urlpatterns = [
    path("event/realtime", RealtimeConsumer.as_asgi()),
]
