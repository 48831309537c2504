/* SPDX-License-Identifier: MIT */

/* A load client for stored: N processes each make calls as fast as they can, one at a time, over the
 * system bus (or --address=), and the figures are printed as one line of key=value pairs:
 *
 *   op=get clients=8 calls=80000 seconds=2.91 calls_per_sec=27491 p50_us=281 p99_us=540
 *
 * Ops: ping (org.freedesktop.DBus.Peer.Ping, the bus's own limit), get, set, set-ttl, get-all.
 * --reconnect opens a new connection for every call (so no per-sender cache can help). */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

typedef enum Op { OP_PING, OP_GET, OP_SET, OP_SET_TTL, OP_GET_ALL } Op;

typedef struct Options {
        const char *address;
        const char *path;
        const char *group;
        const char *key;
        Op op;
        unsigned clients;
        unsigned long calls;
        size_t value_size;
        int reconnect;
} Options;

/* What a client process reports to the parent through a pipe. */
typedef struct Report {
        unsigned long calls;
        unsigned long errors;
        double seconds;
        double p50_us, p99_us;
} Report;

static double now_seconds(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int connect_bus(const Options *o, sd_bus **ret) {
        sd_bus *bus = NULL;
        int r;

        if (!o->address)
                return sd_bus_open_system(ret);
        r = sd_bus_new(&bus);
        if (r >= 0)
                r = sd_bus_set_address(bus, o->address);
        if (r >= 0)
                r = sd_bus_set_bus_client(bus, 1);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r < 0) {
                sd_bus_unref(bus);
                return r;
        }
        *ret = bus;
        return 0;
}

static int one_call(sd_bus *bus, const Options *o, const char *value, unsigned long i) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        char key[64];
        int r;

        switch (o->op) {
        case OP_PING:
                r = sd_bus_call_method(bus, "org.example.Store", o->path, "org.freedesktop.DBus.Peer", "Ping", &error,
                        &reply, "");
                break;
        case OP_GET:
                r = sd_bus_call_method(bus, "org.example.Store", o->path, "org.example.Store", "Get", &error, &reply,
                        "ss", o->group, o->key);
                break;
        case OP_SET:
        case OP_SET_TTL:
                /* A distinct key per call and client: every call is a real change that must be committed. */
                snprintf(key, sizeof(key), "%s-%d-%lu", o->key, (int)getpid(), i);
                if (o->op == OP_SET)
                        r = sd_bus_call_method(bus, "org.example.Store", o->path, "org.example.Store", "Set", &error,
                                &reply, "sss", o->group, key, value);
                else
                        r = sd_bus_call_method(bus, "org.example.Store", o->path, "org.example.Store", "SetWithTTL",
                                &error, &reply, "ssst", o->group, key, value, (uint64_t)3600 * 1000000);
                break;
        case OP_GET_ALL:
        default:
                r = sd_bus_call_method(bus, "org.example.Store", o->path, "org.example.Store", "GetAll", &error,
                        &reply, "s", o->group);
                if (r >= 0) {
                        /* Read the whole reply, as a real client would. */
                        const char *k, *v;
                        r = sd_bus_message_enter_container(reply, 'a', "{ss}");
                        while (r > 0 && (r = sd_bus_message_read(reply, "{ss}", &k, &v)) > 0)
                                ;
                }
                break;
        }
        if (r < 0 && i == 0)
                fprintf(stderr, "stored-bench: %s failed: %s\n", o->path, error.message ?: strerror(-r));
        sd_bus_error_free(&error);
        sd_bus_message_unref(reply);
        return r;
}

static int compare_double(const void *a, const void *b) {
        double x = *(const double *)a, y = *(const double *)b;
        return x < y ? -1 : x > y;
}

static Report run_client(const Options *o) {
        Report report = {};
        double *latency = calloc(o->calls, sizeof(double));
        char *value = malloc(o->value_size + 1);
        sd_bus *bus = NULL;
        double start;

        if (!latency || !value) {
                report.errors = o->calls;
                free(latency);
                free(value);
                return report;
        }
        memset(value, 'v', o->value_size);
        value[o->value_size] = 0;

        if (!o->reconnect && connect_bus(o, &bus) < 0) {
                report.errors = o->calls;
                free(latency);
                free(value);
                return report;
        }
        start = now_seconds();
        for (unsigned long i = 0; i < o->calls; i++) {
                double t = now_seconds();
                if (o->reconnect && connect_bus(o, &bus) < 0) {
                        report.errors++;
                        continue;
                }
                if (one_call(bus, o, value, i) < 0)
                        report.errors++;
                if (o->reconnect)
                        bus = sd_bus_flush_close_unref(bus);
                latency[report.calls++] = (now_seconds() - t) * 1e6;
        }
        report.seconds = now_seconds() - start;
        qsort(latency, report.calls, sizeof(double), compare_double);
        if (report.calls > 0) {
                report.p50_us = latency[report.calls / 2];
                report.p99_us = latency[(size_t)((double)(report.calls - 1) * 0.99)];
        }
        sd_bus_flush_close_unref(bus);
        free(latency);
        free(value);
        return report;
}

static int parse_op(const char *s, Op *ret) {
        static const char *const names[] = { "ping", "get", "set", "set-ttl", "get-all" };
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
                if (strcmp(s, names[i]) == 0) {
                        *ret = (Op)i;
                        return 0;
                }
        return -EINVAL;
}

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "address", required_argument, NULL, 'a' },
                { "path", required_argument, NULL, 'p' },
                { "op", required_argument, NULL, 'o' },
                { "clients", required_argument, NULL, 'c' },
                { "calls", required_argument, NULL, 'n' },
                { "group", required_argument, NULL, 'g' },
                { "key", required_argument, NULL, 'k' },
                { "value-size", required_argument, NULL, 's' },
                { "reconnect", no_argument, NULL, 'r' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        static const char *const op_names[] = { "ping", "get", "set", "set-ttl", "get-all" };
        Options o = {
                .path = "/org/example/Store",
                .group = "bench",
                .key = "key",
                .op = OP_GET,
                .clients = 1,
                .calls = 10000,
                .value_size = 16,
        };
        unsigned long total_calls = 0, total_errors = 0;
        double max_seconds = 0, p50 = 0, p99 = 0;
        int fds[2], opt;

        while ((opt = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (opt) {
                case 'a': o.address = optarg; break;
                case 'p': o.path = optarg; break;
                case 'o':
                        if (parse_op(optarg, &o.op) < 0) {
                                fprintf(stderr, "stored-bench: unknown --op=%s\n", optarg);
                                return 2;
                        }
                        break;
                case 'c': o.clients = (unsigned)strtoul(optarg, NULL, 10); break;
                case 'n': o.calls = strtoul(optarg, NULL, 10); break;
                case 'g': o.group = optarg; break;
                case 'k': o.key = optarg; break;
                case 's': o.value_size = strtoul(optarg, NULL, 10); break;
                case 'r': o.reconnect = 1; break;
                case 'h':
                        printf("stored-bench [--address=ADDR] [--path=PATH] [--op=ping|get|set|set-ttl|get-all]\n"
                               "             [--clients=N] [--calls=N per client] [--group=G] [--key=K]\n"
                               "             [--value-size=BYTES] [--reconnect]\n");
                        return 0;
                default: return 2;
                }
        if (o.clients == 0 || o.calls == 0)
                return 2;

        if (pipe(fds) < 0)
                return 1;
        for (unsigned c = 0; c < o.clients; c++) {
                pid_t pid = fork();
                if (pid < 0)
                        return 1;
                if (pid == 0) {
                        Report report = run_client(&o);
                        ssize_t n = write(fds[1], &report, sizeof(report));
                        _exit(n == (ssize_t)sizeof(report) ? 0 : 1);
                }
        }
        close(fds[1]);
        for (unsigned c = 0; c < o.clients; c++) {
                Report report;
                if (read(fds[0], &report, sizeof(report)) != (ssize_t)sizeof(report))
                        break;
                total_calls += report.calls;
                total_errors += report.errors;
                if (report.seconds > max_seconds)
                        max_seconds = report.seconds;
                p50 += report.p50_us / o.clients;
                if (report.p99_us > p99)
                        p99 = report.p99_us;
        }
        while (wait(NULL) > 0 || errno == EINTR)
                ;

        printf("op=%s clients=%u calls=%lu errors=%lu seconds=%.3f calls_per_sec=%.0f p50_us=%.0f p99_us=%.0f\n",
                op_names[o.op], o.clients, total_calls, total_errors, max_seconds,
                max_seconds > 0 ? (double)total_calls / max_seconds : 0, p50, p99);
        return total_errors > 0 ? 1 : 0;
}
