from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def fill_user_names(apps, schema_editor):
    """Entries written before this migration get their actor's current username."""
    AuditLogEntry = apps.get_model("privacy_office", "AuditLogEntry")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    username_field = getattr(User, "USERNAME_FIELD", "username")
    AuditLogEntry.objects.filter(user__isnull=False, user_name="").update(
        user_name=Coalesce(Subquery(User.objects.filter(pk=OuterRef("user_id")).values(username_field)[:1]), Value(""))
    )


class Migration(migrations.Migration):

    dependencies = [
        ('privacy_office', '0007_change_reason_any_length'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='auditlogentry',
            name='user_name',
            field=models.CharField(blank=True, max_length=150, verbose_name='user name'),
        ),
        migrations.AlterField(
            model_name='auditlogentry',
            name='history_id',
            field=models.BigIntegerField(blank=True, null=True, verbose_name='history id'),
        ),
        migrations.RunPython(fill_user_names, migrations.RunPython.noop),
    ]
