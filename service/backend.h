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
typedef struct BackendBackup BackendBackup;

typedef enum BackendDurability {
        BACKEND_DURABILITY_FULL, /* survives power loss: fsync on every commit */
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

/* The rows of one group: all of them (for the store's counters) and the live ones. */
typedef struct BackendGroupUsage {
        uint64_t keys;
        uint64_t bytes; /* key + value lengths */
        uint64_t live_keys;
} BackendGroupUsage;

/* A record the store keeps per namespace: usage counters and an optional quota. The backend only
 * stores it; what the numbers mean is the store's business. */
typedef struct BackendNamespace {
        const char *name;
        uint64_t keys, groups, bytes;
        bool has_quota;
        uint64_t max_keys, max_groups, max_bytes;
} BackendNamespace;

/* Return 0 to go on, negative to stop the iteration with that error. */
typedef int (*BackendRowFn)(const BackendRow *row, void *userdata);
typedef int (*BackendGroupFn)(const char *group, void *userdata);
typedef int (*BackendNamespaceFn)(const BackendNamespace *ns, void *userdata);

typedef struct BackendOps {
        const char *name;

        int (*open)(const BackendOptions *options, Backend **ret, StoreError *error);
        /* Flushes and closes; never fails in a way the caller could act on. */
        void (*close)(Backend *b);

        /* One write transaction at a time; reads outside it see the last commit. */
        int (*begin)(Backend *b, StoreError *error);
        int (*commit)(Backend *b, StoreError *error);
        void (*rollback)(Backend *b);
        /* One nested level inside the transaction, so that one call of a group commit can be undone
         * without the others: savepoint, then release (keep) or rollback_to (undo). */
        int (*savepoint)(Backend *b, StoreError *error);
        int (*release)(Backend *b, StoreError *error);
        void (*rollback_to)(Backend *b);

        /* Returns 1 and fills *ret (live or not) if the row exists, 0 if not. */
        int (*entry_get)(Backend *b, const char *group, const char *key, BackendRow *ret, StoreError *error);
        int (*entry_put)(Backend *b, const BackendRow *row, StoreError *error);
        int (*entry_delete)(Backend *b, const char *group, const char *key, StoreError *error);

        /* Live rows of one group ordered by key; limit UINT64_MAX = all. */
        int (*group_list)(Backend *b, const char *group, uint64_t now, uint64_t offset, uint64_t limit, BackendRowFn fn,
                void *userdata, StoreError *error);
        int (*group_count)(Backend *b, const char *group, uint64_t now, uint64_t *ret, StoreError *error);
        int (*group_usage)(Backend *b, const char *group, uint64_t now, BackendGroupUsage *ret, StoreError *error);
        /* Returns 1 if the group has any row, live or not, else 0. */
        int (*group_exists)(Backend *b, const char *group, StoreError *error);
        /* Removes every row of the group, live or not. */
        int (*group_delete)(Backend *b, const char *group, StoreError *error);

        /* Over groups that start with `prefix` ("" = all). */
        int (*prefix_count)(Backend *b, const char *prefix, uint64_t now, uint64_t *ret, StoreError *error);
        int (*prefix_groups)(Backend *b, const char *prefix, uint64_t now, BackendGroupFn fn, void *userdata,
                StoreError *error);
        /* Calls fn for each row under the prefix whose deadline is <= now, ordered by group, then removes
         * them all. */
        int (*expired_take)(Backend *b, const char *prefix, uint64_t now, BackendRowFn fn, void *userdata,
                StoreError *error);
        /* Earliest deadline of any row, 0 if none expires. */
        int (*next_expiry)(Backend *b, uint64_t *ret, StoreError *error);

        /* Small named counters kept with the data (the store-wide revision). */
        int (*meta_get)(Backend *b, const char *name, uint64_t *ret, StoreError *error);
        int (*meta_set)(Backend *b, const char *name, uint64_t value, StoreError *error);

        /* Namespace records. namespace_get returns 1 and fills *ret if there is one, else 0. */
        int (*namespace_get)(Backend *b, const char *name, BackendNamespace *ret, StoreError *error);
        int (*namespace_put)(Backend *b, const BackendNamespace *ns, StoreError *error);
        int (*namespace_delete)(Backend *b, const char *name, StoreError *error);
        int (*namespace_list)(Backend *b, BackendNamespaceFn fn, void *userdata, StoreError *error);

        /* A consistent image of the whole database in a new file at `path`, copied in steps so that the
         * caller can serve between them: writes made through this backend meanwhile are carried into
         * the image. backup_step() returns 1 once the image is complete and closed, 0 while there is
         * more to copy; backup_end() releases it, complete or not. NULL in a backend without images. */
        int (*backup_begin)(Backend *b, const char *path, BackendBackup **ret, StoreError *error);
        int (*backup_step)(BackendBackup *k, StoreError *error);
        void (*backup_end)(BackendBackup *k);
} BackendOps;

extern const BackendOps backend_sqlite_ops;
