"""Editors may read the outbound queue (what was sent, what failed and why) in the admin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Editors"


def let_editors_view(apps, schema_editor):
    # On a fresh database permissions are made after all migrations (post_migrate).
    app_config = apps.get_app_config("mail")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors = Group.objects.filter(name=EDITORS).first()
    if editors is not None:
        editors.permissions.add(
            *Permission.objects.filter(content_type__app_label="mail", codename="view_outboundemail")
        )


def take_it_back(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors = Group.objects.filter(name=EDITORS).first()
    if editors is not None:
        editors.permissions.remove(
            *Permission.objects.filter(content_type__app_label="mail", codename="view_outboundemail")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("mail", "0001_outbound_email"),
        ("accounts", "0003_editors_group"),
    ]

    operations = [migrations.RunPython(let_editors_view, take_it_back)]
