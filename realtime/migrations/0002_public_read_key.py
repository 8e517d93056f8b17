"""Public read keys (AppSync Events' apiKey authorization for signed-out readers), and the
Editors group's permissions to rotate them in the admin: view, add (a rotation) and change (an
active flag, a description). Never delete: a revoked key stays on record."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models


EDITORS = "Editors"
EDITOR_PERMISSIONS = ["view_publicreadkey", "add_publicreadkey", "change_publicreadkey"]


def give_editors_the_keys(apps, schema_editor):
    # On a fresh database permissions are made after all migrations (post_migrate): make
    # realtime's now, as accounts 0003 does for its apps.
    app_config = apps.get_app_config("realtime")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    editors.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="realtime", codename__in=EDITOR_PERMISSIONS
        )
    )


def take_the_keys_back(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for editors in Group.objects.filter(name=EDITORS):
        editors.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="realtime", codename__in=EDITOR_PERMISSIONS
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("realtime", "0001_event_log"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        # The Editors group is made there.
        ("accounts", "0003_editors_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name="PublicReadKey",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("value", models.CharField(editable=False, max_length=64, unique=True)),
                ("description", models.CharField(blank=True, max_length=200)),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
                ("expires_at", models.DateTimeField()),
                (
                    "is_active",
                    models.BooleanField(
                        default=True,
                        help_text="Untick to stop this key at once, grace or not.",
                        verbose_name="active",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "public read key",
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.RunPython(give_editors_the_keys, take_the_keys_back),
    ]
