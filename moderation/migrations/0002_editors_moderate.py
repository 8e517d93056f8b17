"""Editors see the moderation queue and the log, and resolve reports (accounts 0003 made the
group). Viewing reports and changing them (the queue's buttons) is all: the log is written by
the site, never edited."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Editors"
MODERATION_PERMISSIONS = ["view_report", "change_report", "view_moderationaction"]


def _permissions(apps):
    # On a fresh database the permissions are made after all migrations (post_migrate).
    app_config = apps.get_app_config("moderation")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(
        content_type__app_label="moderation", codename__in=MODERATION_PERMISSIONS
    )


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    editors.permissions.add(*_permissions(apps))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    editors = Group.objects.filter(name=EDITORS).first()
    if editors is not None:
        editors.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0001_initial"),
        ("accounts", "0003_editors_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
