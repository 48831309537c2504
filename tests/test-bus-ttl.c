/* SPDX-License-Identifier: MIT */

/* Expiry as callers see it, and what a database file keeps across a restart of the daemon. Some
 * tests look into the database file with a reader of their own: in WAL mode a second connection may
 * read while the daemon writes, and it changes nothing the daemon sees. */

#include <sqlite3.h>

#include "bus-client.h"

#define NONE G_DBUS_CALL_FLAGS_NONE
#define MSEC 1000U /* microseconds */

G_DEFINE_AUTOPTR_CLEANUP_FUNC(sqlite3, sqlite3_close)

static sqlite3 *database_open_readonly(void) {
        sqlite3 *db = NULL;
        int rc;

        rc = sqlite3_open_v2(bus_world->database, &db, SQLITE_OPEN_READONLY, NULL);
        if (rc != SQLITE_OK)
                g_error("cannot open %s: %s", bus_world->database, sqlite3_errstr(rc));
        sqlite3_busy_timeout(db, 5000);
        return db;
}

/* Rows of (group, key) in the file, expired or not. Names are stored as BLOBs. */
static int database_count_rows(sqlite3 *db, const char *group, const char *key) {
        sqlite3_stmt *s = NULL;
        int rc, n = -1;

        rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM entries WHERE grp = ?1 AND key = ?2", -1, &s, NULL);
        g_assert_cmpint(rc, ==, SQLITE_OK);
        sqlite3_bind_blob(s, 1, group, (int)strlen(group), SQLITE_STATIC);
        sqlite3_bind_blob(s, 2, key, (int)strlen(key), SQLITE_STATIC);
        rc = sqlite3_step(s);
        if (rc == SQLITE_ROW)
                n = sqlite3_column_int(s, 0);
        sqlite3_finalize(s);
        g_assert_cmpint(rc, ==, SQLITE_ROW);
        return n;
}

static char *database_pragma(sqlite3 *db, const char *pragma) {
        g_autofree char *sql = g_strdup_printf("PRAGMA %s", pragma);
        sqlite3_stmt *s = NULL;
        char *value = NULL;

        g_assert_cmpint(sqlite3_prepare_v2(db, sql, -1, &s, NULL), ==, SQLITE_OK);
        if (sqlite3_step(s) == SQLITE_ROW)
                value = g_strdup((const char *)sqlite3_column_text(s, 0));
        sqlite3_finalize(s);
        return value;
}

static bool skip_on_memory(void) {
        if (!bus_on_memory())
                return false;
        g_test_skip("needs a database file; the daemon runs on :memory:");
        return true;
}

static void restart_daemon(void) {
        world_stop_daemon(bus_world);
        world_start_daemon(bus_world, bus_daemon_args());
}

/* ---- expiry ---- */

static void test_expired_key_is_not_found(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        g_autoptr(GBytes) bytes = NULL;
        g_autofree char *value = NULL;
        guint64 version, revision, modified, expires;

        bus_set_with_ttl("ttl-expired", "k", "v", 1 * MSEC);
        g_usleep(20 * MSEC);
        g_assert_false(stored_store_call_get_sync(store, "ttl-expired", "k", NONE, -1, &value, NULL, &error));
        bus_assert_error(error, ERROR_NOT_FOUND);
        g_clear_error(&error);
        bytes = bus_get_bytes("ttl-expired", "k", &error);
        bus_assert_error(error, ERROR_NOT_FOUND);
        g_clear_error(&error);
        g_assert_false(stored_store_call_stat_sync(store, "ttl-expired", "k", NONE, -1, &version, &revision, &modified,
                &expires, NULL, &error));
        bus_assert_error(error, ERROR_NOT_FOUND);
}

/* go-store's SetWithTTL_Good_SetClearsTTL; and it is a change (same bytes, another expiry). */
static void test_set_clears_ttl(void) {
        guint64 r1, r2;
        BusStat st;

        r1 = bus_set_with_ttl("ttl-cleared", "k", "v", 500 * MSEC);
        g_assert_cmpuint(bus_stat("ttl-cleared", "k").expires_usec, >, 0);
        r2 = bus_set("ttl-cleared", "k", "v");
        st = bus_stat("ttl-cleared", "k");
        g_assert_cmpuint(r2, >, r1);
        g_assert_cmpuint(st.version, ==, 2);
        g_assert_cmpuint(st.expires_usec, ==, 0);

        g_usleep(800 * MSEC);
        g_autofree char *value = bus_get("ttl-cleared", "k");
        g_assert_cmpstr(value, ==, "v");
}

static void test_set_bytes_without_ttl_clears_ttl(void) {
        bus_set_bytes("ttl-cleared-bytes", "k", "\x01", 1, 500 * MSEC);
        bus_set_bytes("ttl-cleared-bytes", "k", "\x01", 1, 0);
        g_assert_cmpuint(bus_stat("ttl-cleared-bytes", "k").expires_usec, ==, 0);
        g_usleep(800 * MSEC);
        g_assert_cmpuint(bus_count("ttl-cleared-bytes"), ==, 1);
}

static char *groups_of(StoredStore *store, const char *prefix) {
        g_autoptr(GError) error = NULL;
        g_auto(GStrv) groups = NULL;

        g_assert_true(stored_store_call_groups_sync(store, prefix, NONE, -1, &groups, NULL, &error));
        g_assert_no_error(error);
        return g_strjoinv(" ", groups);
}

/* Expired entries are invisible to every read, count and listing at once. */
static void test_expired_entries_vanish_from_every_listing(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) all = NULL, page = NULL, snapshot = NULL;
        g_autofree char *groups_before = NULL, *groups_after = NULL;
        guint64 snapshot_revision;

        bus_set("ttl-vanish:a", "permanent", "stays");
        bus_set_with_ttl("ttl-vanish:a", "short", "goes", 500 * MSEC);
        bus_set_with_ttl("ttl-vanish:b", "short", "goes", 500 * MSEC);
        g_assert_cmpuint(bus_count("ttl-vanish:a"), ==, 2);
        g_assert_cmpuint(bus_count_all("ttl-vanish:"), ==, 3);
        groups_before = groups_of(store, "ttl-vanish:");
        g_assert_cmpstr(groups_before, ==, "ttl-vanish:a ttl-vanish:b");

        g_usleep(800 * MSEC);
        g_assert_cmpuint(bus_count("ttl-vanish:a"), ==, 1);
        g_assert_cmpuint(bus_count("ttl-vanish:b"), ==, 0);
        g_assert_cmpuint(bus_count_all("ttl-vanish:"), ==, 1);
        groups_after = groups_of(store, "ttl-vanish:");
        g_assert_cmpstr(groups_after, ==, "ttl-vanish:a");

        g_assert_true(stored_store_call_get_all_sync(store, "ttl-vanish:a", NONE, -1, &all, NULL, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(g_variant_n_children(all), ==, 1);
        g_assert_cmpstr(bus_entries_lookup(all, "permanent"), ==, "stays");

        g_assert_true(stored_store_call_get_page_sync(store, "ttl-vanish:a", 0, 10, NONE, -1, &page, NULL, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(g_variant_n_children(page), ==, 1);

        g_assert_true(stored_store_call_snapshot_sync(store, "ttl-vanish:b", NONE, -1, &snapshot, &snapshot_revision,
                NULL, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(g_variant_n_children(snapshot), ==, 0);
}

/* An expiry is a change with a revision of its own; one sweep, one revision. */
static void test_expiry_takes_one_revision(void) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        g_autofree char *value = NULL;
        guint64 revision = bus_set_with_ttl("ttl-revision", "k", "v", 100 * MSEC);

        g_usleep(300 * MSEC);
        /* Gone, by the timer or by this read. */
        g_assert_false(stored_store_call_get_sync(store, "ttl-revision", "k", NONE, -1, &value, NULL, &error));
        bus_assert_error(error, ERROR_NOT_FOUND);
        g_assert_cmpuint(bus_revision(), ==, revision + 1);
}

static void test_rewriting_expired_key_creates_it_anew(void) {
        bus_set_with_ttl("ttl-recreate", "k", "v", 1 * MSEC);
        bus_set_with_ttl("ttl-recreate", "k", "v2", 1 * MSEC);
        g_usleep(20 * MSEC);
        bus_set("ttl-recreate", "k", "v3");
        g_assert_cmpuint(bus_stat("ttl-recreate", "k").version, ==, 1);
}

/* The daemon removes an entry at its deadline by itself (a timer for the earliest deadline), not when
 * someone next reads it. Between the write and the row's disappearance from the file this test makes
 * no call at all: it only watches the file through its own read-only connection. */
static void test_expired_key_removed_without_read(void) {
        g_autoptr(sqlite3) db = NULL;
        guint64 set_start, set_end, revision, gone_at = 0;

        if (skip_on_memory())
                return;
        db = database_open_readonly();

        set_start = bus_now_usec();
        revision = bus_set_with_ttl("ttl-unread", "k", "v", 300 * MSEC);
        set_end = bus_now_usec();
        g_assert_cmpint(database_count_rows(db, "ttl-unread", "k"), ==, 1);

        /* The deadline lies in [set_start + 300 ms, set_end + 300 ms]. */
        while (bus_now_usec() < set_end + 300 * MSEC + 3 * G_USEC_PER_SEC) {
                if (database_count_rows(db, "ttl-unread", "k") == 0) {
                        gone_at = bus_now_usec();
                        break;
                }
                g_usleep(10 * MSEC);
        }
        g_assert_cmpuint(gone_at, >, 0);
        g_test_message("row gone %" G_GINT64_FORMAT " ms after the latest possible deadline",
                ((gint64)gone_at - (gint64)(set_end + 300 * MSEC)) / 1000);
        g_assert_cmpuint(gone_at, >=, set_start + 300 * MSEC);
        /* Usually within milliseconds; the margin is for a sanitizer build on a loaded machine. What it
         * rules out is a sweep that waits for a read or for a fixed poll (go-store's was 60 s). */
        g_assert_cmpuint(gone_at, <=, set_end + 300 * MSEC + 2500 * MSEC);

        /* The only change meanwhile was the expiry itself (reading a property expires nothing). */
        g_assert_cmpuint(bus_revision(), ==, revision + 1);
}

/* A deadline beyond what fits the clock is still a deadline in the future: the entry is live for
 * every read, not for some (or the TTL is refused as an invalid argument). */
static void check_far_future_ttl(GString *failures, const char *group, guint64 ttl_usec) {
        g_autoptr(StoredStore) store = bus_store_proxy(bus_world->bus);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL, all = NULL;
        g_autofree char *value = NULL, *groups = NULL;
        guint64 count = 0, count_all = 0;

        reply = bus_call(bus_world->bus, STORE_INTERFACE, "SetWithTTL",
                g_variant_new("(ssst)", group, "k", "v", ttl_usec), "(t)", &error);
        if (!reply) {
                if (!bus_error_is(error, ERROR_INVALID_ARGS))
                        g_string_append_printf(failures, "; SetWithTTL(ttl %" G_GUINT64_FORMAT "): %s", ttl_usec,
                                error->message);
                return;
        }

        g_assert_true(stored_store_call_get_sync(store, group, "k", NONE, -1, &value, NULL, &error));
        g_assert_no_error(error);
        g_assert_true(stored_store_call_count_sync(store, group, NONE, -1, &count, NULL, &error));
        g_assert_no_error(error);
        g_assert_true(stored_store_call_count_all_sync(store, group, NONE, -1, &count_all, NULL, &error));
        g_assert_no_error(error);
        g_assert_true(stored_store_call_get_all_sync(store, group, NONE, -1, &all, NULL, &error));
        g_assert_no_error(error);
        groups = groups_of(store, group);

        if (count != 1 || count_all != 1 || g_variant_n_children(all) != 1 || !g_str_equal(groups, group))
                g_string_append_printf(failures,
                        "; SetWithTTL(ttl %" G_GUINT64_FORMAT
                        "): Get finds the entry, but Count says %" G_GUINT64_FORMAT ", CountAll %" G_GUINT64_FORMAT
                        ", GetAll has %zu entries and Groups gives \"%s\"",
                        ttl_usec, count, count_all, g_variant_n_children(all), groups);
}

static void test_far_future_deadline_is_live_everywhere(void) {
        g_autoptr(GString) failures = g_string_new(NULL);

        check_far_future_ttl(failures, "ttl-far-future-max", G_MAXUINT64);
        check_far_future_ttl(failures, "ttl-far-future-int64", (guint64)G_MAXINT64);
        check_far_future_ttl(failures, "ttl-far-future-ten-thousand-years",
                10000ULL * 366 * 24 * 3600 * G_USEC_PER_SEC);
        if (failures->len > 0)
                g_test_fail_printf("far-future deadlines%s", failures->str);
        bus_assert_serving();
}

/* ---- persistence ---- */

/* go-store's New_Good_FileBacked and zestor's TestPersistence, over a restart of the daemon. */
static void test_entries_survive_restart(void) {
        static const char binary[] = { 0, 1, 2, (char)0xff };
        g_autoptr(GError) error = NULL;
        g_autoptr(GBytes) bytes = NULL;
        g_autofree char *text = NULL;
        BusStat text_before, ttl_before, text_after, ttl_after;

        if (skip_on_memory())
                return;
        bus_set("persist", "text", "before");
        bus_set("persist", "text", "survives");
        bus_set_bytes("persist", "binary", binary, sizeof(binary), 0);
        bus_set_with_ttl("persist", "ttl", "hour", HOUR_USEC);
        text_before = bus_stat("persist", "text");
        ttl_before = bus_stat("persist", "ttl");

        restart_daemon();

        text = bus_get("persist", "text");
        g_assert_cmpstr(text, ==, "survives");
        bytes = bus_get_bytes("persist", "binary", &error);
        g_assert_no_error(error);
        g_assert_cmpmem(g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes), binary, sizeof(binary));
        text_after = bus_stat("persist", "text");
        ttl_after = bus_stat("persist", "ttl");
        g_assert_cmpmem(&text_after, sizeof(text_after), &text_before, sizeof(text_before));
        g_assert_cmpmem(&ttl_after, sizeof(ttl_after), &ttl_before, sizeof(ttl_before));
        g_assert_cmpuint(bus_count("persist"), ==, 3);
}

/* The revision is persistent and never goes back. */
static void test_revision_survives_restart(void) {
        guint64 before, next;

        if (skip_on_memory())
                return;
        before = bus_set("persist-revision", "k", "v");
        g_assert_cmpuint(bus_revision(), ==, before);

        restart_daemon();

        g_assert_cmpuint(bus_revision(), ==, before);
        next = bus_set("persist-revision", "k", "v2");
        g_assert_cmpuint(next, ==, before + 1);
}

/* go-store's New_Good_WALMode: after a clean stop the file is a WAL database holding the data. */
static void test_clean_stop_leaves_wal_database(void) {
        g_autofree char *journal_mode = NULL;

        if (skip_on_memory())
                return;
        bus_set("persist-wal", "k", "v");
        world_stop_daemon(bus_world);

        {
                g_autoptr(sqlite3) db = database_open_readonly();
                journal_mode = database_pragma(db, "journal_mode");
                g_assert_cmpstr(journal_mode, ==, "wal");
                g_assert_cmpint(database_count_rows(db, "persist-wal", "k"), ==, 1);
        }

        world_start_daemon(bus_world, bus_daemon_args());
        g_autofree char *value = bus_get("persist-wal", "k");
        g_assert_cmpstr(value, ==, "v");
}

void bus_ttl_tests_register(void) {
        g_test_add_func("/bus/ttl/expired-key-is-not-found", test_expired_key_is_not_found);
        g_test_add_func("/bus/ttl/set-clears-ttl", test_set_clears_ttl);
        g_test_add_func("/bus/ttl/set-bytes-without-ttl-clears-ttl", test_set_bytes_without_ttl_clears_ttl);
        g_test_add_func("/bus/ttl/expired-entries-vanish-from-every-listing",
                test_expired_entries_vanish_from_every_listing);
        g_test_add_func("/bus/ttl/expiry-takes-one-revision", test_expiry_takes_one_revision);
        g_test_add_func("/bus/ttl/rewriting-expired-key-creates-it-anew", test_rewriting_expired_key_creates_it_anew);
        g_test_add_func("/bus/ttl/expired-key-removed-without-read", test_expired_key_removed_without_read);
        g_test_add_func("/bus/ttl/far-future-deadline-is-live-everywhere", test_far_future_deadline_is_live_everywhere);
        g_test_add_func("/bus/persistence/entries-survive-restart", test_entries_survive_restart);
        g_test_add_func("/bus/persistence/revision-survives-restart", test_revision_survives_restart);
        g_test_add_func("/bus/persistence/clean-stop-leaves-wal-database", test_clean_stop_leaves_wal_database);
}
