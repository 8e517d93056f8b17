"""Remove characters XML and HTML cannot carry (C0 controls, lone surrogates, U+FFFE/U+FFFF)
from the posts and comments stored before the services refused them."""

from django.db import migrations
from django.db.models import Q

from lib.text import has_uncarriable_characters, without_uncarriable_characters

BATCH_SIZE = 500
_POST_FIELDS = ("title", "content", "excerpt")
# Every character lib.text refuses starts one of these ranges; the database narrows the rows
# the Python check looks at to those holding any control character at all.
_CONTROLS = [chr(code) for code in range(0x20) if chr(code) not in "\t\n\r"]


def _suspects(model, fields, vendor):
    # PostgreSQL text cannot hold NUL at all (nor can a query parameter).
    needles = [c for c in _CONTROLS if vendor != "postgresql" or c != "\x00"]
    condition = Q()
    for field in fields:
        for control in needles + ["\ufffe", "\uffff"]:
            condition |= Q(**{f"{field}__contains": control})
    return model.objects.filter(condition).only("pk", *fields)


def _clean(model, fields, vendor):
    changed = []
    for row in _suspects(model, fields, vendor).iterator(chunk_size=BATCH_SIZE):
        if any(has_uncarriable_characters(getattr(row, field)) for field in fields):
            for field in fields:
                setattr(row, field, without_uncarriable_characters(getattr(row, field)))
            changed.append(row)
        if len(changed) >= BATCH_SIZE:
            model.objects.bulk_update(changed, fields)
            changed = []
    model.objects.bulk_update(changed, fields)


def clean_text(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _clean(apps.get_model("blog", "Post"), _POST_FIELDS, vendor)
    _clean(apps.get_model("blog", "Comment"), ("content",), vendor)


class Migration(migrations.Migration):
    dependencies = [("blog", "0003_comment_depth")]

    operations = [migrations.RunPython(clean_text, migrations.RunPython.noop, elidable=True)]
