"""20 clients writing while a backup is taken (run as `python -m tests.operations.writers ACKS STOP`
with a site's environment). Each client writes numbered rows, one transaction each, and appends
"client number" to ACKS only after its commit returned: an acknowledged write."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import django

CLIENTS = 20


def client(number: int, acks: Path, stop: Path, lock: threading.Lock) -> None:
    from django.db import connection, transaction

    from track2.audit.models import AuditEntry

    sequence = 0
    while not stop.exists():
        sequence += 1
        with transaction.atomic():
            AuditEntry.objects.create(
                actor_name=f"writer-{number}",
                action="create",
                object_type="probe",
                object_id=sequence,
            )
        with lock, acks.open("a") as handle:
            handle.write(f"{number} {sequence}\n")
        time.sleep(0.005)
    connection.close()


def main() -> None:
    acks, stop = Path(sys.argv[1]), Path(sys.argv[2])
    django.setup()
    lock = threading.Lock()
    threads = [threading.Thread(target=client, args=(n, acks, stop, lock)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


if __name__ == "__main__":
    main()
