"""Editors' moderation of posts and comments. Every write goes through blog.services, so
admin changes are validated and announced to live readers like any other."""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypedDict

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest

from accounts.authentication import signed_in_user
from blog import services
from blog.models import CONTENT_MAX_LENGTH, Comment, Post, Tag
from blog.tag_names import tag_name
from lib.errors import InvalidInput
from lib.text import has_uncarriable_characters

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class CommentTotal(TypedDict):
    comment_total: int


class TagCounts(TypedDict):
    published_total: int
    post_total: int


class CommentInline(admin.TabularInline[Comment, Post]):
    """The post's comments, to read and follow; moderation happens on the comment's own page."""

    model = Comment
    fields = ("author", "content", "parent", "is_deleted", "status", "created_at")
    readonly_fields = fields
    show_change_link = True
    extra = 0
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Comment]:
        return super().get_queryset(request).select_related("author", "parent__author", "post")

    def has_add_permission(self, request: HttpRequest, obj: Post | None = None) -> bool:
        return False


def _refuse_uncarriable(form: forms.ModelForm, fields: tuple[str, ...]) -> None:
    """The service's character rule as form errors, so such a paste is not a 500."""
    for name in fields:
        value = form.cleaned_data.get(name)
        if isinstance(value, str) and has_uncarriable_characters(value):
            form.add_error(name, "This field cannot contain control characters.")


class PostAdminForm(forms.ModelForm[Post]):
    # The service's limit, checked here so an overlong paste is a form error, not a 500.
    content = forms.CharField(
        max_length=CONTENT_MAX_LENGTH, required=False, widget=forms.Textarea, help_text="Markdown."
    )

    class Meta:
        model = Post
        fields = ("title", "slug", "author", "published", "excerpt", "content")

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        _refuse_uncarriable(self, ("title", "slug", "excerpt", "content"))
        return cleaned


class CommentAdminForm(forms.ModelForm[Comment]):
    class Meta:
        model = Comment
        fields = ("content",)

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        _refuse_uncarriable(self, ("content",))
        return cleaned


@admin.register(Post)
class PostAdmin(admin.ModelAdmin[Post]):
    form = PostAdminForm
    list_display = ("title", "author", "published", "published_at", "view_count", "comment_total")
    list_filter = ("published", "created_at")
    list_select_related = ("author",)
    search_fields = ("title", "slug", "author__email", "author__name")
    date_hierarchy = "created_at"
    prepopulated_fields = {"slug": ("title",)}
    raw_id_fields = ("author",)
    readonly_fields = ("view_count", "published_at", "publish_at", "created_at", "updated_at")
    fields = ("title", "slug", "author", "published", "excerpt", "content", *readonly_fields)
    inlines = [CommentInline]
    ordering = ("-created_at", "-id")
    # Moderators unpublish; publishing is the author's call (their own pages, or their own
    # post here), never a bulk action over other people's drafts.
    actions = ["unpublish"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Post]:
        return (
            super()
            .get_queryset(request)
            .annotate(comment_total=Count("comments", filter=Q(comments__is_deleted=False)))
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Post | None = None) -> tuple[str, ...]:
        # A published slug is a link people keep, and a post's author is who wrote it: both
        # are chosen once, when the post is added. Someone else's draft is theirs to publish.
        if obj is None:
            return self.readonly_fields
        is_others_draft = not obj.published and obj.author_id != request.user.pk
        return (
            *self.readonly_fields,
            "slug",
            "author",
            *(("published",) if is_others_draft else ()),
        )

    def get_prepopulated_fields(
        self, request: HttpRequest, obj: Post | None = None
    ) -> dict[str, Sequence[str]]:
        return {} if obj else self.prepopulated_fields

    @admin.display(description="comments", ordering="comment_total")
    def comment_total(self, post: "WithAnnotations[Post, CommentTotal]") -> int:
        return post.comment_total

    def save_model(
        self, request: HttpRequest, obj: Post, form: forms.ModelForm[Post], change: bool
    ) -> None:
        if change:
            saved = services.update_post(
                post=Post.objects.get(pk=obj.pk),
                title=obj.title,
                content=obj.content,
                excerpt=obj.excerpt,
                published=obj.published,
                saved_by=signed_in_user(request),
            )
        else:
            saved = services.create_post(
                author=obj.author,
                slug=obj.slug,
                title=obj.title,
                content=obj.content,
                excerpt=obj.excerpt,
                published=obj.published,
            )
        # The admin goes on with ``obj`` (inlines, messages, redirect): give it the stored state.
        obj.__dict__.update(
            {key: value for key, value in saved.__dict__.items() if key != "_state"}
        )
        obj._state.adding = False
        obj._state.db = saved._state.db

    def delete_model(self, request: HttpRequest, obj: Post) -> None:
        services.delete_post(post=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        for post in queryset:
            services.delete_post(post=post)

    @admin.action(description="Unpublish selected posts", permissions=["change"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        changed = 0
        for post in queryset.filter(published=True):
            services.update_post(post=post, published=False)
            changed += 1
        self.message_user(request, f"{changed} post(s) unpublished.", messages.SUCCESS)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin[Comment]):
    form = CommentAdminForm
    list_display = (
        "short_content",
        "post",
        "author",
        "parent",
        "is_deleted",
        "status",
        "created_at",
    )
    list_filter = ("is_deleted", "status", "created_at")
    ordering = ("-created_at", "-id")
    list_select_related = ("post", "author", "parent__author", "parent__post")
    search_fields = ("content", "author__email", "author__name", "post__title")
    raw_id_fields = ("post", "author", "parent")
    readonly_fields = (
        "post",
        "author",
        "parent",
        "is_deleted",
        "status",
        "created_at",
        "updated_at",
    )
    fields = ("content", *readonly_fields)
    actions = ["remove_keeping_replies"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Comments are written by readers on the site, as themselves.
        return False

    @admin.display(description="comment")
    def short_content(self, comment: Comment) -> str:
        return "[deleted]" if comment.is_deleted else comment.content[:80]

    def save_model(
        self, request: HttpRequest, obj: Comment, form: forms.ModelForm[Comment], change: bool
    ) -> None:
        stored = Comment.objects.select_related("post").get(pk=obj.pk)
        services.update_comment(comment=stored, content=obj.content)

    def delete_model(self, request: HttpRequest, obj: Comment) -> None:
        services.delete_comment(comment=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        self.remove_keeping_replies(request, queryset)

    @admin.action(description="Remove selected comments (replies stay)", permissions=["delete"])
    def remove_keeping_replies(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        removed = 0
        for comment in queryset.select_related("post").filter(is_deleted=False):
            services.delete_comment(comment=comment)
            removed += 1
        self.message_user(request, f"{removed} comment(s) removed.", messages.SUCCESS)


class TagAdminForm(forms.ModelForm[Tag]):
    class Meta:
        model = Tag
        fields = ("name",)

    def clean_name(self) -> str:
        """The service's rules as a form error: a tag's name, spelling the same address."""
        name = self.cleaned_data["name"]
        try:
            renamed = tag_name(name)
        except InvalidInput as error:
            raise forms.ValidationError(error.field_errors["tags"]) from None
        if renamed.slug != self.instance.slug:
            raise forms.ValidationError(
                f"The new name must keep the address “{self.instance.slug}”."
            )
        return renamed.name


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin[Tag]):
    """Tags as editors tidy them: find one, see how much it is used, correct its spelling
    (its address stays), or delete it from every post. Authors create tags by using them."""

    form = TagAdminForm
    list_display = ("name", "slug", "published_total", "post_total", "created_at")
    search_fields = ("name", "slug")
    readonly_fields = ("slug", "created_at")
    fields = ("name", *readonly_fields)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tag]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                published_total=Count("post_tags", filter=Q(post_tags__published_at__isnull=False)),
                post_total=Count("post_tags"),
            )
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="published posts", ordering="published_total")
    def published_total(self, tag: "WithAnnotations[Tag, TagCounts]") -> int:
        return tag.published_total

    @admin.display(description="all posts (drafts too)", ordering="post_total")
    def post_total(self, tag: "WithAnnotations[Tag, TagCounts]") -> int:
        return tag.post_total

    def save_model(
        self, request: HttpRequest, obj: Tag, form: forms.ModelForm[Tag], change: bool
    ) -> None:
        services.rename_tag(tag=Tag.objects.get(pk=obj.pk), name=obj.name)
