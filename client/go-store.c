/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <sqlite3.h>
#include <stdbool.h>

#include "go-store.h"
#include "storectl.h"

static void sqlite3_closep(sqlite3 **db) {
        sqlite3_close_v2(*db);
}

static void sqlite3_finalizep(sqlite3_stmt **s) {
        sqlite3_finalize(*s);
}

typedef struct Columns {
        bool present; /* the table exists */
        bool group, key, value, expires_at;
} Columns;

static int table_columns(sqlite3 *db, const char *table, const char *group, const char *key, const char *value,
        Columns *ret) {
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *s = NULL;
        char sql[64];
        int rc;

        *ret = (Columns){};
        snprintf(sql, sizeof(sql), "PRAGMA table_info(%s)", table);
        rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
        if (rc != SQLITE_OK)
                return rc;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
                const char *name = (const char *)sqlite3_column_text(s, 1);
                ret->present = true;
                if (!name)
                        continue;
                ret->group |= streq(name, group);
                ret->key |= streq(name, key);
                ret->value |= streq(name, value);
                ret->expires_at |= streq(name, "expires_at");
        }
        return rc == SQLITE_DONE ? 0 : rc;
}

typedef struct Reader {
        const char *path;
        sqlite3 *db;
        uint64_t now_ms;
        DumpBuffer *out;
        GoStoreStats *stats;
} Reader;

/* One query's rows (group, key, value, expires_at) into dump lines. */
static int read_rows(Reader *rd, const char *table, const char *sql, uint64_t *counter) {
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *s = NULL;
        int rc, r;

        rc = sqlite3_prepare_v2(rd->db, sql, -1, &s, NULL);
        if (rc != SQLITE_OK)
                return log_errorf(-EIO, "%s: cannot read %s: %s", rd->path, table, sqlite3_errmsg(rd->db));
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
                const char *group = (const char *)sqlite3_column_text(s, 0);
                const char *key = (const char *)sqlite3_column_text(s, 1);
                const void *value = sqlite3_column_blob(s, 2);
                size_t value_len = (size_t)sqlite3_column_bytes(s, 2);
                uint64_t expires_ms = 0;

                if (sqlite3_column_type(s, 3) != SQLITE_NULL) {
                        sqlite3_int64 v = sqlite3_column_int64(s, 3);
                        /* go-store: a row is live while expires_at > now (in ms). */
                        if (v <= 0 || (uint64_t)v <= rd->now_ms) {
                                rd->stats->expired++;
                                continue;
                        }
                        expires_ms = (uint64_t)v;
                }
                if (!group || !key)
                        return log_errorf(-EINVAL, "%s: a row of %s has no group or key", rd->path, table);
                if (!dump_text_is_valid(group, strlen(group)) ||
                        !dump_text_is_valid(key, (size_t)sqlite3_column_bytes(s, 1)) ||
                        strlen(group) != (size_t)sqlite3_column_bytes(s, 0))
                        return log_errorf(-EINVAL, "%s: a group or key in %s is not text (UTF-8 without NUL)", rd->path,
                                table);
                r = dump_entry_append(rd->out,
                        &(DumpEntry){
                                .group = group,
                                .key = key,
                                .value = value ?: "",
                                .value_len = value ? value_len : 0,
                                .expires_usec = expires_ms > (uint64_t)INT64_MAX / 1000 ? (uint64_t)INT64_MAX
                                                                                        : expires_ms * 1000,
                        });
                if (r < 0)
                        return log_errorf(r, "Out of memory");
                (*counter)++;
        }
        if (rc != SQLITE_DONE)
                return log_errorf(-EIO, "%s: cannot read %s: %s", rd->path, table, sqlite3_errmsg(rd->db));
        return 0;
}

int go_store_read(const char *path, uint64_t now_usec, DumpBuffer *out, GoStoreStats *ret_stats) {
        _cleanup_(sqlite3_closep) sqlite3 *db = NULL;
        Reader rd = { .path = path, .now_ms = now_usec / 1000, .out = out, .stats = ret_stats };
        Columns entries, kv;
        char sql[512];
        int rc, r;

        *ret_stats = (GoStoreStats){};
        rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
        if (rc != SQLITE_OK)
                return log_errorf(-EIO, "Cannot open %s: %s", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        rd.db = db;
        rc = table_columns(db, "entries", "group_name", "entry_key", "entry_value", &entries);
        if (rc == SQLITE_OK)
                rc = table_columns(db, "kv", "grp", "key", "value", &kv);
        if (rc != SQLITE_OK)
                return log_errorf(-EIO, "Cannot read %s: %s", path, sqlite3_errmsg(db));

        if (entries.present && !(entries.group && entries.key && entries.value))
                return log_errorf(-EINVAL,
                        "%s: its entries table is not go-store's (no group_name, entry_key, entry_value)", path);
        if (kv.present && !(kv.group && kv.key && kv.value))
                return log_errorf(-EINVAL, "%s: its kv table is not go-store's (no grp, key, value)", path);
        if (!entries.present && !kv.present)
                return log_errorf(-EINVAL, "%s is not a go-store database: no entries or kv table", path);

        if (entries.present) {
                snprintf(sql, sizeof(sql),
                        "SELECT group_name, entry_key, entry_value, %s FROM entries ORDER BY group_name, "
                        "entry_key",
                        entries.expires_at ? "expires_at" : "NULL");
                r = read_rows(&rd, "entries", sql, &ret_stats->from_entries);
                if (r < 0)
                        return r;
        }
        if (kv.present) {
                /* go-store's own merge: INSERT OR IGNORE of kv into entries, so any row of entries wins. */
                snprintf(sql, sizeof(sql), "SELECT grp, key, value, %s FROM kv %s ORDER BY grp, key",
                        kv.expires_at ? "expires_at" : "NULL",
                        entries.present ? "WHERE NOT EXISTS (SELECT 1 FROM entries "
                                          "WHERE entries.group_name = kv.grp AND entries.entry_key = kv.key)"
                                        : "");
                r = read_rows(&rd, "kv", sql, &ret_stats->from_kv);
                if (r < 0)
                        return r;
        }
        return 0;
}
