"""Email confirmation: every account that exists already counts as confirmed (local accounts
made before confirmation existed, Cognito accounts, whose pool confirmed them, the demo
users), from the time it was created; only local sign-ups from now on start unconfirmed."""

import django.utils.timezone
from django.db import migrations, models
from django.db.models import F


def confirm_existing_accounts(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    User.objects.filter(email_confirmed_at__isnull=True).update(email_confirmed_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_user_suspension")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_confirmed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(confirm_existing_accounts, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user",
            name="email_confirmed_at",
            field=models.DateTimeField(blank=True, default=django.utils.timezone.now, null=True),
        ),
    ]
