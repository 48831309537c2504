/* SPDX-License-Identifier: MIT */
#pragma once

/* The storage backend: a table of operations over one backend handle, so that the store's semantics
 * (store.c) can sit on SQLite today and on another database later. A backend stores rows and answers
 * range questions; it knows nothing of namespaces, quotas, revisions' meaning or events.
 *
 * Groups, keys and prefixes are NUL-terminated (they come from D-Bus strings, which cannot carry
 * NUL); values are byte arrays. Ordering and prefix matching are bytewise. "Live" means
 * expires_usec == 0 || expires_usec > now. Pointers in a BackendRow are borrowed: valid until the
 * next call on the backend; a value is always followed by a NUL byte. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store-error.h"

typedef struct Backend Backend;

typedef enum BackendDurability {
        BACKEND_DURABILITY_FULL,   /* survives power loss: fsync on every commit */
        BACKEND_DURABILITY_NORMAL, /* survives a crash of the daemon */
} BackendDurability;

typedef struct BackendOptions {
        const char *path; /* file path or ":memory:" */
        BackendDurability durability;
} BackendOptions;

typedef struct BackendRow {
        const char *group;
        const char *key;
        const void *value;
        size_t value_len;
        uint64_t version;
        uint64_t revision;
        uint64_t modified_usec;
        uint64_t expires_usec; /* 0 = never */
} BackendRow;

/* What a bulk removal took away, for the store's counters. */
typedef struct BackendRemoved {
        uint64_t live_keys;
        uint64_t live_bytes; /* key + value lengths */
} BackendRemoved;

/* Return 0 to go on, negative to stop the iteration with that error. */
typedef int (*BackendRowFn)(const BackendRow *row, void *userdata);
typedef int (*BackendGroupFn)(const char *group, void *userdata);

typedef struct BackendOps {
        const char *name;

        int (*open)(const BackendOptions *options, Backend **ret, StoreError *error);
        /* Flushes and closes; never fails in a way the caller could act on. */
        void (*close)(Backend *b);

        /* One write transaction at a time; reads outside it see the last commit. */
        int (*begin)(Backend *b, StoreError *error);
        int (*commit)(Backend *b, StoreError *error);
        void (*rollback)(Backend *b);

        /* Returns 1 and fills *ret (live or not) if the row exists, 0 if not. */
        int (*entry_get)(Backend *b, const char *group, const char *key, BackendRow *ret, StoreError *error);
        int (*entry_put)(Backend *b, const BackendRow *row, StoreError *error);
        int (*entry_delete)(Backend *b, const char *group, const char *key, StoreError *error);

        /* Live rows of one group ordered by key; limit UINT64_MAX = all. */
        int (*group_list)(Backend *b, const char *group, uint64_t now, uint64_t offset, uint64_t limit,
                BackendRowFn fn, void *userdata, StoreError *error);
        int (*group_count)(Backend *b, const char *group, uint64_t now, uint64_t *ret, StoreError *error);
        /* Removes every row of the group, live or not; reports what was live. */
        int (*group_delete)(Backend *b, const char *group, uint64_t now, BackendRemoved *ret, StoreError *error);

        /* Over groups that start with `prefix` ("" = all). */
        int (*prefix_count)(Backend *b, const char *prefix, uint64_t now, uint64_t *ret, StoreError *error);
        int (*prefix_groups)(Backend *b, const char *prefix, uint64_t now, BackendGroupFn fn, void *userdata,
                StoreError *error);
        /* Calls fn for each row under the prefix whose deadline is <= now, then removes them all. */
        int (*expired_take)(Backend *b, const char *prefix, uint64_t now, BackendRowFn fn, void *userdata,
                StoreError *error);
        /* Earliest deadline of any row, 0 if none expires. */
        int (*next_expiry)(Backend *b, uint64_t *ret, StoreError *error);

        /* Small named counters kept with the data (the store-wide revision). */
        int (*meta_get)(Backend *b, const char *name, uint64_t *ret, StoreError *error);
        int (*meta_set)(Backend *b, const char *name, uint64_t value, StoreError *error);
} BackendOps;

extern const BackendOps backend_sqlite_ops;
