/* SPDX-License-Identifier: MIT */

/* A client for the shell tests (test-durability.sh, test-unit.sh).
 *
 *   store-client write GROUP LOG     writes distinct keys into GROUP as fast as the daemon answers,
 *                                    WINDOW calls in flight, and appends "key value revision" to LOG for
 *                                    every write whose reply said it succeeded; it stops at the first
 *                                    failed call (the daemon was killed) or after MAX_SECONDS.
 *   store-client verify GROUP LOG    checks that every write in LOG is in GROUP with its value, prints
 *                                    "acknowledged=N found=N wrong=N missing=N extra=N max_revision=N"
 *                                    and exits 0 only if none is missing or wrong.
 *   store-client set ADDRESS PATH GROUP KEY VALUE
 *                                    one Set on a direct (peer-to-peer) connection to ADDRESS; prints
 *                                    the revision, or the error's name and message (exit 1).
 *
 * write and verify use the system bus (DBUS_SYSTEM_BUS_ADDRESS). */

#include <errno.h>
#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#define DESTINATION "org.example.Store"
#define PATH        "/org/example/Store"
#define INTERFACE   "org.example.Store"
#define WINDOW      16
#define MAX_SECONDS 30
#define VALUE_BYTES 100

typedef struct Writer {
        sd_bus *bus;
        const char *group;
        FILE *log;
        char nonce[32];
        uint64_t next;
        unsigned in_flight;
        uint64_t acknowledged;
        int failed; /* negative errno of the first failure */
        char failure[256];
} Writer;

typedef struct Call {
        Writer *writer;
        char key[32];
        char value[VALUE_BYTES + 1];
} Call;

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000U + (uint64_t)ts.tv_nsec / 1000U;
}

static int on_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Call *call = userdata;
        Writer *w = call->writer;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        uint64_t revision = 0;
        int r;

        (void)ret_error;
        w->in_flight--;
        if (e) {
                if (w->failed == 0) {
                        w->failed = -EIO;
                        snprintf(w->failure, sizeof(w->failure), "%s: %s", e->name, e->message ?: "");
                }
        } else if ((r = sd_bus_message_read(reply, "t", &revision)) < 0) {
                if (w->failed == 0)
                        w->failed = r;
        } else {
                fprintf(w->log, "%s\t%s\t%" PRIu64 "\n", call->key, call->value, revision);
                w->acknowledged++;
        }
        free(call);
        return 0;
}

static void call_freep(Call **c) {
        free(*c);
}

static int send_one(Writer *w) {
        __attribute__((cleanup(call_freep))) Call *call = calloc(1, sizeof(Call));
        sd_bus_message *m = NULL;
        int r;

        if (!call)
                return -ENOMEM;
        call->writer = w;
        snprintf(call->key, sizeof(call->key), "k%010" PRIu64, w->next);
        /* Unique per run and key, so a value from elsewhere can never pass for this one. */
        snprintf(call->value, sizeof(call->value), "%s-%" PRIu64 "-", w->nonce, w->next);
        memset(call->value + strlen(call->value), 'v', VALUE_BYTES - strlen(call->value));
        call->value[VALUE_BYTES] = 0;

        r = sd_bus_message_new_method_call(w->bus, &m, DESTINATION, PATH, INTERFACE, "Set");
        if (r >= 0)
                r = sd_bus_message_append(m, "sss", w->group, call->key, call->value);
        if (r >= 0)
                r = sd_bus_call_async(w->bus, NULL, m, on_reply, call, 10 * 1000000ULL);
        sd_bus_message_unref(m);
        if (r < 0)
                return r;
        call = NULL; /* on_reply frees it */
        w->next++;
        w->in_flight++;
        return 0;
}

static int do_write(const char *group, const char *log_path) {
        Writer w = { .group = group };
        uint64_t deadline = now_usec() + MAX_SECONDS * 1000000ULL;
        int r;

        snprintf(w.nonce, sizeof(w.nonce), "%lx%lx", (unsigned long)getpid(), (unsigned long)now_usec());
        w.log = fopen(log_path, "we");
        if (!w.log) {
                fprintf(stderr, "store-client: %s: %m\n", log_path);
                return 1;
        }
        r = sd_bus_open_system(&w.bus);
        if (r < 0) {
                fprintf(stderr, "store-client: cannot connect to the bus: %s\n", strerror(-r));
                fclose(w.log);
                return 1;
        }

        while (w.in_flight > 0 || (w.failed == 0 && now_usec() < deadline)) {
                while (w.failed == 0 && w.in_flight < WINDOW && now_usec() < deadline) {
                        r = send_one(&w);
                        if (r < 0) {
                                w.failed = r;
                                snprintf(w.failure, sizeof(w.failure), "sending: %s", strerror(-r));
                        }
                }
                r = sd_bus_process(w.bus, NULL);
                if (r < 0) {
                        if (w.failed == 0) {
                                w.failed = r;
                                snprintf(w.failure, sizeof(w.failure), "bus: %s", strerror(-r));
                        }
                        break;
                }
                if (r == 0)
                        (void)sd_bus_wait(w.bus, 1000000);
        }
        /* What was acknowledged is on disk here before the test looks at it. */
        if (fflush(w.log) != 0 || fsync(fileno(w.log)) < 0)
                fprintf(stderr, "store-client: writing %s: %m\n", log_path);
        fclose(w.log);
        sd_bus_flush_close_unref(w.bus);
        printf("group=%s acknowledged=%" PRIu64 " stopped_by=%s\n", group, w.acknowledged,
                w.failed ? w.failure : "time");
        return 0;
}

static int do_verify(const char *group, const char *log_path) {
        g_autoptr(GHashTable) stored = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        sd_bus *bus = NULL;
        FILE *log;
        char *line = NULL;
        size_t line_size = 0;
        uint64_t acknowledged = 0, found = 0, wrong = 0, missing = 0, extra, max_revision = 0;
        const char *k, *v;
        int r;

        r = sd_bus_open_system(&bus);
        if (r >= 0)
                r = sd_bus_call_method(bus, DESTINATION, PATH, INTERFACE, "GetAll", &error, &reply, "s", group);
        if (r >= 0)
                r = sd_bus_message_enter_container(reply, 'a', "{ss}");
        while (r > 0 && (r = sd_bus_message_read(reply, "{ss}", &k, &v)) > 0)
                g_hash_table_insert(stored, g_strdup(k), g_strdup(v));
        if (r < 0) {
                fprintf(stderr, "store-client: GetAll %s: %s\n", group, error.message ?: strerror(-r));
                return 1;
        }
        sd_bus_message_unref(reply);
        sd_bus_error_free(&error);
        sd_bus_flush_close_unref(bus);

        log = fopen(log_path, "re");
        if (!log) {
                fprintf(stderr, "store-client: %s: %m\n", log_path);
                return 1;
        }
        while (getline(&line, &line_size, log) > 0) {
                char *key = strtok(line, "\t"), *value = strtok(NULL, "\t"), *rev = strtok(NULL, "\n");
                const char *have;

                if (!key || !value || !rev)
                        continue;
                acknowledged++;
                max_revision = MAX(max_revision, strtoull(rev, NULL, 10));
                have = g_hash_table_lookup(stored, key);
                if (!have) {
                        if (missing++ < 5)
                                fprintf(stderr, "missing: %s %s\n", group, key);
                } else if (strcmp(have, value) != 0) {
                        if (wrong++ < 5)
                                fprintf(stderr, "wrong value: %s %s\n", group, key);
                } else
                        found++;
        }
        free(line);
        fclose(log);

        /* Extra entries are writes committed whose reply the crash swallowed: allowed. */
        extra = (uint64_t)g_hash_table_size(stored) - found - wrong;
        printf("group=%s acknowledged=%" PRIu64 " found=%" PRIu64 " wrong=%" PRIu64 " missing=%" PRIu64
               " extra=%" PRIu64 " max_revision=%" PRIu64 "\n",
                group, acknowledged, found, wrong, missing, extra, max_revision);
        return missing == 0 && wrong == 0 ? 0 : 1;
}

static int do_set(const char *address, const char *path, const char *group, const char *key, const char *value) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        sd_bus *bus = NULL;
        uint64_t revision;
        int r;

        r = sd_bus_new(&bus);
        if (r >= 0)
                r = sd_bus_set_address(bus, address);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r < 0) {
                fprintf(stderr, "store-client: cannot connect to %s: %s\n", address, strerror(-r));
                sd_bus_unref(bus);
                return 1;
        }
        r = sd_bus_call_method(bus, NULL, path, INTERFACE, "Set", &error, &reply, "sss", group, key, value);
        if (r >= 0)
                r = sd_bus_message_read(reply, "t", &revision);
        if (r >= 0)
                printf("t %" PRIu64 "\n", revision);
        else
                printf("%s: %s\n", error.name ?: "error", error.message ?: strerror(-r));
        sd_bus_message_unref(reply);
        sd_bus_error_free(&error);
        sd_bus_flush_close_unref(bus);
        return r < 0;
}

int main(int argc, char *argv[]) {
        if (argc == 4 && strcmp(argv[1], "write") == 0)
                return do_write(argv[2], argv[3]);
        if (argc == 4 && strcmp(argv[1], "verify") == 0)
                return do_verify(argv[2], argv[3]);
        if (argc == 7 && strcmp(argv[1], "set") == 0)
                return do_set(argv[2], argv[3], argv[4], argv[5], argv[6]);
        fprintf(stderr, "usage: %s write|verify GROUP LOG\n       %s set ADDRESS PATH GROUP KEY VALUE\n", argv[0],
                argv[0]);
        return 2;
}
