"""HTML forms of the writing and commenting pages; the services check the rules again."""

from django import forms

from accounts.forms import ServiceForm
from blog.models import (
    COMMENT_MAX_LENGTH,
    CONTENT_MAX_LENGTH,
    EXCERPT_MAX_LENGTH,
    SLUG_MAX_LENGTH,
    TITLE_MAX_LENGTH,
)


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


class CommentForm(ServiceForm):
    content = forms.CharField(
        max_length=COMMENT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}), label="Comment"
    )
    parent_id = forms.UUIDField(required=False, widget=forms.HiddenInput)
