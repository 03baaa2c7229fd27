"""Reviews recorded before the filters were fields kept the audit log's query string in ``scope``:
its user, record type and action are copied into the new fields (the string itself stays).

Their entry count and digest stay empty: which entries the reviewer saw then cannot be established
now (an erasure may have blanked diffs since), so the review page says they were recorded before
digests were kept rather than attesting something after the fact.
"""

from urllib.parse import parse_qs

from django.conf import settings
from django.db import migrations


def copy_filters(apps, schema_editor):
    AuditReview = apps.get_model("privacy_office", "AuditReview")
    ContentType = apps.get_model("contenttypes", "ContentType")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    for review in AuditReview.objects.exclude(scope=""):
        params = {key: values[-1] for key, values in parse_qs(review.scope).items() if values}
        changed = []
        if params.get("user", "").isdigit() and User.objects.filter(pk=params["user"]).exists():
            review.filter_user_id = int(params["user"])
            changed.append("filter_user")
        if params.get("content_type", "").isdigit() and ContentType.objects.filter(pk=params["content_type"]).exists():
            review.filter_record_type_id = int(params["content_type"])
            changed.append("filter_record_type")
        if params.get("action") in ("+", "~", "-"):
            review.filter_action = params["action"]
            changed.append("filter_action")
        if changed:
            review.save(update_fields=changed)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy_office", "0009_audit_review_attested"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(copy_filters, migrations.RunPython.noop)]
