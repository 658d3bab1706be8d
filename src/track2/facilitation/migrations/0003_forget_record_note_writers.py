"""Delete the audit trail's entries that named who wrote, revised or removed a record note.

Until this release `record.do_note` and `record.do_remove_note` recorded every note written
("update", "recordversion", fields ["notes"]), naming the writer: the dialogue's conveners read
on the Changes page "Dr … changed meeting record" at the time of each note, which tied each
note to its writer although the record is non-attributed (docs/facilitation.md: nothing stores
who wrote a note or a comment). The actions no longer record note writes, and what they recorded
is erased here so that no existing site keeps the link. Approvals ("approve", an administrative
act of the facilitators) stay.
"""

from django.db import migrations


def forget_record_note_writers(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    # A queryset's delete, not the model's (which refuses to delete one entry by one). A record
    # version was only ever "update"d for its notes.
    AuditEntry.objects.using(schema_editor.connection.alias).filter(
        object_type="recordversion", action="update"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("facilitation", "0002_caucus_statements"),
    ]

    # Nothing to restore: the writers must not come back.
    operations = [migrations.RunPython(forget_record_note_writers, migrations.RunPython.noop)]
