"""Each live identity document stores when its retention period starts, so the hourly purge reads
the due documents by an index instead of joining every case; filled here for the documents that
exist (the same rule as ``identity_documents.retention_start``, kept here so the migration does not
change when the code does)."""

from datetime import datetime, timedelta

from django.db import migrations, models
from django.utils import timezone


def retention_start(closed_at, verified_on):
    starts = [closed_at] if closed_at is not None else []
    if verified_on is not None:
        starts.append(timezone.make_aware(datetime.combine(verified_on + timedelta(days=1), datetime.min.time()),
                                          timezone.get_default_timezone()))
    return min(starts) if starts else None


def fill(apps, schema_editor):
    IdentityDocument = apps.get_model("requests_app", "IdentityDocument")
    live = (IdentityDocument.objects.filter(deleted_at__isnull=True)
            .filter(models.Q(request__closed_at__isnull=False) | models.Q(request__verified_on__isnull=False))
            .order_by("pk").values_list("pk", "request__closed_at", "request__verified_on"))
    batch = []
    for pk, closed_at, verified_on in live.iterator(chunk_size=2000):
        batch.append(IdentityDocument(pk=pk, retention_starts_at=retention_start(closed_at, verified_on)))
        if len(batch) == 2000:
            IdentityDocument.objects.bulk_update(batch, ["retention_starts_at"])
            batch = []
    if batch:
        IdentityDocument.objects.bulk_update(batch, ["retention_starts_at"])


class Migration(migrations.Migration):

    dependencies = [
        ('requests_app', '0011_open_due_cover_and_email_trigram'),
    ]

    operations = [
        migrations.AddField(
            model_name='identitydocument',
            name='retention_starts_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='retention starts at'),
        ),
        migrations.AddIndex(
            model_name='identitydocument',
            index=models.Index(condition=models.Q(('deleted_at__isnull', True), ('retention_starts_at__isnull', False)), fields=['retention_starts_at'], name='dsar_doc_purge_idx'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
