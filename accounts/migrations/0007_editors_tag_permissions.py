"""Editors also tidy tags: read them, correct their spelling, and delete one from every post.
Not add: authors create tags by using them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Editors"
TAG_PERMISSIONS = ["view_tag", "change_tag", "delete_tag"]


def _tag_permissions(apps):
    # On a fresh database the permissions are made after all migrations (post_migrate): make
    # blog's now, as post_migrate will (it skips the ones that exist).
    app_config = apps.get_app_config("blog")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    return apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="blog", codename__in=TAG_PERMISSIONS
    )


def grant_tag_permissions(apps, schema_editor):
    editors, _ = apps.get_model("auth", "Group").objects.get_or_create(name=EDITORS)
    editors.permissions.add(*_tag_permissions(apps))


def revoke_tag_permissions(apps, schema_editor):
    editors = apps.get_model("auth", "Group").objects.filter(name=EDITORS).first()
    if editors is not None:
        editors.permissions.remove(*_tag_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_user_email_settings"),
        ("blog", "0014_tags"),
    ]

    operations = [migrations.RunPython(grant_tag_permissions, revoke_tag_permissions)]
