/* SPDX-License-Identifier: MIT */
#pragma once

/* The store: the contract's semantics over a backend, with no D-Bus in sight. It owns what a key-value
 * store means here: scoping of groups to namespaces, size limits, TTL and expiry, per-entry versions
 * that move only on a real change, and the store-wide revision (one per call that changed anything).
 *
 * Every call takes a namespace `ns` (NULL = the whole store): group `g` in namespace `N` is stored as
 * group `N:g`. Errors are a negative errno naming the kind (store-error.h) plus a message.
 *
 * Values handed out (StoreValue, list callbacks) are borrowed from the backend: valid until the next
 * call on the store, and always followed by a NUL byte so that text can be used as a C string. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "store-error.h"
#include "template.h"

typedef struct Store Store;

#define STORE_NAMESPACE_MAX 64

typedef struct StoreLimits {
        size_t max_key_bytes;
        size_t max_group_bytes;
        size_t max_value_bytes;
} StoreLimits;

#define STORE_DEFAULT_MAX_KEY_BYTES   (64U * 1024U)
#define STORE_DEFAULT_MAX_GROUP_BYTES (64U * 1024U)
#define STORE_DEFAULT_MAX_VALUE_BYTES (1024U * 1024U)

typedef enum StoreChangeType {
        STORE_CHANGE_SET,
        STORE_CHANGE_DELETE,
        STORE_CHANGE_DELETE_GROUP,
        STORE_CHANGE_EXPIRE,
} StoreChangeType;

const char *store_change_type_to_string(StoreChangeType t);

/* One committed change. `group` is the full group (N:g for a namespace). `value` is the new value for
 * set, the previous one for delete and expire, empty for delete_group. */
typedef struct StoreChange {
        StoreChangeType type;
        const char *group;
        const char *key;
        const void *value;
        size_t value_len;
        uint64_t revision;
        uint64_t timestamp_usec;
} StoreChange;

/* Called after each commit with the changes of that commit (all of one revision). */
typedef void (*StoreObserverFn)(const StoreChange *changes, size_t n_changes, void *userdata);

/* A namespace's quota; 0 in a field means unlimited. */
typedef struct StoreQuota {
        uint64_t max_keys;
        uint64_t max_groups;
        uint64_t max_bytes;
} StoreQuota;

/* What a namespace holds: live keys, groups with live keys, and bytes = key + value lengths. */
typedef struct StoreUsage {
        uint64_t keys;
        uint64_t groups;
        uint64_t bytes;
} StoreUsage;

typedef struct StoreOptions {
        BackendOptions backend;
        const BackendOps *backend_ops; /* NULL = SQLite */
        StoreLimits limits; /* zeros = defaults */
        StoreQuota default_quota; /* for namespaces without a quota of their own */
        /* Wall-clock microseconds; NULL = CLOCK_REALTIME. Tests move time by hand. */
        uint64_t (*now_usec)(void *userdata);
        void *now_userdata;
        StoreObserverFn observer;
        void *observer_userdata;
} StoreOptions;

typedef struct StoreValue {
        const void *data; /* followed by a NUL byte */
        size_t len;
} StoreValue;

typedef struct StoreStat {
        uint64_t version;
        uint64_t revision;
        uint64_t modified_usec;
        uint64_t expires_usec;
} StoreStat;

typedef struct StorePair {
        const char *key;
        const char *value;
} StorePair;

/* Return 0 to go on, negative to stop with that error. */
typedef int (*StoreEntryFn)(const char *key, const StoreValue *value, const StoreStat *stat, void *userdata);
typedef int (*StoreGroupFn)(const char *group, void *userdata);
typedef int (*StoreNamespaceFn)(const char *ns, const StoreUsage *usage, const StoreQuota *quota, void *userdata);

int store_open(const StoreOptions *options, Store **ret, StoreError *error);
Store *store_free(Store *s);
static inline void store_freep(Store **s) {
        store_free(*s);
}

/* Group commit. By default every call commits before it returns. With group commit on, calls pile up
 * in one transaction (each in a savepoint, so a failing call is undone alone) and store_commit() makes
 * them all durable with one sync; only then do observers see their changes, and only then may their
 * results be reported as done. If store_commit() fails, every call since the last commit is undone. */
void store_set_group_commit(Store *s, bool enabled);
int store_commit(Store *s, StoreError *error);
/* Calls in the open transaction (0 if none is open). */
size_t store_pending_calls(const Store *s);

/* The revision of the last call that changed something (with group commit: possibly not yet
 * committed). */
uint64_t store_revision(const Store *s);
/* The backend under the store, for work on the database as a whole that has no semantics of the
 * store's to apply (a backup image, store-dump.c). */
const BackendOps *store_backend(Store *s, Backend **ret);
/* The earliest deadline of any entry, 0 if nothing expires: the daemon arms its timer for it. */
uint64_t store_next_expiry(const Store *s);
/* Removes every entry whose deadline has passed, as one revision with one expire change each. */
int store_expire_due(Store *s, StoreError *error);

/* True if the bytes are text in the contract's sense: valid UTF-8 without NUL. */
bool store_value_is_text(const void *data, size_t len);

/* Reads. `text` asks for NotText when the value is not text. */
int store_get(Store *s, const char *ns, const char *group, const char *key, bool text, StoreValue *ret,
        StoreError *error);
int store_stat(Store *s, const char *ns, const char *group, const char *key, StoreStat *ret, StoreError *error);
/* Live entries of a group ordered by key (bytewise), from `offset`, at most `limit` (UINT64_MAX = all). */
int store_list(Store *s, const char *ns, const char *group, uint64_t offset, uint64_t limit, bool text, StoreEntryFn fn,
        void *userdata, StoreError *error);
int store_count(Store *s, const char *ns, const char *group, uint64_t *ret, StoreError *error);
int store_count_all(Store *s, const char *ns, const char *prefix, uint64_t *ret, StoreError *error);
/* Groups with live keys starting with `prefix`, sorted, as seen from the scope (unprefixed in a namespace). */
int store_groups(Store *s, const char *ns, const char *prefix, StoreGroupFn fn, void *userdata, StoreError *error);

/* Writes; each returns the revision of its change, or the current one if nothing changed. */
int store_set(Store *s, const char *ns, const char *group, const char *key, const void *value, size_t value_len,
        uint64_t ttl_usec, uint64_t *ret_revision, StoreError *error);
int store_set_all(Store *s, const char *ns, const char *group, const StorePair *pairs, size_t n_pairs,
        uint64_t *ret_revision, StoreError *error);
/* One entry of store_import(): the group as seen from the scope, and an absolute deadline. */
typedef struct StoreImportEntry {
        const char *group;
        const char *key;
        const void *value;
        size_t value_len;
        uint64_t expires_usec; /* CLOCK_REALTIME µs, 0 = never */
} StoreImportEntry;

/* Upserts every entry in one transaction, one revision, all or nothing (Import). Entries whose deadline
 * has passed are skipped; *ret_count is how many were imported (identical ones included, though they
 * change nothing). If an entry is at fault (a size limit), *ret_failed is its index. */
int store_import(Store *s, const char *ns, const StoreImportEntry *entries, size_t n_entries, uint64_t *ret_count,
        size_t *ret_failed, uint64_t *ret_revision, StoreError *error);
int store_delete(Store *s, const char *ns, const char *group, const char *key, uint64_t *ret_revision,
        StoreError *error);
int store_delete_group(Store *s, const char *ns, const char *group, uint64_t *ret_revision, StoreError *error);
/* Writes in a namespace (ns != NULL) fail with -STORE_E_QUOTA, writing nothing, when they would raise
 * one of its counters past its quota. Writes at the root ignore quotas but are counted: a group whose
 * name starts with "N:" for a valid namespace name N belongs to N wherever it was written. */

/* Removes expired entries in scope now; returns how many. */
int store_purge_expired(Store *s, const char *ns, uint64_t *ret_count, StoreError *error);

/* Render: a Go text/template (template.h) over the group's live entries. 0 in a limit = the engine's
 * default. Template errors are -STORE_E_TEMPLATE with Go's message; a binary value is NotText. */
typedef TemplateLimits StoreRenderLimits; /* template.h */

int store_render(Store *s, const char *ns, const char *group, const char *text, const StoreRenderLimits *limits,
        char **ret_output, size_t *ret_output_len, StoreError *error);

/* Namespaces as a whole. */
int store_namespace_usage(Store *s, const char *ns, StoreUsage *ret, StoreError *error);
/* The quota in force: its own if it has one (*ret_explicit = true), else the default. */
int store_quota_get(Store *s, const char *ns, StoreQuota *ret, bool *ret_explicit, StoreError *error);
int store_quota_set(Store *s, const char *ns, const StoreQuota *quota, StoreError *error);
/* Every namespace that holds data or has a quota of its own, by name. */
int store_list_namespaces(Store *s, StoreNamespaceFn fn, void *userdata, StoreError *error);
/* Removes all of a namespace's groups (one delete_group change each) and its quota. */
int store_delete_namespace(Store *s, const char *ns, uint64_t *ret_revision, StoreError *error);

/* The namespace a stored group belongs to, copied into `ret`; false if it belongs to none. */
bool store_group_namespace(const char *group, char ret[static STORE_NAMESPACE_MAX + 1]);

/* A namespace name: ^[a-zA-Z0-9-]+$, at most STORE_NAMESPACE_MAX characters, and not "self" (which
 * names the caller's own namespace on the bus). */
bool store_namespace_is_valid(const char *name);
