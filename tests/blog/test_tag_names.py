"""Any text given as a tag is a valid tag or a field error on ``tags``: never anything else,
and a valid tag's slug is an address the tag pages answer."""

import re

from hypothesis import given
from hypothesis import strategies as st

from blog.models import TAG_NAME_MAX_LENGTH, TAG_SLUG_MAX_LENGTH
from blog.tag_names import tag_name, tag_names
from lib.errors import InvalidInput
from lib.text import has_uncarriable_characters

SLUG_FORM = re.compile(r"[a-z0-9_]+(?:-[a-z0-9_]+)*")


@given(st.text(max_size=80))
def test_any_text_is_a_valid_tag_or_a_tags_field_error(raw):
    try:
        tag = tag_name(raw)
    except InvalidInput as error:
        assert list(error.field_errors) == ["tags"]
        return
    assert 0 < len(tag.name) <= TAG_NAME_MAX_LENGTH
    assert tag.name == tag.name.strip() and "," not in tag.name
    assert not has_uncarriable_characters(tag.name)
    assert SLUG_FORM.fullmatch(tag.slug) and len(tag.slug) <= TAG_SLUG_MAX_LENGTH


@given(st.lists(st.text(alphabet="abcAB -", max_size=6), max_size=12))
def test_names_come_back_once_per_slug_in_their_order(raws):
    try:
        tags = tag_names(raws, maximum=5)
    except InvalidInput as error:
        assert list(error.field_errors) == ["tags"]
        return
    slugs = [tag.slug for tag in tags]
    assert len(slugs) == len(set(slugs)) <= 5
