/* SPDX-License-Identifier: MIT */

/* Namespaces and quotas in the storage layer (store.h), on a fake clock so that expiry needs no
 * sleeping, with an observer that records every change. The contract's rules:
 *
 *   - group g in namespace N is the group "N:g" of the whole store, whichever way it was written;
 *   - usage counts live entries: keys, groups with live keys, bytes = key + value lengths (group
 *     names are not counted);
 *   - a write in a namespace fails with QuotaExceeded, writing nothing, only when it would raise a
 *     counter past its limit: an upsert of an existing key is not a new key, a value that shrinks
 *     always fits, and 0 means unlimited;
 *   - writes at the root ignore quotas but are counted, so a namespace can stand over its limit and
 *     then only shrinks;
 *   - a namespace without a quota of its own gets the configured default.
 *
 * go-store's Quota_* cases are named where a test covers one. */

#include <glib.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <sqlite3.h>

#include "store.h"

#define SEC UINT64_C(1000000)
/* The fake clock starts at a real-looking wall-clock time (2023-11-14), far from 0. */
#define T0 (UINT64_C(1700000000) * SEC)

typedef struct Fixture {
        Store *store;
        uint64_t now; /* the fake clock */
        StoreQuota default_quota; /* zeros = unlimited */
        char *dir; /* of a file store; NULL for :memory: */
        char *path;
        GString *changes; /* what the observer saw since the last changes() */
        unsigned n_commits;
        GPtrArray *scratch; /* strings handed to assertions, freed at tear-down */
} Fixture;

static uint64_t fake_now(void *userdata) {
        Fixture *f = userdata;
        return f->now;
}

static const char *keep(Fixture *f, char *s) {
        g_ptr_array_add(f->scratch, s);
        return s;
}

/* Records each change as "type group/key=value @revision", separated by "; ". */
static void record_changes(const StoreChange *changes, size_t n, void *userdata) {
        Fixture *f = userdata;

        g_assert_cmpuint(n, >, 0);
        f->n_commits++;
        for (size_t i = 0; i < n; i++) {
                const StoreChange *c = &changes[i];

                g_assert_cmpuint(c->revision, ==, store_revision(f->store));
                if (f->changes->len > 0)
                        g_string_append(f->changes, "; ");
                g_string_append_printf(f->changes, "%s %s/%s=", store_change_type_to_string(c->type), c->group, c->key);
                g_string_append_len(f->changes, c->value, (gssize)c->value_len);
                g_string_append_printf(f->changes, " @%" PRIu64, c->revision);
        }
}

/* The changes seen since the last call ("" if none), and forgets them. */
static const char *changes(Fixture *f) {
        const char *seen = keep(f, g_string_free(f->changes, FALSE));

        f->changes = g_string_new(NULL);
        f->n_commits = 0;
        return seen;
}

static int compare_strings(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The changes since the last call in sorted order, for a commit whose order is not promised. */
static const char *sorted_changes(Fixture *f) {
        g_auto(GStrv) parts = g_strsplit(changes(f), "; ", -1);

        qsort(parts, g_strv_length(parts), sizeof(char *), compare_strings);
        return keep(f, g_strjoinv("; ", parts));
}

static void fixture_open(Fixture *f) {
        StoreOptions options = {
                .backend = { .path = f->path, .durability = BACKEND_DURABILITY_NORMAL },
                .default_quota = f->default_quota,
                .now_usec = fake_now,
                .now_userdata = f,
                .observer = record_changes,
                .observer_userdata = f,
        };
        StoreError e = {};

        g_assert_null(f->store);
        g_assert_cmpint(store_open(&options, &f->store, &e), ==, 0);
        g_assert_nonnull(f->store);
}

static void fixture_reopen(Fixture *f) {
        f->store = store_free(f->store);
        fixture_open(f);
}

static void fixture_init(Fixture *f, gconstpointer default_quota) {
        f->now = T0;
        f->changes = g_string_new(NULL);
        f->scratch = g_ptr_array_new_with_free_func(g_free);
        if (default_quota)
                f->default_quota = *(const StoreQuota *)default_quota;
}

/* A fresh ":memory:" store; the test data, if any, is the default quota. */
static void set_up_memory(Fixture *f, gconstpointer default_quota) {
        fixture_init(f, default_quota);
        f->path = g_strdup(":memory:");
        fixture_open(f);
}

/* A database file in a directory of its own, for what must survive a close. */
static void set_up_file(Fixture *f, gconstpointer default_quota) {
        g_autoptr(GError) error = NULL;

        fixture_init(f, default_quota);
        f->dir = g_dir_make_tmp("test-quota-XXXXXX", &error);
        g_assert_no_error(error);
        f->path = g_build_filename(f->dir, "store.db", NULL);
        fixture_open(f);
}

static void tear_down(Fixture *f, gconstpointer unused G_GNUC_UNUSED) {
        f->store = store_free(f->store);
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

/* A small default quota, for the tests of the default. */
static const StoreQuota default_two_keys = { .max_keys = 2 };

#define TEST(path, fn)                      g_test_add(path, Fixture, NULL, set_up_memory, fn, tear_down)
#define TEST_DEFAULT_QUOTA(path, quota, fn) g_test_add(path, Fixture, &(quota), set_up_memory, fn, tear_down)
#define TEST_FILE(path, fn)                 g_test_add(path, Fixture, NULL, set_up_file, fn, tear_down)

#define UNUSED gconstpointer unused G_GNUC_UNUSED

/* ---- calls that must succeed ---- */

static uint64_t set_bytes(Fixture *f, const char *ns, const char *group, const char *key, const void *value, size_t len,
        uint64_t ttl_usec) {
        StoreError e = {};
        uint64_t revision = UINT64_MAX;
        int r;

        r = store_set(f->store, ns, group, key, value, len, ttl_usec, &revision, &e);
        if (r < 0)
                g_error("set %s %s/%s failed: %s", ns ? ns : "(root)", group, key, e.message);
        g_assert_cmpuint(revision, ==, store_revision(f->store));
        return revision;
}

static uint64_t set_ttl(Fixture *f, const char *ns, const char *group, const char *key, const char *value,
        uint64_t ttl_usec) {
        return set_bytes(f, ns, group, key, value, strlen(value), ttl_usec);
}

static uint64_t set(Fixture *f, const char *ns, const char *group, const char *key, const char *value) {
        return set_ttl(f, ns, group, key, value, 0);
}

static uint64_t set_all(Fixture *f, const char *ns, const char *group, const StorePair *pairs, size_t n) {
        StoreError e = {};
        uint64_t revision = UINT64_MAX;

        if (store_set_all(f->store, ns, group, pairs, n, &revision, &e) < 0)
                g_error("set_all %s failed: %s", group, e.message);
        return revision;
}

static void del(Fixture *f, const char *ns, const char *group, const char *key) {
        StoreError e = {};
        uint64_t revision;

        g_assert_cmpint(store_delete(f->store, ns, group, key, &revision, &e), ==, 0);
}

static void delete_group(Fixture *f, const char *ns, const char *group) {
        StoreError e = {};
        uint64_t revision;

        g_assert_cmpint(store_delete_group(f->store, ns, group, &revision, &e), ==, 0);
}

static uint64_t delete_namespace(Fixture *f, const char *ns) {
        StoreError e = {};
        uint64_t revision = UINT64_MAX;

        g_assert_cmpint(store_delete_namespace(f->store, ns, &revision, &e), ==, 0);
        g_assert_cmpuint(revision, ==, store_revision(f->store));
        return revision;
}

static uint64_t purge(Fixture *f, const char *ns) {
        StoreError e = {};
        uint64_t n = UINT64_MAX;

        g_assert_cmpint(store_purge_expired(f->store, ns, &n, &e), ==, 0);
        return n;
}

static void quota_set(Fixture *f, const char *ns, uint64_t max_keys, uint64_t max_groups, uint64_t max_bytes) {
        StoreError e = {};

        g_assert_cmpint(store_quota_set(f->store, ns, &(StoreQuota){ max_keys, max_groups, max_bytes }, &e), ==, 0);
}

/* The text value of a live key, NULL if there is none. */
static const char *get(Fixture *f, const char *ns, const char *group, const char *key) {
        StoreError e = {};
        StoreValue v = {};
        int r;

        r = store_get(f->store, ns, group, key, false, &v, &e);
        if (r == -STORE_E_NOT_FOUND)
                return NULL;
        g_assert_cmpint(r, ==, 0);
        return keep(f, g_strndup(v.data, v.len));
}

static uint64_t count_all(Fixture *f, const char *ns, const char *prefix) {
        StoreError e = {};
        uint64_t n = UINT64_MAX;

        g_assert_cmpint(store_count_all(f->store, ns, prefix, &n, &e), ==, 0);
        return n;
}

static int append_group(const char *group, void *userdata) {
        GString *out = userdata;

        if (out->len > 0)
                g_string_append_c(out, '|');
        g_string_append(out, group);
        return 0;
}

static const char *groups(Fixture *f, const char *ns, const char *prefix) {
        GString *out = g_string_new(NULL);
        StoreError e = {};

        g_assert_cmpint(store_groups(f->store, ns, prefix, append_group, out, &e), ==, 0);
        return keep(f, g_string_free(out, FALSE));
}

/* A namespace's usage as "keys=K groups=G bytes=B". */
static const char *usage(Fixture *f, const char *ns) {
        StoreError e = {};
        StoreUsage u = { UINT64_MAX, UINT64_MAX, UINT64_MAX };

        g_assert_cmpint(store_namespace_usage(f->store, ns, &u, &e), ==, 0);
        return keep(f,
                g_strdup_printf("keys=%" PRIu64 " groups=%" PRIu64 " bytes=%" PRIu64, u.keys, u.groups, u.bytes));
}

/* The quota in force as "K/G/B explicit" or "K/G/B default". */
static const char *quota(Fixture *f, const char *ns) {
        StoreError e = {};
        StoreQuota q = { UINT64_MAX, UINT64_MAX, UINT64_MAX };
        bool explicit = false;

        g_assert_cmpint(store_quota_get(f->store, ns, &q, &explicit, &e), ==, 0);
        return keep(f, g_strdup_printf("%" PRIu64 "/%" PRIu64 "/%" PRIu64 " %s", q.max_keys, q.max_groups, q.max_bytes,
                               explicit ? "explicit" : "default"));
}

static int append_namespace(const char *ns, const StoreUsage *u, const StoreQuota *q, void *userdata) {
        GString *out = userdata;

        if (out->len > 0)
                g_string_append(out, "; ");
        g_string_append_printf(out,
                "%s keys=%" PRIu64 " groups=%" PRIu64 " bytes=%" PRIu64 " quota=%" PRIu64 "/%" PRIu64 "/%" PRIu64, ns,
                u->keys, u->groups, u->bytes, q->max_keys, q->max_groups, q->max_bytes);
        return 0;
}

/* Every listed namespace as "N keys=K groups=G bytes=B quota=K/G/B", separated by "; ". */
static const char *namespaces(Fixture *f) {
        GString *out = g_string_new(NULL);
        StoreError e = {};

        g_assert_cmpint(store_list_namespaces(f->store, append_namespace, out, &e), ==, 0);
        return keep(f, g_string_free(out, FALSE));
}

/* ---- writes that must fail on the quota, and change nothing ---- */

/* What a failed write must leave as it was. */
typedef struct Before {
        uint64_t revision;
        const char *usage;
        const char *value;
} Before;

static Before before(Fixture *f, const char *ns, const char *group, const char *key) {
        Before b;

        /* Reading first lets whatever the clock made due expire now, so that what follows is the
         * write's alone. */
        b.usage = usage(f, ns);
        b.value = get(f, ns, group, key);
        b.revision = store_revision(f->store);
        (void)changes(f);
        return b;
}

static void assert_unchanged(Fixture *f, const Before *b, const char *ns, const char *group, const char *key) {
        g_assert_cmpuint(store_revision(f->store), ==, b->revision);
        g_assert_cmpstr(usage(f, ns), ==, b->usage);
        g_assert_cmpstr(get(f, ns, group, key), ==, b->value);
        g_assert_cmpstr(changes(f), ==, "");
}

static void assert_quota_error(int r, const StoreError *e) {
        g_assert_cmpint(r, ==, -STORE_E_QUOTA);
        g_assert_cmpint(e->code, ==, r);
}

/* A set in namespace `ns` that must fail with QuotaExceeded and change nothing; returns the message. */
static const char *set_ttl_over_quota(Fixture *f, const char *ns, const char *group, const char *key, const char *value,
        uint64_t ttl_usec) {
        Before b = before(f, ns, group, key);
        StoreError e = {};
        uint64_t revision = UINT64_MAX;
        int r;

        r = store_set(f->store, ns, group, key, value, strlen(value), ttl_usec, &revision, &e);
        assert_quota_error(r, &e);
        /* The caller must be able to tell which namespace is full, and must get no revision. */
        g_assert_nonnull(strstr(e.message, ns));
        g_assert_cmpuint(revision, ==, UINT64_MAX);
        assert_unchanged(f, &b, ns, group, key);
        return keep(f, g_strdup(e.message));
}

static const char *set_over_quota(Fixture *f, const char *ns, const char *group, const char *key, const char *value) {
        return set_ttl_over_quota(f, ns, group, key, value, 0);
}

/* ---- MaxKeys ---- */

/* go-store Quota_Good_MaxKeys (the first five) */
static void test_max_keys_writes_up_to_the_limit_succeed(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 5, 0, 0);
        for (int i = 0; i < 5; i++) {
                g_autofree char *key = g_strdup_printf("k%d", i);
                set(f, "tenant-a", "g", key, "v");
        }
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=5 groups=1 bytes=15");
}

/* go-store Quota_Good_MaxKeys (the sixth) */
static void test_max_keys_write_past_the_limit_fails(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 5, 0, 0);
        for (int i = 0; i < 5; i++) {
                g_autofree char *key = g_strdup_printf("k%d", i);
                set(f, "tenant-a", "g", key, "v");
        }
        g_assert_nonnull(strstr(set_over_quota(f, "tenant-a", "g", "k5", "v"), "keys"));
        g_assert_null(get(f, "tenant-a", "g", "k5"));
}

/* go-store Quota_Good_MaxKeys_AcrossGroups */
static void test_max_keys_counts_across_groups(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 3, 0, 0);
        set(f, "tenant-a", "g1", "a", "1");
        set(f, "tenant-a", "g2", "b", "2");
        set(f, "tenant-a", "g3", "c", "3");
        set_over_quota(f, "tenant-a", "g4", "d", "4");
        set_over_quota(f, "tenant-a", "g1", "e", "5");
}

/* go-store Quota_Good_UpsertDoesNotCount */
static void test_max_keys_upsert_at_the_limit_succeeds(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 2, 0, 0);
        set(f, "tenant-a", "g", "a", "1");
        set(f, "tenant-a", "g", "b", "2");
        set(f, "tenant-a", "g", "a", "one");
        g_assert_cmpstr(get(f, "tenant-a", "g", "a"), ==, "one");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=2 groups=1 bytes=6");
}

/* go-store Quota_Good_DeleteAndReInsert */
static void test_max_keys_delete_frees_a_slot(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 2, 0, 0);
        set(f, "tenant-a", "g", "a", "1");
        set(f, "tenant-a", "g", "b", "2");
        set_over_quota(f, "tenant-a", "g", "c", "3");
        del(f, "tenant-a", "g", "a");
        set(f, "tenant-a", "g", "c", "3");
        g_assert_cmpstr(get(f, "tenant-a", "g", "c"), ==, "3");
}

/* go-store Quota_Good_ZeroMeansUnlimited */
static void test_max_keys_zero_means_unlimited(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 0, 100, 100000);
        for (int i = 0; i < 200; i++) {
                g_autofree char *key = g_strdup_printf("k%d", i);
                set(f, "tenant-a", "g", key, "v");
        }
        g_assert_cmpuint(count_all(f, "tenant-a", ""), ==, 200);
}

/* go-store Quota_Good_ExpiredKeysExcluded: a namespace at its limit whose entries expired can write. */
static void test_max_keys_expired_keys_do_not_count(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 2, 0, 0);
        set_ttl(f, "tenant-a", "g", "a", "1", 10 * SEC);
        set_ttl(f, "tenant-a", "g", "b", "2", 10 * SEC);
        f->now += 10 * SEC; /* live means expires_usec > now: the deadline itself is past */
        set(f, "tenant-a", "g", "c", "3");
        set(f, "tenant-a", "g", "d", "4");
        set_over_quota(f, "tenant-a", "g", "e", "5");
}

static void test_max_keys_key_before_its_deadline_still_counts(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 1, 0, 0);
        set_ttl(f, "tenant-a", "g", "a", "1", 10 * SEC);
        f->now += 10 * SEC - 1;
        set_over_quota(f, "tenant-a", "g", "b", "2");
}

/* go-store Quota_Good_SetWithTTL_Enforced */
static void test_max_keys_set_with_ttl_is_enforced(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 2, 0, 0);
        set(f, "tenant-a", "g", "a", "1");
        set_ttl(f, "tenant-a", "g", "b", "2", 10 * SEC);
        set_ttl_over_quota(f, "tenant-a", "g", "c", "3", 10 * SEC);
}

static void test_max_keys_binary_set_is_enforced(Fixture *f, UNUSED) {
        StoreError e = {};
        uint64_t revision;

        quota_set(f, "tenant-a", 1, 0, 0);
        set(f, "tenant-a", "g", "a", "1");
        assert_quota_error(store_set(f->store, "tenant-a", "g", "b", "\0\xff", 2, 0, &revision, &e), &e);
        g_assert_null(get(f, "tenant-a", "g", "b"));
}

/* ---- MaxGroups ---- */

/* go-store Quota_Good_MaxGroups */
static void test_max_groups_fourth_new_group_fails(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 0, 3, 0);
        set(f, "tenant-a", "g1", "k", "v");
        set(f, "tenant-a", "g2", "k", "v");
        set(f, "tenant-a", "g3", "k", "v");
        g_assert_nonnull(strstr(set_over_quota(f, "tenant-a", "g4", "k", "v"), "groups"));
        g_assert_cmpstr(groups(f, "tenant-a", ""), ==, "g1|g2|g3");
}

/* go-store Quota_Good_MaxGroups_ExistingGroupOK */
static void test_max_groups_new_keys_into_existing_groups_succeed_at_the_limit(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 0, 2, 0);
        set(f, "tenant-a", "g1", "a", "1");
        set(f, "tenant-a", "g2", "a", "1");
        set(f, "tenant-a", "g1", "b", "2");
        set(f, "tenant-a", "g2", "b", "2");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=4 groups=2 bytes=8");
}

/* go-store Quota_Good_MaxGroups_DeleteAndRecreate */
static void test_max_groups_delete_group_frees_a_slot(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 0, 2, 0);
        set(f, "tenant-a", "g1", "a", "1");
        set(f, "tenant-a", "g1", "b", "2");
        set(f, "tenant-a", "g2", "a", "1");
        set_over_quota(f, "tenant-a", "g3", "a", "1");
        delete_group(f, "tenant-a", "g1");
        set(f, "tenant-a", "g3", "a", "1");
        g_assert_cmpstr(groups(f, "tenant-a", ""), ==, "g2|g3");
}

static void test_max_groups_deleting_a_groups_last_key_frees_a_slot(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 0, 1, 0);
        set(f, "tenant-a", "g1", "a", "1");
        set(f, "tenant-a", "g1", "b", "2");
        del(f, "tenant-a", "g1", "a");
        set_over_quota(f, "tenant-a", "g2", "a", "1"); /* g1 still holds b */
        del(f, "tenant-a", "g1", "b");
        set(f, "tenant-a", "g2", "a", "1");
}

/* go-store Quota_Good_MaxGroups_ZeroUnlimited */
static void test_max_groups_zero_means_unlimited(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 1000, 0, 100000);
        for (int i = 0; i < 50; i++) {
                g_autofree char *group = g_strdup_printf("g%d", i);
                set(f, "tenant-a", group, "k", "v");
        }
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=50 groups=50 bytes=100");
}

/* go-store Quota_Good_MaxGroups_ExpiredGroupExcluded */
static void test_max_groups_group_whose_keys_all_expired_does_not_count(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 0, 2, 0);
        set(f, "tenant-a", "g1", "k", "v");
        set_ttl(f, "tenant-a", "g2", "a", "1", 5 * SEC);
        set_ttl(f, "tenant-a", "g2", "b", "2", 6 * SEC);
        f->now += 6 * SEC;
        set(f, "tenant-a", "g3", "k", "v");
        g_assert_cmpstr(groups(f, "tenant-a", ""), ==, "g1|g3");
}

static void test_max_groups_group_with_one_live_key_still_counts(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 0, 2, 0);
        set(f, "tenant-a", "g1", "k", "v");
        set_ttl(f, "tenant-a", "g2", "a", "1", 5 * SEC);
        set(f, "tenant-a", "g2", "b", "2");
        f->now += 5 * SEC;
        set_over_quota(f, "tenant-a", "g3", "k", "v");
}

/* ---- MaxBytes ---- */

static void test_max_bytes_count_key_and_value_not_group_name(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 0, 0, 10);
        set(f, "tenant-a", "a-rather-long-group-name", "kk", "vvvvvvvv");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=1 groups=1 bytes=10");
}

static void test_max_bytes_write_past_the_limit_fails(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 0, 0, 10);
        set(f, "tenant-a", "g", "k", "123456789");
        g_assert_nonnull(strstr(set_over_quota(f, "tenant-a", "g", "x", ""), "bytes"));
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=1 groups=1 bytes=10");
}

static void test_max_bytes_count_bytes_not_characters(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 0, 0, 4);
        set(f, "tenant-a", "g", "é", "é");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=1 groups=1 bytes=4");
        set_over_quota(f, "tenant-a", "g", "a", "");
}

static void test_max_bytes_binary_value_counts_every_byte(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 0, 0, 4);
        set_bytes(f, "tenant-a", "g", "k", "\0\0\xff", 3, 0);
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=1 groups=1 bytes=4");
}

static void test_max_bytes_growing_value_within_the_limit_succeeds(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 0, 0, 10);
        set(f, "tenant-a", "g", "k", "12345");
        set(f, "tenant-a", "g", "k", "123456789");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=1 groups=1 bytes=10");
}

static void test_max_bytes_growing_value_past_the_limit_fails(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 0, 0, 10);
        set(f, "tenant-a", "g", "k", "12345");
        set_over_quota(f, "tenant-a", "g", "k", "1234567890");
        g_assert_cmpstr(get(f, "tenant-a", "g", "k"), ==, "12345");
}

/* A namespace over its byte limit (root writes are not checked) may still shrink. */
static void test_max_bytes_shrinking_value_fits_over_the_limit(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 0, 0, 10);
        set(f, NULL, "tenant-a:g", "k", "0123456789abcdef");
        set(f, "tenant-a", "g", "k", "short");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=1 groups=1 bytes=6");
}

static void test_max_bytes_still_over_after_shrinking_can_shrink_again(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 0, 0, 4);
        set(f, NULL, "tenant-a:g", "k", "0123456789abcdef");
        set(f, "tenant-a", "g", "k", "0123456789");
        set(f, "tenant-a", "g", "k", "01234");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=1 groups=1 bytes=6");
}

/* go-store Quota_Good_ZeroMeansUnlimited, for bytes */
static void test_max_bytes_zero_means_unlimited(Fixture *f, UNUSED) {
        g_autofree char *big = g_strnfill(100000, 'x');

        quota_set(f, "tenant-a", 10, 10, 0);
        set(f, "tenant-a", "g", "k", big);
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=1 groups=1 bytes=100001");
}

/* ---- several limits ---- */

/* go-store Quota_Good_BothLimits */
static void test_both_limits_group_limit_first_leaves_existing_groups_writable(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 10, 2, 0);
        set(f, "tenant-a", "g1", "a", "1");
        set(f, "tenant-a", "g2", "b", "2");
        g_assert_nonnull(strstr(set_over_quota(f, "tenant-a", "g3", "c", "3"), "groups"));
        set(f, "tenant-a", "g1", "d", "4");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=3 groups=2 bytes=6");
}

static void test_both_limits_key_limit_first(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 2, 10, 0);
        set(f, "tenant-a", "g1", "a", "1");
        set(f, "tenant-a", "g2", "b", "2");
        g_assert_nonnull(strstr(set_over_quota(f, "tenant-a", "g3", "c", "3"), "keys"));
}

/* ---- namespaces are separate ---- */

/* go-store Quota_Good_DoesNotAffectOtherNamespaces */
static void test_per_namespace_limit_does_not_touch_other_namespaces(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 1, 0, 0);
        set(f, "tenant-a", "g", "a", "1");
        set(f, "tenant-b", "g", "a", "1");
        set(f, "tenant-b", "g", "b", "2");
        set(f, "tenant-b", "g", "c", "3");
        set_over_quota(f, "tenant-a", "g", "b", "2");
}

static void test_per_namespace_usage_of_one_does_not_count_for_another(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 2, 1, 4);
        set(f, "tenant-b", "g1", "a", "1");
        set(f, "tenant-b", "g2", "b", "2");
        set(f, "tenant-b", "g3", "c", "3");
        set(f, "tenant-a", "g", "a", "1");
        set(f, "tenant-a", "g", "b", "2");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=2 groups=1 bytes=4");
        g_assert_cmpstr(usage(f, "tenant-b"), ==, "keys=3 groups=3 bytes=6");
}

/* "tenant-a:" is the prefix of tenant-a's groups; "tenant-ab:…" is another namespace. */
static void test_per_namespace_names_sharing_a_prefix_are_separate(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 1, 0, 0);
        set(f, "tenant-ab", "g", "a", "1");
        set(f, "tenant-ab", "g", "b", "2");
        set(f, "tenant-a", "g", "a", "1");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=1 groups=1 bytes=2");
        g_assert_cmpstr(usage(f, "tenant-ab"), ==, "keys=2 groups=1 bytes=4");
}

/* ---- writes at the root ---- */

static void test_root_writes_ignore_the_quota(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 1, 1, 4);
        set(f, NULL, "tenant-a:g", "a", "1");
        set(f, NULL, "tenant-a:g", "b", "2");
        set(f, NULL, "tenant-a:h", "c", "a longer value");
        g_assert_cmpstr(get(f, "tenant-a", "h", "c"), ==, "a longer value");
}

static void test_root_writes_are_counted(Fixture *f, UNUSED) {
        set(f, NULL, "tenant-a:g", "a", "1");
        set(f, NULL, "tenant-a:g", "b", "2");
        set(f, NULL, "tenant-a:h", "c", "333");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=3 groups=2 bytes=8");
}

static void test_root_writes_and_namespace_writes_are_one_entry(Fixture *f, UNUSED) {
        set(f, "tenant-a", "g", "k", "scoped");
        set(f, NULL, "tenant-a:g", "k", "root");
        g_assert_cmpstr(get(f, "tenant-a", "g", "k"), ==, "root");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=1 groups=1 bytes=5");
}

/* Over its key limit through root writes: no new key, no new group. */
static void test_over_limit_namespace_cannot_grow(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 1, 1, 0);
        set(f, NULL, "tenant-a:g", "a", "1");
        set(f, NULL, "tenant-a:g", "b", "2");
        set(f, NULL, "tenant-a:h", "c", "3");
        set_over_quota(f, "tenant-a", "g", "new", "x");
        set_over_quota(f, "tenant-a", "new", "k", "x");
}

static void test_over_limit_namespace_can_delete(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 1, 1, 0);
        set(f, NULL, "tenant-a:g", "a", "1");
        set(f, NULL, "tenant-a:g", "b", "2");
        set(f, NULL, "tenant-a:h", "c", "3");
        del(f, "tenant-a", "g", "a");
        delete_group(f, "tenant-a", "h");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=1 groups=1 bytes=2");
}

static void test_over_limit_namespace_can_rewrite_a_key_in_place(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 1, 1, 4);
        set(f, NULL, "tenant-a:g", "a", "111");
        set(f, NULL, "tenant-a:g", "b", "222");
        set(f, "tenant-a", "g", "a", "999");
        set(f, "tenant-a", "g", "b", "2");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=2 groups=1 bytes=6");
}

static void test_over_limit_namespace_value_cannot_grow(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 0, 0, 4);
        set(f, NULL, "tenant-a:g", "a", "12345");
        set_over_quota(f, "tenant-a", "g", "a", "123456");
}

/* An identical write raises no counter, so over the limit it still succeeds, as a no-op: no new
 * revision, no change reported. */
static void test_over_limit_identical_write_is_a_no_op(Fixture *f, UNUSED) {
        uint64_t revision;

        quota_set(f, "tenant-a", 1, 0, 0);
        set(f, NULL, "tenant-a:g", "a", "1");
        revision = set(f, NULL, "tenant-a:g", "b", "2");
        (void)changes(f);
        g_assert_cmpuint(set(f, "tenant-a", "g", "a", "1"), ==, revision);
        g_assert_cmpstr(changes(f), ==, "");
}

/* Groups that are not "N:…" for a valid N belong to no namespace and count for none. */
static void test_root_groups_outside_namespaces_are_not_counted(Fixture *f, UNUSED) {
        set(f, NULL, "noprefix", "k", "v");
        set(f, NULL, ":x", "k", "v");
        set(f, NULL, "bad_name:x", "k", "v");
        set(f, NULL, "self:x", "k", "v");
        g_assert_cmpstr(namespaces(f), ==, "");
}

/* ---- SetAll: all or nothing ---- */

static void test_set_all_within_the_quota_writes_every_entry(Fixture *f, UNUSED) {
        static const StorePair pairs[] = { { "a", "1" }, { "b", "2" }, { "c", "3" } };

        quota_set(f, "tenant-a", 3, 0, 0);
        set_all(f, "tenant-a", "g", pairs, G_N_ELEMENTS(pairs));
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=3 groups=1 bytes=6");
}

static void test_set_all_past_the_quota_writes_nothing(Fixture *f, UNUSED) {
        static const StorePair pairs[] = { { "b", "2" }, { "c", "3" }, { "d", "4" } };
        StoreError e = {};
        uint64_t revision;
        Before b;

        quota_set(f, "tenant-a", 3, 0, 0);
        set(f, "tenant-a", "g", "a", "1");
        b = before(f, "tenant-a", "g", "a");
        assert_quota_error(store_set_all(f->store, "tenant-a", "g", pairs, G_N_ELEMENTS(pairs), &revision, &e), &e);
        assert_unchanged(f, &b, "tenant-a", "g", "a");
        g_assert_null(get(f, "tenant-a", "g", "b"));
        g_assert_null(get(f, "tenant-a", "g", "c"));
        g_assert_null(get(f, "tenant-a", "g", "d"));
}

static void test_set_all_past_the_byte_quota_keeps_old_values(Fixture *f, UNUSED) {
        static const StorePair pairs[] = { { "a", "x" }, { "b", "a much longer value" } };
        StoreError e = {};
        uint64_t revision;
        Before b;

        quota_set(f, "tenant-a", 0, 0, 8);
        set(f, "tenant-a", "g", "a", "111");
        set(f, "tenant-a", "g", "b", "2");
        b = before(f, "tenant-a", "g", "a");
        assert_quota_error(store_set_all(f->store, "tenant-a", "g", pairs, G_N_ELEMENTS(pairs), &revision, &e), &e);
        assert_unchanged(f, &b, "tenant-a", "g", "a");
        g_assert_cmpstr(get(f, "tenant-a", "g", "b"), ==, "2");
}

static void test_set_all_existing_keys_are_not_new(Fixture *f, UNUSED) {
        static const StorePair pairs[] = { { "a", "one" }, { "b", "two" }, { "c", "three" } };

        quota_set(f, "tenant-a", 3, 0, 0);
        set(f, "tenant-a", "g", "a", "1");
        set(f, "tenant-a", "g", "b", "2");
        set_all(f, "tenant-a", "g", pairs, G_N_ELEMENTS(pairs));
        g_assert_cmpstr(get(f, "tenant-a", "g", "c"), ==, "three");
}

/* ---- a failed write changes nothing ---- */

static void test_failed_write_leaves_usage_revision_value_and_events(Fixture *f, UNUSED) {
        StoreError e = {};
        uint64_t revision = UINT64_MAX, previous;
        const char *usage_before;

        quota_set(f, "tenant-a", 0, 0, 6);
        previous = set(f, "tenant-a", "g", "k", "small");
        usage_before = usage(f, "tenant-a");
        (void)changes(f);

        assert_quota_error(store_set(f->store, "tenant-a", "g", "k", "far too large", 13, 0, &revision, &e), &e);
        g_assert_cmpuint(store_revision(f->store), ==, previous);
        g_assert_cmpstr(usage(f, "tenant-a"), ==, usage_before);
        g_assert_cmpstr(get(f, "tenant-a", "g", "k"), ==, "small");
        g_assert_cmpstr(changes(f), ==, "");
}

static void test_failed_write_leaves_the_entry_version(Fixture *f, UNUSED) {
        StoreError e = {};
        StoreStat st = {};

        quota_set(f, "tenant-a", 0, 0, 6);
        set(f, "tenant-a", "g", "k", "small");
        set_over_quota(f, "tenant-a", "g", "k", "far too large");
        g_assert_cmpint(store_stat(f->store, "tenant-a", "g", "k", &st, &e), ==, 0);
        g_assert_cmpuint(st.version, ==, 1);
}

static void test_failed_write_next_write_gets_the_next_revision(Fixture *f, UNUSED) {
        uint64_t previous;

        quota_set(f, "tenant-a", 1, 0, 0);
        previous = set(f, "tenant-a", "g", "a", "1");
        set_over_quota(f, "tenant-a", "g", "b", "2");
        g_assert_cmpuint(set(f, "tenant-b", "g", "b", "2"), ==, previous + 1);
        g_assert_cmpstr(changes(f), ==, "set tenant-b:g/b=2 @2");
}

/* ---- the default quota ---- */

static void test_default_applies_to_a_namespace_without_a_quota(Fixture *f, UNUSED) {
        set(f, "tenant-a", "g", "a", "1");
        set(f, "tenant-a", "g", "b", "2");
        set_over_quota(f, "tenant-a", "g", "c", "3");
}

static void test_default_is_the_quota_in_force(Fixture *f, UNUSED) {
        g_assert_cmpstr(quota(f, "tenant-a"), ==, "2/0/0 default");
}

static void test_default_replaced_by_an_explicit_quota(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 3, 0, 0);
        g_assert_cmpstr(quota(f, "tenant-a"), ==, "3/0/0 explicit");
        g_assert_cmpstr(quota(f, "tenant-b"), ==, "2/0/0 default");
        set(f, "tenant-a", "g", "a", "1");
        set(f, "tenant-a", "g", "b", "2");
        set(f, "tenant-a", "g", "c", "3");
        set_over_quota(f, "tenant-a", "g", "d", "4");
}

/* SetQuota(…, 0, 0, 0) means unlimited, not "use the default". */
static void test_default_explicit_zeros_mean_unlimited(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 0, 0, 0);
        g_assert_cmpstr(quota(f, "tenant-a"), ==, "0/0/0 explicit");
        for (int i = 0; i < 10; i++) {
                g_autofree char *key = g_strdup_printf("k%d", i);
                set(f, "tenant-a", "g", key, "v");
        }
}

static void test_default_does_not_apply_at_the_root(Fixture *f, UNUSED) {
        set(f, NULL, "tenant-a:g", "a", "1");
        set(f, NULL, "tenant-a:g", "b", "2");
        set(f, NULL, "tenant-a:g", "c", "3");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=3 groups=1 bytes=6");
}

static void test_default_unlimited_when_not_configured(Fixture *f, UNUSED) {
        g_assert_cmpstr(quota(f, "tenant-a"), ==, "0/0/0 default");
}

/* ---- setting a quota ---- */

static void test_quota_set_below_usage_keeps_the_data(Fixture *f, UNUSED) {
        set(f, "tenant-a", "g", "a", "1");
        set(f, "tenant-a", "g", "b", "2");
        set(f, "tenant-a", "g", "c", "3");
        quota_set(f, "tenant-a", 1, 0, 0);
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=3 groups=1 bytes=6");
        set_over_quota(f, "tenant-a", "g", "d", "4");
        del(f, "tenant-a", "g", "a");
}

static void test_quota_set_is_not_a_data_change(Fixture *f, UNUSED) {
        uint64_t revision = set(f, "tenant-a", "g", "a", "1");

        (void)changes(f);
        quota_set(f, "tenant-a", 5, 5, 5);
        g_assert_cmpuint(store_revision(f->store), ==, revision);
        g_assert_cmpstr(changes(f), ==, "");
}

static void test_quota_set_replaces_the_previous_quota(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 5, 6, 7);
        quota_set(f, "tenant-a", 1, 0, 3);
        g_assert_cmpstr(quota(f, "tenant-a"), ==, "1/0/3 explicit");
}

static void test_quota_set_keeps_the_usage(Fixture *f, UNUSED) {
        set(f, "tenant-a", "g", "a", "1");
        quota_set(f, "tenant-a", 5, 5, 5);
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=1 groups=1 bytes=2");
}

/* ---- persistence ---- */

static void test_persistence_explicit_quota_survives_reopen(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 2, 3, 400);
        fixture_reopen(f);
        g_assert_cmpstr(quota(f, "tenant-a"), ==, "2/3/400 explicit");
        set(f, "tenant-a", "g", "a", "1");
        set(f, "tenant-a", "g", "b", "2");
        set_over_quota(f, "tenant-a", "g", "c", "3");
}

static void test_persistence_usage_survives_reopen(Fixture *f, UNUSED) {
        set(f, "tenant-a", "g", "a", "1");
        set(f, "tenant-a", "h", "bb", "22");
        fixture_reopen(f);
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=2 groups=2 bytes=6");
}

static void sql_exec(const char *path, const char *sql) {
        sqlite3 *db = NULL;
        char *message = NULL;

        g_assert_cmpint(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
        if (sqlite3_exec(db, sql, NULL, NULL, &message) != SQLITE_OK)
                g_error("%s: %s", sql, message);
        g_assert_cmpint(sqlite3_close(db), ==, SQLITE_OK);
}

/* A database written before the counters existed has no records: the store counts the rows on open. */
static void test_persistence_usage_counted_for_a_database_without_counters(Fixture *f, UNUSED) {
        set(f, "tenant-a", "g", "a", "1");
        set(f, "tenant-a", "h", "bb", "22");
        set(f, NULL, "tenant-b:g", "k", "v");
        set(f, NULL, "noprefix", "k", "v");
        f->store = store_free(f->store);
        sql_exec(f->path, "DELETE FROM namespaces; DELETE FROM meta WHERE name = 'usage_counted';");
        fixture_open(f);
        g_assert_cmpstr(namespaces(f), ==,
                "tenant-a keys=2 groups=2 bytes=6 quota=0/0/0; tenant-b keys=1 groups=1 bytes=2 "
                "quota=0/0/0");
}

/* ---- usage counters ---- */

static void test_usage_empty_namespace_is_zero(Fixture *f, UNUSED) {
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=0 groups=0 bytes=0");
}

static void test_usage_set_counts_key_group_and_bytes(Fixture *f, UNUSED) {
        set(f, "tenant-a", "g", "key", "value");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=1 groups=1 bytes=8");
        set(f, "tenant-a", "g", "k2", "");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=2 groups=1 bytes=10");
        set(f, "tenant-a", "h", "", "v");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=3 groups=2 bytes=11");
}

static void test_usage_upsert_changes_only_bytes(Fixture *f, UNUSED) {
        set(f, "tenant-a", "g", "k", "12345");
        set(f, "tenant-a", "g", "k", "12");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=1 groups=1 bytes=3");
        set(f, "tenant-a", "g", "k", "1234567");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=1 groups=1 bytes=8");
}

static void test_usage_identical_write_changes_nothing(Fixture *f, UNUSED) {
        set(f, "tenant-a", "g", "k", "v");
        set(f, "tenant-a", "g", "k", "v");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=1 groups=1 bytes=2");
}

static void test_usage_delete_removes_the_key_and_its_bytes(Fixture *f, UNUSED) {
        set(f, "tenant-a", "g", "a", "1");
        set(f, "tenant-a", "g", "bb", "22");
        del(f, "tenant-a", "g", "bb");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=1 groups=1 bytes=2");
}

static void test_usage_delete_of_a_missing_key_changes_nothing(Fixture *f, UNUSED) {
        set(f, "tenant-a", "g", "a", "1");
        del(f, "tenant-a", "g", "missing");
        del(f, "tenant-a", "missing", "a");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=1 groups=1 bytes=2");
}

static void test_usage_delete_of_the_last_key_removes_the_group(Fixture *f, UNUSED) {
        set(f, "tenant-a", "g", "a", "1");
        set(f, "tenant-a", "h", "a", "1");
        del(f, "tenant-a", "g", "a");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=1 groups=1 bytes=2");
}

static void test_usage_delete_group_removes_its_keys_and_bytes(Fixture *f, UNUSED) {
        set(f, "tenant-a", "g", "a", "1");
        set(f, "tenant-a", "g", "bb", "22");
        set(f, "tenant-a", "h", "c", "3");
        delete_group(f, "tenant-a", "g");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=1 groups=1 bytes=2");
}

/* The bytes a group takes away are counted as they were added: bytes, not characters. */
static void test_usage_delete_group_counts_bytes_not_characters(Fixture *f, UNUSED) {
        set(f, "tenant-a", "g", "é", "ü€");
        set(f, "tenant-a", "h", "k", "v");
        delete_group(f, "tenant-a", "g");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=1 groups=1 bytes=2");
}

static void test_usage_delete_group_with_expired_keys(Fixture *f, UNUSED) {
        set(f, "tenant-a", "g", "a", "1");
        set_ttl(f, "tenant-a", "g", "b", "2", 1 * SEC);
        f->now += 2 * SEC;
        delete_group(f, "tenant-a", "g");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=0 groups=0 bytes=0");
}

static void test_usage_expiry_removes_keys_and_emptied_groups(Fixture *f, UNUSED) {
        StoreError e = {};

        set(f, "tenant-a", "g", "a", "1");
        set_ttl(f, "tenant-a", "g", "b", "22", 1 * SEC);
        set_ttl(f, "tenant-a", "h", "c", "3", 1 * SEC);
        f->now += 1 * SEC;
        g_assert_cmpint(store_expire_due(f->store, &e), ==, 0);
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=1 groups=1 bytes=2");
}

/* Expired entries count for nothing even before anything removed them. */
static void test_usage_excludes_expired_entries_at_once(Fixture *f, UNUSED) {
        set(f, "tenant-a", "g", "a", "1");
        set_ttl(f, "tenant-a", "h", "c", "3", 1 * SEC);
        f->now += 1 * SEC;
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=1 groups=1 bytes=2");
}

static void test_usage_purge_removes_expired_entries(Fixture *f, UNUSED) {
        set(f, "tenant-a", "g", "a", "1");
        set_ttl(f, "tenant-a", "g", "b", "22", 1 * SEC);
        set_ttl(f, "tenant-a", "h", "c", "3", 1 * SEC);
        f->now += 1 * SEC;
        (void)purge(f, "tenant-a");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=1 groups=1 bytes=2");
}

static void test_usage_ttl_replaced_by_set_keeps_counting(Fixture *f, UNUSED) {
        set_ttl(f, "tenant-a", "g", "a", "1", 1 * SEC);
        set(f, "tenant-a", "g", "a", "1");
        f->now += 2 * SEC;
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=1 groups=1 bytes=2");
}

static void test_usage_set_all_counts_each_new_key(Fixture *f, UNUSED) {
        static const StorePair pairs[] = { { "a", "1" }, { "bb", "22" }, { "c", "" } };

        set(f, "tenant-a", "g", "a", "old");
        set_all(f, "tenant-a", "g", pairs, G_N_ELEMENTS(pairs));
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=3 groups=1 bytes=7");
}

static void test_usage_group_names_with_colons_belong_to_the_first_prefix(Fixture *f, UNUSED) {
        set(f, "tenant-a", "b:c", "k", "v");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=1 groups=1 bytes=2");
        g_assert_cmpstr(usage(f, "b"), ==, "keys=0 groups=0 bytes=0");
}

/* ---- listing namespaces ---- */

static void test_list_shows_namespaces_holding_data_by_name(Fixture *f, UNUSED) {
        set(f, "tenant-b", "g", "k", "v");
        set(f, "tenant-a", "g", "a", "1");
        set(f, "tenant-a", "h", "bb", "22");
        quota_set(f, "tenant-b", 7, 8, 9);
        g_assert_cmpstr(namespaces(f), ==,
                "tenant-a keys=2 groups=2 bytes=6 quota=0/0/0; tenant-b keys=1 groups=1 bytes=2 "
                "quota=7/8/9");
}

static void test_list_shows_a_namespace_with_only_a_quota(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 1, 2, 3);
        g_assert_cmpstr(namespaces(f), ==, "tenant-a keys=0 groups=0 bytes=0 quota=1/2/3");
}

static void test_list_omits_a_namespace_emptied_by_deletes(Fixture *f, UNUSED) {
        set(f, "tenant-a", "g", "a", "1");
        set(f, "tenant-b", "g", "a", "1");
        set(f, "tenant-b", "h", "a", "1");
        del(f, "tenant-a", "g", "a");
        delete_group(f, "tenant-b", "g");
        delete_group(f, "tenant-b", "h");
        g_assert_cmpstr(namespaces(f), ==, "");
}

static void test_list_omits_a_namespace_whose_entries_expired(Fixture *f, UNUSED) {
        set(f, "tenant-a", "g", "a", "1");
        set_ttl(f, "tenant-b", "g", "a", "1", 1 * SEC);
        f->now += 1 * SEC;
        g_assert_cmpstr(namespaces(f), ==, "tenant-a keys=1 groups=1 bytes=2 quota=0/0/0");
}

static void test_list_reports_the_default_quota_for_namespaces_without_one(Fixture *f, UNUSED) {
        set(f, "tenant-a", "g", "a", "1");
        quota_set(f, "tenant-b", 5, 0, 0);
        g_assert_cmpstr(namespaces(f), ==,
                "tenant-a keys=1 groups=1 bytes=2 quota=2/0/0; tenant-b keys=0 groups=0 bytes=0 "
                "quota=5/0/0");
}

/* ---- deleting a namespace ---- */

static void fill_tenant_a(Fixture *f) {
        set(f, "tenant-a", "g1", "a", "1");
        set(f, "tenant-a", "g1", "b", "2");
        set(f, "tenant-a", "g2", "c", "3");
        set(f, NULL, "tenant-a:g3", "d", "4");
        quota_set(f, "tenant-a", 10, 10, 100);
        (void)changes(f);
}

static void test_delete_namespace_removes_every_group(Fixture *f, UNUSED) {
        fill_tenant_a(f);
        delete_namespace(f, "tenant-a");
        g_assert_cmpuint(count_all(f, "tenant-a", ""), ==, 0);
        g_assert_cmpstr(groups(f, NULL, ""), ==, "");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=0 groups=0 bytes=0");
}

static void test_delete_namespace_emits_one_delete_group_per_group_in_one_revision(Fixture *f, UNUSED) {
        uint64_t previous, revision;

        fill_tenant_a(f);
        previous = store_revision(f->store);
        revision = delete_namespace(f, "tenant-a");
        g_assert_cmpuint(revision, ==, previous + 1);
        g_assert_cmpuint(f->n_commits, ==, 1);
        g_autofree char *expected =
                g_strdup_printf("delete_group tenant-a:g1/= @%" PRIu64 "; delete_group tenant-a:g2/= @%" PRIu64
                                "; delete_group tenant-a:g3/= @%" PRIu64,
                        revision, revision, revision);
        g_assert_cmpstr(sorted_changes(f), ==, expected);
}

static void test_delete_namespace_removes_the_quota(Fixture *f, UNUSED) {
        fill_tenant_a(f);
        delete_namespace(f, "tenant-a");
        g_assert_cmpstr(quota(f, "tenant-a"), ==, "0/0/0 default");
}

static void test_delete_namespace_removes_the_record(Fixture *f, UNUSED) {
        fill_tenant_a(f);
        set(f, "tenant-b", "g", "k", "v");
        delete_namespace(f, "tenant-a");
        g_assert_cmpstr(namespaces(f), ==, "tenant-b keys=1 groups=1 bytes=2 quota=0/0/0");
}

/* With a default configured, the namespace falls back to it, not to unlimited. */
static void test_delete_namespace_then_the_default_quota_applies(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 10, 10, 100);
        set(f, "tenant-a", "g", "k", "v");
        delete_namespace(f, "tenant-a");
        g_assert_cmpstr(quota(f, "tenant-a"), ==, "2/0/0 default");
        set(f, "tenant-a", "g", "a", "1");
        set(f, "tenant-a", "g", "b", "2");
        set_over_quota(f, "tenant-a", "g", "c", "3");
}

static void test_delete_namespace_of_a_quota_only_namespace_removes_it(Fixture *f, UNUSED) {
        quota_set(f, "tenant-a", 1, 1, 1);
        delete_namespace(f, "tenant-a");
        g_assert_cmpstr(namespaces(f), ==, "");
        g_assert_cmpstr(quota(f, "tenant-a"), ==, "0/0/0 default");
}

static void test_delete_namespace_leaves_other_namespaces_and_groups(Fixture *f, UNUSED) {
        fill_tenant_a(f);
        set(f, "tenant-ab", "g", "k", "v");
        set(f, "tenant-a-b", "g", "k", "v");
        set(f, NULL, "tenant-a", "k", "v");
        set(f, NULL, "tenant-a-plain", "k", "v");
        set(f, "tenant", "g", "k", "v");
        delete_namespace(f, "tenant-a");
        g_assert_cmpstr(groups(f, NULL, ""), ==, "tenant-a|tenant-a-b:g|tenant-a-plain|tenant-ab:g|tenant:g");
        g_assert_cmpstr(usage(f, "tenant-ab"), ==, "keys=1 groups=1 bytes=2");
}

static void test_delete_namespace_of_an_unknown_namespace_changes_nothing(Fixture *f, UNUSED) {
        uint64_t revision = set(f, "tenant-b", "g", "k", "v");

        (void)changes(f);
        g_assert_cmpuint(delete_namespace(f, "tenant-a"), ==, revision);
        g_assert_cmpstr(changes(f), ==, "");
}

static void test_delete_namespace_then_writes_start_from_zero(Fixture *f, UNUSED) {
        fill_tenant_a(f);
        delete_namespace(f, "tenant-a");
        set(f, "tenant-a", "g", "k", "v");
        g_assert_cmpstr(usage(f, "tenant-a"), ==, "keys=1 groups=1 bytes=2");
}

/* ---- which namespace a stored group belongs to ---- */

static const char *group_namespace(Fixture *f, const char *group) {
        char ns[STORE_NAMESPACE_MAX + 1];

        memset(ns, 'X', sizeof(ns));
        if (!store_group_namespace(group, ns))
                return "(none)";
        return keep(f, g_strdup(ns));
}

static void test_group_namespace_prefixed_group(Fixture *f, UNUSED) {
        g_assert_cmpstr(group_namespace(f, "tenant-a:x"), ==, "tenant-a");
}

static void test_group_namespace_only_the_first_colon(Fixture *f, UNUSED) {
        g_assert_cmpstr(group_namespace(f, "tenant-a:b:c"), ==, "tenant-a");
}

static void test_group_namespace_empty_group_in_a_namespace(Fixture *f, UNUSED) {
        g_assert_cmpstr(group_namespace(f, "tenant-a:"), ==, "tenant-a");
}

static void test_group_namespace_no_prefix(Fixture *f, UNUSED) {
        g_assert_cmpstr(group_namespace(f, "noprefix"), ==, "(none)");
        g_assert_cmpstr(group_namespace(f, ""), ==, "(none)");
}

static void test_group_namespace_empty_prefix(Fixture *f, UNUSED) {
        g_assert_cmpstr(group_namespace(f, ":x"), ==, "(none)");
}

static void test_group_namespace_invalid_name(Fixture *f, UNUSED) {
        g_assert_cmpstr(group_namespace(f, "bad_name:x"), ==, "(none)");
        g_assert_cmpstr(group_namespace(f, "a.b:x"), ==, "(none)");
        g_assert_cmpstr(group_namespace(f, "a b:x"), ==, "(none)");
}

static void test_group_namespace_self_is_not_a_name(Fixture *f, UNUSED) {
        g_assert_cmpstr(group_namespace(f, "self:x"), ==, "(none)");
}

static void test_group_namespace_longest_name(Fixture *f, UNUSED) {
        g_autofree char *name = g_strnfill(STORE_NAMESPACE_MAX, 'n');
        g_autofree char *group = g_strconcat(name, ":x", NULL);

        g_assert_cmpstr(group_namespace(f, group), ==, name);
}

static void test_group_namespace_name_too_long(Fixture *f, UNUSED) {
        g_autofree char *name = g_strnfill(STORE_NAMESPACE_MAX + 1, 'n');
        g_autofree char *group = g_strconcat(name, ":x", NULL);

        g_assert_cmpstr(group_namespace(f, group), ==, "(none)");
}

/* ---- namespaced reads and purges ---- */

static void test_scoped_reads_see_only_the_namespace(Fixture *f, UNUSED) {
        set(f, "tenant-a", "config", "a", "1");
        set(f, "tenant-a", "sessions", "b", "2");
        set(f, "tenant-b", "config", "c", "3");
        set(f, NULL, "config", "d", "4");
        g_assert_cmpuint(count_all(f, "tenant-a", ""), ==, 2);
        g_assert_cmpuint(count_all(f, "tenant-a", "conf"), ==, 1);
        g_assert_cmpstr(groups(f, "tenant-a", ""), ==, "config|sessions");
        g_assert_cmpstr(groups(f, NULL, ""), ==, "config|tenant-a:config|tenant-a:sessions|tenant-b:config");
}

/* go-store ScopedStore_Good_PurgeExpired_NamespaceLocal */
static void test_scoped_purge_removes_only_its_namespace(Fixture *f, UNUSED) {
        set_ttl(f, "tenant-a", "g", "k", "a", 1 * SEC);
        set_ttl(f, "tenant-b", "g", "k", "b", 1 * SEC);
        set_ttl(f, NULL, "plain", "k", "c", 1 * SEC);
        f->now += 1 * SEC;
        (void)changes(f);
        g_assert_cmpuint(purge(f, "tenant-a"), ==, 1);
        g_assert_cmpstr(changes(f), ==, "expire tenant-a:g/k=a @4");
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);

        TEST("/quota/max-keys/writes-up-to-the-limit-succeed", test_max_keys_writes_up_to_the_limit_succeed);
        TEST("/quota/max-keys/write-past-the-limit-fails", test_max_keys_write_past_the_limit_fails);
        TEST("/quota/max-keys/counts-across-groups", test_max_keys_counts_across_groups);
        TEST("/quota/max-keys/upsert-at-the-limit-succeeds", test_max_keys_upsert_at_the_limit_succeeds);
        TEST("/quota/max-keys/delete-frees-a-slot", test_max_keys_delete_frees_a_slot);
        TEST("/quota/max-keys/zero-means-unlimited", test_max_keys_zero_means_unlimited);
        TEST("/quota/max-keys/expired-keys-do-not-count", test_max_keys_expired_keys_do_not_count);
        TEST("/quota/max-keys/key-before-its-deadline-still-counts",
                test_max_keys_key_before_its_deadline_still_counts);
        TEST("/quota/max-keys/set-with-ttl-is-enforced", test_max_keys_set_with_ttl_is_enforced);
        TEST("/quota/max-keys/binary-set-is-enforced", test_max_keys_binary_set_is_enforced);

        TEST("/quota/max-groups/fourth-new-group-fails", test_max_groups_fourth_new_group_fails);
        TEST("/quota/max-groups/new-keys-into-existing-groups-succeed-at-the-limit",
                test_max_groups_new_keys_into_existing_groups_succeed_at_the_limit);
        TEST("/quota/max-groups/delete-group-frees-a-slot", test_max_groups_delete_group_frees_a_slot);
        TEST("/quota/max-groups/deleting-a-groups-last-key-frees-a-slot",
                test_max_groups_deleting_a_groups_last_key_frees_a_slot);
        TEST("/quota/max-groups/zero-means-unlimited", test_max_groups_zero_means_unlimited);
        TEST("/quota/max-groups/group-whose-keys-all-expired-does-not-count",
                test_max_groups_group_whose_keys_all_expired_does_not_count);
        TEST("/quota/max-groups/group-with-one-live-key-still-counts",
                test_max_groups_group_with_one_live_key_still_counts);

        TEST("/quota/max-bytes/count-key-and-value-not-group-name", test_max_bytes_count_key_and_value_not_group_name);
        TEST("/quota/max-bytes/write-past-the-limit-fails", test_max_bytes_write_past_the_limit_fails);
        TEST("/quota/max-bytes/count-bytes-not-characters", test_max_bytes_count_bytes_not_characters);
        TEST("/quota/max-bytes/binary-value-counts-every-byte", test_max_bytes_binary_value_counts_every_byte);
        TEST("/quota/max-bytes/growing-value-within-the-limit-succeeds",
                test_max_bytes_growing_value_within_the_limit_succeeds);
        TEST("/quota/max-bytes/growing-value-past-the-limit-fails", test_max_bytes_growing_value_past_the_limit_fails);
        TEST("/quota/max-bytes/shrinking-value-fits-over-the-limit",
                test_max_bytes_shrinking_value_fits_over_the_limit);
        TEST("/quota/max-bytes/still-over-after-shrinking-can-shrink-again",
                test_max_bytes_still_over_after_shrinking_can_shrink_again);
        TEST("/quota/max-bytes/zero-means-unlimited", test_max_bytes_zero_means_unlimited);

        TEST("/quota/both-limits/group-limit-first-leaves-existing-groups-writable",
                test_both_limits_group_limit_first_leaves_existing_groups_writable);
        TEST("/quota/both-limits/key-limit-first", test_both_limits_key_limit_first);

        TEST("/quota/per-namespace/limit-does-not-touch-other-namespaces",
                test_per_namespace_limit_does_not_touch_other_namespaces);
        TEST("/quota/per-namespace/usage-of-one-does-not-count-for-another",
                test_per_namespace_usage_of_one_does_not_count_for_another);
        TEST("/quota/per-namespace/names-sharing-a-prefix-are-separate",
                test_per_namespace_names_sharing_a_prefix_are_separate);

        TEST("/quota/root/writes-ignore-the-quota", test_root_writes_ignore_the_quota);
        TEST("/quota/root/writes-are-counted", test_root_writes_are_counted);
        TEST("/quota/root/writes-and-namespace-writes-are-one-entry",
                test_root_writes_and_namespace_writes_are_one_entry);
        TEST("/quota/root/groups-outside-namespaces-are-not-counted",
                test_root_groups_outside_namespaces_are_not_counted);
        TEST("/quota/over-limit/namespace-cannot-grow", test_over_limit_namespace_cannot_grow);
        TEST("/quota/over-limit/namespace-can-delete", test_over_limit_namespace_can_delete);
        TEST("/quota/over-limit/namespace-can-rewrite-a-key-in-place",
                test_over_limit_namespace_can_rewrite_a_key_in_place);
        TEST("/quota/over-limit/value-cannot-grow", test_over_limit_namespace_value_cannot_grow);
        TEST("/quota/over-limit/identical-write-is-a-no-op", test_over_limit_identical_write_is_a_no_op);

        TEST("/quota/set-all/within-the-quota-writes-every-entry", test_set_all_within_the_quota_writes_every_entry);
        TEST("/quota/set-all/past-the-quota-writes-nothing", test_set_all_past_the_quota_writes_nothing);
        TEST("/quota/set-all/past-the-byte-quota-keeps-old-values", test_set_all_past_the_byte_quota_keeps_old_values);
        TEST("/quota/set-all/existing-keys-are-not-new", test_set_all_existing_keys_are_not_new);

        TEST("/quota/failed-write/leaves-usage-revision-value-and-events",
                test_failed_write_leaves_usage_revision_value_and_events);
        TEST("/quota/failed-write/leaves-the-entry-version", test_failed_write_leaves_the_entry_version);
        TEST("/quota/failed-write/next-write-gets-the-next-revision",
                test_failed_write_next_write_gets_the_next_revision);

        TEST_DEFAULT_QUOTA("/quota/default/applies-to-a-namespace-without-a-quota", default_two_keys,
                test_default_applies_to_a_namespace_without_a_quota);
        TEST_DEFAULT_QUOTA("/quota/default/is-the-quota-in-force", default_two_keys,
                test_default_is_the_quota_in_force);
        TEST_DEFAULT_QUOTA("/quota/default/replaced-by-an-explicit-quota", default_two_keys,
                test_default_replaced_by_an_explicit_quota);
        TEST_DEFAULT_QUOTA("/quota/default/explicit-zeros-mean-unlimited", default_two_keys,
                test_default_explicit_zeros_mean_unlimited);
        TEST_DEFAULT_QUOTA("/quota/default/does-not-apply-at-the-root", default_two_keys,
                test_default_does_not_apply_at_the_root);
        TEST("/quota/default/unlimited-when-not-configured", test_default_unlimited_when_not_configured);

        TEST("/quota/set/below-usage-keeps-the-data", test_quota_set_below_usage_keeps_the_data);
        TEST("/quota/set/is-not-a-data-change", test_quota_set_is_not_a_data_change);
        TEST("/quota/set/replaces-the-previous-quota", test_quota_set_replaces_the_previous_quota);
        TEST("/quota/set/keeps-the-usage", test_quota_set_keeps_the_usage);

        TEST_FILE("/quota/persistence/explicit-quota-survives-reopen", test_persistence_explicit_quota_survives_reopen);
        TEST_FILE("/quota/persistence/usage-survives-reopen", test_persistence_usage_survives_reopen);
        TEST_FILE("/quota/persistence/usage-counted-for-a-database-without-counters",
                test_persistence_usage_counted_for_a_database_without_counters);

        TEST("/namespace/usage/empty-namespace-is-zero", test_usage_empty_namespace_is_zero);
        TEST("/namespace/usage/set-counts-key-group-and-bytes", test_usage_set_counts_key_group_and_bytes);
        TEST("/namespace/usage/upsert-changes-only-bytes", test_usage_upsert_changes_only_bytes);
        TEST("/namespace/usage/identical-write-changes-nothing", test_usage_identical_write_changes_nothing);
        TEST("/namespace/usage/delete-removes-the-key-and-its-bytes", test_usage_delete_removes_the_key_and_its_bytes);
        TEST("/namespace/usage/delete-of-a-missing-key-changes-nothing",
                test_usage_delete_of_a_missing_key_changes_nothing);
        TEST("/namespace/usage/delete-of-the-last-key-removes-the-group",
                test_usage_delete_of_the_last_key_removes_the_group);
        TEST("/namespace/usage/delete-group-removes-its-keys-and-bytes",
                test_usage_delete_group_removes_its_keys_and_bytes);
        TEST("/namespace/usage/delete-group-counts-bytes-not-characters",
                test_usage_delete_group_counts_bytes_not_characters);
        TEST("/namespace/usage/delete-group-with-expired-keys", test_usage_delete_group_with_expired_keys);
        TEST("/namespace/usage/expiry-removes-keys-and-emptied-groups",
                test_usage_expiry_removes_keys_and_emptied_groups);
        TEST("/namespace/usage/excludes-expired-entries-at-once", test_usage_excludes_expired_entries_at_once);
        TEST("/namespace/usage/purge-removes-expired-entries", test_usage_purge_removes_expired_entries);
        TEST("/namespace/usage/ttl-replaced-by-set-keeps-counting", test_usage_ttl_replaced_by_set_keeps_counting);
        TEST("/namespace/usage/set-all-counts-each-new-key", test_usage_set_all_counts_each_new_key);
        TEST("/namespace/usage/group-names-with-colons-belong-to-the-first-prefix",
                test_usage_group_names_with_colons_belong_to_the_first_prefix);

        TEST("/namespace/list/shows-namespaces-holding-data-by-name", test_list_shows_namespaces_holding_data_by_name);
        TEST("/namespace/list/shows-a-namespace-with-only-a-quota", test_list_shows_a_namespace_with_only_a_quota);
        TEST("/namespace/list/omits-a-namespace-emptied-by-deletes", test_list_omits_a_namespace_emptied_by_deletes);
        TEST("/namespace/list/omits-a-namespace-whose-entries-expired",
                test_list_omits_a_namespace_whose_entries_expired);
        TEST_DEFAULT_QUOTA("/namespace/list/reports-the-default-quota-for-namespaces-without-one", default_two_keys,
                test_list_reports_the_default_quota_for_namespaces_without_one);

        TEST("/namespace/delete/removes-every-group", test_delete_namespace_removes_every_group);
        TEST("/namespace/delete/emits-one-delete-group-per-group-in-one-revision",
                test_delete_namespace_emits_one_delete_group_per_group_in_one_revision);
        TEST("/namespace/delete/removes-the-quota", test_delete_namespace_removes_the_quota);
        TEST_DEFAULT_QUOTA("/namespace/delete/then-the-default-quota-applies", default_two_keys,
                test_delete_namespace_then_the_default_quota_applies);
        TEST("/namespace/delete/removes-the-record", test_delete_namespace_removes_the_record);
        TEST("/namespace/delete/of-a-quota-only-namespace-removes-it",
                test_delete_namespace_of_a_quota_only_namespace_removes_it);
        TEST("/namespace/delete/leaves-other-namespaces-and-groups",
                test_delete_namespace_leaves_other_namespaces_and_groups);
        TEST("/namespace/delete/of-an-unknown-namespace-changes-nothing",
                test_delete_namespace_of_an_unknown_namespace_changes_nothing);
        TEST("/namespace/delete/then-writes-start-from-zero", test_delete_namespace_then_writes_start_from_zero);

        TEST("/namespace/group-namespace/prefixed-group", test_group_namespace_prefixed_group);
        TEST("/namespace/group-namespace/only-the-first-colon", test_group_namespace_only_the_first_colon);
        TEST("/namespace/group-namespace/empty-group-in-a-namespace", test_group_namespace_empty_group_in_a_namespace);
        TEST("/namespace/group-namespace/no-prefix", test_group_namespace_no_prefix);
        TEST("/namespace/group-namespace/empty-prefix", test_group_namespace_empty_prefix);
        TEST("/namespace/group-namespace/invalid-name", test_group_namespace_invalid_name);
        TEST("/namespace/group-namespace/self-is-not-a-name", test_group_namespace_self_is_not_a_name);
        TEST("/namespace/group-namespace/longest-name", test_group_namespace_longest_name);
        TEST("/namespace/group-namespace/name-too-long", test_group_namespace_name_too_long);

        TEST("/namespace/scoped/reads-see-only-the-namespace", test_scoped_reads_see_only_the_namespace);
        TEST("/namespace/scoped/purge-removes-only-its-namespace", test_scoped_purge_removes_only_its_namespace);

        return g_test_run();
}
