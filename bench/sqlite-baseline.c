/* SPDX-License-Identifier: MIT */

/* What the same work costs in-process, with no bus and no daemon: plain SQLite calls against the
 * daemon's own database file (the daemon stopped), on the rows the load client uses. Prints one line
 * of key=value pairs per op, in the load client's style:
 *
 *   op=sqlite-get calls=812345 seconds=1.000 calls_per_sec=812345 us_per_call=1.23
 *
 * Ops (--op, repeatable; default all):
 *   get        one row by (group, key), a random entry of the --keys fill layout, value read
 *   get-all    every live row of --getall-group, key and value of each read, in key order
 *   commit     one durable transaction per call that updates one random entry (WAL; --synchronous;
 *              printed as sqlite-commit-normal with --synchronous=NORMAL, as is commit-1000)
 *   commit-1000  one transaction per call that updates 1000 rows of one group
 *
 * The statements are the shape the daemon's SQLite backend uses: groups and keys bound as BLOBs, the
 * same columns read, the same upsert. */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const sql_get = "SELECT value, version, revision, modified_usec, expires_usec FROM entries "
                                   "WHERE grp = ?1 AND key = ?2";
static const char *const sql_list = "SELECT key, value, version, revision, modified_usec, expires_usec FROM entries "
                                    "WHERE grp = ?1 AND (expires_usec = 0 OR expires_usec > ?2) ORDER BY key";
static const char *const sql_put =
        "INSERT INTO entries (grp, key, value, version, revision, modified_usec, expires_usec) "
        "VALUES (?1, ?2, ?3, 1, 0, ?4, 0) "
        "ON CONFLICT (grp, key) DO UPDATE SET value = excluded.value, version = version + 1, "
        "modified_usec = excluded.modified_usec, expires_usec = 0";

typedef struct Options {
        const char *database;
        const char *group;
        const char *getall_group;
        unsigned long keys;
        unsigned long group_size;
        double seconds;
        const char *synchronous;
} Options;

static sqlite3 *db;
static sqlite3_stmt *stmt_get, *stmt_list, *stmt_put;
static volatile uint64_t sink;

static double now_seconds(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t realtime_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static int fail(const char *what) {
        fprintf(stderr, "sqlite-baseline: %s: %s\n", what, sqlite3_errmsg(db));
        return -1;
}

static void layout_entry(const Options *o, unsigned long j, char *group, size_t group_size, char *key,
        size_t key_size) {
        if (o->group_size > 0)
                snprintf(group, group_size, "%s-%lu", o->group, j / o->group_size);
        else
                snprintf(group, group_size, "%s", o->group);
        snprintf(key, key_size, "k%lu", j);
}

static unsigned long random_entry(const Options *o, unsigned *seed) {
        return (((unsigned long)rand_r(seed) << 31) ^ (unsigned long)rand_r(seed)) % o->keys;
}

static int op_get(const Options *o, unsigned long i, unsigned *seed) {
        char group[128], key[64];
        int rc;

        (void)i;
        layout_entry(o, random_entry(o, seed), group, sizeof(group), key, sizeof(key));
        sqlite3_bind_blob(stmt_get, 1, group, (int)strlen(group), SQLITE_STATIC);
        sqlite3_bind_blob(stmt_get, 2, key, (int)strlen(key), SQLITE_STATIC);
        rc = sqlite3_step(stmt_get);
        if (rc == SQLITE_ROW)
                sink += (uint64_t)sqlite3_column_bytes(stmt_get, 0) + (uintptr_t)sqlite3_column_blob(stmt_get, 0);
        sqlite3_reset(stmt_get);
        return rc == SQLITE_ROW ? 0 : fail("get (is the fill layout right?)");
}

static int op_get_all(const Options *o, unsigned long i, unsigned *seed) {
        unsigned long rows = 0;
        int rc;

        (void)i;
        (void)seed;
        sqlite3_bind_blob(stmt_list, 1, o->getall_group, (int)strlen(o->getall_group), SQLITE_STATIC);
        sqlite3_bind_int64(stmt_list, 2, (sqlite3_int64)realtime_usec());
        while ((rc = sqlite3_step(stmt_list)) == SQLITE_ROW) {
                const void *k = sqlite3_column_blob(stmt_list, 0);
                int kn = sqlite3_column_bytes(stmt_list, 0);
                const void *v = sqlite3_column_blob(stmt_list, 1);
                int vn = sqlite3_column_bytes(stmt_list, 1);
                sink += (uintptr_t)k + (uintptr_t)v + (uint64_t)kn + (uint64_t)vn;
                rows++;
        }
        sqlite3_reset(stmt_list);
        if (rc != SQLITE_DONE)
                return fail("get-all");
        if (rows == 0) {
                fprintf(stderr, "sqlite-baseline: group %s is empty\n", o->getall_group);
                return -1;
        }
        return 0;
}

static int put(const char *group, const char *key, const char *value) {
        int rc;

        sqlite3_bind_blob(stmt_put, 1, group, (int)strlen(group), SQLITE_STATIC);
        sqlite3_bind_blob(stmt_put, 2, key, (int)strlen(key), SQLITE_STATIC);
        sqlite3_bind_blob(stmt_put, 3, value, (int)strlen(value), SQLITE_STATIC);
        sqlite3_bind_int64(stmt_put, 4, (sqlite3_int64)realtime_usec());
        rc = sqlite3_step(stmt_put);
        sqlite3_reset(stmt_put);
        return rc == SQLITE_DONE ? 0 : fail("upsert");
}

static int commit_rows(const Options *o, unsigned long i, unsigned *seed, unsigned long n) {
        char group[128], key[64], value[64];
        int r = 0;

        if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
                return fail("begin");
        for (unsigned long e = 0; r == 0 && e < n; e++) {
                if (n == 1)
                        layout_entry(o, random_entry(o, seed), group, sizeof(group), key, sizeof(key));
                else {
                        snprintf(group, sizeof(group), "baseline-setall");
                        snprintf(key, sizeof(key), "k%lu", e);
                }
                snprintf(value, sizeof(value), "baseline-%lu-%lu-vvvv", i, e);
                r = put(group, key, value);
        }
        if (r < 0) {
                sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
                return r;
        }
        if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
                return fail("commit");
        return 0;
}

static int op_commit(const Options *o, unsigned long i, unsigned *seed) {
        return commit_rows(o, i, seed, 1);
}

static int op_commit_1000(const Options *o, unsigned long i, unsigned *seed) {
        return commit_rows(o, i, seed, 1000);
}

typedef struct Op {
        const char *name;
        int (*run)(const Options *o, unsigned long i, unsigned *seed);
        unsigned long warmup;
} Op;

static const Op ops[] = {
        { "get", op_get, 1000 },
        { "get-all", op_get_all, 3 },
        { "commit", op_commit, 3 },
        { "commit-1000", op_commit_1000, 1 },
};

static int measure(const Options *o, const Op *op) {
        unsigned seed = 12345;
        unsigned long calls = 0;
        double start, seconds;

        for (unsigned long i = 0; i < op->warmup; i++)
                if (op->run(o, i, &seed) < 0)
                        return -1;
        start = now_seconds();
        do {
                /* Check the clock every few calls only: a Get is about a microsecond. */
                for (int k = 0; k < 16; k++, calls++)
                        if (op->run(o, calls, &seed) < 0)
                                return -1;
                seconds = now_seconds() - start;
        } while (seconds < o->seconds);
        printf("op=sqlite-%s%s calls=%lu seconds=%.3f calls_per_sec=%.0f us_per_call=%.3f\n", op->name,
                strncmp(op->name, "commit", 6) == 0 && strcmp(o->synchronous, "NORMAL") == 0 ? "-normal" : "", calls,
                seconds, (double)calls / seconds, seconds * 1e6 / (double)calls);
        fflush(stdout);
        return 0;
}

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "database", required_argument, NULL, 'd' },
                { "op", required_argument, NULL, 'o' },
                { "group", required_argument, NULL, 'g' },
                { "getall-group", required_argument, NULL, 'A' },
                { "keys", required_argument, NULL, 'K' },
                { "group-size", required_argument, NULL, 'G' },
                { "seconds", required_argument, NULL, 'S' },
                { "synchronous", required_argument, NULL, 'y' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        Options o = {
                .group = "fill",
                .getall_group = "getall",
                .keys = 100,
                .group_size = 1000,
                .seconds = 1,
                .synchronous = "FULL",
        };
        const Op *selected[sizeof(ops) / sizeof(ops[0])];
        size_t n_selected = 0;
        char pragmas[128];
        int opt, r = 0;

        while ((opt = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (opt) {
                case 'd': o.database = optarg; break;
                case 'g': o.group = optarg; break;
                case 'A': o.getall_group = optarg; break;
                case 'K': o.keys = strtoul(optarg, NULL, 10); break;
                case 'G': o.group_size = strtoul(optarg, NULL, 10); break;
                case 'S': o.seconds = strtod(optarg, NULL); break;
                case 'y': o.synchronous = optarg; break;
                case 'o': {
                        size_t i;
                        for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
                                if (strcmp(optarg, ops[i].name) == 0)
                                        break;
                        if (i == sizeof(ops) / sizeof(ops[0]) || n_selected == sizeof(selected) / sizeof(selected[0])) {
                                fprintf(stderr, "sqlite-baseline: unknown --op=%s\n", optarg);
                                return 2;
                        }
                        selected[n_selected++] = &ops[i];
                        break;
                }
                case 'h':
                        printf("sqlite-baseline --database=FILE [--op=get|get-all|commit|commit-1000]...\n"
                               "                [--keys=N] [--group=G] [--group-size=N] [--getall-group=G]\n"
                               "                [--seconds=S] [--synchronous=FULL|NORMAL]\n");
                        return 0;
                default: return 2;
                }
        if (!o.database || o.keys == 0 || !(o.seconds > 0) ||
                (strcmp(o.synchronous, "FULL") != 0 && strcmp(o.synchronous, "NORMAL") != 0)) {
                fprintf(stderr, "sqlite-baseline: needs --database, positive --keys and --seconds, "
                                "--synchronous=FULL|NORMAL\n");
                return 2;
        }
        if (n_selected == 0)
                for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
                        selected[n_selected++] = &ops[i];

        /* The file must exist: this measures the daemon's database, it does not make one. */
        if (sqlite3_open_v2(o.database, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
                return fail("open") < 0 ? 1 : 0;
        snprintf(pragmas, sizeof(pragmas), "PRAGMA journal_mode = WAL; PRAGMA synchronous = %s;", o.synchronous);
        if (sqlite3_exec(db, pragmas, NULL, NULL, NULL) != SQLITE_OK ||
                sqlite3_prepare_v3(db, sql_get, -1, SQLITE_PREPARE_PERSISTENT, &stmt_get, NULL) != SQLITE_OK ||
                sqlite3_prepare_v3(db, sql_list, -1, SQLITE_PREPARE_PERSISTENT, &stmt_list, NULL) != SQLITE_OK ||
                sqlite3_prepare_v3(db, sql_put, -1, SQLITE_PREPARE_PERSISTENT, &stmt_put, NULL) != SQLITE_OK)
                r = fail("prepare");
        for (size_t i = 0; r == 0 && i < n_selected; i++)
                r = measure(&o, selected[i]);

        sqlite3_finalize(stmt_get);
        sqlite3_finalize(stmt_list);
        sqlite3_finalize(stmt_put);
        sqlite3_close(db);
        return r < 0 ? 1 : 0;
}
