"""Seal the events written before the chain, so that no event is left without a hash.

Every row is sealed in id order with the same ``event_hash`` that ``record``
uses, each linking to the one before it; ``verify`` then treats any row
without a hash as a problem.
"""

from django.db import migrations


def seal(apps, schema_editor):  # type: ignore[no-untyped-def]
    from commonshare.audit.chain import _FIELDS, GENESIS_HASH, event_hash

    AuditEvent = apps.get_model("audit", "AuditEvent")
    rows = AuditEvent.objects.using(schema_editor.connection.alias).order_by("id")
    prev = GENESIS_HASH
    for stored in rows.values(*_FIELDS, "prev_hash", "hash").iterator(chunk_size=2000):
        sealed, links_to = stored.pop("hash"), stored.pop("prev_hash")
        if sealed and links_to == prev:
            prev = sealed  # already sealed after the rows before it: the chain goes on from it
            continue
        digest = event_hash(prev, {k: stored[k] for k in _FIELDS})
        AuditEvent.objects.filter(pk=stored["id"]).update(prev_hash=prev, hash=digest)
        prev = digest


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_event_chain")]

    operations = [migrations.RunPython(seal, migrations.RunPython.noop)]
