/* SPDX-License-Identifier: MIT */
#pragma once

/* Reading a go-store database file, for storectl import-go-store. Two layouts exist:
 *
 *   entries(group_name, entry_key, entry_value, expires_at)   expires_at: Unix ms, NULL = never
 *   kv(grp, key, value)                                         the legacy one, no expiry
 *
 * (either may lack expires_at in old files). A file with both is read as go-store merges them: all
 * of entries, then the kv rows whose (group, key) entries does not have. */

#include <stdint.h>

#include "store-dump-format.h"

typedef struct GoStoreStats {
        uint64_t from_entries; /* live rows taken from entries */
        uint64_t from_kv; /* live rows taken from kv */
        uint64_t expired; /* rows left out: past their deadline */
} GoStoreStats;

/* Appends the live rows as dump lines (store-dump-format.h), each with its deadline. An error is
 * printed, naming the file. */
int go_store_read(const char *path, uint64_t now_usec, DumpBuffer *out, GoStoreStats *ret_stats);
