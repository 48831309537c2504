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

#include <time.h>

#include "store.h"

/* Changes of the open transaction. Their strings are copied into one arena reused from call to call,
 * because the backend's row pointers die at the next backend call. Offsets, not pointers, because
 * the arena may move while it grows. */
typedef struct LoggedChange {
        StoreChangeType type;
        size_t group, key, value, value_len;
} LoggedChange;

typedef struct ChangeLog {
        LoggedChange *items;
        size_t n, cap;
        StoreChange *delivered; /* built from items at delivery; same capacity */
        char *arena;
        size_t used, size;
} ChangeLog;

struct Store {
        const BackendOps *ops;
        Backend *backend;
        StoreLimits limits;

        uint64_t (*now_usec)(void *userdata);
        void *now_userdata;
        StoreObserverFn observer;
        void *observer_userdata;

        uint64_t revision;    /* of the last commit */
        uint64_t next_expiry; /* earliest deadline, 0 = none; may be early, never late */
        uint64_t tx_next_expiry;
        uint64_t tx_now;

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

/* Valid UTF-8 without NUL, surrogates, overlong forms or noncharacters: exactly what a D-Bus string
 * may carry through sd-bus. */
bool store_value_is_text(const void *data, size_t len) {
        const unsigned char *p = data, *end = p + len;

        while (p < end) {
                uint32_t c;
                size_t n;

                if (*p == 0)
                        return false;
                if (*p < 0x80) {
                        p++;
                        continue;
                }
                if ((*p & 0xe0) == 0xc0) {
                        n = 2;
                        c = *p & 0x1f;
                } else if ((*p & 0xf0) == 0xe0) {
                        n = 3;
                        c = *p & 0x0f;
                } else if ((*p & 0xf8) == 0xf0) {
                        n = 4;
                        c = *p & 0x07;
                } else
                        return false;
                if ((size_t)(end - p) < n)
                        return false;
                for (size_t i = 1; i < n; i++) {
                        if ((p[i] & 0xc0) != 0x80)
                                return false;
                        c = (c << 6) | (p[i] & 0x3f);
                }
                if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) || (n == 4 && c < 0x10000))
                        return false; /* overlong */
                if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
                        return false;
                if ((c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) == 0xfffe)
                        return false; /* noncharacters, refused by sd-bus */
                p += n;
        }
        return true;
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

static int check_size(const char *what, const char *name, size_t len, size_t max, StoreError *error) {
        if (len > max)
                return store_error_set(error, -STORE_E_TOO_LARGE, "%s of %zu bytes is over the limit of %zu bytes%s%s",
                        what, len, max, name ? ": " : "", name ? name : "");
        return 0;
}

static int check_entry(Store *s, const char *group, const char *key, size_t value_len, StoreError *error) {
        int r;

        r = check_size("Group name", NULL, strlen(group), s->limits.max_group_bytes, error);
        if (r < 0)
                return r;
        if (key) {
                r = check_size("Key", NULL, strlen(key), s->limits.max_key_bytes, error);
                if (r < 0)
                        return r;
        }
        return check_size("Value", NULL, value_len, s->limits.max_value_bytes, error);
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

static void change_log_deliver(Store *s, uint64_t timestamp) {
        ChangeLog *log = &s->log;

        if (!s->observer || log->n == 0)
                return;
        for (size_t i = 0; i < log->n; i++)
                log->delivered[i] = (StoreChange){
                        .type = log->items[i].type,
                        .group = log->arena + log->items[i].group,
                        .key = log->arena + log->items[i].key,
                        .value = log->arena + log->items[i].value,
                        .value_len = log->items[i].value_len,
                        .revision = s->revision,
                        .timestamp_usec = timestamp,
                };
        s->observer(log->delivered, log->n, s->observer_userdata);
}

/* ---- transactions ---- */

static int expire_if_due(Store *s);

static int write_begin(Store *s, StoreError *error) {
        int r;

        (void)expire_if_due(s);
        r = s->ops->begin(s->backend, error);
        if (r < 0)
                return r;
        s->log.n = 0;
        s->log.used = 0;
        s->tx_now = now(s);
        s->tx_next_expiry = s->next_expiry;
        return 0;
}

/* Ends the transaction opened by write_begin(): `r` is the outcome of the work done inside it. */
static int write_finish(Store *s, int r, uint64_t *ret_revision, StoreError *error) {
        if (r >= 0 && s->log.n > 0) {
                r = s->ops->meta_set(s->backend, "revision", s->revision + 1, error);
                if (r >= 0)
                        r = s->ops->commit(s->backend, error);
        }
        if (r < 0 || s->log.n == 0) {
                /* Nothing changed (or it failed): undo rather than commit, so no fsync is paid. */
                s->ops->rollback(s->backend);
                if (r < 0) {
                        if (error && error->code == 0)
                                store_error_set(error, r, "Out of memory");
                        return r;
                }
                if (ret_revision)
                        *ret_revision = s->revision;
                return 0;
        }

        s->revision++;
        s->next_expiry = s->tx_next_expiry;
        if (ret_revision)
                *ret_revision = s->revision;
        change_log_deliver(s, s->tx_now);
        return 0;
}

static void note_deadline(Store *s, uint64_t expires_usec) {
        if (expires_usec > 0 && (s->tx_next_expiry == 0 || expires_usec < s->tx_next_expiry))
                s->tx_next_expiry = expires_usec;
}

/* ---- expiry ---- */

static int log_expired(const BackendRow *row, void *userdata) {
        Store *s = userdata;
        return change_log_add(s, STORE_CHANGE_EXPIRE, row->group, row->key, row->value, row->value_len);
}

/* Removes the due entries under `prefix` as one revision. */
static int expire_sweep(Store *s, const char *prefix, uint64_t *ret_count, StoreError *error) {
        uint64_t next = 0;
        int r;

        r = s->ops->begin(s->backend, error);
        if (r < 0)
                return r;
        s->log.n = 0;
        s->log.used = 0;
        s->tx_now = now(s);

        r = s->ops->expired_take(s->backend, prefix, s->tx_now, log_expired, s, error);
        if (r >= 0)
                r = s->ops->next_expiry(s->backend, &next, error);
        s->tx_next_expiry = next;
        if (ret_count)
                *ret_count = s->log.n;
        r = write_finish(s, r, NULL, error);
        if (r >= 0)
                s->next_expiry = next; /* also when nothing was due: the estimate was early */
        return r;
}

/* Expiry is lazy as well as active: any call first removes what is due, so no read can see an expired
 * entry even when the timer has not fired yet. Failure (a full disk) is not the caller's business:
 * every read also filters by deadline. */
static int expire_if_due(Store *s) {
        if (s->next_expiry == 0 || now(s) < s->next_expiry)
                return 0;
        return expire_sweep(s, "", NULL, NULL);
}

int store_expire_due(Store *s, StoreError *error) {
        return expire_sweep(s, "", NULL, error);
}

int store_purge_expired(Store *s, const char *ns, uint64_t *ret_count, StoreError *error) {
        const char *prefix = scoped_name(s, 0, ns, "");
        if (!prefix)
                return -ENOMEM;
        return expire_sweep(s, prefix, ret_count, error);
}

uint64_t store_revision(const Store *s) {
        return s->revision;
}

uint64_t store_next_expiry(const Store *s) {
        return s->next_expiry;
}

/* ---- reads ---- */

int store_get(Store *s, const char *ns, const char *group, const char *key, bool text, StoreValue *ret,
        StoreError *error) {
        const char *name;
        BackendRow row;
        int r;

        (void)expire_if_due(s);
        name = scoped_name(s, 0, ns, group);
        if (!name)
                return -ENOMEM;
        r = s->ops->entry_get(s->backend, name, key, &row, error);
        if (r < 0)
                return r;
        if (r == 0 || !row_is_live(&row, now(s)))
                return store_error_set(error, -STORE_E_NOT_FOUND, "No key " NAME_EXCERPT " in group " NAME_EXCERPT,
                        NAME_EXCERPT_ARGS(key), NAME_EXCERPT_ARGS(group));
        if (text && !store_value_is_text(row.value, row.value_len))
                return store_error_set(error, -STORE_E_NOT_TEXT,
                        "Value of " NAME_EXCERPT " in group " NAME_EXCERPT " is not text; read it as bytes",
                        NAME_EXCERPT_ARGS(key), NAME_EXCERPT_ARGS(group));
        *ret = (StoreValue){ .data = row.value, .len = row.value_len };
        return 0;
}

int store_stat(Store *s, const char *ns, const char *group, const char *key, StoreStat *ret, StoreError *error) {
        const char *name;
        BackendRow row;
        int r;

        (void)expire_if_due(s);
        name = scoped_name(s, 0, ns, group);
        if (!name)
                return -ENOMEM;
        r = s->ops->entry_get(s->backend, name, key, &row, error);
        if (r < 0)
                return r;
        if (r == 0 || !row_is_live(&row, now(s)))
                return store_error_set(error, -STORE_E_NOT_FOUND, "No key " NAME_EXCERPT " in group " NAME_EXCERPT,
                        NAME_EXCERPT_ARGS(key), NAME_EXCERPT_ARGS(group));
        *ret = (StoreStat){
                .version = row.version,
                .revision = row.revision,
                .modified_usec = row.modified_usec,
                .expires_usec = row.expires_usec,
        };
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
        StoreStat stat = {
                .version = row->version,
                .revision = row->revision,
                .modified_usec = row->modified_usec,
                .expires_usec = row->expires_usec,
        };

        if (c->text && !store_value_is_text(row->value, row->value_len))
                return store_error_set(c->error, -STORE_E_NOT_TEXT,
                        "Value of " NAME_EXCERPT " in group " NAME_EXCERPT " is not text; read it as bytes",
                        NAME_EXCERPT_ARGS(row->key), NAME_EXCERPT_ARGS(c->group));
        return c->fn(row->key, &value, &stat, c->userdata);
}

int store_list(Store *s, const char *ns, const char *group, uint64_t offset, uint64_t limit, bool text,
        StoreEntryFn fn, void *userdata, StoreError *error) {
        ListContext c = { .fn = fn, .userdata = userdata, .text = text, .group = group, .error = error };
        const char *name;

        (void)expire_if_due(s);
        name = scoped_name(s, 0, ns, group);
        if (!name)
                return -ENOMEM;
        if (limit == 0)
                return 0;
        return s->ops->group_list(s->backend, name, now(s), offset, limit, list_row, &c, error);
}

int store_count(Store *s, const char *ns, const char *group, uint64_t *ret, StoreError *error) {
        const char *name;

        (void)expire_if_due(s);
        name = scoped_name(s, 0, ns, group);
        if (!name)
                return -ENOMEM;
        return s->ops->group_count(s->backend, name, now(s), ret, error);
}

int store_count_all(Store *s, const char *ns, const char *prefix, uint64_t *ret, StoreError *error) {
        const char *name;

        (void)expire_if_due(s);
        name = scoped_name(s, 0, ns, prefix);
        if (!name)
                return -ENOMEM;
        return s->ops->prefix_count(s->backend, name, now(s), ret, error);
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

        (void)expire_if_due(s);
        name = scoped_name(s, 0, ns, prefix);
        if (!name)
                return -ENOMEM;
        return s->ops->prefix_groups(s->backend, name, now(s), groups_row, &c, error);
}

/* ---- writes ---- */

/* The upsert at the heart of every set, inside an open transaction. An identical write (same bytes,
 * same deadline) changes nothing and is not logged. */
static int entry_upsert(Store *s, const char *name, const char *key, const void *value, size_t value_len,
        uint64_t expires_usec, StoreError *error) {
        BackendRow row;
        uint64_t version = 1;
        int r;

        r = s->ops->entry_get(s->backend, name, key, &row, error);
        if (r < 0)
                return r;
        if (r > 0 && row_is_live(&row, s->tx_now)) {
                if (row.expires_usec == expires_usec && row.value_len == value_len &&
                        memcmp(row.value, value, value_len) == 0)
                        return 0;
                version = row.version + 1;
        }

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

        r = write_begin(s, error);
        if (r < 0)
                return r;
        if (ttl_usec > 0)
                expires = ttl_usec > UINT64_MAX - s->tx_now ? UINT64_MAX : s->tx_now + ttl_usec;
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

        r = write_begin(s, error);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n_pairs && r >= 0; i++)
                r = entry_upsert(s, name, pairs[i].key, pairs[i].value, strlen(pairs[i].value), 0, error);
        return write_finish(s, r, ret_revision, error);
}

int store_delete(Store *s, const char *ns, const char *group, const char *key, uint64_t *ret_revision,
        StoreError *error) {
        const char *name;
        BackendRow row;
        int r;

        name = scoped_name(s, 1, ns, group);
        if (!name)
                return -ENOMEM;

        r = write_begin(s, error);
        if (r < 0)
                return r;
        r = s->ops->entry_get(s->backend, name, key, &row, error);
        if (r > 0 && row_is_live(&row, s->tx_now)) {
                r = change_log_add(s, STORE_CHANGE_DELETE, name, key, row.value, row.value_len);
                if (r >= 0)
                        r = s->ops->entry_delete(s->backend, name, key, error);
        }
        return write_finish(s, r, ret_revision, error);
}

int store_delete_group(Store *s, const char *ns, const char *group, uint64_t *ret_revision, StoreError *error) {
        BackendRemoved removed = {};
        const char *name;
        int r;

        name = scoped_name(s, 1, ns, group);
        if (!name)
                return -ENOMEM;

        r = write_begin(s, error);
        if (r < 0)
                return r;
        r = s->ops->group_delete(s->backend, name, s->tx_now, &removed, error);
        if (r >= 0 && removed.live_keys > 0)
                r = change_log_add(s, STORE_CHANGE_DELETE_GROUP, name, "", "", 0);
        return write_finish(s, r, ret_revision, error);
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

        *ret = TAKE_PTR(s);
        return 0;
}

Store *store_free(Store *s) {
        if (!s)
                return NULL;
        if (s->backend)
                s->ops->close(s->backend);
        free(s->log.items);
        free(s->log.delivered);
        free(s->log.arena);
        free(s->name_buf[0]);
        free(s->name_buf[1]);
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
