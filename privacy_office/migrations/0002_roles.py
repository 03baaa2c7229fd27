from django.db import migrations

ROLES = ("Privacy staff", "Privacy manager", "Auditor")


def create_roles(apps, schema_editor):
    # The groups exist from this migration on; their permissions are set by
    # privacy_office.roles.sync_roles after every migrate (models of later migrations included).
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.using(schema_editor.connection.alias).get_or_create(name=name)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [("privacy_office", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_roles, remove_roles)]
