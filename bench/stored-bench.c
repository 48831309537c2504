/* SPDX-License-Identifier: MIT */

/* A load client for stored: N processes each make calls as fast as they can, one at a time, over the
 * system bus (or --address=), and the figures are printed as one line of key=value pairs:
 *
 *   op=get clients=8 calls=80000 errors=0 seconds=2.910 calls_per_sec=27491 entries_per_sec=27491 p50_us=281 p99_us=540
 *
 * Ops: ping (org.freedesktop.DBus.Peer.Ping, the bus's own limit), get, set, set-ttl, get-all (the client
 * reads the whole reply), set-all (--entries=N per call), and dconf-write (ca.desrt.dconf.Writer.Change
 * of --entries=N keys per call, on a session bus given with --address=; needs GLib for the changeset;
 * with --keys=N it writes --entries consecutive keys of "/stored-bench/<key><j>", j < N, from a random j).
 *
 * Every client connects and makes --warmup calls first (default 10; 1 for dconf-write); then they all
 * start together and run for --seconds=S (or --calls=N each). The percentiles are over every call of
 * every client.
 *
 * --keys=N makes get, set and set-ttl act on a random entry of the N entries that --fill=N loads (the
 * same --group and --group-size), so a write is an update in place wherever its row lives in the
 * store, and the store keeps its size. Without it get reads --group/--key, and set/set-ttl write a new
 * key per call. Every write carries a value no earlier call wrote, so it is a real change.
 *
 * --fill=N loads N entries with SetAll batches of --entries (default 1000): entry j is key "k<j>" in
 * group "<group>-<j / group-size>", or in "<group>" itself with --group-size=0. --clients split the work.
 *
 * --watch-name=NAME waits until NAME gets an owner on the bus and prints the CLOCK_REALTIME microsecond
 * when the bus said so (after a first line "watching"): a script records when it executed the daemon
 * and subtracts. --reconnect opens a new connection for every call. --direct connects peer to peer
 * (no bus: the daemon's own socket). */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#if BENCH_HAVE_GLIB
#include <glib.h>
#endif

typedef enum Op { OP_PING, OP_GET, OP_SET, OP_SET_TTL, OP_GET_ALL, OP_SET_ALL, OP_DCONF_WRITE, _OP_MAX } Op;

static const char *const op_names[_OP_MAX] = {
        [OP_PING] = "ping",
        [OP_GET] = "get",
        [OP_SET] = "set",
        [OP_SET_TTL] = "set-ttl",
        [OP_GET_ALL] = "get-all",
        [OP_SET_ALL] = "set-all",
        [OP_DCONF_WRITE] = "dconf-write",
};

typedef struct Options {
        const char *address;
        const char *path;
        const char *group;
        const char *key;
        const char *watch_name;
        Op op;
        unsigned clients;
        unsigned long calls; /* per client; 0 = until --seconds pass */
        double seconds; /* 0 = until --calls are made */
        size_t value_size;
        unsigned long keys; /* > 0: act on a random entry of the fill layout */
        unsigned long entries; /* per SetAll or dconf Change */
        unsigned long fill; /* > 0: load this many entries and stop */
        unsigned long group_size;
        unsigned long warmup; /* calls per client before the clock starts */
        uint64_t ttl_usec;
        bool reconnect;
        bool direct;
} Options;

/* Latencies in a log-linear histogram: exact microseconds below 1024, then 64 buckets per power of
 * two (under 1.6% error), up to about 2^37 µs. Fixed size, so clients hand theirs back in shared
 * memory and the parent adds them up. */
#define HIST_LINEAR  1024
#define HIST_SUB     64
#define HIST_OCTAVES 28
#define HIST_BUCKETS (HIST_LINEAR + HIST_OCTAVES * HIST_SUB)

typedef struct Report {
        unsigned long calls;
        unsigned long errors;
        double seconds;
        uint32_t hist[HIST_BUCKETS];
} Report;

static double now_seconds(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t hist_bucket(double us) {
        uint64_t v = us < 0 ? 0 : (uint64_t)us;
        unsigned octave;

        if (v < HIST_LINEAR)
                return (size_t)v;
        octave = 63 - (unsigned)__builtin_clzll(v); /* ≥ 10 */
        if (octave - 10 >= HIST_OCTAVES)
                return HIST_BUCKETS - 1;
        return HIST_LINEAR + (size_t)(octave - 10) * HIST_SUB + (size_t)((v >> (octave - 6)) & (HIST_SUB - 1));
}

/* The lower edge of a bucket, in µs. */
static double hist_value(size_t b) {
        size_t octave, sub;

        if (b < HIST_LINEAR)
                return (double)b;
        octave = (b - HIST_LINEAR) / HIST_SUB + 10;
        sub = (b - HIST_LINEAR) % HIST_SUB;
        return (double)((UINT64_C(1) << octave) + ((uint64_t)sub << (octave - 6)));
}

static double hist_percentile(const uint32_t *hist, unsigned long total, double p) {
        unsigned long rank, seen = 0;

        if (total == 0)
                return 0;
        rank = (unsigned long)(p * (double)total);
        if ((double)rank < p * (double)total || rank == 0)
                rank++;
        for (size_t b = 0; b < HIST_BUCKETS; b++) {
                seen += hist[b];
                if (seen >= rank)
                        return hist_value(b);
        }
        return hist_value(HIST_BUCKETS - 1);
}

static int connect_bus(const Options *o, sd_bus **ret) {
        sd_bus *bus = NULL;
        int r;

        if (!o->address)
                return sd_bus_open_system(ret);
        r = sd_bus_new(&bus);
        if (r >= 0)
                r = sd_bus_set_address(bus, o->address);
        if (r >= 0 && !o->direct)
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

/* Entry j of the fill layout. */
static void layout_entry(const Options *o, unsigned long j, char *group, size_t group_size, char *key,
        size_t key_size) {
        if (o->group_size > 0)
                snprintf(group, group_size, "%s-%lu", o->group, j / o->group_size);
        else
                snprintf(group, group_size, "%s", o->group);
        snprintf(key, key_size, "k%lu", j);
}

static unsigned long random_index(const Options *o, unsigned *seed) {
        return (((unsigned long)rand_r(seed) << 31) ^ (unsigned long)rand_r(seed)) % o->keys;
}

/* A value that no other call of any client writes: a tag, padded to value_size bytes. The buffer
 * holds value_size + VALUE_TAG_MAX bytes. */
#define VALUE_TAG_MAX 64

static void fresh_value(const Options *o, char *value, unsigned long i, unsigned long e) {
        int n = snprintf(value, VALUE_TAG_MAX, "%d-%lu-%lu-", (int)getpid(), i, e);
        if (n < 0 || n >= VALUE_TAG_MAX)
                n = 0;
        if ((size_t)n < o->value_size)
                memset(value + n, 'v', o->value_size - (size_t)n);
        value[(size_t)n < o->value_size ? o->value_size : (size_t)n] = 0;
}

static int call_set_all(sd_bus *bus, const Options *o, char *value, unsigned long i, unsigned long first,
        unsigned long n, sd_bus_error *error, sd_bus_message **reply) {
        sd_bus_message *m = NULL;
        char group[128], key[64];
        int r;

        r = sd_bus_message_new_method_call(bus, &m, o->direct ? NULL : "org.example.Store", o->path,
                "org.example.Store", "SetAll");
        if (r < 0)
                return r;
        if (o->fill) {
                layout_entry(o, first, group, sizeof(group), key, sizeof(key));
                r = sd_bus_message_append(m, "s", group);
        } else
                r = sd_bus_message_append(m, "s", o->group);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "{ss}");
        for (unsigned long e = 0; r >= 0 && e < n; e++) {
                if (o->fill)
                        snprintf(key, sizeof(key), "k%lu", first + e);
                else
                        snprintf(key, sizeof(key), "%s%lu", o->key, e);
                fresh_value(o, value, i, e);
                r = sd_bus_message_append(m, "{ss}", key, value);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_call(bus, m, 0, error, reply);
        sd_bus_message_unref(m);
        return r;
}

#if BENCH_HAVE_GLIB
/* dconf's writer takes a serialized changeset: a GVariant a{smv}, key → new value (nothing = reset). */
static int call_dconf_change(sd_bus *bus, const Options *o, char *value, unsigned long i, unsigned long first,
        sd_bus_error *error, sd_bus_message **reply) {
        GVariantBuilder builder;
        GVariant *changeset;
        sd_bus_message *m = NULL;
        char key[256];
        int r;

        g_variant_builder_init(&builder, G_VARIANT_TYPE("a{smv}"));
        for (unsigned long e = 0; e < o->entries; e++) {
                if (o->keys > 0)
                        snprintf(key, sizeof(key), "/stored-bench/%s%lu", o->key, (first + e) % o->keys);
                else
                        snprintf(key, sizeof(key), "/stored-bench/%s-%d-%lu-%lu", o->key, (int)getpid(), i, e);
                fresh_value(o, value, i, e);
                g_variant_builder_add(&builder, "{smv}", key, g_variant_new_string(value));
        }
        changeset = g_variant_ref_sink(g_variant_builder_end(&builder));

        r = sd_bus_message_new_method_call(bus, &m, "ca.desrt.dconf", "/ca/desrt/dconf/Writer/user",
                "ca.desrt.dconf.Writer", "Change");
        if (r >= 0)
                r = sd_bus_message_append_array(m, 'y', g_variant_get_data(changeset), g_variant_get_size(changeset));
        if (r >= 0)
                r = sd_bus_call(bus, m, 0, error, reply);
        sd_bus_message_unref(m);
        g_variant_unref(changeset);
        return r;
}
#endif

static int one_call(sd_bus *bus, const Options *o, char *value, unsigned long i, unsigned *seed) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        const char *dest = o->direct ? NULL : "org.example.Store";
        char group[128], key[64];
        const char *g = o->group, *k = o->key;
        int r;

        if (o->keys > 0 && (o->op == OP_GET || o->op == OP_SET || o->op == OP_SET_TTL)) {
                layout_entry(o, random_index(o, seed), group, sizeof(group), key, sizeof(key));
                g = group;
                k = key;
        } else if (o->op == OP_SET || o->op == OP_SET_TTL) {
                snprintf(key, sizeof(key), "%s-%d-%lu", o->key, (int)getpid(), i);
                k = key;
        }

        switch (o->op) {
        case OP_PING:
                r = sd_bus_call_method(bus, dest, o->path, "org.freedesktop.DBus.Peer", "Ping", &error, &reply, "");
                break;
        case OP_GET:
                r = sd_bus_call_method(bus, dest, o->path, "org.example.Store", "Get", &error, &reply, "ss", g, k);
                break;
        case OP_SET:
                fresh_value(o, value, i, 0);
                r = sd_bus_call_method(bus, dest, o->path, "org.example.Store", "Set", &error, &reply, "sss", g, k,
                        value);
                break;
        case OP_SET_TTL:
                fresh_value(o, value, i, 0);
                r = sd_bus_call_method(bus, dest, o->path, "org.example.Store", "SetWithTTL", &error, &reply, "ssst", g,
                        k, value, o->ttl_usec);
                break;
        case OP_SET_ALL: r = call_set_all(bus, o, value, i, 0, o->entries, &error, &reply); break;
        case OP_DCONF_WRITE:
#if BENCH_HAVE_GLIB
                r = call_dconf_change(bus, o, value, i, o->keys > 0 ? random_index(o, seed) : 0, &error, &reply);
#else
                r = -EOPNOTSUPP;
#endif
                break;
        case OP_GET_ALL:
        default:
                r = sd_bus_call_method(bus, dest, o->path, "org.example.Store", "GetAll", &error, &reply, "s", g);
                if (r >= 0) {
                        /* Read the whole reply, as a real client would. */
                        const char *rk, *rv;
                        r = sd_bus_message_enter_container(reply, 'a', "{ss}");
                        while (r > 0 && (r = sd_bus_message_read(reply, "{ss}", &rk, &rv)) > 0)
                                ;
                }
                break;
        }
        if (r < 0 && i == 0)
                fprintf(stderr, "stored-bench: %s %s failed: %s\n", op_names[o->op], o->path,
                        error.message ?: strerror(-r));
        sd_bus_error_free(&error);
        sd_bus_message_unref(reply);
        return r;
}

#define WARMUP_CALL_BASE 4000000000UL

/* One client process: connect, warm up, say so on `ready`, wait until `go` is closed, then call. */
static void run_client(const Options *o, Report *report, int ready_fd, int go_fd) {
        char *value = malloc(o->value_size + VALUE_TAG_MAX);
        unsigned seed = (unsigned)getpid() * 2654435761u;
        sd_bus *bus = NULL;
        double start;
        char c = 0;
        int r = 0;

        if (!value)
                r = -ENOMEM;
        if (r >= 0 && !o->reconnect)
                r = connect_bus(o, &bus);
        if (r < 0)
                fprintf(stderr, "stored-bench: cannot connect: %s\n", strerror(-r));
        /* Warm up before the clock starts: first-call costs (the daemon learning who this sender is,
         * cold caches) are not what is measured. Their numbers cannot collide with the measured ones. */
        for (unsigned long w = 0; r >= 0 && !o->reconnect && w < o->warmup; w++)
                (void)one_call(bus, o, value, WARMUP_CALL_BASE + w, &seed);
        (void)!write(ready_fd, &c, 1);
        (void)!read(go_fd, &c, 1); /* returns 0 when the parent closes it */
        if (r < 0) {
                report->errors = 1;
                free(value);
                return;
        }

        start = now_seconds();
        for (unsigned long i = 0;; i++) {
                double t = now_seconds();
                if (o->calls > 0 && i >= o->calls)
                        break;
                if (o->seconds > 0 && t - start >= o->seconds)
                        break;
                if (o->reconnect && connect_bus(o, &bus) < 0) {
                        report->errors++;
                        continue;
                }
                if (one_call(bus, o, value, i, &seed) < 0)
                        report->errors++;
                if (o->reconnect)
                        bus = sd_bus_flush_close_unref(bus);
                report->hist[hist_bucket((now_seconds() - t) * 1e6)]++;
                report->calls++;
        }
        report->seconds = now_seconds() - start;
        sd_bus_flush_close_unref(bus);
        free(value);
}

/* --fill: client c of n loads its share of the entries. */
static int run_fill(const Options *o, unsigned c, unsigned long *done) {
        unsigned long per = (o->fill + o->clients - 1) / o->clients;
        unsigned long first = (unsigned long)c * per, last = first + per;
        char *value = malloc(o->value_size + VALUE_TAG_MAX);
        sd_bus *bus = NULL;
        int r;

        if (last > o->fill)
                last = o->fill;
        if (!value)
                return -ENOMEM;
        r = connect_bus(o, &bus);
        for (unsigned long j = first; r >= 0 && j < last;) {
                sd_bus_error error = SD_BUS_ERROR_NULL;
                sd_bus_message *reply = NULL;
                unsigned long n = o->entries;

                /* One batch never spans two groups. */
                if (n > last - j)
                        n = last - j;
                if (o->group_size > 0 && n > o->group_size - j % o->group_size)
                        n = o->group_size - j % o->group_size;
                r = call_set_all(bus, o, value, j, j, n, &error, &reply);
                if (r < 0)
                        fprintf(stderr, "stored-bench: fill failed at entry %lu: %s\n", j,
                                error.message ?: strerror(-r));
                sd_bus_error_free(&error);
                sd_bus_message_unref(reply);
                j += n;
                *done += n;
        }
        sd_bus_flush_close_unref(bus);
        free(value);
        return r;
}

static int match_name_owner(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *name, *old_owner, *new_owner;
        uint64_t *seen = userdata;
        struct timespec ts;

        (void)error;
        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0 || !*new_owner)
                return 0;
        clock_gettime(CLOCK_REALTIME, &ts);
        *seen = (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
        return 0;
}

/* --watch-name */
static int run_watch(const Options *o) {
        sd_bus *bus = NULL;
        char match[512];
        uint64_t seen = 0;
        double deadline = now_seconds() + (o->seconds > 0 ? o->seconds : 120);
        int r;

        r = connect_bus(o, &bus);
        if (r < 0) {
                fprintf(stderr, "stored-bench: cannot connect: %s\n", strerror(-r));
                return 1;
        }
        snprintf(match, sizeof(match),
                "type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',"
                "member='NameOwnerChanged',arg0='%s'",
                o->watch_name);
        r = sd_bus_add_match(bus, NULL, match, match_name_owner, &seen);
        if (r < 0) {
                fprintf(stderr, "stored-bench: cannot add a match: %s\n", strerror(-r));
                sd_bus_flush_close_unref(bus);
                return 1;
        }
        printf("watching\n");
        fflush(stdout);
        while (seen == 0 && now_seconds() < deadline) {
                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        break;
                if (r == 0)
                        (void)sd_bus_wait(bus, 100000);
        }
        sd_bus_flush_close_unref(bus);
        if (seen == 0) {
                fprintf(stderr, "stored-bench: %s did not appear\n", o->watch_name);
                return 1;
        }
        printf("name=%s realtime_usec=%" PRIu64 "\n", o->watch_name, seen);
        return 0;
}

static int parse_op(const char *s, Op *ret) {
        for (size_t i = 0; i < _OP_MAX; i++)
                if (strcmp(s, op_names[i]) == 0) {
                        *ret = (Op)i;
                        return 0;
                }
        return -EINVAL;
}

static int parse_ulong(const char *s, unsigned long *ret) {
        char *end;
        errno = 0;
        unsigned long v = strtoul(s, &end, 10);
        if (errno || end == s || *end || *s == '-')
                return -EINVAL;
        *ret = v;
        return 0;
}

static int fill_main(const Options *o) {
        unsigned long *done = mmap(NULL, sizeof(unsigned long) * o->clients, PROT_READ | PROT_WRITE,
                MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        unsigned long total = 0;
        double start = now_seconds(), seconds;
        int failed = 0, status;

        if (done == MAP_FAILED)
                return 1;
        for (unsigned c = 0; c < o->clients; c++) {
                pid_t pid = fork();
                if (pid < 0)
                        return 1;
                if (pid == 0)
                        _exit(run_fill(o, c, &done[c]) < 0 ? 1 : 0);
        }
        while (wait(&status) > 0 || errno == EINTR)
                if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                        failed = 1;
        seconds = now_seconds() - start;
        for (unsigned c = 0; c < o->clients; c++)
                total += done[c];
        printf("op=fill clients=%u entries=%lu seconds=%.3f entries_per_sec=%.0f errors=%d\n", o->clients, total,
                seconds, seconds > 0 ? (double)total / seconds : 0, failed);
        return failed;
}

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "address", required_argument, NULL, 'a' },
                { "direct", no_argument, NULL, 'D' },
                { "path", required_argument, NULL, 'p' },
                { "op", required_argument, NULL, 'o' },
                { "clients", required_argument, NULL, 'c' },
                { "calls", required_argument, NULL, 'n' },
                { "seconds", required_argument, NULL, 'S' },
                { "group", required_argument, NULL, 'g' },
                { "key", required_argument, NULL, 'k' },
                { "value-size", required_argument, NULL, 's' },
                { "keys", required_argument, NULL, 'K' },
                { "entries", required_argument, NULL, 'e' },
                { "fill", required_argument, NULL, 'f' },
                { "group-size", required_argument, NULL, 'G' },
                { "ttl", required_argument, NULL, 't' },
                { "warmup", required_argument, NULL, 'W' },
                { "watch-name", required_argument, NULL, 'w' },
                { "reconnect", no_argument, NULL, 'r' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        Options o = {
                .path = "/org/example/Store",
                .group = NULL,
                .key = "key",
                .op = OP_GET,
                .clients = 1,
                .calls = 0,
                .value_size = 16,
                .group_size = 1000,
                .ttl_usec = UINT64_C(3600) * 1000000,
        };
        bool calls_given = false, entries_given = false, warmup_given = false;
        unsigned long total_calls = 0, total_errors = 0, v;
        double max_seconds = 0, p50, p99, calls_per_sec;
        uint32_t *hist;
        Report *reports;
        int ready[2], go[2], opt;
        char c;

        while ((opt = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (opt) {
                case 'a': o.address = optarg; continue;
                case 'D': o.direct = true; continue;
                case 'p': o.path = optarg; continue;
                case 'o':
                        if (parse_op(optarg, &o.op) < 0) {
                                fprintf(stderr, "stored-bench: unknown --op=%s\n", optarg);
                                return 2;
                        }
                        continue;
                case 'g': o.group = optarg; continue;
                case 'k': o.key = optarg; continue;
                case 'w': o.watch_name = optarg; continue;
                case 'r': o.reconnect = true; continue;
                case 'S':
                        o.seconds = strtod(optarg, NULL);
                        if (!(o.seconds > 0)) {
                                fprintf(stderr, "stored-bench: bad --seconds=%s\n", optarg);
                                return 2;
                        }
                        continue;
                case 'h':
                        printf("stored-bench [--address=ADDR [--direct]] [--path=PATH]\n"
                               "             [--op=ping|get|set|set-ttl|get-all|set-all|dconf-write]\n"
                               "             [--clients=N] [--calls=N per client] [--seconds=S]\n"
                               "             [--group=G] [--key=K] [--value-size=BYTES] [--ttl=USEC]\n"
                               "             [--keys=N] [--entries=N] [--group-size=N] [--warmup=N] [--reconnect]\n"
                               "stored-bench --fill=N [--entries=BATCH] [--group=G] [--group-size=N] [--clients=N]\n"
                               "stored-bench --watch-name=NAME [--seconds=TIMEOUT]\n");
                        return 0;
                case '?': return 2;
                default: break;
                }
                if (parse_ulong(optarg, &v) < 0) {
                        fprintf(stderr, "stored-bench: bad number: %s\n", optarg);
                        return 2;
                }
                switch (opt) {
                case 'c': o.clients = (unsigned)v; break;
                case 'n':
                        o.calls = v;
                        calls_given = true;
                        break;
                case 's': o.value_size = v; break;
                case 'K': o.keys = v; break;
                case 'e':
                        o.entries = v;
                        entries_given = true;
                        break;
                case 'f': o.fill = v; break;
                case 'G': o.group_size = v; break;
                case 't': o.ttl_usec = v; break;
                case 'W':
                        o.warmup = v;
                        warmup_given = true;
                        break;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "stored-bench: unexpected argument %s\n", argv[optind]);
                return 2;
        }
        if (!o.group)
                o.group = o.fill || o.keys ? "fill" : "bench";
        if (!entries_given)
                o.entries = o.op == OP_DCONF_WRITE ? 1 : 1000;
        if (!warmup_given)
                o.warmup = o.op == OP_DCONF_WRITE ? 1 : 10;
        if (!calls_given && o.seconds == 0)
                o.calls = 10000;
        if (o.clients == 0 || o.entries == 0 || (calls_given && o.calls == 0)) {
                fprintf(stderr, "stored-bench: --clients, --calls and --entries must be positive\n");
                return 2;
        }
#if !BENCH_HAVE_GLIB
        if (o.op == OP_DCONF_WRITE) {
                fprintf(stderr, "stored-bench: built without GLib, no dconf-write\n");
                return 2;
        }
#endif
        if (o.watch_name)
                return run_watch(&o);
        if (o.fill)
                return fill_main(&o);

        reports = mmap(NULL, sizeof(Report) * o.clients, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        hist = calloc(HIST_BUCKETS, sizeof(uint32_t));
        if (reports == MAP_FAILED || !hist || pipe(ready) < 0 || pipe(go) < 0)
                return 1;
        for (unsigned i = 0; i < o.clients; i++) {
                pid_t pid = fork();
                if (pid < 0)
                        return 1;
                if (pid == 0) {
                        close(ready[0]);
                        close(go[1]);
                        run_client(&o, &reports[i], ready[1], go[0]);
                        _exit(0);
                }
        }
        close(ready[1]);
        close(go[0]);
        /* Everybody connected (or failed to): start them together. */
        for (unsigned i = 0; i < o.clients; i++)
                if (read(ready[0], &c, 1) != 1)
                        break;
        close(go[1]);
        while (wait(NULL) > 0 || errno == EINTR)
                ;

        for (unsigned i = 0; i < o.clients; i++) {
                total_calls += reports[i].calls;
                total_errors += reports[i].errors;
                if (reports[i].seconds > max_seconds)
                        max_seconds = reports[i].seconds;
                for (size_t b = 0; b < HIST_BUCKETS; b++)
                        hist[b] += reports[i].hist[b];
        }
        p50 = hist_percentile(hist, total_calls, 0.50);
        p99 = hist_percentile(hist, total_calls, 0.99);
        calls_per_sec = max_seconds > 0 ? (double)total_calls / max_seconds : 0;
        printf("op=%s clients=%u calls=%lu errors=%lu seconds=%.3f calls_per_sec=%.0f entries_per_sec=%.0f "
               "p50_us=%.0f p99_us=%.0f\n",
                op_names[o.op], o.clients, total_calls, total_errors, max_seconds, calls_per_sec,
                calls_per_sec * (o.op == OP_SET_ALL || o.op == OP_DCONF_WRITE ? (double)o.entries : 1.0), p50, p99);
        free(hist);
        return total_errors > 0 ? 1 : 0;
}
