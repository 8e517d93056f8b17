from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("blog", "0010_post_reading_minutes")]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="status",
            field=models.CharField(
                choices=[
                    ("visible", "Visible"),
                    ("hidden", "Hidden by a moderator"),
                    ("held", "Awaiting review"),
                ],
                default="visible",
                max_length=10,
            ),
        ),
    ]
