"""The Editors group and exactly the permissions moderation needs: read and edit posts (to
unpublish or correct, never to add one for someone), read, edit and delete comments, and read
users. Not changing users: the user form edits is_staff, is_superuser and groups, so that
permission would let an editor make themselves a superuser."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Editors"
EDITOR_PERMISSIONS = {
    "blog": ["view_post", "change_post", "view_comment", "change_comment", "delete_comment"],
    "accounts": ["view_user"],
}


def create_editors_group(apps, schema_editor):
    # On a fresh database the permissions are made after all migrations (post_migrate): make
    # them now for the apps named, as post_migrate will (it skips the ones that exist).
    for label in EDITOR_PERMISSIONS:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    editors.permissions.set(
        permission
        for label, codenames in EDITOR_PERMISSIONS.items()
        for permission in Permission.objects.filter(
            content_type__app_label=label, codename__in=codenames
        )
    )


def delete_editors_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=EDITORS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_deleted_identity"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("blog", "0008_post_published_at"),
    ]

    operations = [migrations.RunPython(create_editors_group, delete_editors_group)]
