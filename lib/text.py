"""Text every page, feed and API answer can carry: no characters that XML 1.0 (Atom feeds,
sitemaps) or HTML cannot represent.

Those are the C0 control characters other than tab, line feed and carriage return, the lone
surrogates, and U+FFFE / U+FFFF. One ``"a\\u0001b"`` in a title would otherwise make every
feed that lists it fail to serialise.
"""

import re

_UNCARRIABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def has_uncarriable_characters(text: str) -> bool:
    return _UNCARRIABLE.search(text) is not None


def without_uncarriable_characters(text: str) -> str:
    """``text`` with every character that XML or HTML cannot carry removed."""
    return _UNCARRIABLE.sub("", text)
