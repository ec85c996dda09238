"""Each distribution names the policy version it used; those made before versions used 1."""

from django.db import migrations, models

from commonshare.governance.initial import INITIAL_SHA256


class Migration(migrations.Migration):
    dependencies = [
        ("books", "0008_expense_decision_version"),
        ("governance", "0002_initial_policy"),
    ]

    operations = [
        migrations.AddField(
            model_name="distribution",
            name="policy_version",
            field=models.PositiveIntegerField(default=1),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="distribution",
            name="policy_sha256",
            field=models.CharField(default=INITIAL_SHA256, max_length=64),
            preserve_default=False,
        ),
    ]
