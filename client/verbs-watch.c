/* SPDX-License-Identifier: MIT */

/* watch: subscribe and print each change as it comes, go-store's Watch(group, key) on the command
 * line. The filter is an ordinary match rule on the Changed signal (arg0 = group, arg1 = key, arg2 =
 * type), as any application would write it; --replay prints the group as it is first (Snapshot) and
 * then only the changes after the snapshot's revision, so nothing is missed or printed twice. */

#include <signal.h>

#include "json.h"
#include "storectl.h"

typedef struct Watch {
        Ctl *ctl;
        uint64_t since; /* print only changes after this revision (--replay) */
        bool overflow;
        uint64_t overflow_revision;
} Watch;

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig _unused_) {
        stop_requested = 1;
}

static int print_event(Ctl *c, const char *type, const char *group, const char *key, const char *value,
        uint64_t revision, uint64_t timestamp_usec) {
        if (c->json) {
                _cleanup_(json_done) Json j = {};

                json_object_begin(&j);
                json_key(&j, "revision");
                json_uint(&j, revision);
                json_key(&j, "type");
                json_string(&j, type);
                json_key(&j, "group");
                json_string(&j, group);
                json_key(&j, "key");
                json_string(&j, key);
                json_key(&j, "value");
                json_string(&j, value);
                if (timestamp_usec > 0) {
                        json_key(&j, "timestamp_usec");
                        json_uint(&j, timestamp_usec);
                }
                json_object_end(&j);
                return json_print(&j); /* one JSON document per line */
        }
        printf("%" PRIu64 " %s %s %s %s\n", revision, type, group, key, value);
        return 0;
}

static int on_changed(sd_bus_message *m, void *userdata, sd_bus_error *error _unused_) {
        Watch *w = userdata;
        const char *group, *key, *type, *value;
        uint64_t revision, timestamp;

        if (sd_bus_message_read(m, "sssstt", &group, &key, &type, &value, &revision, &timestamp) < 0)
                return 0;
        if (revision <= w->since)
                return 0; /* already in the snapshot */
        (void)print_event(w->ctl, type, group, key, value, revision, timestamp);
        fflush(stdout); /* a watcher's reader wants each event as it happens */
        return 0;
}

static int on_overflow(sd_bus_message *m, void *userdata, sd_bus_error *error _unused_) {
        Watch *w = userdata;

        (void)sd_bus_message_read(m, "t", &w->overflow_revision);
        w->overflow = true;
        return 0;
}

static int replay(Watch *w, const char *group) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *key, *value;
        int r;

        r = ctl_call(w->ctl, NULL, STORE_IFACE, "Snapshot", &reply, "s", group);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(reply, 'a', "{ss}");
        while (r > 0 && (r = sd_bus_message_read(reply, "{ss}", &key, &value)) > 0)
                (void)print_event(w->ctl, "set", group, key, value, 0, 0);
        if (r >= 0)
                r = sd_bus_message_exit_container(reply);
        if (r >= 0)
                r = sd_bus_message_read(reply, "t", &w->since);
        if (r < 0)
                return ctl_bus_error("Snapshot", r);
        fflush(stdout);
        return 0;
}

/* A match on arguments, escaped for a match rule: ' cannot appear inside '…', so it closes, is
 * written as \', and opens again. */
static int match_add_arg(char **rule, unsigned index, const char *value) {
        _cleanup_free_ char *escaped = NULL;
        size_t n = 0;
        char *joined;

        escaped = malloc(strlen(value) * 4 + 1);
        if (!escaped)
                return -ENOMEM;
        for (const char *p = value; *p; p++) {
                if (*p == '\'') {
                        memcpy(escaped + n, "'\\''", 4);
                        n += 4;
                } else
                        escaped[n++] = *p;
        }
        escaped[n] = 0;
        if (asprintf(&joined, "%s,arg%u='%s'", *rule, index, escaped) < 0)
                return -ENOMEM;
        free(*rule);
        *rule = joined;
        return 0;
}

int verb_watch(Ctl *c, int argc, char **argv) {
        const char *group = argc > 1 ? argv[1] : NULL, *key = argc > 2 ? argv[2] : NULL;
        _cleanup_free_ char *rule = NULL;
        Watch w = { .ctl = c };
        struct sigaction sa = { .sa_handler = on_stop_signal }; /* no SA_RESTART: let the wait end */
        int r;

        if (c->replay && !group)
                return usage_error("--replay needs a GROUP (it starts from a snapshot of that group)");

        r = ctl_connect(c);
        if (r < 0)
                return r;

        /* Filter with a match rule before subscribing, so that nothing between the two is lost. */
        rule = strdup("type='signal',interface='" STORE_IFACE "',member='Changed'");
        if (!rule)
                return -ENOMEM;
        if (group && (r = match_add_arg(&rule, 0, group)) < 0)
                return r;
        if (key && (r = match_add_arg(&rule, 1, key)) < 0)
                return r;
        if (c->event_type && (r = match_add_arg(&rule, 2, c->event_type)) < 0)
                return r;
        r = sd_bus_add_match(c->bus, NULL, rule, on_changed, &w);
        if (r >= 0)
                r = sd_bus_match_signal(c->bus, NULL, NULL, NULL, STORE_IFACE, "Overflow", on_overflow, &w);
        if (r < 0)
                return ctl_bus_error("Cannot add a match", r);

        r = ctl_call(c, NULL, STORE_IFACE, "Subscribe", NULL, "");
        if (r < 0)
                return r;
        if (c->replay) {
                r = replay(&w, group);
                if (r < 0)
                        return r;
        }

        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        while (!stop_requested && !w.overflow) {
                r = sd_bus_process(c->bus, NULL);
                if (r < 0)
                        return ctl_bus_error("Lost the connection", r);
                if (r > 0)
                        continue;
                r = sd_bus_wait(c->bus, UINT64_MAX);
                if (r < 0 && r != -EINTR)
                        return ctl_bus_error("Lost the connection", r);
        }
        if (w.overflow)
                return log_errorf(-ENOBUFS,
                        "Fell behind: the daemon ended the subscription after revision %" PRIu64
                        "; run again (with --replay) to continue",
                        w.overflow_revision);
        return 0;
}
