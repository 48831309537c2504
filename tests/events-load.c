/* SPDX-License-Identifier: MIT */

/* Change events under load, as TAP: many subscribed connections that read, one writer, and subscribers
 * that never read.
 *
 *   1. --readers connections (spread over --processes reader processes, each an sd-event loop over its
 *      sd-bus connections) subscribe to the root object with a match rule on one group (--local-filter:
 *      with sd_bus_add_filter() instead, so that the bus has no rules to look through for each signal:
 *      this shows what the bus's match rules cost);
 *   2. the writer makes --changes changes, one Set per call: a tenth to warm up, then --rounds rounds of
 *      two timed halves: the first with only the readers subscribed, the second after one more
 *      connection has subscribed and then stopped reading (a new one each round);
 *   3. every reader must have received every change, in order (its count and the last revision), and
 *      none may have been cut off; each non-reader, when it finally reads, must find at most about
 *      --bound Changed signals and then Overflow naming the last revision it was sent.
 *
 * The two write rates and their ratio are printed; they are figures for the README, not assertions:
 * a shared machine's noise is larger than what they measure. Runs against the bus in
 * DBUS_SYSTEM_BUS_ADDRESS (see test-events-load.sh). */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>
#include <time.h>
#include <unistd.h>

#define STORE_BUS_NAME  "org.example.Store"
#define STORE_PATH      "/org/example/Store"
#define STORE_INTERFACE "org.example.Store"

typedef struct Options {
        unsigned readers;
        unsigned processes;
        unsigned long changes;
        unsigned rounds;
        unsigned long bound; /* the daemon's --max-unread-signals */
        unsigned timeout_sec;
        const char *group;
        bool local_filter;
} Options;

/* What the parent tells each reader process once the writing is over. */
typedef struct Expectation {
        uint64_t count;
        uint64_t last_revision;
} Expectation;

/* What each reader process reports back. */
typedef struct Report {
        unsigned connections;
        unsigned complete; /* connections with exactly the expected count and last revision */
        unsigned out_of_order; /* connections that saw a revision not above the one before */
        unsigned overflowed; /* connections that got Overflow */
        uint64_t min_count, max_count;
        double seconds_to_complete; /* from the expectation's arrival */
} Report;

static double now_seconds(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int call_subscribe(sd_bus *bus) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        int r = sd_bus_call_method(bus, STORE_BUS_NAME, STORE_PATH, STORE_INTERFACE, "Subscribe", &error, NULL, "");
        if (r < 0)
                fprintf(stderr, "events-load: Subscribe: %s\n", error.message ? error.message : strerror(-r));
        sd_bus_error_free(&error);
        return r;
}

static char *changed_match(const char *group) {
        char *s = NULL;
        if (asprintf(&s,
                    "type='signal',sender='" STORE_BUS_NAME "',interface='" STORE_INTERFACE
                    "',member='Changed',arg0='%s'",
                    group) < 0)
                return NULL;
        return s;
}

#define OVERFLOW_MATCH "type='signal',sender='" STORE_BUS_NAME "',interface='" STORE_INTERFACE "',member='Overflow'"

/* ---- reader processes ---- */

typedef struct ReaderProcess ReaderProcess;

typedef struct Reader {
        ReaderProcess *process;
        sd_bus *bus;
        uint64_t count, last_revision;
        bool out_of_order, overflowed;
        bool settled; /* has at least the expected count, or was cut off */
        bool complete; /* exactly the expected count and last revision, when it settled */
} Reader;

struct ReaderProcess {
        sd_event *event;
        Reader *readers;
        unsigned n_readers, n_settled;
        const char *group;
        bool expecting;
        Expectation expect;
        double expect_since, completed_after;
};

static void reader_check(Reader *r) {
        ReaderProcess *p = r->process;

        /* A reader that was cut off will not get the rest: it is settled, incomplete. */
        if (!p->expecting || r->settled || (r->count < p->expect.count && !r->overflowed))
                return;
        r->settled = true;
        r->complete = r->count == p->expect.count && r->last_revision == p->expect.last_revision;
        if (++p->n_settled == p->n_readers) {
                p->completed_after = now_seconds() - p->expect_since;
                sd_event_exit(p->event, 0);
        }
}

static int on_changed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Reader *r = userdata;
        const char *group, *key, *type, *value;
        uint64_t revision, timestamp;

        (void)error;
        if (sd_bus_message_read(m, "sssstt", &group, &key, &type, &value, &revision, &timestamp) < 0)
                return 0;
        if (r->count > 0 && revision <= r->last_revision)
                r->out_of_order = true;
        r->last_revision = revision;
        r->count++;
        reader_check(r);
        return 0;
}

static int on_overflow(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Reader *r = userdata;

        (void)m;
        (void)error;
        r->overflowed = true;
        reader_check(r);
        return 0;
}

/* The matches' work done by hand, on every message the connection receives. */
static int on_any_message(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Reader *r = userdata;
        const char *group;

        if (!sd_bus_message_is_signal(m, STORE_INTERFACE, NULL))
                return 0;
        if (sd_bus_message_is_signal(m, NULL, "Overflow"))
                return on_overflow(m, userdata, error);
        if (!sd_bus_message_is_signal(m, NULL, "Changed") || sd_bus_message_peek_type(m, NULL, NULL) <= 0 ||
                sd_bus_message_read(m, "s", &group) < 0 || strcmp(group, r->process->group) != 0 ||
                sd_bus_message_rewind(m, true) < 0)
                return 0;
        return on_changed(m, userdata, error);
}

static int on_expectation(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        ReaderProcess *p = userdata;

        (void)s;
        (void)revents;
        if (read(fd, &p->expect, sizeof(p->expect)) != (ssize_t)sizeof(p->expect))
                return sd_event_exit(p->event, 0); /* the parent is gone */
        p->expecting = true;
        p->expect_since = now_seconds();
        for (unsigned i = 0; i < p->n_readers; i++)
                reader_check(&p->readers[i]);
        return 0;
}

static int on_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        ReaderProcess *p = userdata;

        (void)s;
        (void)usec;
        return sd_event_exit(p->event, 0);
}

/* The body of one reader process: connect and subscribe, say ready, read until told what to expect and
 * every connection has it (or the time is up), report. */
static int reader_process_run(const Options *o, unsigned n_readers, int status_fd, int control_fd) {
        ReaderProcess p = { .n_readers = n_readers, .group = o->group };
        char *match = changed_match(o->group);
        Report report = { .connections = n_readers, .min_count = UINT64_MAX };
        sd_event_source *control = NULL, *timeout = NULL;
        uint64_t now;
        int r;

        p.readers = calloc(n_readers, sizeof(Reader));
        if (!match || !p.readers || sd_event_new(&p.event) < 0)
                return 1;
        for (unsigned i = 0; i < n_readers; i++) {
                Reader *rd = &p.readers[i];
                rd->process = &p;
                r = sd_bus_open_system(&rd->bus);
                if (r >= 0 && o->local_filter)
                        r = sd_bus_add_filter(rd->bus, NULL, on_any_message, rd);
                else if (r >= 0) {
                        r = sd_bus_add_match(rd->bus, NULL, match, on_changed, rd);
                        if (r >= 0)
                                r = sd_bus_add_match(rd->bus, NULL, OVERFLOW_MATCH, on_overflow, rd);
                }
                if (r >= 0)
                        r = call_subscribe(rd->bus);
                if (r >= 0)
                        r = sd_bus_attach_event(rd->bus, p.event, 0);
                if (r < 0) {
                        fprintf(stderr, "events-load: reader %u: %s\n", i, strerror(-r));
                        return 1;
                }
        }
        if (write(status_fd, "R", 1) != 1)
                return 1;

        r = sd_event_add_io(p.event, &control, control_fd, EPOLLIN, on_expectation, &p);
        if (r >= 0)
                r = sd_event_now(p.event, CLOCK_MONOTONIC, &now);
        if (r >= 0)
                /* Longer than the whole run may take: the writing, then the reading. */
                r = sd_event_add_time(p.event, &timeout, CLOCK_MONOTONIC, now + (uint64_t)o->timeout_sec * 1000000, 0,
                        on_timeout, &p);
        if (r < 0)
                return 1;
        (void)sd_event_loop(p.event);

        for (unsigned i = 0; i < n_readers; i++) {
                Reader *rd = &p.readers[i];
                report.complete += rd->complete;
                report.out_of_order += rd->out_of_order;
                report.overflowed += rd->overflowed;
                if (rd->count < report.min_count)
                        report.min_count = rd->count;
                if (rd->count > report.max_count)
                        report.max_count = rd->count;
        }
        report.seconds_to_complete = p.completed_after;
        if (write(status_fd, &report, sizeof(report)) != (ssize_t)sizeof(report))
                return 1;
        /* Leave without goodbyes: closing a thousand connections one by one is the bus's business. */
        return 0;
}

/* ---- the writer ---- */

/* `n` Sets, one call each, on keys of their own; returns the seconds they took and the last revision. */
static int write_changes(sd_bus *bus, const Options *o, const char *phase, unsigned long n, double *ret_seconds,
        uint64_t *ret_revision) {
        double start = now_seconds();

        for (unsigned long i = 0; i < n; i++) {
                sd_bus_error error = SD_BUS_ERROR_NULL;
                sd_bus_message *reply = NULL;
                char key[64];
                int r;

                snprintf(key, sizeof(key), "%s-%06lu", phase, i);
                r = sd_bus_call_method(bus, STORE_BUS_NAME, STORE_PATH, STORE_INTERFACE, "Set", &error, &reply, "sss",
                        o->group, key, "value");
                if (r >= 0)
                        r = sd_bus_message_read(reply, "t", ret_revision);
                if (r < 0) {
                        fprintf(stderr, "events-load: Set %s: %s\n", key, error.message ? error.message : strerror(-r));
                        sd_bus_error_free(&error);
                        sd_bus_message_unref(reply);
                        return r;
                }
                sd_bus_message_unref(reply);
        }
        *ret_seconds = now_seconds() - start;
        return 0;
}

/* ---- the non-reader ---- */

typedef struct NonReader {
        sd_bus *bus;
        uint64_t first_revision;
        uint64_t changed, last_revision;
        uint64_t overflows, overflow_revision;
        bool changed_after_overflow;
} NonReader;

static int on_non_reader_changed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        NonReader *nr = userdata;
        const char *s;
        uint64_t revision;

        (void)error;
        if (sd_bus_message_read(m, "ssss", &s, &s, &s, &s) < 0 || sd_bus_message_read(m, "t", &revision) < 0)
                return 0;
        if (nr->overflows)
                nr->changed_after_overflow = true;
        nr->changed++;
        nr->last_revision = revision;
        return 0;
}

static int on_non_reader_overflow(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        NonReader *nr = userdata;

        (void)error;
        nr->overflows++;
        (void)sd_bus_message_read(m, "t", &nr->overflow_revision);
        return 0;
}

/* ---- the run ---- */

static unsigned tap_n, tap_failed;

static void tap(bool good, const char *description) {
        tap_n++;
        if (!good)
                tap_failed++;
        printf("%s %u - %s\n", good ? "ok" : "not ok", tap_n, description);
        fflush(stdout);
}

static int parse_options(int argc, char *argv[], Options *o) {
        static const struct option options[] = {
                { "readers", required_argument, NULL, 'r' },
                { "processes", required_argument, NULL, 'p' },
                { "changes", required_argument, NULL, 'n' },
                { "rounds", required_argument, NULL, 'R' },
                { "bound", required_argument, NULL, 'b' },
                { "timeout", required_argument, NULL, 't' },
                { "group", required_argument, NULL, 'g' },
                { "local-filter", no_argument, NULL, 'l' },
                {},
        };
        int opt;

        while ((opt = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (opt) {
                case 'r': o->readers = (unsigned)strtoul(optarg, NULL, 10); break;
                case 'p': o->processes = (unsigned)strtoul(optarg, NULL, 10); break;
                case 'n': o->changes = strtoul(optarg, NULL, 10); break;
                case 'R': o->rounds = (unsigned)strtoul(optarg, NULL, 10); break;
                case 'b': o->bound = strtoul(optarg, NULL, 10); break;
                case 't': o->timeout_sec = (unsigned)strtoul(optarg, NULL, 10); break;
                case 'g': o->group = optarg; break;
                case 'l': o->local_filter = true; break;
                default:
                        fprintf(stderr,
                                "events-load [--readers=N] [--processes=N] [--changes=N] [--rounds=N] [--bound=N]"
                                " [--timeout=SEC] [--group=G] [--local-filter]\n");
                        return -EINVAL;
                }
        if (o->readers == 0 || o->processes == 0 || o->rounds == 0 || o->changes < 20 * o->rounds || o->bound == 0)
                return -EINVAL;
        if (o->processes > o->readers)
                o->processes = o->readers;
        return 0;
}

int main(int argc, char *argv[]) {
        Options o = {
                .readers = 100,
                .processes = 2,
                .changes = 1000,
                .rounds = 2,
                .bound = 200,
                .timeout_sec = 120,
                .group = "load",
        };
        pid_t *pids;
        int *status_fds, *control_fds;
        unsigned ready = 0, cut_off = 0, named_last = 0, within_bound = 0;
        sd_bus *writer = NULL;
        NonReader *non_readers;
        char *match;
        double seconds, seconds_a = 0, seconds_b = 0, rate_a, rate_b, slowest = 0;
        unsigned long warm_up, per_phase, total_changes;
        uint64_t revision = 0;
        Report total = { .min_count = UINT64_MAX };
        char description[256];
        int r = 0;

        if (parse_options(argc, argv, &o) < 0)
                return 2;
        warm_up = o.changes / 10;
        per_phase = (o.changes - warm_up) / (2 * o.rounds);
        total_changes = warm_up + 2 * o.rounds * per_phase;
        printf("# %u readers in %u processes (%s); %lu changes: %lu to warm up, then %u rounds of %lu with the readers "
               "only and %lu with one more subscriber that never reads; --max-unread-signals=%lu\n",
                o.readers, o.processes, o.local_filter ? "local filters" : "match rules", total_changes, warm_up,
                o.rounds, per_phase, per_phase, o.bound);

        pids = calloc(o.processes, sizeof(pid_t));
        status_fds = calloc(o.processes, sizeof(int));
        control_fds = calloc(o.processes, sizeof(int));
        non_readers = calloc(o.rounds, sizeof(NonReader));
        if (!pids || !status_fds || !control_fds || !non_readers)
                return 1;
        fflush(stdout);
        for (unsigned i = 0; i < o.processes; i++) {
                int status[2], control[2];
                unsigned n = o.readers / o.processes + (i < o.readers % o.processes);

                if (pipe(status) < 0 || pipe(control) < 0)
                        return 1;
                pids[i] = fork();
                if (pids[i] < 0)
                        return 1;
                if (pids[i] == 0) {
                        close(status[0]);
                        close(control[1]);
                        _exit(reader_process_run(&o, n, status[1], control[0]));
                }
                close(status[1]);
                close(control[0]);
                status_fds[i] = status[0];
                control_fds[i] = control[1];
        }
        for (unsigned i = 0; i < o.processes; i++) {
                char c;
                if (read(status_fds[i], &c, 1) == 1)
                        ready++;
        }
        tap(ready == o.processes, "every reader connection subscribed");
        if (ready != o.processes)
                goto finish;

        /* The non-readers connect now, outside the timed writes; each subscribes at the start of its round
         * and never reads again until the end. */
        match = changed_match(o.group);
        r = match ? sd_bus_open_system(&writer) : -ENOMEM;
        for (unsigned i = 0; r >= 0 && i < o.rounds; i++) {
                NonReader *nr = &non_readers[i];
                r = sd_bus_open_system(&nr->bus);
                if (r >= 0)
                        r = sd_bus_add_match(nr->bus, NULL, match, on_non_reader_changed, nr);
                if (r >= 0)
                        r = sd_bus_add_match(nr->bus, NULL, OVERFLOW_MATCH, on_non_reader_overflow, nr);
        }
        free(match);
        if (r < 0) {
                fprintf(stderr, "events-load: %s\n", strerror(-r));
                return 1;
        }

        /* Rounds, so that a drift in what else the machine does falls on both figures alike. */
        r = write_changes(writer, &o, "warm-up", warm_up, &seconds, &revision);
        for (unsigned i = 0; r >= 0 && i < o.rounds; i++) {
                char phase[64];
                double a;

                snprintf(phase, sizeof(phase), "readers-only-%u", i);
                r = write_changes(writer, &o, phase, per_phase, &a, &revision);
                if (r < 0)
                        break;
                seconds_a += a;
                non_readers[i].first_revision = revision + 1;
                r = call_subscribe(non_readers[i].bus);
                if (r < 0)
                        break;
                snprintf(phase, sizeof(phase), "with-non-reader-%u", i);
                r = write_changes(writer, &o, phase, per_phase, &seconds, &revision);
                seconds_b += seconds;
                printf("# round %u: %.1f writes/s with the readers only, %.1f with a non-reader added\n", i,
                        (double)per_phase / a, (double)per_phase / seconds);
        }
        tap(r >= 0, "the writer made every change");
        if (r < 0)
                goto finish;

        rate_a = (double)(per_phase * o.rounds) / seconds_a;
        rate_b = (double)(per_phase * o.rounds) / seconds_b;
        printf("# writes/s with %u reading subscribers: %.1f\n", o.readers, rate_a);
        printf("# writes/s with a non-reader added:     %.1f\n", rate_b);
        printf("# ratio: %.3f (%+.1f %%)\n", rate_b / rate_a, (rate_b / rate_a - 1) * 100);
        printf("# load: readers=%u changes=%lu writes_per_sec_readers_only=%.1f writes_per_sec_with_non_reader=%.1f "
               "ratio=%.3f\n",
                o.readers, total_changes, rate_a, rate_b, rate_b / rate_a);
        fflush(stdout);

        for (unsigned i = 0; i < o.processes; i++) {
                Expectation e = { .count = total_changes, .last_revision = revision };
                if (write(control_fds[i], &e, sizeof(e)) != (ssize_t)sizeof(e))
                        return 1;
        }
        for (unsigned i = 0; i < o.processes; i++) {
                Report rep;
                if (read(status_fds[i], &rep, sizeof(rep)) != (ssize_t)sizeof(rep)) {
                        printf("# reader process %u reported nothing\n", i);
                        continue;
                }
                total.connections += rep.connections;
                total.complete += rep.complete;
                total.out_of_order += rep.out_of_order;
                total.overflowed += rep.overflowed;
                if (rep.min_count < total.min_count)
                        total.min_count = rep.min_count;
                if (rep.max_count > total.max_count)
                        total.max_count = rep.max_count;
                if (rep.seconds_to_complete > slowest)
                        slowest = rep.seconds_to_complete;
        }
        printf("# readers: %u of %u complete, counts %" PRIu64 "..%" PRIu64 " of %lu, the last done %.2f s after the "
               "last write\n",
                total.complete, o.readers, total.min_count, total.max_count, total_changes, slowest);
        snprintf(description, sizeof(description), "every reader got all %lu changes, the last at revision %" PRIu64,
                total_changes, revision);
        tap(total.connections == o.readers && total.complete == o.readers, description);
        tap(total.out_of_order == 0, "every reader got them in revision order");
        tap(total.overflowed == 0, "no reader was cut off");

        /* The non-readers read at last: a round trip brings in everything the daemon sent each. */
        for (unsigned i = 0; i < o.rounds; i++) {
                NonReader *nr = &non_readers[i];
                sd_bus_error error = SD_BUS_ERROR_NULL;

                r = sd_bus_call_method(nr->bus, STORE_BUS_NAME, STORE_PATH, "org.freedesktop.DBus.Peer", "Ping", &error,
                        NULL, "");
                sd_bus_error_free(&error);
                while (r >= 0 && (r = sd_bus_process(nr->bus, NULL)) > 0)
                        ;
                printf("# non-reader %u found %" PRIu64 " Changed (revisions %" PRIu64 "..%" PRIu64 "), then %" PRIu64
                       " Overflow(%" PRIu64 ")\n",
                        i, nr->changed, nr->first_revision, nr->last_revision, nr->overflows, nr->overflow_revision);
                cut_off += nr->overflows == 1 && !nr->changed_after_overflow;
                named_last += nr->changed > 0 && nr->overflow_revision == nr->last_revision;
                within_bound += nr->changed <= o.bound + 1;
        }
        tap(cut_off == o.rounds, "each non-reader's subscription ended with one Overflow");
        tap(named_last == o.rounds, "each Overflow names the last revision its subscriber was sent");
        snprintf(description, sizeof(description), "each non-reader was sent at most about the bound (%lu) of Changed",
                o.bound);
        tap(within_bound == o.rounds, description);

        {
                sd_bus_error error = SD_BUS_ERROR_NULL;
                r = sd_bus_call_method(writer, STORE_BUS_NAME, STORE_PATH, STORE_INTERFACE, "Count", &error, NULL, "s",
                        o.group);
                sd_bus_error_free(&error);
                tap(r >= 0, "the daemon still serves");
        }

finish:
        for (unsigned i = 0; i < o.processes; i++)
                close(control_fds[i]);
        for (unsigned i = 0; i < o.processes; i++)
                if (pids[i] > 0)
                        (void)waitpid(pids[i], NULL, 0);
        sd_bus_flush_close_unref(writer);
        for (unsigned i = 0; i < o.rounds; i++)
                sd_bus_close_unref(non_readers[i].bus);
        free(non_readers);
        free(control_fds);
        free(status_fds);
        free(pids);
        printf("1..%u\n", tap_n);
        return tap_failed > 0;
}
