"""Suspensions: until when and why, on the user row, and the permission to suspend, which the
Editors group gets (moderators suspend; only superusers suspend staff, see accounts.suspensions)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations, models


def grant_to_editors(apps, schema_editor):
    # The permission is made after all migrations (post_migrate) on a fresh database: now.
    app_config = apps.get_app_config("accounts")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    permission = apps.get_model("auth", "Permission").objects.get(
        content_type__app_label="accounts", codename="suspend_user"
    )
    for editors in apps.get_model("auth", "Group").objects.filter(name="Editors"):
        editors.permissions.add(permission)


def revoke_from_editors(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="accounts", codename="suspend_user").delete()


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_editors_group'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='user',
            options={'ordering': ['email'], 'permissions': [('suspend_user', 'Can suspend and reinstate accounts')]},
        ),
        migrations.AddField(
            model_name='user',
            name='suspended_until',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='user',
            name='suspension_reason',
            field=models.CharField(blank=True, db_default="", editable=False, max_length=1000),
        ),
        migrations.RunPython(grant_to_editors, revoke_from_editors),
    ]
