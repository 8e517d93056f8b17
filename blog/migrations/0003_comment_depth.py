"""Each comment's depth in its thread, stored so a reply's depth check costs no walk up the
thread; existing rows are filled one level at a time (one UPDATE per level)."""

from django.db import migrations, models


def fill_depths(apps, schema_editor):
    Comment = apps.get_model("blog", "Comment")
    Comment.objects.filter(parent__isnull=True).update(depth=0)
    level = 0
    while Comment.objects.filter(depth__isnull=True, parent__depth=level).update(depth=level + 1):
        level += 1
    # Rows whose parents never reach a root (a cycle written outside the site) count as roots.
    Comment.objects.filter(depth__isnull=True).update(depth=0)


class Migration(migrations.Migration):
    dependencies = [("blog", "0002_post_search_index")]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="depth",
            field=models.PositiveSmallIntegerField(null=True, editable=False),
        ),
        migrations.RunPython(fill_depths, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="comment",
            name="depth",
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
    ]
