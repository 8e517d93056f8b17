"""The blog's procedures: posts and their comments, each a call to a selector or a service."""

from api.registry import (
    AUTHENTICATED,
    MUTATION,
    OWNER_OR_STAFF,
    PUBLIC,
    QUERY,
    SUBSCRIPTION,
    Context,
    Data,
    Feed,
    SignedInContext,
    procedure,
)
from blog import outputs, read_cache, search, selectors, services, subscriptions
from blog.models import Comment, Post, PostRevision, Tag
from blog.pagination import Page
from blog.serializers import (
    CommentChangeOutput,
    CommentCreateInput,
    CommentDeleteInput,
    CommentDeleteOutput,
    CommentListInput,
    CommentListOutput,
    CommentOnAddInput,
    CommentOutput,
    CommentUpdateInput,
    PostAnnouncedOutput,
    PostAutosaveInput,
    PostAutosaveOutput,
    PostByIdInput,
    PostBySlugInput,
    PostChangeOutput,
    PostCreateInput,
    PostDeleteInput,
    PostDeleteOutput,
    PostListInput,
    PostListOutput,
    PostOnCreateInput,
    PostOnUpdateInput,
    PostOutput,
    PostPreviewInput,
    PostPreviewOutput,
    PostRestoreRevisionInput,
    PostRevisionInput,
    PostRevisionOutput,
    PostRevisionsInput,
    PostRevisionsOutput,
    PostSearchInput,
    PostSearchOutput,
    PostUpdateInput,
    TagListOutput,
    TagSearchInput,
)


@procedure("post.list", kind=QUERY, input=PostListInput, output=PostListOutput, access=PUBLIC)
def post_list(ctx: Context, data: Data) -> outputs.Built:
    """Published posts, newest first, keyset-paginated; `published: false` lists the caller's
    own drafts; `tag` (a slug) keeps those filed under it. The first page of all published
    posts comes from ``blog.read_cache``."""
    return read_cache.post_list(viewer=ctx.user, **data)


@procedure("post.bySlug", kind=QUERY, input=PostBySlugInput, output=PostOutput, access=PUBLIC)
def post_by_slug(ctx: Context, data: Data) -> outputs.Built:
    """One post, counting a view. A draft is NOT_FOUND to all but its author and staff. A
    slug the post had (before its author changed it) finds it too: the answer is the post,
    whose `slug` is its current one. A published post comes from ``blog.read_cache``."""
    shown = read_cache.post_detail(viewer=ctx.user, slug=data["slug"])
    services.record_post_view(post_id=shown.post_id)
    return shown.answer


@procedure("post.byId", kind=QUERY, input=PostByIdInput, output=PostOutput, access=PUBLIC)
def post_by_id(ctx: Context, data: Data) -> outputs.Built:
    """One post, counting a view. A draft is NOT_FOUND to all but its author and staff. A
    published post comes from ``blog.read_cache``."""
    shown = read_cache.post_detail(viewer=ctx.user, post_id=data["id"])
    services.record_post_view(post_id=shown.post_id)
    return shown.answer


@procedure("post.search", kind=QUERY, input=PostSearchInput, output=PostSearchOutput, access=PUBLIC)
def post_search(ctx: Context, data: Data) -> "Page[search.SearchHit]":
    """Published posts matching the query (filed under `tag`, a slug, when given), best
    first, each with a highlighted headline."""
    return selectors.search_posts(viewer=ctx.user, **data)


@procedure(
    "post.create", kind=MUTATION, input=PostCreateInput, output=PostOutput, access=AUTHENTICATED
)
def post_create(ctx: SignedInContext, data: Data) -> Post:
    """A new post by the caller (a draft unless `published`; a draft with `publishAt` is
    published then)."""
    post = services.create_post(author=ctx.user, **data)
    return selectors.post_for_viewer(viewer=ctx.user, post_id=post.id)


@procedure(
    "post.update", kind=MUTATION, input=PostUpdateInput, output=PostOutput, access=OWNER_OR_STAFF
)
def post_update(ctx: SignedInContext, data: Data) -> Post:
    """Change the given fields of a post (its author or staff). A new `slug` (lowercase
    letters, digits, hyphens; not another post's, current or old) retires the old one, which
    keeps finding the post. `publishAt` schedules a draft, null unschedules it; publishing
    ends a schedule."""
    post = selectors.post_for_edit(user=ctx.user, post_id=data.pop("id"))
    return services.update_post(post=post, saved_by=ctx.user, **data)


@procedure(
    "post.preview",
    kind=MUTATION,
    input=PostPreviewInput,
    output=PostPreviewOutput,
    access=AUTHENTICATED,
)
def post_preview(ctx: SignedInContext, data: Data) -> Data:
    """The editor's live preview: the content rendered as its post would show it. It changes
    nothing, but is a mutation so that up to 2 MiB of content travels in a body, not a URL."""
    return {"html": services.preview_post(author=ctx.user, content=data["content"])}


@procedure(
    "post.delete",
    kind=MUTATION,
    input=PostDeleteInput,
    output=PostDeleteOutput,
    access=OWNER_OR_STAFF,
)
def post_delete(ctx: SignedInContext, data: Data) -> Data:
    """Delete a post and its comments (its author or staff)."""
    post = selectors.post_for_edit(user=ctx.user, post_id=data["id"])
    services.delete_post(post=post)
    return {"id": data["id"]}


# --- revisions and autosave: the rules of post.update (the author or staff) -------------------


@procedure(
    "post.revisions",
    kind=QUERY,
    input=PostRevisionsInput,
    output=PostRevisionsOutput,
    access=OWNER_OR_STAFF,
)
def post_revisions(ctx: SignedInContext, data: Data) -> "Page[PostRevision]":
    """A post's revisions, newest first (who saved each, when, its title), keyset-paginated."""
    post = selectors.post_for_edit(user=ctx.user, post_id=data.pop("post_id"))
    return selectors.revision_page(post=post, **data)


@procedure(
    "post.revision",
    kind=QUERY,
    input=PostRevisionInput,
    output=PostRevisionOutput,
    access=OWNER_OR_STAFF,
)
def post_revision(ctx: SignedInContext, data: Data) -> selectors.RevisionComparison:
    """One revision with its text and a line diff against the revision before it, or against
    the post's current text (`against: "current"`)."""
    post = selectors.post_for_edit(user=ctx.user, post_id=data["post_id"])
    revision = selectors.post_revision(post=post, revision_id=data["id"])
    return selectors.compare_revision(post=post, revision=revision, against=data["against"])


@procedure(
    "post.restoreRevision",
    kind=MUTATION,
    input=PostRestoreRevisionInput,
    output=PostOutput,
    access=OWNER_OR_STAFF,
)
def post_restore_revision(ctx: SignedInContext, data: Data) -> Post:
    """Write a revision's title, content and excerpt back to its post, as `post.update`
    would; the result is the newest revision. A revision of another post is NOT_FOUND."""
    post = selectors.post_for_edit(user=ctx.user, post_id=data["post_id"])
    revision = selectors.post_revision(post=post, revision_id=data["revision_id"])
    return services.restore_revision(post=post, revision=revision, restored_by=ctx.user)


@procedure(
    "post.autosave",
    kind=MUTATION,
    input=PostAutosaveInput,
    output=PostAutosaveOutput,
    access=OWNER_OR_STAFF,
)
def post_autosave(ctx: SignedInContext, data: Data) -> Data:
    """Save the editor's text as its author types: without `id` a new draft, else the draft
    (consecutive autosaves are one revision). A published post, or text based on a revision
    that is no longer the newest (`baseRevisionId`), is CONFLICT and changes nothing."""
    post_id = data.pop("id")
    post = selectors.post_for_edit(user=ctx.user, post_id=post_id) if post_id else None
    saved, revision = services.autosave_post(author=ctx.user, post=post, **data)
    return {"post": saved, "revision": revision}


@procedure(
    "comment.list", kind=QUERY, input=CommentListInput, output=CommentListOutput, access=PUBLIC
)
def comment_list(ctx: Context, data: Data) -> outputs.Built:
    """A readable post's comments as threads, oldest first (a published post's from
    ``blog.read_cache``)."""
    return read_cache.comment_list(viewer=ctx.user, post_id=data["post_id"])


@procedure(
    "comment.create",
    kind=MUTATION,
    input=CommentCreateInput,
    output=CommentOutput,
    access=AUTHENTICATED,
)
def comment_create(ctx: SignedInContext, data: Data) -> Comment:
    """Comment on a published post, or reply to a comment on it."""
    post = selectors.published_post(post_id=data["post_id"])
    parent = data["parent_id"] and selectors.reply_parent(post=post, comment_id=data["parent_id"])
    return services.create_comment(
        author=ctx.user,
        post=post,
        content=data["content"],
        parent=parent,
        client_address=ctx.client_address,
    )


@procedure(
    "comment.update",
    kind=MUTATION,
    input=CommentUpdateInput,
    output=CommentOutput,
    access=OWNER_OR_STAFF,
)
def comment_update(ctx: SignedInContext, data: Data) -> Comment:
    """Change a comment's words (its author or staff)."""
    comment = selectors.comment_for_edit(user=ctx.user, comment_id=data["id"])
    return services.update_comment(comment=comment, content=data["content"])


@procedure(
    "comment.delete",
    kind=MUTATION,
    input=CommentDeleteInput,
    output=CommentDeleteOutput,
    access=OWNER_OR_STAFF,
)
def comment_delete(ctx: SignedInContext, data: Data) -> Data:
    """Delete a comment (its author or staff); one with replies stays as a placeholder."""
    comment = selectors.comment_for_edit(user=ctx.user, comment_id=data["id"])
    services.delete_comment(comment=comment)
    return {"id": data["id"]}


@procedure("tag.search", kind=QUERY, input=TagSearchInput, output=TagListOutput, access=PUBLIC)
def tag_search(ctx: Context, data: Data) -> list[Tag]:
    """Tags whose slug starts with the prefix's (the editor's suggestions), by slug: those
    on published posts, and the caller's own drafts' tags; never a tag only someone else's
    drafts carry."""
    return selectors.tag_suggestions(viewer=ctx.user, **data)


# --- subscriptions: what readers see, as it is committed ----------------------------------


@procedure(
    "post.onCreate",
    kind=SUBSCRIPTION,
    input=PostOnCreateInput,
    output=PostAnnouncedOutput,
    access=PUBLIC,
)
def post_on_create(ctx: Context, data: Data) -> Feed:
    """Each post as it is published (a draft never is, until it is)."""
    return subscriptions.new_posts(since=data["last_event_id"])


@procedure(
    "post.onUpdate",
    kind=SUBSCRIPTION,
    input=PostOnUpdateInput,
    output=PostChangeOutput,
    access=PUBLIC,
)
def post_on_update(ctx: Context, data: Data) -> Feed:
    """The edits of one published post; unpublishing or deleting it arrives as
    `{"type": "removed"}`. A draft is NOT_FOUND, to its author too: drafts are never announced."""
    post = selectors.published_post(post_id=data["post_id"])
    return subscriptions.post_changes(post_id=post.id, since=data["last_event_id"])


@procedure(
    "comment.onAdd",
    kind=SUBSCRIPTION,
    input=CommentOnAddInput,
    output=CommentChangeOutput,
    access=PUBLIC,
)
def comment_on_add(ctx: Context, data: Data) -> Feed:
    """New, edited and removed comments of one published post (a draft is NOT_FOUND: its
    comments are closed)."""
    post = selectors.published_post(post_id=data["post_id"])
    return subscriptions.comment_changes(post_id=post.id, since=data["last_event_id"])
