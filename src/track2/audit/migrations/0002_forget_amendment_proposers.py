"""Delete the trail's entries that named who proposed an amendment.

Entries are otherwise never deleted one by one (they go with their dialogue): the trail must be
a faithful record of what conveners, facilitators and rapporteurs did. These entries were never
that. Until this release `outcomes.actions.do_propose` recorded every proposal ("propose",
"amendment"), naming its actor; the dialogue's conveners read the trail and could match each
entry to the amendment list, which never shows who proposed an amendment (docs/outcomes.md,
docs/security.md: the trail never records authorship of content). The action no longer records
proposals, and what it recorded is erased here so that no existing site keeps the link.
Decisions on amendments ("accepted", "rejected", by facilitators and conveners) stay.
"""

from django.db import migrations


def forget_amendment_proposers(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    # A queryset's delete, not the model's (which refuses to delete one entry by one).
    AuditEntry.objects.using(schema_editor.connection.alias).filter(
        object_type="amendment", action="propose"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    # Nothing to restore: the proposers must not come back.
    operations = [migrations.RunPython(forget_amendment_proposers, migrations.RunPython.noop)]
