"""Read-only views of chunks of incomplete messages (normally none older than a minute), and of
the chunked calls kept for re-sends (at most an hour)."""

from typing import TYPE_CHECKING, TypedDict

from django.contrib import admin
from django.db.models import QuerySet
from django.db.models.functions import Length
from django.http import HttpRequest

from chunking.models import ChunkedCall, MessageChunk
from lib.admin_access import SuperuserOnlyAdminMixin
from lib.admin_display import ReadOnlyAdminMixin, age

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class ChunkSize(TypedDict):
    size: int


class CallSizes(TypedDict):
    message_size: int
    answer_size: int


@admin.register(MessageChunk)
class MessageChunkAdmin(
    SuperuserOnlyAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin[MessageChunk]
):
    list_display = ("message_id", "session", "position", "size", "created_at", "received")
    list_select_related = ("session",)
    ordering = ("-created_at",)
    search_fields = ("message_id", "session__session_id")
    exclude = ("chunk_data",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[MessageChunk]:
        # The list shows the size of each chunk, never its (up to 200 KB) data.
        chunks: QuerySet[MessageChunk] = super().get_queryset(request)
        return chunks.defer("chunk_data").annotate(size=Length("chunk_data"))

    @admin.display(description="chunk")
    def position(self, chunk: MessageChunk) -> str:
        return f"{chunk.chunk_index + 1} of {chunk.total_chunks}"

    @admin.display(description="base64 size", ordering="size")
    def size(self, chunk: "WithAnnotations[MessageChunk, ChunkSize]") -> str:
        return f"{chunk.size:,} chars"

    @admin.display(description="received", ordering="created_at")
    def received(self, chunk: MessageChunk) -> str:
        return f"{age(chunk.created_at)} ago"


@admin.register(ChunkedCall)
class ChunkedCallAdmin(SuperuserOnlyAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin[ChunkedCall]):
    list_display = ("message_id", "session", "state", "sizes", "created_at", "answered_at")
    list_filter = ("state",)
    list_select_related = ("session",)
    search_fields = ("message_id", "session__session_id")
    exclude = ("message", "answer")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ChunkedCall]:
        # The list shows sizes, never the (up to 8 MiB) call or its answer.
        calls: QuerySet[ChunkedCall] = super().get_queryset(request)
        return calls.defer("message", "answer").annotate(
            message_size=Length("message"), answer_size=Length("answer")
        )

    @admin.display(description="call / answer size")
    def sizes(self, call: "WithAnnotations[ChunkedCall, CallSizes]") -> str:
        return f"{call.message_size:,} / {call.answer_size:,} chars"
