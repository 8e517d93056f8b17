"""The moderators' admin: the queue of reported items, the log of moderation actions, and the
posts', comments' and users' admins made to log what editors do to other people's content and
to confirm it first. Registered after blog's and accounts' (INSTALLED_APPS order), whose
admins these extend."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from accounts.admin import UserAdmin
from accounts.models import User
from blog import services as blog_services
from blog.admin import CommentAdmin, PostAdmin
from blog.models import Comment, Post
from lib.errors import Conflict, Forbidden, InvalidInput, NotFound
from moderation import content_sweeps, selectors, services
from moderation.models import REASON_MAX_LENGTH, ActionKind, ModerationAction, Report
from moderation.permissions import is_moderator
from moderation.services import Decision

_REASON = "reason"


def _reason(request: HttpRequest) -> str:
    """The moderator's "why", typed on a confirmation page (bounded by the form's field)."""
    return request.POST.get(_REASON, "")[:REASON_MAX_LENGTH]


def _log_link(label: str, query: str) -> str:
    url = reverse("admin:moderation_moderationaction_changelist")
    return format_html('<a href="{}?{}">{}</a>', url, query, label)


class ConfirmationForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason (kept in the moderation log)",
    )


def _confirm_bulk(
    model_admin: admin.ModelAdmin[Any],
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    verb: str,
    consequence: str,
    authors: list[str],
) -> TemplateResponse | None:
    """A confirmation page summarising a bulk action on other people's content (how many,
    whose), or None once it was confirmed with a valid reason."""
    form = ConfirmationForm(request.POST if "confirmed" in request.POST else None)
    if form.is_bound and form.is_valid():
        return None
    by_author: dict[str, int] = {}
    for name in authors:
        by_author[name] = by_author.get(name, 0) + 1
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"{verb.capitalize()} {len(authors)} {model_admin.opts.verbose_name_plural}?",
        "opts": model_admin.opts,
        "verb": verb,
        "consequence": consequence,
        "count": len(authors),
        "by_author": sorted(by_author.items(), key=lambda pair: (-pair[1], pair[0])),
        "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        "action": request.POST.get("action", ""),
        "form": form,
    }
    return TemplateResponse(request, "admin/moderation/confirm_bulk_action.html", context)


class ReportsGoWithTheirItem:
    """Deleting a post or comment deletes its reports too (the log keeps what was done): an
    editor needs no permission to delete reports for that."""

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(  # type: ignore[misc]
            objs, request
        )
        return deleted, model_count, perms_needed - {Report._meta.verbose_name}, protected


class ModeratedPostAdmin(ReportsGoWithTheirItem, PostAdmin):
    actions = ["unpublish_selected"]
    delete_confirmation_template = "admin/moderation/post_delete_confirmation.html"

    def get_fields(self, request: HttpRequest, obj: Post | None = None) -> Any:
        return (*super().get_fields(request, obj), *(("moderation_log",) if obj else ()))

    def get_readonly_fields(self, request: HttpRequest, obj: Post | None = None) -> Any:
        return (*super().get_readonly_fields(request, obj), "moderation_log")

    @admin.display(description="moderation log")
    def moderation_log(self, post: Post) -> str:
        return (
            _log_link("Moderation actions on this post", f"post_id={post.pk}") if post.pk else "-"
        )

    def save_model(
        self, request: HttpRequest, obj: Post, form: forms.ModelForm[Post], change: bool
    ) -> None:
        is_others = change and obj.author_id != request.user.pk
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if is_others:
                unpublished = "published" in form.changed_data and not obj.published
                services.log_action(
                    moderator=request.user,  # type: ignore[arg-type]
                    action=ActionKind.UNPUBLISH_POST if unpublished else ActionKind.EDIT_POST,
                    post=obj,
                    reason="Changed: " + ", ".join(form.changed_data),
                )

    def delete_model(self, request: HttpRequest, obj: Post) -> None:
        with transaction.atomic():
            services.log_action(
                moderator=request.user,  # type: ignore[arg-type]
                action=ActionKind.DELETE_POST,
                post=obj,
                reason=_reason(request),
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        for post in queryset.select_related("author"):
            self.delete_model(request, post)

    @admin.action(description="Unpublish selected posts", permissions=["change"])
    def unpublish_selected(
        self, request: HttpRequest, queryset: QuerySet[Post]
    ) -> TemplateResponse | None:
        posts = list(queryset.filter(published=True).select_related("author"))
        confirmation = _confirm_bulk(
            self,
            request,
            queryset,
            verb="unpublish",
            consequence="They go back to their authors' drafts; readers no longer see them.",
            authors=[str(post.author) for post in posts],
        )
        if confirmation is not None:
            return confirmation
        for post in posts:
            with transaction.atomic():
                blog_services.update_post(post=post, published=False)
                services.log_action(
                    moderator=request.user,  # type: ignore[arg-type]
                    action=ActionKind.UNPUBLISH_POST,
                    post=post,
                    reason=_reason(request),
                )
        self.message_user(request, f"{len(posts)} post(s) unpublished.", messages.SUCCESS)
        return None


class ModeratedCommentAdmin(ReportsGoWithTheirItem, CommentAdmin):
    actions = ["hide_selected", "restore_selected", "remove_selected"]
    delete_confirmation_template = "admin/moderation/comment_delete_confirmation.html"

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # Django's bulk delete would say the replies are deleted; they are not (see
        # remove_keeping_replies, which confirms what it does).
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def render_delete_form(self, request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
        comment = context["object"]
        context["reply_count"] = comment.replies.count()
        return super().render_delete_form(request, context)

    def save_model(
        self, request: HttpRequest, obj: Comment, form: forms.ModelForm[Comment], change: bool
    ) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if obj.author_id != request.user.pk:
                services.log_action(
                    moderator=request.user,  # type: ignore[arg-type]
                    action=ActionKind.EDIT_COMMENT,
                    post=obj.post,
                    comment=obj,
                )

    def delete_model(self, request: HttpRequest, obj: Comment) -> None:
        with transaction.atomic():
            services.log_action(
                moderator=request.user,  # type: ignore[arg-type]
                action=ActionKind.DELETE_COMMENT,
                post=obj.post,
                comment=obj,
                reason=_reason(request),
            )
            super().delete_model(request, obj)

    def _bulk(
        self,
        request: HttpRequest,
        queryset: QuerySet[Comment],
        *,
        verb: str,
        consequence: str,
        action: ActionKind,
    ) -> TemplateResponse | None:
        comments = list(queryset.filter(is_deleted=False).select_related("post__author", "author"))
        if action is ActionKind.HIDE_COMMENT:
            comments = [comment for comment in comments if not comment.is_hidden]
        confirmation = _confirm_bulk(
            self,
            request,
            queryset,
            verb=verb,
            consequence=consequence,
            authors=[str(comment.author) for comment in comments],
        )
        if confirmation is not None:
            return confirmation
        for comment in comments:
            with transaction.atomic():
                services.log_action(
                    moderator=request.user,  # type: ignore[arg-type]
                    action=action,
                    post=comment.post,
                    comment=comment,
                    reason=_reason(request),
                )
                if action is ActionKind.HIDE_COMMENT:
                    blog_services.hide_comment(comment=comment)
                else:
                    blog_services.delete_comment(comment=comment)
        done = "hidden" if action is ActionKind.HIDE_COMMENT else "removed"
        self.message_user(request, f"{len(comments)} comment(s) {done}.", messages.SUCCESS)
        return None

    @admin.action(
        description="Hide selected comments (kept for moderators)", permissions=["change"]
    )
    def hide_selected(
        self, request: HttpRequest, queryset: QuerySet[Comment]
    ) -> TemplateResponse | None:
        return self._bulk(
            request,
            queryset,
            verb="hide",
            consequence="Readers see them as removed; their replies stay; their words are kept.",
            action=ActionKind.HIDE_COMMENT,
        )

    @admin.action(description="Show selected hidden comments again", permissions=["change"])
    def restore_selected(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        """Undo a hide: each selected hidden comment is shown again (announced as new) and
        logged; the others are left as they are and counted."""
        restored = 0
        for comment in queryset.select_related("post__author", "author"):
            try:
                services.restore_comment(
                    moderator=request.user,  # type: ignore[arg-type]
                    comment=comment,
                    note=_reason(request),
                )
            except Conflict:
                continue
            restored += 1
        skipped = queryset.count() - restored
        message = f"{restored} comment(s) shown again."
        if skipped:
            message += f" {skipped} selected comment(s) were not hidden and were left as they are."
        self.message_user(request, message, messages.SUCCESS if restored else messages.WARNING)

    @admin.action(description="Remove selected comments (replies stay)", permissions=["delete"])
    def remove_selected(
        self, request: HttpRequest, queryset: QuerySet[Comment]
    ) -> TemplateResponse | None:
        return self._bulk(
            request,
            queryset,
            verb="remove",
            consequence="Their words are erased. A comment with replies stays as a [deleted] "
            "placeholder so its thread keeps its shape; the others are deleted.",
            action=ActionKind.DELETE_COMMENT,
        )


class ModeratedUserAdmin(UserAdmin):
    # Extends the accounts admin's actions (suspensions live there), never replaces them.
    actions = [*UserAdmin.actions, "hide_all_content", "restore_content"]  # type: ignore[misc]

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        return is_moderator(request.user) and all(
            request.user.has_perm(permission)
            for permission in ("blog.change_comment", "blog.change_post")
        )

    @admin.action(description="Hide all content of selected users", permissions=["moderate"])
    def hide_all_content(
        self, request: HttpRequest, queryset: QuerySet[User]
    ) -> TemplateResponse | None:
        users = list(queryset)
        confirmation = _confirm_bulk(
            self,
            request,
            queryset,
            verb="hide all content of",
            consequence="Every visible comment of theirs is hidden (readers see it as removed) "
            'and every published post goes back to their drafts. "Restore content" brings '
            "back exactly these, later.",
            authors=[str(user) for user in users],
        )
        if confirmation is not None:
            return confirmation
        for user in users:
            try:
                sweep = content_sweeps.hide_user_content(
                    moderator=request.user,  # type: ignore[arg-type]
                    user=user,
                    reason=_reason(request),
                )
            except (Conflict, Forbidden) as error:
                self.message_user(request, error.message, messages.WARNING)
            else:
                self.message_user(
                    request,
                    f"{user}: {len(sweep.hidden_comment_ids)} comment(s) hidden, "
                    f"{len(sweep.unpublished_post_ids)} post(s) unpublished.",
                    messages.SUCCESS,
                )
        return None

    @admin.action(
        description='Restore content hidden by "hide all content"', permissions=["moderate"]
    )
    def restore_content(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            try:
                comments, posts = content_sweeps.restore_user_content(
                    moderator=request.user,  # type: ignore[arg-type]
                    user=user,
                    reason=_reason(request),
                )
            except (Conflict, Forbidden) as error:
                self.message_user(request, error.message, messages.WARNING)
            else:
                self.message_user(
                    request,
                    f"{user}: {comments} comment(s) shown again, {posts} post(s) published again.",
                    messages.SUCCESS,
                )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return (*super().get_readonly_fields(request, obj), "moderation_log")

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return (*fieldsets, ("Moderation", {"fields": ("moderation_log",)}))

    @admin.display(description="moderation log")
    def moderation_log(self, user: User) -> str:
        return _log_link("Moderation actions on this user's content", f"subject={user.pk}")


for model, model_admin in (
    (Post, ModeratedPostAdmin),
    (Comment, ModeratedCommentAdmin),
    (User, ModeratedUserAdmin),
):
    admin.site.unregister(model)
    admin.site.register(model, model_admin)


@admin.register(ModerationAction)
class ModerationActionAdmin(admin.ModelAdmin[ModerationAction]):
    """The log: who did what to whose content, why and when. Nobody edits or deletes it."""

    list_display = ("created_at", "moderator", "action", "subject", "target", "reason")
    list_filter = ("action", "created_at")
    list_select_related = ("moderator", "subject")
    search_fields = ("target", "reason", "moderator__email", "subject__email")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    fields = (
        "created_at",
        "moderator",
        "action",
        "subject",
        "post_id",
        "comment_id",
        "target",
        "reason",
    )
    readonly_fields = fields

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_moderator(request.user) and super().has_view_permission(request, obj)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_moderator(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ResolveForm(forms.Form):
    post_id = forms.UUIDField()
    comment_id = forms.UUIDField(required=False)
    decision = forms.ChoiceField(
        choices=[(decision.value, decision.value) for decision in Decision]
    )
    note = forms.CharField(required=False, max_length=REASON_MAX_LENGTH)
    page = forms.IntegerField(required=False, min_value=1)


class ReviewForm(forms.Form):
    comment_id = forms.UUIDField()
    decision = forms.ChoiceField(choices=[("release", "release"), ("reject", "reject")])
    note = forms.CharField(required=False, max_length=REASON_MAX_LENGTH)


def _form_errors(form: forms.Form) -> str:
    return "; ".join(
        f"{name}: {' '.join(str(message) for message in messages_)}"
        for name, messages_ in form.errors.items()
    )


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin[Report]):
    """Its list is the moderation queue: reported items, not single reports (one item may
    have hundreds), each resolved in one click."""

    fields = (
        "reporter",
        "post",
        "comment",
        "reason",
        "details",
        "status",
        "created_at",
        "resolved_at",
        "resolved_by",
    )
    readonly_fields = fields

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_moderator(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_moderator(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Reports change only through the queue's buttons, never through a form.
        return obj is None and is_moderator(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        resolve = self.admin_site.admin_view(require_POST(self.resolve_view))
        review = self.admin_site.admin_view(require_POST(self.review_view))
        return [
            path("resolve/", resolve, name="moderation_report_resolve"),
            path("review/", review, name="moderation_report_review"),
            *super().get_urls(),
        ]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> TemplateResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            number = int(request.GET.get("page", "1"))
        except ValueError:
            number = 1
        user = request.user
        context = {
            **self.admin_site.each_context(request),
            "title": "Moderation queue",
            "opts": self.opts,
            "page": selectors.queue_page(number=number),
            "held": selectors.held_comments(),
            "may": {
                "release": user.has_perm("blog.change_comment"),
                "reject": user.has_perm("blog.delete_comment"),
                "hide_comment": user.has_perm("blog.change_comment"),
                "delete_comment": user.has_perm("blog.delete_comment"),
                "hide_post": user.has_perm("blog.change_post"),
                "delete_post": user.has_perm("blog.delete_post"),
                "ban": user.has_perm("accounts.suspend_user"),
            },
            "note_max_length": REASON_MAX_LENGTH,
        }
        return TemplateResponse(request, "admin/moderation/queue.html", context)

    def resolve_view(self, request: HttpRequest) -> HttpResponseRedirect:
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = ResolveForm(request.POST)
        queue = reverse("admin:moderation_report_changelist")
        if not form.is_valid():
            self.message_user(request, f"Nothing was changed: {_form_errors(form)}", messages.ERROR)
            return HttpResponseRedirect(queue)
        data = form.cleaned_data
        page = f"{queue}?page={data['page']}" if data.get("page") else queue
        try:
            post, comment = selectors.reported_item(
                post_id=data["post_id"], comment_id=data["comment_id"]
            )
            closed = services.resolve_reports(
                moderator=request.user,  # type: ignore[arg-type]
                post=post,
                comment=comment,
                decision=Decision(data["decision"]),
                note=data["note"],
            )
        except (NotFound, Conflict):
            self.message_user(
                request,
                "These reports were already resolved; nothing was changed.",
                messages.WARNING,
            )
        except (Forbidden, InvalidInput) as error:
            self.message_user(request, f"Nothing was changed: {error.message}", messages.ERROR)
        else:
            self.message_user(
                request, f"{closed} report(s) resolved: {data['decision']}.", messages.SUCCESS
            )
        return HttpResponseRedirect(page)

    def review_view(self, request: HttpRequest) -> HttpResponseRedirect:
        """Release or reject a comment held for review."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = ReviewForm(request.POST)
        queue = reverse("admin:moderation_report_changelist")
        if not form.is_valid():
            self.message_user(request, f"Nothing was changed: {_form_errors(form)}", messages.ERROR)
            return HttpResponseRedirect(queue)
        data = form.cleaned_data
        try:
            comment = selectors.held_comment(comment_id=data["comment_id"])
            services.review_held_comment(
                moderator=request.user,  # type: ignore[arg-type]
                comment=comment,
                release=data["decision"] == "release",
                note=data["note"],
            )
        except (NotFound, Conflict):
            self.message_user(
                request,
                "This comment was already reviewed; nothing was changed.",
                messages.WARNING,
            )
        except (Forbidden, InvalidInput) as error:
            self.message_user(request, f"Nothing was changed: {error.message}", messages.ERROR)
        else:
            done = "released" if data["decision"] == "release" else "rejected"
            self.message_user(request, f"Comment {done}.", messages.SUCCESS)
        return HttpResponseRedirect(queue)
