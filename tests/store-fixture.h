/* SPDX-License-Identifier: MIT */
#pragma once

/* What the storage-layer tests share: a fixture that opens a fresh store on a fake clock, with an
 * observer that records every change, and helpers that turn the store's answers into short strings
 * so that each assertion reads as the expected outcome:
 *
 *         set(f, NULL, "config", "theme", "dark");
 *         g_assert_cmpstr(changes(f), ==, "set config/theme=dark @1");
 *
 * Everything here is static inline so that each test program includes only the header. */

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "store.h"

#define SEC UINT64_C(1000000) /* one second, in the store's microseconds */
/* The fake clock starts at a real-looking wall-clock time (2023-11-14), far from 0. */
#define T0 (UINT64_C(1700000000) * SEC)

/* The test-data argument of a fixture function, which most of them do not use. */
#define UNUSED const void *unused _unused_

typedef struct Fixture {
        Store *store;
        uint64_t now; /* the fake clock: tests move it by hand */
        StoreLimits limits; /* zeros = the defaults */
        StoreQuota default_quota; /* zeros = unlimited */
        const BackendOps *ops; /* NULL = SQLite */
        char *dir; /* temporary directory of a file store, NULL for :memory: */
        char *path; /* ":memory:" or dir/store.db */
        GString *changes; /* what the observer saw since the last changes() */
        unsigned n_commits; /* observer calls since the last changes() */
        uint64_t last_timestamp; /* timestamp_usec of the last change seen */
        GPtrArray *scratch; /* strings handed to assertions, freed at tear-down */
} Fixture;

static inline uint64_t fake_now(void *userdata) {
        Fixture *f = userdata;
        return f->now;
}

/* Keeps `s` alive until tear-down and returns it. */
static inline const char *keep(Fixture *f, char *s) {
        g_ptr_array_add(f->scratch, s);
        return s;
}

/* Text as it is, anything else as hex, so that a recorded binary value is still readable. */
static inline void append_value(GString *out, const void *data, size_t len) {
        if (store_value_is_text(data, len)) {
                g_string_append_len(out, data, (gssize)len);
                return;
        }
        g_string_append(out, "0x");
        for (size_t i = 0; i < len; i++)
                g_string_append_printf(out, "%02x", ((const unsigned char *)data)[i]);
}

/* Records each change as "type group/key=value @revision", separated by "; ". Every commit must carry
 * one revision, the store's current one, and the fake clock's time. */
static inline void record_changes(const StoreChange *changes, size_t n, void *userdata) {
        Fixture *f = userdata;

        g_assert_cmpuint(n, >, 0);
        f->n_commits++;
        for (size_t i = 0; i < n; i++) {
                const StoreChange *c = &changes[i];

                g_assert_cmpuint(c->revision, ==, store_revision(f->store));
                g_assert_cmpuint(c->timestamp_usec, ==, f->now);
                f->last_timestamp = c->timestamp_usec;
                g_assert_cmpint(((const char *)c->value)[c->value_len], ==, 0);
                if (f->changes->len > 0)
                        g_string_append(f->changes, "; ");
                g_string_append_printf(f->changes, "%s %s/%s=", store_change_type_to_string(c->type), c->group, c->key);
                append_value(f->changes, c->value, c->value_len);
                g_string_append_printf(f->changes, " @%" G_GUINT64_FORMAT, c->revision);
        }
}

/* The changes seen since the last call ("" if none), and forgets them. Read f->n_commits first when
 * it matters: this resets it too. */
static inline const char *changes(Fixture *f) {
        const char *seen = keep(f, g_string_free(f->changes, FALSE));

        f->changes = g_string_new(NULL);
        f->n_commits = 0;
        return seen;
}

static inline int fixture_try_open(Fixture *f, Store **ret, StoreError *error) {
        StoreOptions options = {
                .backend = { .path = f->path, .durability = BACKEND_DURABILITY_NORMAL },
                .backend_ops = f->ops,
                .limits = f->limits,
                .default_quota = f->default_quota,
                .now_usec = fake_now,
                .now_userdata = f,
                .observer = record_changes,
                .observer_userdata = f,
        };
        return store_open(&options, ret, error);
}

static inline void fixture_open(Fixture *f) {
        StoreError e = {};

        g_assert_null(f->store);
        g_assert_cmpint(fixture_try_open(f, &f->store, &e), ==, 0);
        g_assert_nonnull(f->store);
}

static inline void fixture_close(Fixture *f) {
        f->store = store_free(f->store);
}

static inline void fixture_reopen(Fixture *f) {
        fixture_close(f);
        fixture_open(f);
}

static inline void fixture_init(Fixture *f) {
        f->now = T0;
        f->changes = g_string_new(NULL);
        f->scratch = g_ptr_array_new_with_free_func(g_free);
}

/* A fresh ":memory:" store: most tests need nothing more. */
static inline void fixture_set_up(Fixture *f, UNUSED) {
        fixture_init(f);
        f->path = g_strdup(":memory:");
        fixture_open(f);
}

/* Limits small enough to reach by hand: key and group 8 bytes, value 16. */
static inline void fixture_set_up_small_limits(Fixture *f, UNUSED) {
        fixture_init(f);
        f->limits = (StoreLimits){ .max_key_bytes = 8, .max_group_bytes = 8, .max_value_bytes = 16 };
        f->path = g_strdup(":memory:");
        fixture_open(f);
}

/* A database file in a directory of its own, for what only a file shows: persistence, WAL, migration. */
static inline void fixture_set_up_file(Fixture *f, UNUSED) {
        g_autoptr(GError) error = NULL;

        fixture_init(f);
        f->dir = g_dir_make_tmp("test-store-XXXXXX", &error);
        g_assert_no_error(error);
        f->path = g_build_filename(f->dir, "store.db", NULL);
        fixture_open(f);
}

/* A file path for a test's own extra files, in the fixture's directory (removed at tear-down). */
static inline const char *fixture_file(Fixture *f, const char *name) {
        g_assert_nonnull(f->dir);
        return keep(f, g_build_filename(f->dir, name, NULL));
}

static inline void fixture_tear_down(Fixture *f, UNUSED) {
        fixture_close(f);
        if (f->dir) {
                g_autoptr(GDir) d = g_dir_open(f->dir, 0, NULL);
                const char *name;

                while (d && (name = g_dir_read_name(d))) {
                        g_autofree char *p = g_build_filename(f->dir, name, NULL);
                        g_assert_cmpint(g_remove(p), ==, 0);
                }
                g_assert_cmpint(g_rmdir(f->dir), ==, 0);
        }
        g_free(f->dir);
        g_free(f->path);
        g_string_free(f->changes, TRUE);
        g_ptr_array_unref(f->scratch);
}

#define TEST(path, fn)              g_test_add(path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
#define TEST_SMALL_LIMITS(path, fn) g_test_add(path, Fixture, NULL, fixture_set_up_small_limits, fn, fixture_tear_down)
#define TEST_FILE(path, fn)         g_test_add(path, Fixture, NULL, fixture_set_up_file, fn, fixture_tear_down)

/* ---- calls that must succeed ---- */

static inline uint64_t set_bytes(Fixture *f, const char *ns, const char *group, const char *key, const void *value,
        size_t len, uint64_t ttl_usec) {
        StoreError e = {};
        uint64_t revision = UINT64_MAX;

        g_assert_cmpint(store_set(f->store, ns, group, key, value, len, ttl_usec, &revision, &e), ==, 0);
        g_assert_cmpint(e.code, ==, 0);
        g_assert_cmpuint(revision, ==, store_revision(f->store));
        return revision;
}

static inline uint64_t set_ttl(Fixture *f, const char *ns, const char *group, const char *key, const char *value,
        uint64_t ttl_usec) {
        return set_bytes(f, ns, group, key, value, strlen(value), ttl_usec);
}

static inline uint64_t set(Fixture *f, const char *ns, const char *group, const char *key, const char *value) {
        return set_ttl(f, ns, group, key, value, 0);
}

/* A write that may fail: on failure it must say why and leave *ret_revision alone. */
static inline int try_set(Fixture *f, const char *ns, const char *group, const char *key, const char *value,
        StoreError *e) {
        uint64_t revision = UINT64_MAX;
        int r;

        r = store_set(f->store, ns, group, key, value, strlen(value), 0, &revision, e);
        if (r < 0) {
                g_assert_cmpint(e->code, ==, r);
                g_assert_cmpstr(e->message, !=, "");
                g_assert_cmpuint(revision, ==, UINT64_MAX);
        } else
                g_assert_cmpuint(revision, ==, store_revision(f->store));
        return r;
}

static inline uint64_t del(Fixture *f, const char *ns, const char *group, const char *key) {
        StoreError e = {};
        uint64_t revision = UINT64_MAX;

        g_assert_cmpint(store_delete(f->store, ns, group, key, &revision, &e), ==, 0);
        g_assert_cmpuint(revision, ==, store_revision(f->store));
        return revision;
}

static inline uint64_t delete_group(Fixture *f, const char *ns, const char *group) {
        StoreError e = {};
        uint64_t revision = UINT64_MAX;

        g_assert_cmpint(store_delete_group(f->store, ns, group, &revision, &e), ==, 0);
        g_assert_cmpuint(revision, ==, store_revision(f->store));
        return revision;
}

static inline uint64_t purge(Fixture *f, const char *ns) {
        StoreError e = {};
        uint64_t n = UINT64_MAX;

        g_assert_cmpint(store_purge_expired(f->store, ns, &n, &e), ==, 0);
        return n;
}

/* The text value of a live key, NULL if there is none (any other error fails the test). */
static inline const char *get(Fixture *f, const char *ns, const char *group, const char *key) {
        StoreError e = {};
        StoreValue v = {};
        int r;

        r = store_get(f->store, ns, group, key, true, &v, &e);
        if (r == -STORE_E_NOT_FOUND)
                return NULL;
        g_assert_cmpint(r, ==, 0);
        g_assert_cmpint(((const char *)v.data)[v.len], ==, 0);
        return keep(f, g_strndup(v.data, v.len));
}

/* The error of a read that must fail; its message must say something. */
static inline int get_error(Fixture *f, const char *ns, const char *group, const char *key, bool text, StoreError *e) {
        StoreValue v = {};
        int r;

        r = store_get(f->store, ns, group, key, text, &v, e);
        g_assert_cmpint(r, <, 0);
        g_assert_cmpint(e->code, ==, r);
        g_assert_cmpstr(e->message, !=, "");
        return r;
}

static inline StoreStat stat_of(Fixture *f, const char *ns, const char *group, const char *key) {
        StoreError e = {};
        StoreStat st = {};

        g_assert_cmpint(store_stat(f->store, ns, group, key, &st, &e), ==, 0);
        return st;
}

static inline uint64_t count(Fixture *f, const char *ns, const char *group) {
        StoreError e = {};
        uint64_t n = UINT64_MAX;

        g_assert_cmpint(store_count(f->store, ns, group, &n, &e), ==, 0);
        return n;
}

static inline uint64_t count_all(Fixture *f, const char *ns, const char *prefix) {
        StoreError e = {};
        uint64_t n = UINT64_MAX;

        g_assert_cmpint(store_count_all(f->store, ns, prefix, &n, &e), ==, 0);
        return n;
}

static inline int append_group(const char *group, void *userdata) {
        GString *out = userdata;

        if (out->len > 0)
                g_string_append_c(out, '|');
        g_string_append(out, group);
        return 0;
}

/* The groups as "a|b|c". */
static inline const char *groups(Fixture *f, const char *ns, const char *prefix) {
        GString *out = g_string_new(NULL);
        StoreError e = {};

        g_assert_cmpint(store_groups(f->store, ns, prefix, append_group, out, &e), ==, 0);
        return keep(f, g_string_free(out, FALSE));
}

static inline int append_entry(const char *key, const StoreValue *value, const StoreStat *st, void *userdata) {
        GString *out = userdata;

        g_assert_cmpuint(st->version, >, 0);
        g_assert_cmpint(((const char *)value->data)[value->len], ==, 0);
        if (out->len > 0)
                g_string_append_c(out, '|');
        g_string_append_printf(out, "%s=", key);
        append_value(out, value->data, value->len);
        return 0;
}

/* A page of a group as "k1=v1|k2=v2" (a binary value in hex). */
static inline const char *list_page(Fixture *f, const char *ns, const char *group, uint64_t offset, uint64_t limit) {
        GString *out = g_string_new(NULL);
        StoreError e = {};

        g_assert_cmpint(store_list(f->store, ns, group, offset, limit, false, append_entry, out, &e), ==, 0);
        return keep(f, g_string_free(out, FALSE));
}

/* The whole group, as GetAll returns it. */
static inline const char *list(Fixture *f, const char *ns, const char *group) {
        return list_page(f, ns, group, 0, UINT64_MAX);
}

/* ---- raw SQLite, to look at a file behind the store's back ---- */

/* The first column of the first row of `sql` on the database file, as text. */
static inline const char *sql_text(Fixture *f, const char *path, const char *sql) {
        sqlite3 *db = NULL;
        sqlite3_stmt *s = NULL;
        char *result;

        g_assert_cmpint(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
        g_assert_cmpint(sqlite3_prepare_v2(db, sql, -1, &s, NULL), ==, SQLITE_OK);
        g_assert_cmpint(sqlite3_step(s), ==, SQLITE_ROW);
        result = g_strdup((const char *)sqlite3_column_text(s, 0));
        sqlite3_finalize(s);
        g_assert_cmpint(sqlite3_close(db), ==, SQLITE_OK);
        return keep(f, result);
}

/* Runs `sql` (several statements) on a database file, creating it if needed. */
static inline void sql_exec(const char *path, const char *sql) {
        sqlite3 *db = NULL;
        char *message = NULL;
        int rc;

        g_assert_cmpint(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL), ==, SQLITE_OK);
        rc = sqlite3_exec(db, sql, NULL, NULL, &message);
        if (rc != SQLITE_OK)
                g_error("%s: %s", sql, message);
        g_assert_cmpint(sqlite3_close(db), ==, SQLITE_OK);
}
