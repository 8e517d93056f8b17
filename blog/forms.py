"""HTML forms of the writing and commenting pages; the services check the rules again."""

from django import forms

from api.errors import InvalidInput
from blog.models import COMMENT_MAX_LENGTH, CONTENT_MAX_LENGTH, EXCERPT_MAX_LENGTH, TITLE_MAX_LENGTH


class ServiceErrorsMixin:
    """Show a service's InvalidInput on the form: known fields on the field, the rest on top."""

    def add_service_errors(self, error: InvalidInput) -> None:
        for field, messages in error.field_errors.items():
            target = field if field in self.fields else None
            for message in messages:
                self.add_error(target, message)


class PostForm(ServiceErrorsMixin, forms.Form):
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


class CommentForm(ServiceErrorsMixin, forms.Form):
    content = forms.CharField(
        max_length=COMMENT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}), label="Comment"
    )
    parent_id = forms.UUIDField(required=False, widget=forms.HiddenInput)
