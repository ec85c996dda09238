"""Each review assignment says when it was reviewed, so that a member's reviews still to
do are read from a small index; the assignments already reviewed are marked from their
reviews, in one statement."""

from django.conf import settings
from django.db import migrations, models


MARK_REVIEWED = """
    UPDATE work_reviewassignment
    SET reviewed_at = (
        SELECT r.created_at FROM work_review r
        WHERE r.contribution_id = work_reviewassignment.contribution_id
          AND r.reviewer_id = work_reviewassignment.reviewer_id
    )
    WHERE EXISTS (
        SELECT 1 FROM work_review r
        WHERE r.contribution_id = work_reviewassignment.contribution_id
          AND r.reviewer_id = work_reviewassignment.reviewer_id
    )
"""


class Migration(migrations.Migration):

    dependencies = [
        ('work', '0012_merge_level_changes_and_contribution_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='reviewassignment',
            name='reviewed_at',
            field=models.DateTimeField(blank=True, help_text="When the reviewer's review was recorded; empty while it is still to do", null=True),
        ),
        migrations.RunSQL(MARK_REVIEWED, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name='reviewassignment',
            index=models.Index(condition=models.Q(('reviewed_at__isnull', True)), fields=['reviewer', 'drawn_at', 'id'], name='assignment_to_do'),
        ),
    ]
