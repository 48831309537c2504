/* SPDX-License-Identifier: MIT */
#pragma once

/* Export, Import and Backup in the storage layer: the store in and out of the dump format
 * (store-dump-format.h), and a consistent image of the whole database. No D-Bus here; the bus layer
 * (bus-dump.c) moves the bytes to and from the caller's file descriptor. */

#include "store-dump-format.h"
#include "store.h"

/* Appends every live entry of the scope (ns NULL = the whole store) to `out`, ordered by group, then
 * key (bytewise), so that equal stores give byte-identical dumps. Groups are as seen from the scope. */
int store_dump_export(Store *s, const char *ns, DumpBuffer *out, uint64_t *ret_count, StoreError *error);

/* Parses all of `data` (in place: it is overwritten) and upserts the entries into the scope in one
 * transaction, as store_import() does. A line that is not the format is -STORE_E_INVALID_ARGS, with
 * a message naming it, and nothing is written; so is an entry over the size limits. Returns the
 * number of entries imported (those whose deadline had not passed). */
int store_dump_import(Store *s, const char *ns, char *data, size_t len, uint64_t *ret_count, uint64_t *ret_revision,
        StoreError *error);

/* A consistent image of the whole database in a new file at `path`, made in steps so that the caller
 * can go on serving between them; writes made meanwhile are carried into the image. step() returns 1
 * once the image is complete (and closed), 0 while there is more to copy. */
typedef struct StoreBackup StoreBackup;

int store_backup_begin(Store *s, const char *path, StoreBackup **ret, StoreError *error);
int store_backup_step(StoreBackup *b, StoreError *error);
StoreBackup *store_backup_free(StoreBackup *b);
static inline void store_backup_freep(StoreBackup **b) {
        store_backup_free(*b);
}
