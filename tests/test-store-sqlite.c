/* SPDX-License-Identifier: MIT */

/* What only the database underneath shows: persistence across a close, WAL, schema migration, files
 * that cannot be opened, and failures inside a transaction (injected through a backend that wraps
 * SQLite's), which must leave no trace. Files live in a temporary directory per test. */

#include "store-fixture.h"

/* A directory and a path, but no store yet: the test makes the file first. */
static void fixture_set_up_empty_dir(Fixture *f, UNUSED) {
        g_autoptr(GError) error = NULL;

        fixture_init(f);
        f->dir = g_dir_make_tmp("test-store-XXXXXX", &error);
        g_assert_no_error(error);
        f->path = g_build_filename(f->dir, "store.db", NULL);
}

#define TEST_EMPTY_DIR(path, fn) g_test_add(path, Fixture, NULL, fixture_set_up_empty_dir, fn, fixture_tear_down)

static int open_path(const char *path, Store **ret, StoreError *e) {
        StoreOptions options = { .backend = { .path = path } };
        return store_open(&options, ret, e);
}

/* ---- persistence ---- */

/* go-store New_Good_FileBacked, zestor TestPersistence */
static void test_value_persists_across_reopen(Fixture *f, UNUSED) {
        set(f, NULL, "config", "theme", "dark");
        set_bytes(f, NULL, "bin", "k", "a\0b", 3, 0);
        fixture_reopen(f);
        g_assert_cmpstr(get(f, NULL, "config", "theme"), ==, "dark");
        g_assert_cmpstr(list(f, NULL, "bin"), ==, "k=0x610062");
}

static void test_version_persists_across_reopen(Fixture *f, UNUSED) {
        set(f, NULL, "g", "k", "v1");
        set(f, NULL, "g", "k", "v2");
        fixture_reopen(f);
        g_assert_cmpuint(stat_of(f, NULL, "g", "k").version, ==, 2);
        set(f, NULL, "g", "k", "v3");
        g_assert_cmpuint(stat_of(f, NULL, "g", "k").version, ==, 3);
}

static void test_revision_persists_across_reopen(Fixture *f, UNUSED) {
        set(f, NULL, "g", "a", "1");
        set(f, NULL, "g", "b", "2");
        set(f, NULL, "g", "c", "3");
        fixture_reopen(f);
        g_assert_cmpuint(store_revision(f->store), ==, 3);
        g_assert_cmpuint(set(f, NULL, "g", "d", "4"), ==, 4);
}

/* With every entry gone there is nothing to derive it from: the revision is kept on its own. */
static void test_revision_never_goes_back(Fixture *f, UNUSED) {
        set(f, NULL, "g", "a", "1");
        set(f, NULL, "g", "b", "2");
        delete_group(f, NULL, "g");
        fixture_reopen(f);
        g_assert_cmpuint(store_revision(f->store), ==, 3);
        g_assert_cmpuint(set(f, NULL, "g", "a", "1"), ==, 4);
}

/* The expiry timer is re-armed from the file, and the entry still expires with its change. */
static void test_deadline_persists_across_reopen(Fixture *f, UNUSED) {
        set_ttl(f, NULL, "g", "k", "v", 10 * SEC);
        set_ttl(f, NULL, "g", "later", "v", 20 * SEC);
        fixture_reopen(f);
        g_assert_cmpuint(store_next_expiry(f->store), ==, T0 + 10 * SEC);
        g_assert_cmpstr(get(f, NULL, "g", "k"), ==, "v");
        changes(f);
        f->now = T0 + 10 * SEC;
        g_assert_null(get(f, NULL, "g", "k"));
        g_assert_cmpstr(changes(f), ==, "expire g/k=v @3");
}

/* go-store New_Good_WALMode */
static void test_journal_mode_is_wal(Fixture *f, UNUSED) {
        set(f, NULL, "g", "k", "v");
        fixture_close(f);
        g_assert_cmpstr(sql_text(f, f->path, "PRAGMA journal_mode"), ==, "wal");
}

/* A clean close folds the WAL into the database, so the file stands alone. */
static void test_wal_checkpointed_on_close(Fixture *f, UNUSED) {
        const char *wal = keep(f, g_strconcat(f->path, "-wal", NULL));
        GStatBuf st;

        set(f, NULL, "g", "k", "v");
        g_assert_cmpint(g_stat(wal, &st), ==, 0);
        g_assert_cmpint(st.st_size, >, 0);
        fixture_close(f);
        g_assert_true(g_stat(wal, &st) < 0 ? errno == ENOENT : st.st_size == 0);
        g_assert_cmpstr(sql_text(f, f->path, "SELECT count(*) FROM entries"), ==, "1");
}

/* ---- files that cannot be opened ---- */

/* go-store New_Bad_InvalidPath */
static void test_missing_directory_fails(Fixture *f, UNUSED) {
        const char *path = fixture_file(f, "no-such-directory/store.db");
        Store *s = NULL;
        StoreError e = {};

        g_assert_cmpint(open_path(path, &s, &e), <, 0);
        g_assert_null(s);
        g_assert_cmpint(e.code, <, 0);
        g_assert_nonnull(strstr(e.message, path));
}

/* go-store New_Bad_CorruptFile: refused, and left as it was for someone to look at. */
static void test_not_a_database_fails_and_is_kept(Fixture *f, UNUSED) {
        static const char junk[] = "not a sqlite database, just some text that is long enough to have a header\n";
        g_autofree char *after = NULL;
        Store *s = NULL;
        StoreError e = {};
        size_t len = 0;

        g_assert_true(g_file_set_contents(f->path, junk, -1, NULL));
        g_assert_cmpint(fixture_try_open(f, &s, &e), <, 0);
        g_assert_null(s);
        g_assert_cmpint(e.code, <, 0);
        g_assert_cmpstr(e.message, !=, "");
        g_assert_true(g_file_get_contents(f->path, &after, &len, NULL));
        g_assert_cmpmem(after, len, junk, strlen(junk));
}

/* A database from a newer stored is refused, not downgraded. */
static void test_newer_schema_is_refused(Fixture *f, UNUSED) {
        Store *s = NULL;
        StoreError e = {};

        sql_exec(f->path, "CREATE TABLE future (x); PRAGMA user_version = 999;");
        g_assert_cmpint(fixture_try_open(f, &s, &e), <, 0);
        g_assert_null(s);
        g_assert_nonnull(strstr(e.message, "newer"));
        g_assert_nonnull(strstr(e.message, "999"));
        g_assert_cmpstr(sql_text(f, f->path, "PRAGMA user_version"), ==, "999");
}

/* ---- schema migration ---- */

/* The first schema (step 0 → 1 of backend-sqlite.c), as a database of that time holds it: groups, keys
 * and values as BLOBs, a deadline per entry, the revision in meta. */
static void make_schema_1_database(const char *path) {
        g_autofree char *sql =
                g_strdup_printf("CREATE TABLE entries ("
                                "  grp BLOB NOT NULL,"
                                "  key BLOB NOT NULL,"
                                "  value BLOB NOT NULL,"
                                "  expires_usec INTEGER NOT NULL DEFAULT 0,"
                                "  PRIMARY KEY (grp, key)"
                                ") WITHOUT ROWID;"
                                "CREATE TABLE meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
                                "INSERT INTO entries VALUES (CAST('config' AS BLOB), CAST('theme' AS BLOB), "
                                "CAST('dark' AS BLOB), 0);"
                                "INSERT INTO entries VALUES (CAST('tenant-a:sessions' AS BLOB), CAST('token' AS BLOB), "
                                "  CAST('abc' AS BLOB), %" G_GUINT64_FORMAT ");"
                                "INSERT INTO entries VALUES (CAST('tenant-a:sessions' AS BLOB), CAST('user' AS BLOB), "
                                "  CAST('alice' AS BLOB), 0);"
                                "INSERT INTO meta VALUES ('revision', 7);"
                                "PRAGMA user_version = 1;",
                        T0 + 60 * SEC);
        sql_exec(path, sql);
}

static void test_schema_1_data_readable_after_migration(Fixture *f, UNUSED) {
        StoreStat st;

        make_schema_1_database(f->path);
        fixture_open(f);
        g_assert_cmpstr(get(f, NULL, "config", "theme"), ==, "dark");
        g_assert_cmpstr(get(f, "tenant-a", "sessions", "token"), ==, "abc");
        g_assert_cmpstr(list(f, "tenant-a", "sessions"), ==, "token=abc|user=alice");
        st = stat_of(f, NULL, "config", "theme");
        g_assert_cmpuint(st.version, ==, 1);
        g_assert_cmpuint(st.expires_usec, ==, 0);
        g_assert_cmpuint(stat_of(f, "tenant-a", "sessions", "token").expires_usec, ==, T0 + 60 * SEC);
}

static void test_schema_1_revision_and_deadlines_carry_on(Fixture *f, UNUSED) {
        make_schema_1_database(f->path);
        fixture_open(f);
        g_assert_cmpuint(store_revision(f->store), ==, 7);
        g_assert_cmpuint(store_next_expiry(f->store), ==, T0 + 60 * SEC);
        g_assert_cmpuint(set(f, NULL, "config", "theme", "light"), ==, 8);
        g_assert_cmpuint(stat_of(f, NULL, "config", "theme").version, ==, 2);
        changes(f);
        f->now = T0 + 60 * SEC;
        g_assert_null(get(f, "tenant-a", "sessions", "token"));
        g_assert_cmpstr(changes(f), ==, "expire tenant-a:sessions/token=abc @9");
}

/* Namespace counters did not exist in schema 1: they are counted from the rows on the first open. */
static void test_schema_1_namespace_usage_counted(Fixture *f, UNUSED) {
        StoreUsage usage = {};
        StoreError e = {};

        make_schema_1_database(f->path);
        fixture_open(f);
        g_assert_cmpint(store_namespace_usage(f->store, "tenant-a", &usage, &e), ==, 0);
        g_assert_cmpuint(usage.keys, ==, 2);
        g_assert_cmpuint(usage.groups, ==, 1);
        g_assert_cmpuint(usage.bytes, ==, strlen("token") + strlen("abc") + strlen("user") + strlen("alice"));
}

/* A migrated database ends at the same schema version as a new one. */
static void test_schema_1_migrated_to_latest(Fixture *f, UNUSED) {
        const char *fresh = fixture_file(f, "fresh.db");
        const char *latest;
        Store *s = NULL;
        StoreError e = {};

        g_assert_cmpint(open_path(fresh, &s, &e), ==, 0);
        store_free(s);
        latest = sql_text(f, fresh, "PRAGMA user_version");
        g_assert_cmpint(atoi(latest), >, 1);

        make_schema_1_database(f->path);
        fixture_open(f);
        fixture_close(f);
        g_assert_cmpstr(sql_text(f, f->path, "PRAGMA user_version"), ==, latest);
}

/* ---- failures inside a transaction ---- */

/* SQLite's backend with failures on demand. */
static struct {
        unsigned puts_until_failure; /* entry_put calls until one fails; 0 = none fails */
        bool commit_fails;
        bool sweep_fails;
        bool group_lookup_fails;
} faults;

static BackendOps faulty_ops;

static int faulty_entry_put(Backend *b, const BackendRow *row, StoreError *error) {
        if (faults.puts_until_failure > 0 && --faults.puts_until_failure == 0)
                return store_error_set(error, -EIO, "Injected write failure");
        return backend_sqlite_ops.entry_put(b, row, error);
}

static int faulty_commit(Backend *b, StoreError *error) {
        if (faults.commit_fails)
                return store_error_set(error, -ENOSPC, "Injected commit failure");
        return backend_sqlite_ops.commit(b, error);
}

static int faulty_expired_take(Backend *b, const char *prefix, uint64_t now, BackendRowFn fn, void *userdata,
        StoreError *error) {
        if (faults.sweep_fails)
                return store_error_set(error, -EIO, "Injected sweep failure");
        return backend_sqlite_ops.expired_take(b, prefix, now, fn, userdata, error);
}

static int faulty_group_exists(Backend *b, const char *group, StoreError *error) {
        if (faults.group_lookup_fails)
                return store_error_set(error, -EIO, "Injected lookup failure");
        return backend_sqlite_ops.group_exists(b, group, error);
}

static void fixture_set_up_faulty(Fixture *f, UNUSED) {
        faults = (typeof(faults)){};
        fixture_init(f);
        f->ops = &faulty_ops;
        f->path = g_strdup(":memory:");
        fixture_open(f);
}

#define TEST_FAULTY(path, fn) g_test_add(path, Fixture, NULL, fixture_set_up_faulty, fn, fixture_tear_down)

/* zestor TestFailedWriteRollsBack: SetAll is all or nothing even when the database fails halfway. */
static void test_failed_set_all_rolls_back(Fixture *f, UNUSED) {
        const StorePair pairs[] = { { "a", "1" }, { "b", "2" }, { "c", "3" } };
        StoreError e = {};
        uint64_t revision = UINT64_MAX;

        set(f, NULL, "g", "old", "x");
        changes(f);
        faults.puts_until_failure = 2;
        g_assert_cmpint(store_set_all(f->store, NULL, "g", pairs, G_N_ELEMENTS(pairs), &revision, &e), ==, -EIO);
        g_assert_cmpstr(e.message, ==, "Injected write failure");
        g_assert_cmpstr(list(f, NULL, "g"), ==, "old=x");
        g_assert_cmpuint(store_revision(f->store), ==, 1);
        g_assert_cmpstr(changes(f), ==, "");
}

/* The revision of a call that failed is not used up: the next change takes it. */
static void test_failed_commit_rolls_back(Fixture *f, UNUSED) {
        StoreError e = {};
        uint64_t revision = UINT64_MAX;

        set(f, NULL, "g", "k", "v1");
        changes(f);
        faults.commit_fails = true;
        g_assert_cmpint(store_set(f->store, NULL, "g", "k", "v2", 2, 0, &revision, &e), ==, -ENOSPC);
        g_assert_cmpint(store_delete(f->store, NULL, "g", "k", &revision, &e), ==, -ENOSPC);
        g_assert_cmpstr(changes(f), ==, "");
        faults.commit_fails = false;
        g_assert_cmpstr(get(f, NULL, "g", "k"), ==, "v1");
        g_assert_cmpuint(stat_of(f, NULL, "g", "k").version, ==, 1);
        g_assert_cmpuint(set(f, NULL, "g", "k", "v3"), ==, 2);
}

/* The caller learns what failed, whichever step of the call it was. */
static void test_failure_message_names_the_failure(Fixture *f, UNUSED) {
        StoreError e = {};
        uint64_t revision = UINT64_MAX;

        set(f, NULL, "g", "k", "v");
        faults.group_lookup_fails = true;
        g_assert_cmpint(store_delete(f->store, NULL, "g", "k", &revision, &e), ==, -EIO);
        g_assert_cmpstr(e.message, ==, "Injected lookup failure");
        e = (StoreError){};
        g_assert_cmpint(try_set(f, NULL, "g", "new", "v", &e), ==, -EIO);
        g_assert_cmpstr(e.message, ==, "Injected lookup failure");
        faults.group_lookup_fails = false;
        g_assert_cmpstr(get(f, NULL, "g", "k"), ==, "v");
        g_assert_null(get(f, NULL, "g", "new"));
}

/* When removing expired rows fails, every read still filters by deadline. */
static void test_reads_hide_expired_rows_when_sweep_fails(Fixture *f, UNUSED) {
        StoreError e = {};
        StoreStat st;

        faults.sweep_fails = true;
        set_ttl(f, NULL, "g", "temp", "t", 1 * SEC);
        set(f, NULL, "g", "perm", "p");
        set_ttl(f, NULL, "only-temp", "k", "t", 1 * SEC);
        changes(f);
        f->now += 1 * SEC;
        g_assert_null(get(f, NULL, "g", "temp"));
        g_assert_cmpint(store_stat(f->store, NULL, "g", "temp", &st, &e), ==, -STORE_E_NOT_FOUND);
        g_assert_cmpuint(count(f, NULL, "g"), ==, 1);
        g_assert_cmpuint(count_all(f, NULL, ""), ==, 1);
        g_assert_cmpstr(groups(f, NULL, ""), ==, "g");
        g_assert_cmpstr(list(f, NULL, "g"), ==, "perm=p");
        g_assert_cmpstr(list_page(f, NULL, "g", 0, 1), ==, "perm=p");
        g_assert_cmpstr(changes(f), ==, "");
        g_assert_cmpuint(store_revision(f->store), ==, 3);
}

/* An expired row the sweep could not remove is not a key: writing it creates one, deleting it does nothing. */
static void test_unswept_expired_row_is_not_a_key(Fixture *f, UNUSED) {
        faults.sweep_fails = true;
        set_ttl(f, NULL, "g", "a", "old", 1 * SEC);
        set_ttl(f, NULL, "g", "b", "old", 1 * SEC);
        changes(f);
        f->now += 1 * SEC;
        g_assert_cmpuint(del(f, NULL, "g", "a"), ==, 2);
        g_assert_cmpuint(delete_group(f, NULL, "g"), ==, 2);
        g_assert_cmpstr(changes(f), ==, "");
        set(f, NULL, "g", "b", "old");
        g_assert_cmpstr(changes(f), ==, "set g/b=old @3");
        g_assert_cmpuint(stat_of(f, NULL, "g", "b").version, ==, 1);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);

        faulty_ops = backend_sqlite_ops;
        faulty_ops.name = "faulty-sqlite";
        faulty_ops.entry_put = faulty_entry_put;
        faulty_ops.commit = faulty_commit;
        faulty_ops.expired_take = faulty_expired_take;
        faulty_ops.group_exists = faulty_group_exists;

        TEST_FILE("/store/sqlite/value-persists-across-reopen", test_value_persists_across_reopen);
        TEST_FILE("/store/sqlite/version-persists-across-reopen", test_version_persists_across_reopen);
        TEST_FILE("/store/sqlite/revision-persists-across-reopen", test_revision_persists_across_reopen);
        TEST_FILE("/store/sqlite/revision-never-goes-back", test_revision_never_goes_back);
        TEST_FILE("/store/sqlite/deadline-persists-across-reopen", test_deadline_persists_across_reopen);
        TEST_FILE("/store/sqlite/journal-mode-is-wal", test_journal_mode_is_wal);
        TEST_FILE("/store/sqlite/wal-checkpointed-on-close", test_wal_checkpointed_on_close);

        TEST_EMPTY_DIR("/store/sqlite/missing-directory-fails", test_missing_directory_fails);
        TEST_EMPTY_DIR("/store/sqlite/not-a-database-fails-and-is-kept", test_not_a_database_fails_and_is_kept);
        TEST_EMPTY_DIR("/store/sqlite/newer-schema-is-refused", test_newer_schema_is_refused);

        TEST_EMPTY_DIR("/store/sqlite/schema-1/data-readable-after-migration",
                test_schema_1_data_readable_after_migration);
        TEST_EMPTY_DIR("/store/sqlite/schema-1/revision-and-deadlines-carry-on",
                test_schema_1_revision_and_deadlines_carry_on);
        TEST_EMPTY_DIR("/store/sqlite/schema-1/namespace-usage-counted", test_schema_1_namespace_usage_counted);
        TEST_EMPTY_DIR("/store/sqlite/schema-1/migrated-to-latest", test_schema_1_migrated_to_latest);

        TEST_FAULTY("/store/failure/set-all-rolls-back", test_failed_set_all_rolls_back);
        TEST_FAULTY("/store/failure/commit-rolls-back", test_failed_commit_rolls_back);
        TEST_FAULTY("/store/failure/message-names-the-failure", test_failure_message_names_the_failure);
        TEST_FAULTY("/store/failure/reads-hide-expired-rows-when-sweep-fails",
                test_reads_hide_expired_rows_when_sweep_fails);
        TEST_FAULTY("/store/failure/unswept-expired-row-is-not-a-key", test_unswept_expired_row_is_not_a_key);

        return g_test_run();
}
