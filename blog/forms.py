"""HTML forms of the writing and commenting pages; the services check the rules again."""

from typing import Any

from django import forms
from django.conf import settings

from accounts.forms import ServiceForm
from blog.models import (
    COMMENT_MAX_LENGTH,
    CONTENT_MAX_LENGTH,
    EXCERPT_MAX_LENGTH,
    SLUG_MAX_LENGTH,
    TITLE_MAX_LENGTH,
)
from images.models import ALT_MAX_LENGTH, Image


class PostForm(ServiceForm):
    title = forms.CharField(max_length=TITLE_MAX_LENGTH)
    content = forms.CharField(
        max_length=CONTENT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text="Markdown: **bold**, *italic*, [links](https://…), lists, ``` code ```.",
    )
    excerpt = forms.CharField(
        max_length=EXCERPT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Leave blank to use the opening words of the post.",
    )
    # The site's time zone, said beside the field: the same moment for every author.
    publish_at = forms.DateTimeField(
        required=False,
        label="Publish at",
        widget=forms.DateTimeInput(
            # The zone the browser's script converts the time from (static/js/editor.js).
            attrs={"type": "datetime-local", "data-time-zone": settings.TIME_ZONE},
            format="%Y-%m-%dT%H:%M",
        ),
        help_text=f"Time zone: {settings.TIME_ZONE}. Choose a time and press Schedule to "
        "publish this draft then; leave blank to keep it a draft.",
    )
    service_fields = {"publishAt": "publish_at"}

    def __init__(self, *args: Any, is_published: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if is_published:
            # A published post is not scheduled (unpublish it first).
            del self.fields["publish_at"]

    # Checked by the services (blog.tag_names), whose messages name the tag at fault.
    tags = forms.CharField(
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "data-tag-picker": ""}),
        help_text="Comma-separated, e.g. “Django, Web performance”. New tags are created.",
    )


class PostEditForm(PostForm):
    """The editor of a saved post, which has a slug to change (a new one takes it from the
    title)."""

    slug = forms.CharField(
        max_length=SLUG_MAX_LENGTH,
        help_text="The post's address: lowercase letters, digits and hyphens. "
        "Links to the old one keep leading here.",
    )


class PostImagesForm(PostEditForm):
    """The editor of a saved post with images uploaded for it: one of them may be its cover."""

    service_fields = {**PostEditForm.service_fields, "coverImageId": "cover_image"}

    def __init__(self, *args: Any, images: list[Image], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.images = {str(image.id): image for image in images}
        # Each choice's label is its image: the editor shows it (blog/post_form.html).
        choices: list[tuple[str, object]] = [("", "No cover")]
        choices += self.images.items()
        self.fields["cover_image"] = forms.ChoiceField(
            label="Cover image",
            required=False,
            choices=choices,
            widget=forms.RadioSelect,
            help_text="Shown above the post and with it in lists.",
        )


class ImageUploadForm(ServiceForm):
    """The no-JavaScript upload of an image for a post (the editor's script uploads by button,
    drop or paste through image.upload instead)."""

    service_fields = {"file": "image", "alt": "alt"}

    image = forms.FileField(
        label="Image",
        help_text="JPEG, PNG, GIF or WebP. Save your changes to the post first.",
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}
        ),
    )
    alt = forms.CharField(
        label="Alternative text",
        max_length=ALT_MAX_LENGTH,
        required=False,
        help_text="What the image shows, for readers who cannot see it.",
    )
    as_cover = forms.BooleanField(label="Use as the cover image", required=False)


class CommentForm(ServiceForm):
    content = forms.CharField(
        max_length=COMMENT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}), label="Comment"
    )
    parent_id = forms.UUIDField(required=False, widget=forms.HiddenInput)
