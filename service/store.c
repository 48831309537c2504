/* SPDX-License-Identifier: MIT */

/* The contract's semantics over a backend. The shape of every write:
 *
 *   write_begin()  expire what is due (its own revision), then open a transaction
 *   …              read the current row, decide whether anything changes, log the change
 *   write_finish() no change → roll back and report the current revision;
 *                  else bump the revision, commit, then tell the observer
 *
 * so one call is one revision however many rows it touches, and a call that changed nothing leaves
 * no trace. The observer sees changes only after they are durable. */

#include <inttypes.h>
#include <time.h>

#include "store-dump-format.h"
#include "store.h"
#include "strv.h"

/* Changes of the open transaction (of every call in it, with group commit). Their strings are copied
 * into one arena reused from transaction to transaction, because the backend's row pointers die at the
 * next backend call. Offsets, not pointers, because the arena may move while it grows. */
typedef struct LoggedChange {
        StoreChangeType type;
        size_t group, key, value, value_len;
        uint64_t revision, timestamp_usec; /* set when the call that made it succeeds */
} LoggedChange;

typedef struct ChangeLog {
        LoggedChange *items;
        size_t n, cap;
        StoreChange *delivered; /* built from items at delivery; same capacity */
        char *arena;
        size_t used, size;
} ChangeLog;

/* How the open transaction changes one namespace's counters. */
typedef struct UsageDelta {
        char ns[STORE_NAMESPACE_MAX + 1];
        int64_t keys, groups, bytes;
} UsageDelta;

struct Store {
        const BackendOps *ops;
        Backend *backend;
        StoreLimits limits;
        StoreQuota default_quota;

        uint64_t (*now_usec)(void *userdata);
        void *now_userdata;
        StoreObserverFn observer;
        void *observer_userdata;

        uint64_t revision; /* of the last call that changed something */
        uint64_t next_expiry; /* earliest deadline, 0 = none; may be early, never late */

        /* The open transaction. Without group commit it holds one call and commits at its end; with
         * group commit it holds every call until store_commit(), each call in a savepoint of its own. */
        bool group_commit;
        bool batch_open;
        bool batch_dirty; /* something to commit */
        uint64_t batch_revision; /* revision and deadline as of the last commit, */
        uint64_t batch_next_expiry; /* restored if the transaction fails */
        size_t n_batch_calls;

        /* The current call inside it. */
        size_t call_first_change;
        size_t call_arena_used;
        uint64_t tx_next_expiry;
        uint64_t tx_now;
        const char *tx_ns; /* the namespace the call writes in: its quota applies; NULL at the root */
        bool tx_dirty; /* something besides entries changed (a quota): commit without a revision */
        UsageDelta *deltas;
        size_t n_deltas, deltas_cap;

        ChangeLog log;
        char *name_buf[2]; /* scoped names ("N:g"), reused */
        size_t name_buf_size[2];
};

const char *store_change_type_to_string(StoreChangeType t) {
        static const char *const names[] = {
                [STORE_CHANGE_SET] = "set",
                [STORE_CHANGE_DELETE] = "delete",
                [STORE_CHANGE_DELETE_GROUP] = "delete_group",
                [STORE_CHANGE_EXPIRE] = "expire",
        };
        return (size_t)t < ELEMENTSOF(names) ? names[t] : NULL;
}

static uint64_t realtime_usec(void *userdata _unused_) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t)ts.tv_sec * 1000000U + (uint64_t)ts.tv_nsec / 1000U;
}

static uint64_t now(Store *s) {
        return s->now_usec(s->now_userdata);
}

/* The rule lives with the dump format, which storectl links without the store: one definition. */
bool store_value_is_text(const void *data, size_t len) {
        return dump_text_is_valid(data, len);
}

/* ---- names and limits ---- */

/* The stored group name of `group` in namespace `ns`, in one of two reusable buffers. */
static const char *scoped_name(Store *s, unsigned slot, const char *ns, const char *group) {
        size_t ns_len, group_len, need;

        if (!ns)
                return group;
        ns_len = strlen(ns);
        group_len = strlen(group);
        need = ns_len + 1 + group_len + 1;
        if (need > s->name_buf_size[slot]) {
                char *b = realloc(s->name_buf[slot], need);
                if (!b)
                        return NULL;
                s->name_buf[slot] = b;
                s->name_buf_size[slot] = need;
        }
        memcpy(s->name_buf[slot], ns, ns_len);
        s->name_buf[slot][ns_len] = ':';
        memcpy(s->name_buf[slot] + ns_len + 1, group, group_len + 1);
        return s->name_buf[slot];
}

static int check_size(const char *what, size_t len, size_t max, StoreError *error) {
        if (len > max)
                return store_error_set(error, -STORE_E_TOO_LARGE, "%s of %zu bytes is over the limit of %zu bytes",
                        what, len, max);
        return 0;
}

static int check_entry(Store *s, const char *group, const char *key, size_t value_len, StoreError *error) {
        int r;

        r = check_size("Group name", strlen(group), s->limits.max_group_bytes, error);
        if (r >= 0)
                r = check_size("Key", strlen(key), s->limits.max_key_bytes, error);
        if (r >= 0)
                r = check_size("Value", value_len, s->limits.max_value_bytes, error);
        return r;
}

static bool row_is_live(const BackendRow *row, uint64_t t) {
        return row->expires_usec == 0 || row->expires_usec > t;
}

/* ---- the change log ---- */

static int arena_add(ChangeLog *log, const void *data, size_t len, size_t *ret_offset) {
        size_t need = log->used + len + 1;

        if (need > log->size) {
                size_t size = MAX(need, MAX(log->size * 2, 4096U));
                char *a = realloc(log->arena, size);
                if (!a)
                        return -ENOMEM;
                log->arena = a;
                log->size = size;
        }
        if (len > 0)
                memcpy(log->arena + log->used, data, len);
        log->arena[log->used + len] = 0;
        *ret_offset = log->used;
        log->used = need;
        return 0;
}

static int change_log_add(Store *s, StoreChangeType type, const char *group, const char *key, const void *value,
        size_t value_len) {
        ChangeLog *log = &s->log;
        LoggedChange c = { .type = type, .value_len = value_len };
        int r;

        if (log->n == log->cap) {
                size_t cap = MAX(log->cap * 2, 16U);
                LoggedChange *items = realloc(log->items, cap * sizeof(*items));
                if (!items)
                        return -ENOMEM;
                log->items = items;
                StoreChange *delivered = realloc(log->delivered, cap * sizeof(*delivered));
                if (!delivered)
                        return -ENOMEM;
                log->delivered = delivered;
                log->cap = cap;
        }
        r = arena_add(log, group, strlen(group), &c.group);
        if (r >= 0)
                r = arena_add(log, key, strlen(key), &c.key);
        if (r >= 0)
                r = arena_add(log, value, value_len, &c.value);
        if (r < 0)
                return r;
        log->items[log->n++] = c;
        return 0;
}

/* Hands the committed changes to the observer, one call (one revision) at a time. */
static void change_log_deliver(Store *s) {
        ChangeLog *log = &s->log;
        size_t first = 0;

        if (!s->observer)
                return;
        for (size_t i = 0; i < log->n; i++)
                log->delivered[i] = (StoreChange){
                        .type = log->items[i].type,
                        .group = log->arena + log->items[i].group,
                        .key = log->arena + log->items[i].key,
                        .value = log->arena + log->items[i].value,
                        .value_len = log->items[i].value_len,
                        .revision = log->items[i].revision,
                        .timestamp_usec = log->items[i].timestamp_usec,
                };
        for (size_t i = 1; i <= log->n; i++)
                if (i == log->n || log->items[i].revision != log->items[first].revision) {
                        s->observer(log->delivered + first, i - first, s->observer_userdata);
                        first = i;
                }
}

/* ---- namespace usage ----
 *
 * Each namespace's counters (keys, groups, bytes) are kept in its record and moved inside the same
 * transaction as the write, so a quota check is O(1). They count the rows present; since every call
 * first removes what has expired (with the same clock reading as the call), present and live are the
 * same whenever a write is checked. */

bool store_group_namespace(const char *group, char ret[static STORE_NAMESPACE_MAX + 1]) {
        const char *colon = strchr(group, ':');
        size_t n;

        if (!colon)
                return false;
        n = (size_t)(colon - group);
        if (n == 0 || n > STORE_NAMESPACE_MAX)
                return false;
        memcpy(ret, group, n);
        ret[n] = 0;
        return store_namespace_is_valid(ret);
}

static int usage_note(Store *s, const char *group, int64_t keys, int64_t groups, int64_t bytes) {
        char ns[STORE_NAMESPACE_MAX + 1];
        UsageDelta *d = NULL;

        if (!store_group_namespace(group, ns))
                return 0;
        for (size_t i = 0; i < s->n_deltas; i++)
                if (streq(s->deltas[i].ns, ns)) {
                        d = &s->deltas[i];
                        break;
                }
        if (!d) {
                if (s->n_deltas == s->deltas_cap) {
                        size_t cap = MAX(s->deltas_cap * 2, 4U);
                        UsageDelta *n = realloc(s->deltas, cap * sizeof(*n));
                        if (!n)
                                return -ENOMEM;
                        s->deltas = n;
                        s->deltas_cap = cap;
                }
                d = &s->deltas[s->n_deltas++];
                *d = (UsageDelta){};
                memcpy(d->ns, ns, sizeof(ns));
        }
        d->keys += keys;
        d->groups += groups;
        d->bytes += bytes;
        return 0;
}

static StoreQuota quota_in_force(Store *s, const BackendNamespace *record) {
        if (record->has_quota)
                return (StoreQuota){ record->max_keys, record->max_groups, record->max_bytes };
        return s->default_quota;
}

/* Only a counter that goes up can break a quota: a namespace over its limit (root writes are not
 * checked) may still shrink. */
static bool over_limit(uint64_t used, int64_t delta, uint64_t max) {
        return delta > 0 && max > 0 && used > max;
}

static uint64_t counter_add(uint64_t v, int64_t delta) {
        if (delta < 0 && (uint64_t)-delta > v)
                return 0;
        return v + (uint64_t)delta;
}

/* Applies the transaction's deltas to the records, checking the quota of the namespace written in. */
static int usage_apply(Store *s, StoreError *error) {
        for (size_t i = 0; i < s->n_deltas; i++) {
                UsageDelta *d = &s->deltas[i];
                BackendNamespace record = { .name = d->ns };
                StoreQuota quota;
                int r;

                r = s->ops->namespace_get(s->backend, d->ns, &record, error);
                if (r < 0)
                        return r;
                record.keys = counter_add(record.keys, d->keys);
                record.groups = counter_add(record.groups, d->groups);
                record.bytes = counter_add(record.bytes, d->bytes);

                if (s->tx_ns && streq(s->tx_ns, d->ns)) {
                        quota = quota_in_force(s, &record);
                        if (over_limit(record.keys, d->keys, quota.max_keys))
                                return store_error_set(error, -STORE_E_QUOTA,
                                        "Namespace %s would hold %" PRIu64 " keys, over its quota of %" PRIu64, d->ns,
                                        record.keys, quota.max_keys);
                        if (over_limit(record.groups, d->groups, quota.max_groups))
                                return store_error_set(error, -STORE_E_QUOTA,
                                        "Namespace %s would hold %" PRIu64 " groups, over its quota of %" PRIu64, d->ns,
                                        record.groups, quota.max_groups);
                        if (over_limit(record.bytes, d->bytes, quota.max_bytes))
                                return store_error_set(error, -STORE_E_QUOTA,
                                        "Namespace %s would hold %" PRIu64 " bytes, over its quota of %" PRIu64, d->ns,
                                        record.bytes, quota.max_bytes);
                }

                if (record.keys == 0 && record.groups == 0 && record.bytes == 0 && !record.has_quota)
                        r = s->ops->namespace_delete(s->backend, d->ns, error);
                else
                        r = s->ops->namespace_put(s->backend, &record, error);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* A row of `group` was removed (already): it may have been the group's last. The error goes to the
 * caller: without it a failed lookup would be reported as "Out of memory". */
static int usage_note_group_maybe_gone(Store *s, const char *group, StoreError *error) {
        int r = s->ops->group_exists(s->backend, group, error);
        if (r < 0)
                return r;
        return r == 0 ? usage_note(s, group, 0, -1, 0) : 0;
}

/* ---- transactions ---- */

static int expire_if_due(Store *s, uint64_t t);

static void batch_reset(Store *s) {
        s->batch_open = false;
        s->batch_dirty = false;
        s->n_batch_calls = 0;
        s->log.n = 0;
        s->log.used = 0;
}

/* Makes the open transaction durable and hands its changes to the observer. On failure everything in
 * it is undone, the revision included, and every call in it must be reported as failed. */
int store_commit(Store *s, StoreError *error) {
        int r;

        if (!s->batch_open)
                return 0;
        if (!s->batch_dirty) {
                /* Nothing changed: undo rather than commit, so no fsync is paid. */
                s->ops->rollback(s->backend);
                batch_reset(s);
                return 0;
        }
        /* The revision row is written once per commit, not once per call: it is the same row. */
        r = s->revision == s->batch_revision ? 0 : s->ops->meta_set(s->backend, "revision", s->revision, error);
        if (r >= 0)
                r = s->ops->commit(s->backend, error);
        if (r < 0) {
                s->ops->rollback(s->backend);
                s->revision = s->batch_revision;
                s->next_expiry = s->batch_next_expiry;
                batch_reset(s);
                return r;
        }
        change_log_deliver(s);
        batch_reset(s);
        return 0;
}

size_t store_pending_calls(const Store *s) {
        return s->batch_open ? s->n_batch_calls : 0;
}

void store_set_group_commit(Store *s, bool enabled) {
        s->group_commit = enabled;
}

static int tx_open(Store *s, const char *ns, uint64_t t, StoreError *error) {
        int r;

        if (!s->batch_open) {
                r = s->ops->begin(s->backend, error);
                if (r < 0)
                        return r;
                s->batch_open = true;
                s->batch_revision = s->revision;
                s->batch_next_expiry = s->next_expiry;
        }
        r = s->ops->savepoint(s->backend, error);
        if (r < 0) {
                if (s->n_batch_calls == 0) {
                        s->ops->rollback(s->backend);
                        batch_reset(s);
                }
                return r;
        }
        s->n_batch_calls++;
        s->call_first_change = s->log.n;
        s->call_arena_used = s->log.used;
        s->n_deltas = 0;
        s->tx_dirty = false;
        s->tx_ns = ns;
        s->tx_now = t;
        s->tx_next_expiry = s->next_expiry;
        return 0;
}

/* Opens the transaction of a call writing in `ns` (NULL = root), after removing what expired by the
 * same clock reading, so the call sees no expired row. */
static int write_begin(Store *s, const char *ns, StoreError *error) {
        uint64_t t = now(s);

        (void)expire_if_due(s, t);
        return tx_open(s, ns, t, error);
}

static size_t call_n_changes(const Store *s) {
        return s->log.n - s->call_first_change;
}

/* Ends the call opened by tx_open(): `r` is the outcome of the work done inside it. A call that
 * failed is undone alone; one that changed data takes the next revision. Without group commit the
 * transaction is committed here; with it, by store_commit() later. */
static int write_finish(Store *s, int r, uint64_t *ret_revision, StoreError *error) {
        size_t n = call_n_changes(s);

        if (r >= 0 && (n > 0 || s->tx_dirty))
                r = usage_apply(s, error);
        if (r >= 0)
                r = s->ops->release(s->backend, error);
        if (r < 0) {
                s->ops->rollback_to(s->backend);
                s->log.n = s->call_first_change;
                s->log.used = s->call_arena_used;
                if (error && error->code == 0)
                        store_error_set(error, r, "Out of memory");
        } else if (n > 0 || s->tx_dirty) {
                s->batch_dirty = true;
                if (n > 0) {
                        s->revision++;
                        s->next_expiry = s->tx_next_expiry;
                        for (size_t i = s->call_first_change; i < s->log.n; i++) {
                                s->log.items[i].revision = s->revision;
                                s->log.items[i].timestamp_usec = s->tx_now;
                        }
                }
        }

        if (!s->group_commit) {
                int q = store_commit(s, r < 0 ? NULL : error);
                if (r >= 0 && q < 0)
                        r = q;
        }
        if (r < 0)
                return r;
        if (ret_revision)
                *ret_revision = s->revision;
        return 0;
}

static void note_deadline(Store *s, uint64_t expires_usec) {
        if (expires_usec > 0 && (s->tx_next_expiry == 0 || expires_usec < s->tx_next_expiry))
                s->tx_next_expiry = expires_usec;
}

/* ---- expiry ---- */

static int log_expired(const BackendRow *row, void *userdata) {
        Store *s = userdata;
        int r;

        r = usage_note(s, row->group, -1, 0, -(int64_t)(strlen(row->key) + row->value_len));
        if (r < 0)
                return r;
        return change_log_add(s, STORE_CHANGE_EXPIRE, row->group, row->key, row->value, row->value_len);
}

/* Removes the entries under `prefix` due at `t` as one revision. */
static int expire_sweep(Store *s, const char *prefix, uint64_t t, uint64_t *ret_count, StoreError *error) {
        const char *previous = NULL;
        uint64_t next = 0;
        int r;

        r = tx_open(s, NULL, t, error);
        if (r < 0)
                return r;

        r = s->ops->expired_take(s->backend, prefix, t, log_expired, s, error);
        /* Rows came ordered by group: check each group once for having lost its last row. */
        for (size_t i = s->call_first_change; r >= 0 && i < s->log.n; i++) {
                const char *group = s->log.arena + s->log.items[i].group;
                if (previous && streq(previous, group))
                        continue;
                previous = group;
                r = usage_note_group_maybe_gone(s, group, error);
        }
        if (r >= 0)
                r = s->ops->next_expiry(s->backend, &next, error);
        s->tx_next_expiry = next;
        if (ret_count)
                *ret_count = call_n_changes(s);
        r = write_finish(s, r, NULL, error);
        if (r >= 0)
                s->next_expiry = next; /* also when nothing was due: the estimate was early */
        return r;
}

/* Expiry is lazy as well as active: any call first removes what is due, so no read can see an expired
 * entry even when the timer has not fired yet. Failure (a full disk) is not the caller's business:
 * every read also filters by deadline. */
static int expire_if_due(Store *s, uint64_t t) {
        if (s->next_expiry == 0 || t < s->next_expiry)
                return 0;
        return expire_sweep(s, "", t, NULL, NULL);
}

int store_expire_due(Store *s, StoreError *error) {
        return expire_sweep(s, "", now(s), NULL, error);
}

int store_purge_expired(Store *s, const char *ns, uint64_t *ret_count, StoreError *error) {
        const char *prefix = scoped_name(s, 0, ns, "");
        if (!prefix)
                return -ENOMEM;
        return expire_sweep(s, prefix, now(s), ret_count, error);
}

uint64_t store_revision(const Store *s) {
        return s->revision;
}

const BackendOps *store_backend(Store *s, Backend **ret) {
        *ret = s->backend;
        return s->ops;
}

uint64_t store_next_expiry(const Store *s) {
        return s->next_expiry;
}

/* ---- reads ---- */

/* The start of every read: one clock reading for the whole call, what is due by it removed first,
 * and the scoped name (NULL: out of memory). */
static const char *read_begin(Store *s, const char *ns, const char *name, uint64_t *ret_now) {
        *ret_now = now(s);
        (void)expire_if_due(s, *ret_now);
        return scoped_name(s, 0, ns, name);
}

/* The live row of one key, for the point reads: NotFound if it is absent or expired. */
static int entry_find_live(Store *s, const char *ns, const char *group, const char *key, BackendRow *ret,
        StoreError *error) {
        const char *name;
        uint64_t t;
        int r;

        name = read_begin(s, ns, group, &t);
        if (!name)
                return -ENOMEM;
        r = s->ops->entry_get(s->backend, name, key, ret, error);
        if (r < 0)
                return r;
        if (r == 0 || !row_is_live(ret, t))
                return store_error_set(error, -STORE_E_NOT_FOUND, "No key " NAME_EXCERPT " in group " NAME_EXCERPT,
                        NAME_EXCERPT_ARGS(key), NAME_EXCERPT_ARGS(group));
        return 0;
}

static StoreStat stat_of_row(const BackendRow *row) {
        return (StoreStat){
                .version = row->version,
                .revision = row->revision,
                .modified_usec = row->modified_usec,
                .expires_usec = row->expires_usec,
        };
}

int store_get(Store *s, const char *ns, const char *group, const char *key, bool text, StoreValue *ret,
        StoreError *error) {
        BackendRow row;
        int r;

        r = entry_find_live(s, ns, group, key, &row, error);
        if (r < 0)
                return r;
        if (text && !store_value_is_text(row.value, row.value_len))
                return store_error_set(error, -STORE_E_NOT_TEXT,
                        "Value of " NAME_EXCERPT " in group " NAME_EXCERPT " is not text; read it as bytes",
                        NAME_EXCERPT_ARGS(key), NAME_EXCERPT_ARGS(group));
        *ret = (StoreValue){ .data = row.value, .len = row.value_len };
        return 0;
}

int store_stat(Store *s, const char *ns, const char *group, const char *key, StoreStat *ret, StoreError *error) {
        BackendRow row;
        int r;

        r = entry_find_live(s, ns, group, key, &row, error);
        if (r < 0)
                return r;
        *ret = stat_of_row(&row);
        return 0;
}

typedef struct ListContext {
        StoreEntryFn fn;
        void *userdata;
        bool text;
        const char *group; /* as the caller named it, for messages */
        StoreError *error;
} ListContext;

static int list_row(const BackendRow *row, void *userdata) {
        ListContext *c = userdata;
        StoreValue value = { .data = row->value, .len = row->value_len };
        StoreStat stat = stat_of_row(row);

        if (c->text && !store_value_is_text(row->value, row->value_len))
                return store_error_set(c->error, -STORE_E_NOT_TEXT,
                        "Value of " NAME_EXCERPT " in group " NAME_EXCERPT " is not text; read it as bytes",
                        NAME_EXCERPT_ARGS(row->key), NAME_EXCERPT_ARGS(c->group));
        return c->fn(row->key, &value, &stat, c->userdata);
}

int store_list(Store *s, const char *ns, const char *group, uint64_t offset, uint64_t limit, bool text, StoreEntryFn fn,
        void *userdata, StoreError *error) {
        ListContext c = { .fn = fn, .userdata = userdata, .text = text, .group = group, .error = error };
        const char *name;
        uint64_t t;

        name = read_begin(s, ns, group, &t);
        if (!name)
                return -ENOMEM;
        if (limit == 0)
                return 0;
        return s->ops->group_list(s->backend, name, t, offset, limit, list_row, &c, error);
}

int store_count(Store *s, const char *ns, const char *group, uint64_t *ret, StoreError *error) {
        const char *name;
        uint64_t t;

        name = read_begin(s, ns, group, &t);
        if (!name)
                return -ENOMEM;
        return s->ops->group_count(s->backend, name, t, ret, error);
}

int store_count_all(Store *s, const char *ns, const char *prefix, uint64_t *ret, StoreError *error) {
        const char *name;
        uint64_t t;

        name = read_begin(s, ns, prefix, &t);
        if (!name)
                return -ENOMEM;
        return s->ops->prefix_count(s->backend, name, t, ret, error);
}

typedef struct GroupsContext {
        StoreGroupFn fn;
        void *userdata;
        size_t strip; /* length of "N:" */
} GroupsContext;

static int groups_row(const char *group, void *userdata) {
        GroupsContext *c = userdata;
        return c->fn(group + c->strip, c->userdata);
}

int store_groups(Store *s, const char *ns, const char *prefix, StoreGroupFn fn, void *userdata, StoreError *error) {
        GroupsContext c = { .fn = fn, .userdata = userdata, .strip = ns ? strlen(ns) + 1 : 0 };
        const char *name;
        uint64_t t;

        name = read_begin(s, ns, prefix, &t);
        if (!name)
                return -ENOMEM;
        return s->ops->prefix_groups(s->backend, name, t, groups_row, &c, error);
}

/* ---- writes ---- */

/* The upsert at the heart of every set, inside an open transaction. An identical write (same bytes,
 * same deadline) changes nothing and is not logged. */
static int entry_upsert(Store *s, const char *name, const char *key, const void *value, size_t value_len,
        uint64_t expires_usec, StoreError *error) {
        int64_t key_len = (int64_t)strlen(key);
        BackendRow row;
        uint64_t version = 1;
        int r;

        r = s->ops->entry_get(s->backend, name, key, &row, error);
        if (r < 0)
                return r;
        if (r > 0) {
                if (row_is_live(&row, s->tx_now)) {
                        if (row.expires_usec == expires_usec && row.value_len == value_len &&
                                memcmp(row.value, value, value_len) == 0)
                                return 0;
                        version = row.version + 1;
                }
                r = usage_note(s, name, 0, 0, (int64_t)value_len - (int64_t)row.value_len);
        } else {
                r = s->ops->group_exists(s->backend, name, error);
                if (r >= 0)
                        r = usage_note(s, name, 1, r == 0 ? 1 : 0, key_len + (int64_t)value_len);
        }
        if (r < 0)
                return r;

        r = s->ops->entry_put(s->backend,
                &(BackendRow){
                        .group = name,
                        .key = key,
                        .value = value,
                        .value_len = value_len,
                        .version = version,
                        .revision = s->revision + 1,
                        .modified_usec = s->tx_now,
                        .expires_usec = expires_usec,
                },
                error);
        if (r < 0)
                return r;
        note_deadline(s, expires_usec);
        return change_log_add(s, STORE_CHANGE_SET, name, key, value, value_len);
}

int store_set(Store *s, const char *ns, const char *group, const char *key, const void *value, size_t value_len,
        uint64_t ttl_usec, uint64_t *ret_revision, StoreError *error) {
        uint64_t expires = 0;
        const char *name;
        int r;

        r = check_entry(s, group, key, value_len, error);
        if (r < 0)
                return r;
        name = scoped_name(s, 1, ns, group);
        if (!name)
                return -ENOMEM;

        r = write_begin(s, ns, error);
        if (r < 0)
                return r;
        /* Deadlines saturate at INT64_MAX, not UINT64_MAX: databases store signed 64-bit integers, and a
         * larger deadline would come back negative there, hiding the key from every SQL-side read. */
        if (ttl_usec > 0)
                expires = ttl_usec > (uint64_t)INT64_MAX - s->tx_now ? (uint64_t)INT64_MAX : s->tx_now + ttl_usec;
        r = entry_upsert(s, name, key, value, value_len, expires, error);
        return write_finish(s, r, ret_revision, error);
}

int store_set_all(Store *s, const char *ns, const char *group, const StorePair *pairs, size_t n_pairs,
        uint64_t *ret_revision, StoreError *error) {
        const char *name;
        int r = 0;

        /* Validate everything first: all or nothing. */
        for (size_t i = 0; i < n_pairs; i++) {
                r = check_entry(s, group, pairs[i].key, strlen(pairs[i].value), error);
                if (r < 0)
                        return r;
        }
        name = scoped_name(s, 1, ns, group);
        if (!name)
                return -ENOMEM;

        r = write_begin(s, ns, error);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n_pairs && r >= 0; i++)
                r = entry_upsert(s, name, pairs[i].key, pairs[i].value, strlen(pairs[i].value), 0, error);
        return write_finish(s, r, ret_revision, error);
}

int store_import(Store *s, const char *ns, const StoreImportEntry *entries, size_t n_entries, uint64_t *ret_count,
        size_t *ret_failed, uint64_t *ret_revision, StoreError *error) {
        uint64_t count = 0;
        int r = 0;

        /* Validate everything first: all or nothing. */
        for (size_t i = 0; i < n_entries; i++) {
                r = check_entry(s, entries[i].group, entries[i].key, entries[i].value_len, error);
                if (r < 0) {
                        if (ret_failed)
                                *ret_failed = i;
                        return r;
                }
        }

        r = write_begin(s, ns, error);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n_entries && r >= 0; i++) {
                const StoreImportEntry *e = &entries[i];
                const char *name;

                /* Past its deadline already: importing it would only make an expire event. */
                if (e->expires_usec > 0 && e->expires_usec <= s->tx_now)
                        continue;
                name = scoped_name(s, 1, ns, e->group);
                if (!name) {
                        r = -ENOMEM;
                        break;
                }
                r = entry_upsert(s, name, e->key, e->value, e->value_len, MIN(e->expires_usec, (uint64_t)INT64_MAX),
                        error);
                count++;
        }
        r = write_finish(s, r, ret_revision, error);
        if (r >= 0 && ret_count)
                *ret_count = count;
        return r;
}

int store_delete(Store *s, const char *ns, const char *group, const char *key, uint64_t *ret_revision,
        StoreError *error) {
        const char *name;
        BackendRow row;
        int r;

        name = scoped_name(s, 1, ns, group);
        if (!name)
                return -ENOMEM;

        r = write_begin(s, ns, error);
        if (r < 0)
                return r;
        r = s->ops->entry_get(s->backend, name, key, &row, error);
        if (r > 0 && row_is_live(&row, s->tx_now)) {
                r = usage_note(s, name, -1, 0, -(int64_t)(strlen(key) + row.value_len));
                if (r >= 0)
                        r = change_log_add(s, STORE_CHANGE_DELETE, name, key, row.value, row.value_len);
                if (r >= 0)
                        r = s->ops->entry_delete(s->backend, name, key, error);
                if (r >= 0)
                        r = usage_note_group_maybe_gone(s, name, error);
        }
        return write_finish(s, r, ret_revision, error);
}

/* Removes one stored group inside an open transaction: one delete_group change if it had live keys. */
static int group_remove(Store *s, const char *name, StoreError *error) {
        BackendGroupUsage usage;
        int r;

        r = s->ops->group_usage(s->backend, name, s->tx_now, &usage, error);
        if (r < 0 || usage.keys == 0)
                return r;
        r = s->ops->group_delete(s->backend, name, error);
        if (r >= 0)
                r = usage_note(s, name, -(int64_t)usage.keys, -1, -(int64_t)usage.bytes);
        if (r >= 0 && usage.live_keys > 0)
                r = change_log_add(s, STORE_CHANGE_DELETE_GROUP, name, "", "", 0);
        return r;
}

int store_delete_group(Store *s, const char *ns, const char *group, uint64_t *ret_revision, StoreError *error) {
        const char *name;
        int r;

        name = scoped_name(s, 1, ns, group);
        if (!name)
                return -ENOMEM;

        r = write_begin(s, ns, error);
        if (r < 0)
                return r;
        r = group_remove(s, name, error);
        return write_finish(s, r, ret_revision, error);
}

/* ---- namespaces as a whole ---- */

int store_namespace_usage(Store *s, const char *ns, StoreUsage *ret, StoreError *error) {
        BackendNamespace record = {};
        int r;

        (void)expire_if_due(s, now(s));
        r = s->ops->namespace_get(s->backend, ns, &record, error);
        if (r < 0)
                return r;
        *ret = (StoreUsage){ record.keys, record.groups, record.bytes };
        return 0;
}

int store_quota_get(Store *s, const char *ns, StoreQuota *ret, bool *ret_explicit, StoreError *error) {
        BackendNamespace record = {};
        int r;

        r = s->ops->namespace_get(s->backend, ns, &record, error);
        if (r < 0)
                return r;
        *ret = quota_in_force(s, &record);
        if (ret_explicit)
                *ret_explicit = record.has_quota;
        return 0;
}

int store_quota_set(Store *s, const char *ns, const StoreQuota *quota, StoreError *error) {
        BackendNamespace record = { .name = ns };
        int r;

        r = tx_open(s, NULL, now(s), error);
        if (r < 0)
                return r;
        r = s->ops->namespace_get(s->backend, ns, &record, error);
        if (r >= 0) {
                record.has_quota = true;
                record.max_keys = quota->max_keys;
                record.max_groups = quota->max_groups;
                record.max_bytes = quota->max_bytes;
                r = s->ops->namespace_put(s->backend, &record, error);
                s->tx_dirty = true;
        }
        return write_finish(s, r, NULL, error);
}

typedef struct NamespaceListContext {
        Store *store;
        StoreNamespaceFn fn;
        void *userdata;
} NamespaceListContext;

static int namespace_row(const BackendNamespace *record, void *userdata) {
        NamespaceListContext *c = userdata;
        StoreUsage usage = { record->keys, record->groups, record->bytes };
        StoreQuota quota = quota_in_force(c->store, record);

        return c->fn(record->name, &usage, &quota, c->userdata);
}

int store_list_namespaces(Store *s, StoreNamespaceFn fn, void *userdata, StoreError *error) {
        NamespaceListContext c = { .store = s, .fn = fn, .userdata = userdata };

        (void)expire_if_due(s, now(s));
        return s->ops->namespace_list(s->backend, namespace_row, &c, error);
}

int store_delete_namespace(Store *s, const char *ns, uint64_t *ret_revision, StoreError *error) {
        _cleanup_(strlist_done) StrList groups = {};
        const char *prefix;
        int r;

        r = write_begin(s, NULL, error);
        if (r < 0)
                return r;
        prefix = scoped_name(s, 1, ns, "");
        if (!prefix)
                r = -ENOMEM;
        /* Every row, live or not (now = 0 makes all rows "live" to the listing). */
        if (r >= 0)
                r = s->ops->prefix_groups(s->backend, prefix, 0, strlist_collect, &groups, error);
        for (size_t i = 0; r >= 0 && i < groups.n; i++)
                r = group_remove(s, groups.items[i], error);
        if (r >= 0) {
                /* The record goes too (counters and quota); its deltas have nothing left to apply to. */
                for (size_t i = 0; i < s->n_deltas; i++)
                        if (streq(s->deltas[i].ns, ns))
                                s->deltas[i] = s->deltas[--s->n_deltas];
                r = s->ops->namespace_delete(s->backend, ns, error);
                s->tx_dirty = true;
        }
        return write_finish(s, r, ret_revision, error);
}

/* Counters of a database that has none yet (created before they existed): count every row. */
static int usage_count_group(const char *group, void *userdata) {
        Store *s = userdata;
        BackendGroupUsage usage;
        int r;

        r = s->ops->group_usage(s->backend, group, 0, &usage, NULL);
        if (r < 0)
                return r;
        return usage_note(s, group, (int64_t)usage.keys, usage.keys > 0 ? 1 : 0, (int64_t)usage.bytes);
}

static int usage_rebuild_if_needed(Store *s, StoreError *error) {
        uint64_t counted = 0;
        int r;

        r = s->ops->meta_get(s->backend, "usage_counted", &counted, error);
        if (r < 0 || counted)
                return r;
        r = tx_open(s, NULL, now(s), error);
        if (r < 0)
                return r;
        r = s->ops->prefix_groups(s->backend, "", 0, usage_count_group, s, error);
        if (r >= 0)
                r = s->ops->meta_set(s->backend, "usage_counted", 1, error);
        s->tx_dirty = true;
        return write_finish(s, r, NULL, error);
}

/* ---- life cycle ---- */

int store_open(const StoreOptions *options, Store **ret, StoreError *error) {
        _cleanup_(store_freep) Store *s = NULL;
        int r;

        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->ops = options->backend_ops ?: &backend_sqlite_ops;
        s->limits = options->limits;
        if (s->limits.max_key_bytes == 0)
                s->limits.max_key_bytes = STORE_DEFAULT_MAX_KEY_BYTES;
        if (s->limits.max_group_bytes == 0)
                s->limits.max_group_bytes = STORE_DEFAULT_MAX_GROUP_BYTES;
        if (s->limits.max_value_bytes == 0)
                s->limits.max_value_bytes = STORE_DEFAULT_MAX_VALUE_BYTES;
        s->default_quota = options->default_quota;
        s->now_usec = options->now_usec ?: realtime_usec;
        s->now_userdata = options->now_userdata;
        s->observer = options->observer;
        s->observer_userdata = options->observer_userdata;

        r = s->ops->open(&options->backend, &s->backend, error);
        if (r < 0)
                return r;
        r = s->ops->meta_get(s->backend, "revision", &s->revision, error);
        if (r < 0)
                return r;
        r = s->ops->next_expiry(s->backend, &s->next_expiry, error);
        if (r < 0)
                return r;
        r = usage_rebuild_if_needed(s, error);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(s);
        return 0;
}

Store *store_free(Store *s) {
        if (!s)
                return NULL;
        if (s->backend) {
                (void)store_commit(s, NULL);
                s->ops->close(s->backend);
        }
        free(s->log.items);
        free(s->log.delivered);
        free(s->log.arena);
        free(s->name_buf[0]);
        free(s->name_buf[1]);
        free(s->deltas);
        free(s);
        return NULL;
}

bool store_namespace_is_valid(const char *name) {
        size_t n = strlen(name);

        if (n == 0 || n > STORE_NAMESPACE_MAX || streq(name, "self"))
                return false;
        for (const char *p = name; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-'))
                        return false;
        return true;
}
