"""Fill ReputationRecord from the distributions already posted (their results' reputations)."""

from decimal import Decimal

from django.db import migrations

PLACES = Decimal(1).scaleb(-12)


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    Distribution = apps.get_model("books", "Distribution")
    JournalEntry = apps.get_model("books", "JournalEntry")
    ReputationRecord = apps.get_model("work", "ReputationRecord")
    Member = apps.get_model("community", "Member")
    members = set(Member.objects.values_list("pk", flat=True))
    posted = set(
        JournalEntry.objects.filter(source__startswith="distribution:").values_list(
            "source", flat=True
        )
    )
    rows = []
    for distribution in Distribution.objects.order_by("pk"):
        if f"distribution:{distribution.pk}" not in posted:
            continue  # never posted: it handed nothing on
        reputation = (distribution.result or {}).get("reputation", {})
        for member, value in sorted(reputation.items(), key=lambda item: int(item[0])):
            if int(member) in members:
                rows.append(
                    ReputationRecord(
                        member_id=int(member),
                        distribution_id=distribution.pk,
                        period_end=distribution.period_end,
                        reputation=Decimal(str(value)).quantize(PLACES),
                    )
                )
    ReputationRecord.objects.bulk_create(rows, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("work", "0003_reputation_record"),
        ("books", "0009_distribution_policy_version"),
        ("community", "0002_member_email_verified_at"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
