"""Each distribution names the policy version it used.

Distributions made before versions existed froze a flat policy that hashes to no
version, so they name none: both fields stay empty for them ("frozen before policy
versions"), rather than a label their frozen policy would not match.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("books", "0008_expense_decision_version"),
        ("governance", "0002_initial_policy"),
    ]

    operations = [
        migrations.AddField(
            model_name="distribution",
            name="policy_version",
            field=models.PositiveIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="distribution",
            name="policy_sha256",
            field=models.CharField(max_length=64, null=True),
        ),
    ]
