"""Tag names as authors type them: the rules a name must keep, and the slug that is its
identity. No database: the services check names with this before they touch a row."""

import re
from dataclasses import dataclass

from django.utils.text import slugify

from blog.models import TAG_NAME_MAX_LENGTH, TAG_SLUG_MAX_LENGTH
from lib.errors import InvalidInput
from lib.text import has_uncarriable_characters

_SPACES = re.compile(r"\s+")
# Signs that name a language on their own ("C++", "C#", "F#"): spelled out in the slug, so
# "C++" and "C#" are two tags, not both "c".
_SPELLED_SIGNS = str.maketrans({"+": " plus ", "#": " sharp "})
# What a cut-off name shows of itself in an error message.
_SHOWN_CHARS = 30


@dataclass(frozen=True)
class TagName:
    """A valid tag name and its slug."""

    name: str
    slug: str


def _shown(name: str) -> str:
    return f"“{name[:_SHOWN_CHARS]}…”" if len(name) > _SHOWN_CHARS else f"“{name}”"


def tag_name(raw: str) -> TagName:
    """``raw`` as a tag: inner spaces collapsed, ends stripped, checked. InvalidInput on the
    ``tags`` field otherwise."""
    if has_uncarriable_characters(raw):
        raise InvalidInput({"tags": ["A tag cannot contain control characters."]})
    # A leading "#" is how people write a tag ("#django"), not part of its name.
    name = _SPACES.sub(" ", raw).strip().lstrip("#").strip()
    if len(name) > TAG_NAME_MAX_LENGTH:
        raise InvalidInput(
            {"tags": [f"The tag {_shown(name)} is longer than {TAG_NAME_MAX_LENGTH} characters."]}
        )
    if "," in name:
        raise InvalidInput({"tags": [f"The tag {_shown(name)} contains a comma."]})
    slug = slugify(name.translate(_SPELLED_SIGNS)).strip("-")
    if len(slug) > TAG_SLUG_MAX_LENGTH:
        # Some characters spell out longer (a ligature, a squared unit): the address is too long.
        raise InvalidInput({"tags": [f"The tag {_shown(name)} makes too long an address."]})
    if not slug:
        raise InvalidInput(
            {
                "tags": [
                    f"The tag {_shown(raw.strip())} needs at least one letter or digit "
                    "(a to z, 0 to 9)."
                ]
            }
        )
    return TagName(name, slug)


def tag_names(raw_names: list[str], *, maximum: int) -> list[TagName]:
    """Each non-blank name of ``raw_names`` as a tag, once per slug (the first spelling wins),
    in the given order; at most ``maximum`` of them."""
    unique: dict[str, TagName] = {}
    for raw in raw_names:
        if not raw.strip():
            continue
        tag = tag_name(raw)
        unique.setdefault(tag.slug, tag)
    if len(unique) > maximum:
        raise InvalidInput({"tags": [f"A post has at most {maximum} tags ({len(unique)} given)."]})
    return list(unique.values())


def split_tag_text(text: str) -> list[str]:
    """The editor's comma-separated tags as a list of names."""
    return text.split(",")
