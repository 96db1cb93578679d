"""P-10: the files of deleted photo and signature rows are removed from the files port.

Deleting a visit_files row (directly, or with its visit, customer, property or company)
queues its key in app.discarded_files, in the same transaction; this sweep deletes the file
and its thumbnail, then the queued key. The queue holds every company's keys and only the
service role may read it: one of the few cross-company jobs, hence the service role.

The file goes before the key, and a file already gone is fine: a crash in between only means
the key is swept again. Each batch is a short transaction of its own. The batch is read
without `for update skip locked`, which would need UPDATE on the queue (the service role may
only select and delete): two workers at once may both delete a file, which is harmless, and
the second then finds the key already forgotten."""

from __future__ import annotations

import logging

from psycopg_pool import ConnectionPool

from app.config import Settings
from app.db import service_role_transaction
from app.integrations import files
from jobs import Job, register

log = logging.getLogger("jobs.discarded_files")
BATCH = 200

NEXT_BATCH = """
select storage_key from app.discarded_files
 where storage_key <> all (%(kept)s::text[])
 order by discarded_at, storage_key
 limit %(batch)s
"""

FORGET = "delete from app.discarded_files where storage_key = any (%(keys)s::text[])"


def _remove(store: files.FileStore, key: str) -> bool:
    """Delete the file under `key` and its thumbnail; False when the store failed, so that the
    key stays queued for the next sweep. A key the store refuses names nothing it could have
    written: there is nothing to delete."""
    try:
        store.delete(key)
        store.delete(files.thumbnail_key(key))
    except ValueError:
        log.warning("discarded key %r is not a company file key; forgetting it", key)
    except OSError:
        log.exception("could not delete the file %r; it is tried again next time", key)
        return False
    return True


def sweep(pool: ConnectionPool, store: files.FileStore | None = None) -> int:
    """Delete every queued file, a batch per transaction; returns how many keys were done."""
    if store is None:  # the worker's: where the app keeps its files (FILES_DIR)
        store = files.for_settings(Settings.from_env())
    done = 0
    kept: list[str] = []  # failed this time: left queued, not read again by this sweep
    while True:
        with service_role_transaction(pool) as conn:
            batch = conn.execute(NEXT_BATCH, {"kept": kept, "batch": BATCH}).fetchall()
            keys = [row["storage_key"] for row in batch]
            if not keys:
                return done
            gone = [key for key in keys if _remove(store, key)]
            kept += [key for key in keys if key not in gone]
            done += conn.execute(FORGET, {"keys": gone}).rowcount


JOB = register(Job("discarded_files", every_seconds=600, sweep=sweep))
