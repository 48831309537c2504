/* SPDX-License-Identifier: MIT */

/* A soak of the daemon, as TAP: many clients making a mix of calls for a while, each checking every
 * answer against its own record of what it wrote, then reading back every key it owns.
 *
 *   soak-client [--clients=50] [--seconds=60] [--namespaces=10] [--keys=64] [--daemon-pid=PID] [--seed=N]
 *
 * Each client is a connection to the system bus (DBUS_SYSTEM_BUS_ADDRESS) with one call in flight at a
 * time, all of them on one sd-event loop. Client i works in namespace soak-<i mod namespaces>, in a group
 * of its own, on --keys keys: Get 40 %, Set 25 %, SetWithTTL 10 % (50 ms to 2 s), Delete 15 %,
 * Subscribe/Unsubscribe to its namespace's changes 10 %, and it reads every Changed signal it is sent.
 *
 * What may go wrong, and fails the run: an error other than NotFound for a key that is not there; a Get
 * that disagrees with the client's record (a write that was acknowledged and is lost, or a value that
 * is not the last one written, or a key that outlived its TTL); an Overflow to a client that reads; a
 * daemon whose RSS (sampled from /proc/PID/status, --daemon-pid) more than doubles after the first fifth
 * of the run. Printed: calls per second, latency p50/p99/p99.9/max per kind of call, and the RSS
 * samples. */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>
#include <time.h>
#include <unistd.h>

#define DESTINATION     "org.example.Store"
#define INTERFACE       "org.example.Store"
#define NAMESPACE_PATH  "/org/example/Store/namespace/"
#define ERROR_NOT_FOUND "org.example.Store.Error.NotFound"
#define USEC_PER_SEC    UINT64_C(1000000)
#define USEC_PER_MSEC   UINT64_C(1000)
/* The timer that expires entries may fire a little after their deadline; reads hide them at once, so
 * this only covers the clocks of two processes read at slightly different moments. */
#define CLOCK_SLACK_USEC (5 * USEC_PER_MSEC)
#define RSS_SAMPLES      12

typedef enum Op {
        OP_GET,
        OP_SET,
        OP_SET_TTL,
        OP_DELETE,
        OP_SUBSCRIBE,
        OP_UNSUBSCRIBE,
        OP_VERIFY, /* a Get at the end */
        _OP_MAX,
} Op;

static const char *const op_names[_OP_MAX] = {
        [OP_GET] = "Get",
        [OP_SET] = "Set",
        [OP_SET_TTL] = "SetWithTTL",
        [OP_DELETE] = "Delete",
        [OP_SUBSCRIBE] = "Subscribe",
        [OP_UNSUBSCRIBE] = "Unsubscribe",
        [OP_VERIFY] = "Get (final check)",
};

/* What a client knows of one of its keys. With a TTL the daemon's deadline lies somewhere between the
 * write's send time + ttl and its reply time + ttl (CLOCK_REALTIME, as the daemon counts). */
typedef struct Key {
        bool live;
        char value[48];
        uint64_t deadline_min, deadline_max; /* 0: no TTL */
} Key;

typedef struct Soak Soak;

typedef struct Client {
        Soak *soak;
        unsigned id;
        sd_bus *bus;
        char path[96];
        char group[32];
        Key *keys;
        uint64_t rng;
        uint64_t seq;
        bool subscribed;
        bool verifying, done;
        unsigned verify_next;
        /* the call in flight */
        Op op;
        unsigned key;
        char value[48];
        uint64_t ttl_usec;
        uint64_t sent_mono, sent_real;
} Client;

typedef struct Samples {
        uint32_t *usec;
        size_t n, allocated;
} Samples;

struct Soak {
        sd_event *event;
        Client *clients;
        unsigned n_clients, n_done;
        unsigned n_keys;
        bool stopping;
        Samples latency[_OP_MAX];
        uint64_t calls, acknowledged_writes, not_found, signals, overflows, subscriptions;
        uint64_t unexpected_errors, lost, wrong, outlived, verified;
        char first_problem[512];
        pid_t daemon_pid;
        uint64_t rss_kb[RSS_SAMPLES + 2];
        double rss_at[RSS_SAMPLES + 2];
        unsigned n_rss;
        uint64_t start_mono, seconds;
};

static uint64_t now(clockid_t clock) {
        struct timespec ts;
        clock_gettime(clock, &ts);
        return (uint64_t)ts.tv_sec * USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000;
}

static uint64_t next_random(Client *c) {
        /* xorshift64* */
        c->rng ^= c->rng >> 12;
        c->rng ^= c->rng << 25;
        c->rng ^= c->rng >> 27;
        return c->rng * UINT64_C(2685821657736338717);
}

static void problem(Soak *s, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void problem(Soak *s, const char *format, ...) {
        va_list ap;

        if (s->first_problem[0])
                return;
        va_start(ap, format);
        vsnprintf(s->first_problem, sizeof(s->first_problem), format, ap);
        va_end(ap);
}

static void sample_add(Samples *s, uint64_t usec) {
        if (s->n == s->allocated) {
                size_t n = s->allocated ? s->allocated * 2 : 4096;
                uint32_t *p = realloc(s->usec, n * sizeof(uint32_t));
                if (!p)
                        return;
                s->usec = p;
                s->allocated = n;
        }
        s->usec[s->n++] = usec > UINT32_MAX ? UINT32_MAX : (uint32_t)usec;
}

static int compare_u32(const void *a, const void *b) {
        uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
        return x < y ? -1 : x > y;
}

static double percentile_ms(const Samples *s, double p) {
        size_t i = (size_t)(p * (double)(s->n - 1) + 0.5);
        return (double)s->usec[i] / 1000.0;
}

/* ---- the calls ---- */

static void client_next(Client *c);

/* Checks a Get's answer against the client's record; false if they disagree. */
static bool check_get(Client *c, const sd_bus_error *e, const char *value, uint64_t reply_real) {
        Soak *s = c->soak;
        Key *k = &c->keys[c->key];
        bool present = !e;
        /* Surely there: written, and its deadline (if any) not reached when the answer came. Surely
         * gone: deleted or never written, or its deadline passed before the question was asked. */
        bool must_be_present = k->live && (k->deadline_min == 0 || reply_real + CLOCK_SLACK_USEC < k->deadline_min);
        bool must_be_absent = !k->live || (k->deadline_max > 0 && c->sent_real > k->deadline_max + CLOCK_SLACK_USEC);

        if (e && !sd_bus_error_has_name(e, ERROR_NOT_FOUND)) {
                s->unexpected_errors++;
                problem(s, "client %u: %s of %s: %s: %s", c->id, op_names[c->op], c->group, e->name, e->message);
                return false;
        }
        if (!present) {
                s->not_found++;
                if (must_be_present) {
                        s->lost++;
                        problem(s, "client %u: key k%u of %s is gone, its write (\"%s\") was acknowledged", c->id,
                                c->key, c->group, k->value);
                        return false;
                }
                k->live = false; /* expired (or never there): it cannot come back */
                return true;
        }
        if (must_be_absent) {
                if (k->live) {
                        s->outlived++;
                        problem(s, "client %u: key k%u of %s outlived its TTL", c->id, c->key, c->group);
                } else {
                        s->wrong++;
                        problem(s,
                                "client %u: key k%u of %s is there (\"%s\"), but its Delete was acknowledged or "
                                "it was never written",
                                c->id, c->key, c->group, value);
                }
                return false;
        }
        if (strcmp(value, k->value) != 0) {
                s->wrong++;
                problem(s, "client %u: key k%u of %s is \"%s\", last written \"%s\"", c->id, c->key, c->group, value,
                        k->value);
                return false;
        }
        return true;
}

static int on_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Client *c = userdata;
        Soak *s = c->soak;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        uint64_t reply_real = now(CLOCK_REALTIME), latency = now(CLOCK_MONOTONIC) - c->sent_mono;
        Key *k = &c->keys[c->key];
        const char *value = NULL;

        (void)ret_error;
        s->calls++;
        sample_add(&s->latency[c->op], latency);

        switch (c->op) {
        case OP_GET:
        case OP_VERIFY:
                if (!e && sd_bus_message_read(reply, "s", &value) < 0) {
                        s->unexpected_errors++;
                        problem(s, "client %u: cannot read a Get reply", c->id);
                        break;
                }
                if (check_get(c, e, value, reply_real) && c->op == OP_VERIFY)
                        s->verified++;
                break;
        case OP_SET:
        case OP_SET_TTL:
        case OP_DELETE:
                if (e) {
                        s->unexpected_errors++;
                        problem(s, "client %u: %s of k%u in %s: %s: %s", c->id, op_names[c->op], c->key, c->group,
                                e->name, e->message);
                        break;
                }
                s->acknowledged_writes++;
                k->live = c->op != OP_DELETE;
                snprintf(k->value, sizeof(k->value), "%s", c->value);
                k->deadline_min = c->op == OP_SET_TTL ? c->sent_real + c->ttl_usec : 0;
                k->deadline_max = c->op == OP_SET_TTL ? reply_real + c->ttl_usec : 0;
                break;
        case OP_SUBSCRIBE:
        case OP_UNSUBSCRIBE:
                if (e) {
                        s->unexpected_errors++;
                        problem(s, "client %u: %s: %s: %s", c->id, op_names[c->op], e->name, e->message);
                        break;
                }
                c->subscribed = c->op == OP_SUBSCRIBE;
                s->subscriptions += c->subscribed;
                break;
        default: break;
        }
        client_next(c);
        return 0;
}

static int call(Client *c, const char *member, const char *types, ...) {
        sd_bus_message *m = NULL;
        va_list ap;
        int r;

        r = sd_bus_message_new_method_call(c->bus, &m, DESTINATION, c->path, INTERFACE, member);
        if (r >= 0 && types) {
                va_start(ap, types);
                r = sd_bus_message_appendv(m, types, ap);
                va_end(ap);
        }
        c->sent_mono = now(CLOCK_MONOTONIC);
        c->sent_real = now(CLOCK_REALTIME);
        if (r >= 0)
                r = sd_bus_call_async(c->bus, NULL, m, on_reply, c, 60 * USEC_PER_SEC);
        sd_bus_message_unref(m);
        return r;
}

/* Picks and sends the client's next call; at the end, reads back each of its keys, then stops. */
static void client_next(Client *c) {
        Soak *s = c->soak;
        char key[16];
        unsigned pick;
        int r;

        if (s->stopping && !c->verifying) {
                c->verifying = true;
                c->verify_next = 0;
        }
        if (c->verifying) {
                if (c->verify_next == s->n_keys) {
                        c->done = true;
                        if (++s->n_done == s->n_clients)
                                sd_event_exit(s->event, 0);
                        return;
                }
                c->op = OP_VERIFY;
                c->key = c->verify_next++;
                snprintf(key, sizeof(key), "k%u", c->key);
                r = call(c, "Get", "ss", c->group, key);
                goto sent;
        }

        pick = (unsigned)(next_random(c) % 100);
        c->key = (unsigned)(next_random(c) % s->n_keys);
        snprintf(key, sizeof(key), "k%u", c->key);
        snprintf(c->value, sizeof(c->value), "c%u-%" PRIu64, c->id, ++c->seq);
        if (pick < 40) {
                c->op = OP_GET;
                r = call(c, "Get", "ss", c->group, key);
        } else if (pick < 65) {
                c->op = OP_SET;
                r = call(c, "Set", "sss", c->group, key, c->value);
        } else if (pick < 75) {
                c->op = OP_SET_TTL;
                c->ttl_usec = 50 * USEC_PER_MSEC + next_random(c) % (1950 * USEC_PER_MSEC);
                r = call(c, "SetWithTTL", "ssst", c->group, key, c->value, c->ttl_usec);
        } else if (pick < 90) {
                c->op = OP_DELETE;
                r = call(c, "Delete", "ss", c->group, key);
        } else {
                c->op = c->subscribed ? OP_UNSUBSCRIBE : OP_SUBSCRIBE;
                r = call(c, op_names[c->op], NULL);
        }
sent:
        if (r < 0) {
                s->unexpected_errors++;
                problem(s, "client %u: cannot send %s: %s", c->id, op_names[c->op], strerror(-r));
                c->done = true;
                if (++s->n_done == s->n_clients)
                        sd_event_exit(s->event, 0);
        }
}

static int on_signal(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Client *c = userdata;

        (void)ret_error;
        if (sd_bus_message_is_signal(m, INTERFACE, "Changed"))
                c->soak->signals++;
        else if (sd_bus_message_is_signal(m, INTERFACE, "Overflow")) {
                c->soak->overflows++;
                c->subscribed = false;
                problem(c->soak, "client %u: Overflow, though it reads every signal", c->id);
        }
        return 0;
}

/* ---- the daemon's memory ---- */

static uint64_t daemon_rss_kb(pid_t pid) {
        char path[64], line[256];
        uint64_t kb = 0;
        FILE *f;

        snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
        f = fopen(path, "re");
        if (!f)
                return 0;
        while (fgets(line, sizeof(line), f))
                if (sscanf(line, "VmRSS: %" SCNu64, &kb) == 1)
                        break;
        fclose(f);
        return kb;
}

static void rss_sample(Soak *s) {
        if (s->daemon_pid <= 0 || s->n_rss >= RSS_SAMPLES + 2)
                return;
        s->rss_at[s->n_rss] = (double)(now(CLOCK_MONOTONIC) - s->start_mono) / 1e6;
        s->rss_kb[s->n_rss] = daemon_rss_kb(s->daemon_pid);
        printf("# t=%5.1f s  daemon VmRSS %" PRIu64 " kB\n", s->rss_at[s->n_rss], s->rss_kb[s->n_rss]);
        fflush(stdout);
        s->n_rss++;
}

static int on_rss_timer(sd_event_source *source, uint64_t usec, void *userdata) {
        Soak *s = userdata;

        rss_sample(s);
        return sd_event_source_set_time(source, usec + s->seconds * USEC_PER_SEC / RSS_SAMPLES) < 0
                       ? 0
                       : sd_event_source_set_enabled(source, SD_EVENT_ONESHOT);
}

static int on_stop_timer(sd_event_source *source, uint64_t usec, void *userdata) {
        Soak *s = userdata;

        (void)source;
        (void)usec;
        s->stopping = true;
        rss_sample(s);
        return 0;
}

/* ---- the run ---- */

static unsigned tap_n, tap_failed;

static void tap(bool good, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void tap(bool good, const char *format, ...) {
        va_list ap;

        tap_n++;
        tap_failed += !good;
        printf("%s %u - ", good ? "ok" : "not ok", tap_n);
        va_start(ap, format);
        vprintf(format, ap);
        va_end(ap);
        printf("\n");
        fflush(stdout);
}

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "clients", required_argument, NULL, 'c' },
                { "seconds", required_argument, NULL, 's' },
                { "namespaces", required_argument, NULL, 'n' },
                { "keys", required_argument, NULL, 'k' },
                { "daemon-pid", required_argument, NULL, 'p' },
                { "seed", required_argument, NULL, 'r' },
                {},
        };
        Soak s = { .n_clients = 50, .n_keys = 64, .seconds = 60 };
        unsigned namespaces = 10, connected = 0;
        uint64_t seed = (uint64_t)time(NULL), elapsed_usec;
        sd_event_source *stop_timer = NULL, *rss_timer = NULL;
        struct rlimit rl;
        int opt, r;

        while ((opt = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (opt) {
                case 'c': s.n_clients = (unsigned)strtoul(optarg, NULL, 10); break;
                case 's': s.seconds = strtoull(optarg, NULL, 10); break;
                case 'n': namespaces = (unsigned)strtoul(optarg, NULL, 10); break;
                case 'k': s.n_keys = (unsigned)strtoul(optarg, NULL, 10); break;
                case 'p': s.daemon_pid = (pid_t)strtol(optarg, NULL, 10); break;
                case 'r': seed = strtoull(optarg, NULL, 10); break;
                default:
                        fprintf(stderr, "soak-client [--clients=N] [--seconds=N] [--namespaces=N] [--keys=N] "
                                        "[--daemon-pid=PID] [--seed=N]\n");
                        return 2;
                }
        if (s.n_clients == 0 || s.n_keys == 0 || namespaces == 0 || s.seconds == 0)
                return 2;
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
                rl.rlim_cur = rl.rlim_max;
                (void)setrlimit(RLIMIT_NOFILE, &rl);
        }

        printf("# %u clients in %u namespaces, %u keys each, for %" PRIu64 " s (seed %" PRIu64 ")\n", s.n_clients,
                namespaces, s.n_keys, s.seconds, seed);
        r = sd_event_new(&s.event);
        s.clients = calloc(s.n_clients, sizeof(Client));
        if (r < 0 || !s.clients)
                return 1;

        for (unsigned i = 0; i < s.n_clients; i++) {
                Client *c = &s.clients[i];
                *c = (Client){ .soak = &s, .id = i, .rng = seed * 1000003 + i * 7919 + 1 };
                snprintf(c->path, sizeof(c->path), NAMESPACE_PATH "soak_2d%u", i % namespaces);
                snprintf(c->group, sizeof(c->group), "client-%u", i);
                c->keys = calloc(s.n_keys, sizeof(Key));
                r = c->keys ? sd_bus_open_system(&c->bus) : -ENOMEM;
                if (r >= 0)
                        r = sd_bus_add_filter(c->bus, NULL, on_signal, c);
                if (r >= 0)
                        r = sd_bus_attach_event(c->bus, s.event, SD_EVENT_PRIORITY_NORMAL);
                if (r < 0) {
                        fprintf(stderr, "soak-client: client %u: %s\n", i, strerror(-r));
                        break;
                }
                connected++;
        }
        tap(connected == s.n_clients, "%u clients connected", connected);
        if (connected < s.n_clients)
                return 1;

        s.start_mono = now(CLOCK_MONOTONIC);
        rss_sample(&s);
        r = sd_event_add_time_relative(s.event, &stop_timer, CLOCK_MONOTONIC, s.seconds * USEC_PER_SEC, 0,
                on_stop_timer, &s);
        if (r >= 0 && s.daemon_pid > 0)
                r = sd_event_add_time_relative(s.event, &rss_timer, CLOCK_MONOTONIC,
                        s.seconds * USEC_PER_SEC / RSS_SAMPLES, 0, on_rss_timer, &s);
        if (r < 0)
                return 1;
        for (unsigned i = 0; i < s.n_clients; i++)
                client_next(&s.clients[i]);
        r = sd_event_loop(s.event);
        elapsed_usec = now(CLOCK_MONOTONIC) - s.start_mono;
        if (r < 0)
                fprintf(stderr, "soak-client: the event loop failed: %s\n", strerror(-r));

        printf("# %" PRIu64 " calls in %.1f s: %.0f calls/s; %" PRIu64 " acknowledged writes, %" PRIu64
               " NotFound, %" PRIu64 " subscriptions, %" PRIu64 " Changed signals received\n",
                s.calls, (double)elapsed_usec / 1e6, (double)s.calls * 1e6 / (double)elapsed_usec,
                s.acknowledged_writes, s.not_found, s.subscriptions, s.signals);
        {
                Samples all = {};
                for (Op op = 0; op < _OP_MAX; op++) {
                        Samples *l = &s.latency[op];
                        if (l->n == 0)
                                continue;
                        qsort(l->usec, l->n, sizeof(uint32_t), compare_u32);
                        printf("# %-18s %8zu calls  p50 %7.3f ms  p99 %7.3f ms  p99.9 %7.3f ms  max %7.3f ms\n",
                                op_names[op], l->n, percentile_ms(l, 0.5), percentile_ms(l, 0.99),
                                percentile_ms(l, 0.999), (double)l->usec[l->n - 1] / 1000.0);
                        for (size_t i = 0; i < l->n; i++)
                                if (op != OP_VERIFY)
                                        sample_add(&all, l->usec[i]);
                }
                if (all.n > 0) {
                        qsort(all.usec, all.n, sizeof(uint32_t), compare_u32);
                        printf("# latency of every call: p50 %.3f ms, p99 %.3f ms\n", percentile_ms(&all, 0.5),
                                percentile_ms(&all, 0.99));
                }
                free(all.usec);
        }

        tap(s.n_done == s.n_clients, "every client ran to its end and read back its keys (%u of %u)", s.n_done,
                s.n_clients);
        tap(s.unexpected_errors == 0, "no error but NotFound (%" PRIu64 " others)", s.unexpected_errors);
        tap(s.lost == 0, "no acknowledged write lost (%" PRIu64 " lost)", s.lost);
        tap(s.wrong == 0, "every value read is the last one written (%" PRIu64 " wrong)", s.wrong);
        tap(s.outlived == 0, "no key outlives its TTL (%" PRIu64 " did)", s.outlived);
        tap(s.verified == (uint64_t)s.n_clients * s.n_keys,
                "the final read-back agrees on every key (%" PRIu64 " of %" PRIu64 ")", s.verified,
                (uint64_t)s.n_clients * s.n_keys);
        tap(s.overflows == 0, "no Overflow to clients that read (%" PRIu64 ")", s.overflows);
        tap(s.subscriptions == 0 || s.signals > 0, "subscribers receive Changed signals (%" PRIu64 ")", s.signals);
        if (s.daemon_pid > 0 && s.n_rss >= 3) {
                /* After the first fifth of the run (the database and caches filling up), no gross growth. */
                unsigned first = 0;
                uint64_t base, peak = 0;
                while (first + 1 < s.n_rss && s.rss_at[first] < (double)s.seconds / 5)
                        first++;
                base = s.rss_kb[first];
                for (unsigned i = first; i < s.n_rss; i++)
                        if (s.rss_kb[i] > peak)
                                peak = s.rss_kb[i];
                tap(peak <= 2 * base,
                        "the daemon's RSS stays flat: %" PRIu64 " kB after warm-up, at most %" PRIu64
                        " kB later (%.2fx)",
                        base, peak, base ? (double)peak / (double)base : 0.0);
        }
        if (s.first_problem[0])
                printf("# first problem: %s\n", s.first_problem);
        printf("1..%u\n", tap_n);

        for (unsigned i = 0; i < s.n_clients; i++) {
                sd_bus_flush_close_unref(s.clients[i].bus);
                free(s.clients[i].keys);
        }
        for (Op op = 0; op < _OP_MAX; op++)
                free(s.latency[op].usec);
        free(s.clients);
        sd_event_source_unref(stop_timer);
        sd_event_source_unref(rss_timer);
        sd_event_unref(s.event);
        return tap_failed == 0 ? 0 : 1;
}
