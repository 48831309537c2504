/* SPDX-License-Identifier: MIT */

/* Hostile clients, one daemon: whatever a client sends, stored answers it with a specific error,
 * keeps serving everyone else, and its memory stays bounded.
 *
 *   - names and values at and over every size limit, through every writing method;
 *   - Render with 10 000-deep templates, a 1 MiB template, output and work past their caps;
 *   - calls with wrong signatures, unknown methods, interfaces and properties, odd object paths under
 *     /org/example/Store/namespace/;
 *   - thousands of subscriptions from one connection (capped, LimitsExceeded);
 *   - clients that send calls and never read a reply, on the bus and on the direct socket, while
 *     another client's Get latency is measured;
 *   - 5 000 concurrent bus connections (hostile-client processes of 1 000 each), each making a call;
 *   - a new caller's first introspection, more direct connections than the daemon has descriptors
 *     for, and SIGTERM while a direct client sits on a queue of unread replies.
 *
 * All of it runs against one daemon, started once; the daemon's peak RSS (VmHWM) is printed at the
 * start and at the end. Helper processes are children of the test, stopped and waited for on every
 * exit path. TAP; 15 to 30 seconds. */

#include <gio/gio.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "harness.h"

#define STORE_BUS_NAME       "org.example.Store"
#define STORE_PATH           "/org/example/Store"
#define NAMESPACE_PREFIX     "/org/example/Store/namespace/"
#define STORE_INTERFACE      "org.example.Store"
#define MANAGER_INTERFACE    "org.example.Store.Manager"
#define NAMESPACE_INTERFACE  "org.example.Store.Namespace"
#define PROPERTIES_INTERFACE "org.freedesktop.DBus.Properties"

#define ERROR_TOO_LARGE         "org.example.Store.Error.TooLarge"
#define ERROR_TEMPLATE          "org.example.Store.Error.Template"
#define ERROR_NOT_FOUND         "org.example.Store.Error.NotFound"
#define ERROR_INVALID_ARGS      "org.freedesktop.DBus.Error.InvalidArgs"
#define ERROR_UNKNOWN_METHOD    "org.freedesktop.DBus.Error.UnknownMethod"
#define ERROR_UNKNOWN_OBJECT    "org.freedesktop.DBus.Error.UnknownObject"
#define ERROR_UNKNOWN_PROPERTY  "org.freedesktop.DBus.Error.UnknownProperty"
#define ERROR_UNKNOWN_INTERFACE "org.freedesktop.DBus.Error.UnknownInterface"
#define ERROR_READ_ONLY         "org.freedesktop.DBus.Error.PropertyReadOnly"
#define ERROR_LIMITS_EXCEEDED   "org.freedesktop.DBus.Error.LimitsExceeded"

/* The daemon's defaults (README, "Configuration"). */
#define KIB                1024U
#define MIB                (1024U * 1024U)
#define MAX_KEY_BYTES      (64U * KIB)
#define MAX_GROUP_BYTES    (64U * KIB)
#define MAX_VALUE_BYTES    MIB
#define MAX_TEMPLATE_BYTES MIB
#define MAX_SUBSCRIPTIONS  1024U

#define CONNECTIONS          5000U
#define CONNECTION_PROCESSES 5U
#define FLOOD_CALLS          200000UL
#define PROBE_CALLS          200U
#define CALL_TIMEOUT_USEC    (30U * G_USEC_PER_SEC)
/* Bounds for the assertions: far above what a healthy daemon shows (see the printed figures), far
 * below what a daemon that blocks on a client or keeps what it should not would show. */
#define PROBE_P99_MAX_USEC   (5U * G_USEC_PER_SEC)
#define RENDER_MAX_USEC      (5U * G_USEC_PER_SEC)
#define PEAK_RSS_MAX_KB      (512U * 1024U)
#define UNREAD_GROWTH_MAX_KB (64U * 1024U)
#define STOP_MAX_USEC        (5U * G_USEC_PER_SEC)
#define STALLED_CALLS        200
#define STALLED_VALUE_BYTES  (256U * KIB)

static World *world;
static const char *hostile_client;
static uint64_t rss_at_start_kb, hwm_at_start_kb;
static uint64_t hwm_before_resets_kb; /* the highest VmHWM that daemon_peak_reset() cleared */

/* ---- helper processes: children of the test, stopped on every exit path ---- */

typedef struct Helper {
        GPid pid;
        int stdin_fd, stdout_fd;
} Helper;

#define HELPERS_MAX 8
static volatile pid_t helper_pids[HELPERS_MAX];
static struct sigaction previous_actions[NSIG];

static void helpers_kill_now(void) {
        for (size_t i = 0; i < HELPERS_MAX; i++) {
                pid_t pid = helper_pids[i];
                if (pid > 0) {
                        kill(pid, SIGKILL);
                        (void)waitpid(pid, NULL, 0);
                        helper_pids[i] = 0;
                }
        }
}

/* Stops the helpers, then lets the harness's handler stop the bus and the daemon. */
static void on_fatal_signal(int sig) {
        helpers_kill_now();
        sigaction(sig, &previous_actions[sig], NULL);
        raise(sig);
}

static void install_exit_paths(void) {
        static const int signals[] = { SIGABRT, SIGTERM, SIGINT, SIGSEGV };
        struct sigaction sa = { .sa_handler = on_fatal_signal };

        atexit(helpers_kill_now);
        for (size_t i = 0; i < G_N_ELEMENTS(signals); i++)
                sigaction(signals[i], &sa, &previous_actions[signals[i]]);
}

static void child_setup(gpointer unused G_GNUC_UNUSED) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static Helper helper_start(const char *const *args) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GPtrArray) argv = g_ptr_array_new();
        Helper h = { .stdin_fd = -1, .stdout_fd = -1 };
        size_t slot;

        g_ptr_array_add(argv, (gpointer)hostile_client);
        for (size_t i = 0; args[i]; i++)
                g_ptr_array_add(argv, (gpointer)args[i]);
        g_ptr_array_add(argv, NULL);
        for (slot = 0; slot < HELPERS_MAX && helper_pids[slot] > 0; slot++)
                ;
        g_assert_cmpuint(slot, <, HELPERS_MAX);
        g_assert_true(g_spawn_async_with_pipes(NULL, (char **)argv->pdata, NULL, G_SPAWN_DO_NOT_REAP_CHILD, child_setup,
                NULL, &h.pid, &h.stdin_fd, &h.stdout_fd, NULL, &error));
        g_assert_no_error(error);
        helper_pids[slot] = h.pid;
        return h;
}

/* The helper's one line of status, waiting at most `timeout_ms`. */
static char *helper_read_line(Helper *h, int timeout_ms) {
        GString *line = g_string_new(NULL);
        gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;

        for (;;) {
                struct pollfd p = { .fd = h->stdout_fd, .events = POLLIN };
                gint64 left = (deadline - g_get_monotonic_time()) / 1000;
                char c;

                if (left <= 0 || poll(&p, 1, (int)left) <= 0)
                        break;
                if (read(h->stdout_fd, &c, 1) != 1 || c == '\n')
                        break;
                g_string_append_c(line, c);
        }
        return g_string_free(line, FALSE);
}

static void helper_stop(Helper *h) {
        int status;

        if (h->pid <= 0)
                return;
        close(h->stdin_fd); /* its cue to exit */
        for (int i = 0; i < 500; i++) {
                if (waitpid(h->pid, &status, WNOHANG) == h->pid)
                        goto reaped;
                g_usleep(10000);
        }
        kill(h->pid, SIGKILL);
        (void)waitpid(h->pid, &status, 0);
reaped:
        for (size_t i = 0; i < HELPERS_MAX; i++)
                if (helper_pids[i] == h->pid)
                        helper_pids[i] = 0;
        close(h->stdout_fd);
        h->pid = 0;
}

/* ---- the daemon's memory ---- */

static uint64_t daemon_status_kb(const char *field) {
        g_autofree char *path = g_strdup_printf("/proc/%d/status", (int)world->daemon_pid);
        g_autofree char *text = NULL;
        const char *p;

        g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
        p = strstr(text, field);
        g_assert_nonnull(p);
        return g_ascii_strtoull(p + strlen(field), NULL, 10);
}

/* Resets the daemon's peak RSS (VmHWM) to its current RSS, so that what follows can be measured on
 * its own; returns that RSS in kB. */
static uint64_t daemon_peak_reset(void) {
        g_autofree char *path = g_strdup_printf("/proc/%d/clear_refs", (int)world->daemon_pid);
        FILE *f = fopen(path, "we");

        hwm_before_resets_kb = MAX(hwm_before_resets_kb, daemon_status_kb("VmHWM:"));
        g_assert_nonnull(f);
        g_assert_cmpint(fputs("5", f), >=, 0);
        g_assert_cmpint(fclose(f), ==, 0);
        return daemon_status_kb("VmRSS:");
}

static unsigned daemon_open_fds(void) {
        g_autofree char *path = g_strdup_printf("/proc/%d/fd", (int)world->daemon_pid);
        g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
        unsigned n = 0;

        g_assert_nonnull(d);
        while (g_dir_read_name(d))
                n++;
        return n;
}

/* Under AddressSanitizer freed memory waits in a quarantine of 256 MiB before reuse, so the daemon's
 * RSS says nothing about what it keeps: the figures are printed, not judged. */
static bool daemon_is_sanitized(void) {
        g_autofree char *path = g_strdup_printf("/proc/%d/maps", (int)world->daemon_pid);
        g_autofree char *maps = NULL;

        g_assert_true(g_file_get_contents(path, &maps, NULL, NULL));
        return strstr(maps, "libasan") != NULL;
}

static void print_memory(const char *when) {
        g_test_message("daemon memory %s: VmRSS %" PRIu64 " kB, peak so far %" PRIu64 " kB", when,
                daemon_status_kb("VmRSS:"), MAX(daemon_status_kb("VmHWM:"), hwm_before_resets_kb));
}

/* ---- calls ---- */

static sd_bus *connect_bus(void) {
        sd_bus *bus = NULL;
        g_assert_cmpint(sd_bus_open_system(&bus), >=, 0);
        return bus;
}

static sd_bus_message *new_call(sd_bus *bus, const char *path, const char *interface, const char *member) {
        sd_bus_message *m = NULL;
        g_assert_cmpint(sd_bus_message_new_method_call(bus, &m, sd_bus_is_bus_client(bus) > 0 ? STORE_BUS_NAME : NULL,
                                path, interface, member),
                >=, 0);
        return m;
}

/* Sends `m` and returns the error's name, or "" for a method return. */
static char *send_call_timeout(sd_bus *bus, sd_bus_message *m, uint64_t timeout_usec) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        char *name;
        int r;

        r = sd_bus_call(bus, m, timeout_usec, &error, &reply);
        if (r < 0 && !sd_bus_error_is_set(&error))
                g_error("call %s.%s on %s failed: %s", sd_bus_message_get_interface(m), sd_bus_message_get_member(m),
                        sd_bus_message_get_path(m), g_strerror(-r));
        name = g_strdup(r >= 0 ? "" : error.name);
        sd_bus_error_free(&error);
        sd_bus_message_unref(reply);
        sd_bus_message_unref(m);
        return name;
}

static char *send_call(sd_bus *bus, sd_bus_message *m) {
        return send_call_timeout(bus, m, CALL_TIMEOUT_USEC);
}

/* Calls with arguments as sd_bus_message_append() takes them; returns the error name or "". */
static char *call(sd_bus *bus, const char *path, const char *interface, const char *member, const char *types, ...) {
        sd_bus_message *m = new_call(bus, path, interface, member);
        va_list ap;

        if (types) {
                va_start(ap, types);
                g_assert_cmpint(sd_bus_message_appendv(m, types, ap), >=, 0);
                va_end(ap);
        }
        return send_call(bus, m);
}

#define assert_call(expected, ...)                                                                                     \
        do {                                                                                                           \
                g_autofree char *_got = call(__VA_ARGS__);                                                             \
                g_assert_cmpstr(_got, ==, (expected));                                                                 \
        } while (0)

/* SetBytes with a value of `n` bytes. */
static char *set_bytes(sd_bus *bus, const char *path, const char *group, const char *key, size_t n) {
        sd_bus_message *m = new_call(bus, path, STORE_INTERFACE, "SetBytes");
        g_autofree uint8_t *value = g_malloc0(n ? n : 1);

        g_assert_cmpint(sd_bus_message_append(m, "ss", group, key), >=, 0);
        g_assert_cmpint(sd_bus_message_append_array(m, 'y', value, n), >=, 0);
        g_assert_cmpint(sd_bus_message_append(m, "t", UINT64_C(0)), >=, 0);
        return send_call(bus, m);
}

/* Render; returns the error name or "", and the output's length. */
static char *render(sd_bus *bus, const char *template, const char *group, size_t *ret_len, gint64 *ret_usec) {
        sd_bus_message *m = new_call(bus, STORE_PATH, STORE_INTERFACE, "Render");
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        gint64 start = g_get_monotonic_time();
        const char *output;
        char *name;
        int r;

        g_assert_cmpint(sd_bus_message_append(m, "ss", template, group), >=, 0);
        r = sd_bus_call(bus, m, CALL_TIMEOUT_USEC, &error, &reply);
        *ret_usec = g_get_monotonic_time() - start;
        g_assert_true(r >= 0 || sd_bus_error_is_set(&error));
        *ret_len = 0;
        if (r >= 0) {
                g_assert_cmpint(sd_bus_message_read(reply, "s", &output), >=, 0);
                *ret_len = strlen(output);
        } else
                g_test_message("Render: %s: %.120s", error.name, error.message);
        name = g_strdup(r >= 0 ? "" : error.name);
        sd_bus_error_free(&error);
        sd_bus_message_unref(reply);
        sd_bus_message_unref(m);
        return name;
}

/* The daemon still serves: a write and a read on a connection of its own. */
static void assert_serving(void) {
        sd_bus *bus = connect_bus();
        assert_call("", bus, STORE_PATH, STORE_INTERFACE, "Set", "sss", "hostile", "alive", "yes");
        assert_call("", bus, STORE_PATH, STORE_INTERFACE, "Get", "ss", "hostile", "alive");
        sd_bus_flush_close_unref(bus);
}

/* ---- latency ---- */

typedef struct Latency {
        double p50_ms, p99_ms, max_ms;
        unsigned answered;
} Latency;

static int compare_gint64(const void *a, const void *b) {
        gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;
        return x < y ? -1 : x > y;
}

/* `n` Gets one after the other, each timed; a Get that takes longer than `timeout_usec` is not
 * answered. */
static Latency measure_gets_within(sd_bus *bus, unsigned n, uint64_t timeout_usec) {
        g_autofree gint64 *usec = g_new0(gint64, n);
        Latency l = {};

        for (unsigned i = 0; i < n; i++) {
                gint64 start = g_get_monotonic_time();
                sd_bus_message *m = new_call(bus, STORE_PATH, STORE_INTERFACE, "Get");
                g_autofree char *e = NULL;

                g_assert_cmpint(sd_bus_message_append(m, "ss", "hostile", "probe"), >=, 0);
                e = send_call_timeout(bus, m, timeout_usec);
                usec[i] = g_get_monotonic_time() - start;
                if (g_str_equal(e, ""))
                        l.answered++;
                else
                        g_test_message("probe Get: %s", e);
        }
        qsort(usec, n, sizeof(gint64), compare_gint64);
        l.p50_ms = (double)usec[n / 2] / 1000.0;
        l.p99_ms = (double)usec[(n * 99) / 100] / 1000.0;
        l.max_ms = (double)usec[n - 1] / 1000.0;
        return l;
}

static Latency measure_gets(sd_bus *bus, unsigned n) {
        return measure_gets_within(bus, n, CALL_TIMEOUT_USEC);
}

static void print_latency(const char *what, const Latency *l) {
        g_test_message("%s: Get p50 %.3f ms, p99 %.3f ms, max %.3f ms (%u answered)", what, l->p50_ms, l->p99_ms,
                l->max_ms, l->answered);
}

/* ==== size limits ==== */

static void test_size_limits(void) {
        sd_bus *bus = connect_bus();
        g_autofree char *key_at = g_strnfill(MAX_KEY_BYTES, 'k'), *key_over = g_strnfill(MAX_KEY_BYTES + 1, 'k');
        g_autofree char *group_at = g_strnfill(MAX_GROUP_BYTES, 'g'),
                        *group_over = g_strnfill(MAX_GROUP_BYTES + 1, 'g');
        g_autofree char *value_at = g_strnfill(MAX_VALUE_BYTES, 'v'),
                        *value_over = g_strnfill(MAX_VALUE_BYTES + 1, 'v');
        g_autofree char *huge = g_strnfill(32 * MIB, 'h');
        const char *const paths[] = { STORE_PATH, NAMESPACE_PREFIX "limits" };

        for (size_t i = 0; i < G_N_ELEMENTS(paths); i++) {
                const char *p = paths[i];

                /* At each limit: accepted (in a namespace, names count unprefixed). */
                assert_call("", bus, p, STORE_INTERFACE, "Set", "sss", "limits", key_at, "v");
                assert_call("", bus, p, STORE_INTERFACE, "Set", "sss", group_at, "k", "v");
                assert_call("", bus, p, STORE_INTERFACE, "Set", "sss", "limits", "value", value_at);
                assert_call("", bus, p, STORE_INTERFACE, "SetWithTTL", "ssst", "limits", "ttl", value_at,
                        UINT64_C(3600000000));
                assert_call("", bus, p, STORE_INTERFACE, "SetAll", "sa{ss}", "limits", 2, key_at, "v", "k2", value_at);
                {
                        g_autofree char *e = set_bytes(bus, p, "limits", "bytes", MAX_VALUE_BYTES);
                        g_assert_cmpstr(e, ==, "");
                }
                assert_call("", bus, p, STORE_INTERFACE, "Get", "ss", "limits", key_at);

                /* One byte over: TooLarge, whichever method, and nothing written. */
                assert_call(ERROR_TOO_LARGE, bus, p, STORE_INTERFACE, "Set", "sss", "limits", key_over, "v");
                assert_call(ERROR_TOO_LARGE, bus, p, STORE_INTERFACE, "Set", "sss", group_over, "k", "v");
                assert_call(ERROR_TOO_LARGE, bus, p, STORE_INTERFACE, "Set", "sss", "limits", "over", value_over);
                assert_call(ERROR_TOO_LARGE, bus, p, STORE_INTERFACE, "SetWithTTL", "ssst", "limits", "over",
                        value_over, UINT64_C(1000000));
                assert_call(ERROR_TOO_LARGE, bus, p, STORE_INTERFACE, "SetAll", "sa{ss}", "limits", 2, "fine", "v",
                        key_over, "v");
                assert_call(ERROR_TOO_LARGE, bus, p, STORE_INTERFACE, "SetAll", "sa{ss}", "limits", 1, "over",
                        value_over);
                {
                        g_autofree char *e = set_bytes(bus, p, "limits", "over", MAX_VALUE_BYTES + 1);
                        g_assert_cmpstr(e, ==, ERROR_TOO_LARGE);
                }
                /* Far over: 32 MiB in one value, one key, one group name. */
                assert_call(ERROR_TOO_LARGE, bus, p, STORE_INTERFACE, "Set", "sss", "limits", "huge", huge);
                assert_call(ERROR_TOO_LARGE, bus, p, STORE_INTERFACE, "Set", "sss", "limits", huge, "v");
                assert_call(ERROR_TOO_LARGE, bus, p, STORE_INTERFACE, "Set", "sss", huge, "k", "v");
                assert_call(ERROR_NOT_FOUND, bus, p, STORE_INTERFACE, "Get", "ss", "limits", "over");
                assert_call(ERROR_NOT_FOUND, bus, p, STORE_INTERFACE, "Get", "ss", "limits", "fine");
                /* Reads with names over the limits are answered too (there is nothing to find). */
                assert_call(ERROR_NOT_FOUND, bus, p, STORE_INTERFACE, "Get", "ss", "limits", huge);
                assert_call("", bus, p, STORE_INTERFACE, "GetSplit", "sss", "limits", "value", "");
        }
        assert_call("", bus, STORE_PATH, STORE_INTERFACE, "DeleteGroup", "s", "limits");
        assert_call("", bus, STORE_PATH, STORE_INTERFACE, "DeleteGroup", "s", group_at);
        assert_call("", bus, STORE_PATH, MANAGER_INTERFACE, "DeleteNamespace", "s", "limits");
        sd_bus_flush_close_unref(bus);
        print_memory("after the size limits");
}

/* ==== Render ==== */

static char *repeat(const char *s, unsigned n) {
        GString *g = g_string_sized_new(strlen(s) * n);
        for (unsigned i = 0; i < n; i++)
                g_string_append(g, s);
        return g_string_free(g, FALSE);
}

static void assert_render(sd_bus *bus, const char *what, const char *template, const char *group,
        const char *expected_error, size_t expected_len) {
        size_t len;
        gint64 usec;
        g_autofree char *e = render(bus, template, group, &len, &usec);

        g_test_message("Render %s (%zu bytes): %s in %.1f ms", what, strlen(template), *e ? e : "output",
                usec / 1000.0);
        g_assert_cmpstr(e, ==, expected_error);
        if (!*expected_error)
                g_assert_cmpuint(len, ==, expected_len);
        g_assert_cmpint(usec, <, RENDER_MAX_USEC);
}

static void test_render_limits(void) {
        sd_bus *bus = connect_bus();
        g_autofree char *open = repeat("{{if true}}", 10000), *close = repeat("{{end}}", 10000);
        g_autofree char *deep_blocks = g_strconcat(open, "x", close, NULL);
        g_autofree char *lparens = repeat("(", 10000), *rparens = repeat(")", 10000);
        g_autofree char *deep_parens = g_strconcat("{{", lparens, "1", rparens, "}}", NULL);
        g_autofree char *ranges = repeat("{{range $}}", 10000), *ends = repeat("{{end}}", 10000);
        g_autofree char *deep_ranges = g_strconcat(ranges, ends, NULL);
        g_autofree char *text_at = g_strnfill(MAX_TEMPLATE_BYTES, 'x'),
                        *text_over = g_strnfill(MAX_TEMPLATE_BYTES + 1, 'x');
        g_autofree char *actions_at = repeat("{{.a}}", MAX_TEMPLATE_BYTES / 6);
        g_autofree char *value = g_strnfill(MAX_VALUE_BYTES, 'v');
        uint64_t rss;

        assert_call("", bus, STORE_PATH, STORE_INTERFACE, "Set", "sss", "render", "a", "1");
        assert_render(bus, "10 000 nested ifs", deep_blocks, "render", ERROR_TEMPLATE, 0);
        assert_render(bus, "10 000 nested parentheses", deep_parens, "render", ERROR_TEMPLATE, 0);
        assert_render(bus, "10 000 nested ranges", deep_ranges, "render", ERROR_TEMPLATE, 0);
        assert_render(bus, "of 1 MiB text", text_at, "render", "", MAX_TEMPLATE_BYTES);
        rss = daemon_peak_reset();
        assert_render(bus, "of 1 MiB actions", actions_at, "render", "", MAX_TEMPLATE_BYTES / 6);
        g_test_message("rendering 1 MiB of {{.a}} actions: daemon peak RSS %" PRIu64 " kB, %" PRIu64
                       " kB over its RSS before",
                daemon_status_kb("VmHWM:"), daemon_status_kb("VmHWM:") - rss);
        assert_render(bus, "over 1 MiB", text_over, "render", ERROR_TEMPLATE, 0);

        /* Output past 4 MiB, and work past a million steps. */
        assert_call("", bus, STORE_PATH, STORE_INTERFACE, "Set", "sss", "render", "v", value);
        assert_render(bus, "with 5 MiB of output", "{{.v}}{{.v}}{{.v}}{{.v}}{{.v}}", "render", ERROR_TEMPLATE, 0);
        for (unsigned i = 0; i < 100; i++) {
                char key[16];
                snprintf(key, sizeof(key), "k%03u", i);
                assert_call("", bus, STORE_PATH, STORE_INTERFACE, "Set", "sss", "render-work", key, "x");
        }
        assert_render(bus, "of 10^8 loop iterations",
                "{{range $}}{{range $}}{{range $}}{{range $}}{{.}}{{end}}{{end}}{{end}}{{end}}", "render-work",
                ERROR_TEMPLATE, 0);
        assert_call("", bus, STORE_PATH, STORE_INTERFACE, "DeleteGroup", "s", "render");
        assert_call("", bus, STORE_PATH, STORE_INTERFACE, "DeleteGroup", "s", "render-work");
        sd_bus_flush_close_unref(bus);
        print_memory("after Render");
}

/* ==== calls that do not fit ==== */

static void test_wrong_signatures(void) {
        sd_bus *bus = connect_bus();

        assert_call(ERROR_INVALID_ARGS, bus, STORE_PATH, STORE_INTERFACE, "Get", "s", "g");
        assert_call(ERROR_INVALID_ARGS, bus, STORE_PATH, STORE_INTERFACE, "Get", "sss", "g", "k", "x");
        assert_call(ERROR_INVALID_ARGS, bus, STORE_PATH, STORE_INTERFACE, "Get", NULL);
        assert_call(ERROR_INVALID_ARGS, bus, STORE_PATH, STORE_INTERFACE, "Get", "ii", 1, 2);
        assert_call(ERROR_INVALID_ARGS, bus, STORE_PATH, STORE_INTERFACE, "Set", "ssi", "g", "k", 1);
        assert_call(ERROR_INVALID_ARGS, bus, STORE_PATH, STORE_INTERFACE, "SetWithTTL", "sssi", "g", "k", "v", 1);
        assert_call(ERROR_INVALID_ARGS, bus, STORE_PATH, STORE_INTERFACE, "SetBytes", "ssst", "g", "k", "v",
                UINT64_C(0));
        assert_call(ERROR_INVALID_ARGS, bus, STORE_PATH, STORE_INTERFACE, "SetAll", "sa{si}", "g", 1, "k", 1);
        assert_call(ERROR_INVALID_ARGS, bus, STORE_PATH, STORE_INTERFACE, "SetAll", "sas", "g", 1, "k");
        assert_call(ERROR_INVALID_ARGS, bus, STORE_PATH, STORE_INTERFACE, "GetPage", "sii", "g", 0, 10);
        assert_call(ERROR_INVALID_ARGS, bus, STORE_PATH, STORE_INTERFACE, "Render", "sv", "{{.}}", "s", "g");
        assert_call(ERROR_INVALID_ARGS, bus, STORE_PATH, STORE_INTERFACE, "Subscribe", "s", "g");
        assert_call(ERROR_INVALID_ARGS, bus, STORE_PATH, STORE_INTERFACE, "Import", "s", "/etc/passwd");
        assert_call(ERROR_INVALID_ARGS, bus, STORE_PATH, STORE_INTERFACE, "Export", "u", 0);
        assert_call(ERROR_INVALID_ARGS, bus, STORE_PATH, MANAGER_INTERFACE, "SetQuota", "s", "tenant");
        assert_call(ERROR_INVALID_ARGS, bus, STORE_PATH, MANAGER_INTERFACE, "Backup", "s", "/tmp/x");
        assert_call(ERROR_INVALID_ARGS, bus, NAMESPACE_PREFIX "tenant", STORE_INTERFACE, "Set", "ay", 0);
        /* Well-typed but invalid. */
        assert_call(ERROR_INVALID_ARGS, bus, STORE_PATH, STORE_INTERFACE, "SetWithTTL", "ssst", "g", "k", "v",
                UINT64_C(0));
        assert_call("org.example.Store.Error.InvalidNamespace", bus, STORE_PATH, MANAGER_INTERFACE, "GetNamespace", "s",
                "no/such name");
        sd_bus_flush_close_unref(bus);
}

static void test_unknown_members(void) {
        sd_bus *bus = connect_bus();
        const char *const objects[] = { STORE_PATH, NAMESPACE_PREFIX "tenant", NAMESPACE_PREFIX "self" };

        for (size_t i = 0; i < G_N_ELEMENTS(objects); i++) {
                const char *p = objects[i];
                assert_call(ERROR_UNKNOWN_METHOD, bus, p, STORE_INTERFACE, "Frobnicate", "s", "x");
                assert_call(ERROR_UNKNOWN_METHOD, bus, p, STORE_INTERFACE, "get", "ss", "g", "k");
                assert_call(ERROR_UNKNOWN_METHOD, bus, p, "org.example.Nope", "Get", "ss", "g", "k");
                assert_call(ERROR_UNKNOWN_METHOD, bus, p, STORE_INTERFACE, "Changed", NULL);
                assert_call(ERROR_UNKNOWN_PROPERTY, bus, p, PROPERTIES_INTERFACE, "Get", "ss", STORE_INTERFACE, "Nope");
                assert_call(ERROR_UNKNOWN_PROPERTY, bus, p, PROPERTIES_INTERFACE, "Get", "ss", "org.example.Nope",
                        "Name");
                assert_call(ERROR_UNKNOWN_INTERFACE, bus, p, PROPERTIES_INTERFACE, "GetAll", "s", "org.example.Nope");
                assert_call(ERROR_UNKNOWN_PROPERTY, bus, p, PROPERTIES_INTERFACE, "Set", "ssv", STORE_INTERFACE, "Nope",
                        "s", "x");
        }
        /* Properties of the wrong object, and writing read-only ones. */
        assert_call(ERROR_UNKNOWN_PROPERTY, bus, STORE_PATH, PROPERTIES_INTERFACE, "Get", "ss", NAMESPACE_INTERFACE,
                "Name");
        assert_call(ERROR_UNKNOWN_PROPERTY, bus, NAMESPACE_PREFIX "tenant", PROPERTIES_INTERFACE, "Get", "ss",
                MANAGER_INTERFACE, "Version");
        assert_call(ERROR_READ_ONLY, bus, STORE_PATH, PROPERTIES_INTERFACE, "Set", "ssv", MANAGER_INTERFACE, "Version",
                "s", "9");
        assert_call(ERROR_READ_ONLY, bus, NAMESPACE_PREFIX "tenant", PROPERTIES_INTERFACE, "Set", "ssv",
                NAMESPACE_INTERFACE, "MaxKeys", "t", UINT64_C(1));
        assert_call(ERROR_INVALID_ARGS, bus, STORE_PATH, PROPERTIES_INTERFACE, "Get", "s", MANAGER_INTERFACE);
        assert_call("", bus, STORE_PATH, PROPERTIES_INTERFACE, "Get", "ss", MANAGER_INTERFACE, "Version");
        assert_call("", bus, NAMESPACE_PREFIX "tenant", PROPERTIES_INTERFACE, "GetAll", "s", NAMESPACE_INTERFACE);
        sd_bus_flush_close_unref(bus);
}

static void test_odd_paths(void) {
        sd_bus *bus = connect_bus();
        g_autofree char *long_name = g_strnfill(65, 'a');
        g_autofree char *too_long = g_strconcat(NAMESPACE_PREFIX, long_name, NULL);
        g_autofree char *b4000 = g_strnfill(4000, 'b');
        g_autofree char *long_element = g_strconcat(NAMESPACE_PREFIX, "a", b4000, NULL);
        const char *const paths[] = {
                NAMESPACE_PREFIX "_61bc", /* "abc", but not its canonical encoding */
                NAMESPACE_PREFIX "_73elf", /* "self", the same */
                NAMESPACE_PREFIX "a_2eb", /* "a.b": not a valid name */
                NAMESPACE_PREFIX "a_3ab", /* "a:b" */
                NAMESPACE_PREFIX "_c3_a9", /* "é" */
                NAMESPACE_PREFIX "_", /* the empty name */
                NAMESPACE_PREFIX "_00", /* a NUL byte */
                NAMESPACE_PREFIX "_zz", /* not an escape */
                NAMESPACE_PREFIX "tenant/deeper", /* below a namespace */
                NAMESPACE_PREFIX "self/x",
                NAMESPACE_PREFIX "tenant/_61bc/x",
                "/org/example/Store/namespacex",
                "/org/example/Store/Namespace/tenant",
                "/org/example/Store/x",
                "/org/example",
                "/",
                too_long,
                long_element,
        };

        for (size_t i = 0; i < G_N_ELEMENTS(paths); i++) {
                g_autofree char *get = call(bus, paths[i], STORE_INTERFACE, "Get", "ss", "g", "k");
                g_autofree char *set = call(bus, paths[i], STORE_INTERFACE, "Set", "sss", "g", "k", "v");
                g_autofree char *subscribe = call(bus, paths[i], STORE_INTERFACE, "Subscribe", NULL);
                g_autofree char *property =
                        call(bus, paths[i], PROPERTIES_INTERFACE, "Get", "ss", NAMESPACE_INTERFACE, "Name");

                g_test_message("%.60s: Get %s, Set %s, Subscribe %s, Properties.Get %s", paths[i], get, set, subscribe,
                        property);
                g_assert_cmpstr(get, ==, ERROR_UNKNOWN_OBJECT);
                g_assert_cmpstr(set, ==, ERROR_UNKNOWN_OBJECT);
                g_assert_cmpstr(subscribe, ==, ERROR_UNKNOWN_OBJECT);
                /* A path the daemon has no object at: sd-bus says UnknownObject; one where another
                 * interface lives (the root): UnknownProperty or UnknownInterface. */
                g_assert_true(g_str_equal(property, ERROR_UNKNOWN_OBJECT) ||
                              g_str_equal(property, ERROR_UNKNOWN_PROPERTY) ||
                              g_str_equal(property, ERROR_UNKNOWN_INTERFACE));
        }
        /* The folder itself is a node for introspection (it lists "self"), with no methods. */
        assert_call(ERROR_UNKNOWN_METHOD, bus, "/org/example/Store/namespace", STORE_INTERFACE, "Get", "ss", "g", "k");
        assert_call(ERROR_UNKNOWN_METHOD, bus, "/org/example/Store/namespace", STORE_INTERFACE, "Subscribe", NULL);
        assert_call("", bus, "/org/example/Store/namespace", "org.freedesktop.DBus.Introspectable", "Introspect", NULL);
        /* The canonical forms are objects. */
        assert_call(ERROR_NOT_FOUND, bus, NAMESPACE_PREFIX "abc", STORE_INTERFACE, "Get", "ss", "g", "k");
        assert_call(ERROR_NOT_FOUND, bus, NAMESPACE_PREFIX "self", STORE_INTERFACE, "Get", "ss", "g", "k");
        sd_bus_flush_close_unref(bus);
}

/* ==== subscriptions ==== */

static void test_subscriptions_capped(void) {
        sd_bus *bus = connect_bus(), *other = connect_bus();
        unsigned ok = 0, limited = 0, other_errors = 0;
        const unsigned attempts = 3 * MAX_SUBSCRIPTIONS;

        for (unsigned i = 0; i < attempts; i++) {
                g_autofree char *path = g_strdup_printf(NAMESPACE_PREFIX "sub%u", i);
                g_autofree char *e = call(bus, path, STORE_INTERFACE, "Subscribe", NULL);

                if (g_str_equal(e, ""))
                        ok++;
                else if (g_str_equal(e, ERROR_LIMITS_EXCEEDED))
                        limited++;
                else {
                        g_test_message("Subscribe %u: %s", i, e);
                        other_errors++;
                }
        }
        g_test_message("%u Subscribe calls on one connection: %u subscribed, %u LimitsExceeded", attempts, ok, limited);
        g_assert_cmpuint(ok, ==, MAX_SUBSCRIPTIONS);
        g_assert_cmpuint(limited, ==, attempts - MAX_SUBSCRIPTIONS);
        g_assert_cmpuint(other_errors, ==, 0);

        /* Subscribing again where it is subscribed costs nothing and is fine; the root is one more scope. */
        assert_call("", bus, NAMESPACE_PREFIX "sub0", STORE_INTERFACE, "Subscribe", NULL);
        assert_call(ERROR_LIMITS_EXCEEDED, bus, STORE_PATH, STORE_INTERFACE, "Subscribe", NULL);
        /* Letting one go makes room for one. */
        assert_call("", bus, NAMESPACE_PREFIX "sub1", STORE_INTERFACE, "Unsubscribe", NULL);
        assert_call("", bus, STORE_PATH, STORE_INTERFACE, "Subscribe", NULL);
        assert_call(ERROR_LIMITS_EXCEEDED, bus, NAMESPACE_PREFIX "sub1", STORE_INTERFACE, "Subscribe", NULL);
        /* Other connections are not limited by this one. */
        assert_call("", other, NAMESPACE_PREFIX "sub1", STORE_INTERFACE, "Subscribe", NULL);
        /* Changes still flow to the full subscriber's scopes and everyone else is served. */
        assert_call("", other, NAMESPACE_PREFIX "sub2", STORE_INTERFACE, "Set", "sss", "g", "k", "v");
        assert_call("", other, NAMESPACE_PREFIX "sub2", STORE_INTERFACE, "Delete", "ss", "g", "k");
        sd_bus_flush_close_unref(bus);
        sd_bus_flush_close_unref(other);
        assert_serving();
        print_memory("after the subscriptions");
}

/* ==== clients that never read ==== */

/* Returns how far the daemon's RSS peaked above where it was while the replies went unread, in kB, and
 * what the flooder said when it was done sending ("sent=N", with " error=…" if it was disconnected).
 * The calls are Gets of a value of `value_bytes`, or of a key that does not exist if 0. */
static uint64_t flood(const char *what, const char *direct_address, size_t value_bytes, char **ret_status) {
        g_autofree char *count = g_strdup_printf("%lu", FLOOD_CALLS);
        const char *args_bus[] = { "flood", count, NULL };
        const char *args_direct[] = { "flood", count, direct_address, NULL };
        sd_bus *probe = connect_bus();
        g_autofree char *status = NULL, *what_during = NULL, *what_after = NULL;
        g_autofree char *value = g_strnfill(value_bytes, 'f');
        uint64_t rss_before, rss_during, rss_after, peak;
        Latency baseline, during, after;
        Helper h;

        assert_call("", probe, STORE_PATH, STORE_INTERFACE, "Set", "sss", "hostile", "probe", "v");
        if (value_bytes > 0)
                assert_call("", probe, STORE_PATH, STORE_INTERFACE, "Set", "sss", "hostile", "flood", value);
        else
                assert_call("", probe, STORE_PATH, STORE_INTERFACE, "Delete", "ss", "hostile", "flood");
        baseline = measure_gets(probe, PROBE_CALLS);
        print_latency("no flood", &baseline);
        rss_before = daemon_peak_reset();

        h = helper_start(direct_address ? args_direct : args_bus);
        g_usleep(200000); /* the flood under way */
        during = measure_gets(probe, PROBE_CALLS);
        status = helper_read_line(&h, 60000);
        rss_during = daemon_status_kb("VmRSS:");
        peak = daemon_status_kb("VmHWM:");
        g_test_message("%s: flooder says \"%s\"", what, status);
        g_assert_true(g_str_has_prefix(status, "sent="));
        after = measure_gets(probe, PROBE_CALLS);
        what_during = g_strdup_printf("%s, while the calls pour in", what);
        what_after = g_strdup_printf("%s, all sent and none read", what);
        print_latency(what_during, &during);
        print_latency(what_after, &after);

        g_assert_cmpuint(during.answered, ==, PROBE_CALLS);
        g_assert_cmpuint(after.answered, ==, PROBE_CALLS);
        g_assert_cmpfloat(during.p99_ms, <, PROBE_P99_MAX_USEC / 1000.0);
        g_assert_cmpfloat(after.p99_ms, <, PROBE_P99_MAX_USEC / 1000.0);

        helper_stop(&h);
        g_usleep(200000);
        rss_after = daemon_status_kb("VmRSS:");
        g_test_message("%s: daemon VmRSS %" PRIu64 " kB before, peak %" PRIu64 " kB (+%" PRIu64
                       " kB) while the replies went unread, %" PRIu64 " kB when the flooder was done sending, %" PRIu64
                       " kB after it left",
                what, rss_before, peak, peak - rss_before, rss_during, rss_after);
        assert_serving();
        sd_bus_flush_close_unref(probe);
        *ret_status = g_steal_pointer(&status);
        return peak - rss_before;
}

static void test_flood_bus(void) {
        g_autofree char *status = NULL;
        /* The bus daemon takes the replies (up to its max_outgoing_bytes for the client, then it drops
         * them): stored keeps nothing. */
        uint64_t grown = flood("a bus client sending 200 000 calls", NULL, 0, &status);
        if (!daemon_is_sanitized())
                g_assert_cmpuint(grown, <, UNREAD_GROWTH_MAX_KB);
}

static void test_flood_direct(void) {
        g_autofree char *address = g_strdup_printf("unix:path=%s", world->direct_socket);
        g_autofree char *status = NULL;
        /* On a direct connection stored itself holds what the peer does not read, up to a bound
         * (README, "Direct connections"); past it the peer is disconnected. */
        uint64_t grown = flood("a direct client sending 200 000 Gets of a 200-byte value", address, 200, &status);

        print_memory("after the floods");
        g_assert_nonnull(strstr(status, " error="));
        if (!daemon_is_sanitized())
                g_assert_cmpuint(grown, <, UNREAD_GROWTH_MAX_KB);
}

/* ==== many connections ==== */

static void test_connections(void) {
        g_autofree char *per_process = g_strdup_printf("%u", CONNECTIONS / CONNECTION_PROCESSES);
        const char *args[] = { "connect", per_process, NULL };
        Helper helpers[CONNECTION_PROCESSES];
        unsigned connected = 0, failed = 0, fds_before = daemon_open_fds(), fds_during;
        gint64 start = g_get_monotonic_time();
        struct rlimit rl;
        sd_bus *probe;
        Latency l;

        g_assert_cmpint(getrlimit(RLIMIT_NOFILE, &rl), ==, 0);
        if (rl.rlim_cur < CONNECTIONS + 1024) {
                g_test_skip("the file descriptor limit is too low for the bus to take 5 000 connections");
                return;
        }
        for (unsigned i = 0; i < CONNECTION_PROCESSES; i++)
                helpers[i] = helper_start(args);
        for (unsigned i = 0; i < CONNECTION_PROCESSES; i++) {
                g_autofree char *status = helper_read_line(&helpers[i], 120000);
                unsigned c = 0, a = 0, f = 0;

                g_test_message("connection process %u: %s", i, status);
                g_assert_cmpint(sscanf(status, "connected=%u answered=%u failed=%u", &c, &a, &f), ==, 3);
                connected += c;
                failed += f;
        }
        fds_during = daemon_open_fds();
        g_test_message("%u connections open at once, each answered (%u failed), in %.1f s; the daemon holds %u file "
                       "descriptors (%u before)",
                connected, failed, (g_get_monotonic_time() - start) / 1e6, fds_during, fds_before);
        print_memory("with 5 000 connections open");
        g_assert_cmpuint(connected, ==, CONNECTIONS);
        g_assert_cmpuint(failed, ==, 0);

        /* Everyone else is still served while they are all there. */
        probe = connect_bus();
        l = measure_gets(probe, PROBE_CALLS);
        print_latency("with 5 000 other connections open", &l);
        g_assert_cmpuint(l.answered, ==, PROBE_CALLS);

        for (unsigned i = 0; i < CONNECTION_PROCESSES; i++)
                helper_stop(&helpers[i]);
        /* They are gone: the daemon forgets them (it hears NameOwnerChanged) and serves on. */
        l = measure_gets(probe, PROBE_CALLS);
        print_latency("after 5 000 connections closed", &l);
        g_assert_cmpuint(l.answered, ==, PROBE_CALLS);
        sd_bus_flush_close_unref(probe);
        assert_serving();
        print_memory("after 5 000 connections closed");
}

/* ==== introspection by a caller the daemon has not met ==== */

/* Root sees every namespace in the folder's introspection (README, "Namespaces on the bus"), from its
 * first call on: the listing must wait for the caller's uid, not be made without it. */
static void test_introspect_new_caller(void) {
        sd_bus *setup = connect_bus(), *bus = connect_bus();
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        const char *xml;
        bool listed;

        assert_call("", setup, NAMESPACE_PREFIX "introspected", STORE_INTERFACE, "Set", "sss", "g", "k", "v");
        g_assert_cmpint(sd_bus_call_method(bus, STORE_BUS_NAME, "/org/example/Store/namespace",
                                "org.freedesktop.DBus.Introspectable", "Introspect", &error, &reply, NULL),
                >=, 0);
        g_assert_cmpint(sd_bus_message_read(reply, "s", &xml), >=, 0);
        listed = strstr(xml, "<node name=\"introspected\"/>") != NULL;
        g_test_message("a new root connection's first Introspect of the namespace folder %s the namespace",
                listed ? "lists" : "does not list");
        sd_bus_message_unref(reply);
        assert_call("", setup, STORE_PATH, MANAGER_INTERFACE, "DeleteNamespace", "s", "introspected");
        sd_bus_flush_close_unref(bus);
        sd_bus_flush_close_unref(setup);
        g_assert_true(listed);
}

/* ==== the daemon's own descriptors running out ==== */

static uint64_t daemon_cpu_ticks(void) {
        g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)world->daemon_pid);
        g_autofree char *text = NULL;
        unsigned long utime = 0, stime = 0;
        const char *p;

        g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
        p = strrchr(text, ')');
        g_assert_nonnull(p);
        g_assert_cmpint(sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime), ==, 2);
        return utime + stime;
}

/* More direct connections than the daemon has descriptors for: the ones over are refused, and the
 * daemon must not spin on a listening socket it cannot accept from. */
static void test_direct_fd_limit(void) {
        struct rlimit saved, lowered;
        unsigned fds = daemon_open_fds(), opened = 0;
        int sockets[64];
        uint64_t ticks;
        double cpu;
        Latency l;
        sd_bus *probe;

        g_assert_cmpint(prlimit(world->daemon_pid, RLIMIT_NOFILE, NULL, &saved), ==, 0);
        lowered = (struct rlimit){ fds + 16, saved.rlim_max };
        g_assert_cmpint(prlimit(world->daemon_pid, RLIMIT_NOFILE, &lowered, NULL), ==, 0);

        for (size_t i = 0; i < G_N_ELEMENTS(sockets); i++) {
                struct sockaddr_un sa = { .sun_family = AF_UNIX };
                snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", world->direct_socket);
                sockets[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                g_assert_cmpint(sockets[i], >=, 0);
                if (connect(sockets[i], (struct sockaddr *)&sa, sizeof(sa)) == 0)
                        opened++;
        }
        g_usleep(200000);
        /* Else the rest would test nothing: the daemon must really be out of descriptors. */
        g_assert_cmpuint(daemon_open_fds(), >=, (unsigned)lowered.rlim_cur - 1);
        ticks = daemon_cpu_ticks();
        g_usleep(G_USEC_PER_SEC);
        cpu = (double)(daemon_cpu_ticks() - ticks) * 100.0 / (double)sysconf(_SC_CLK_TCK);
        probe = connect_bus();
        l = measure_gets_within(probe, 3, G_USEC_PER_SEC);
        g_test_message("%u direct connections against a limit of %u descriptors (%u in use): the daemon used %.0f%% "
                       "of a CPU for a second",
                opened, (unsigned)lowered.rlim_cur, fds, cpu);
        print_latency("meanwhile, on the bus (3 Gets, 1 s each at most)", &l);

        for (size_t i = 0; i < G_N_ELEMENTS(sockets); i++)
                close(sockets[i]);
        g_assert_cmpint(prlimit(world->daemon_pid, RLIMIT_NOFILE, &saved, NULL), ==, 0);
        g_usleep(200000);
        sd_bus_flush_close_unref(probe);
        assert_serving();
        /* Out of descriptors it pauses accepting instead of retrying in a busy loop, which would starve
         * the group commit (idle priority). */
        g_assert_cmpfloat(cpu, <=, 50.0);
        g_assert_cmpuint(l.answered, ==, 3);
}

/* ==== after all of it ==== */

static void test_memory_bounded(void) {
        uint64_t hwm = MAX(daemon_status_kb("VmHWM:"), hwm_before_resets_kb), rss = daemon_status_kb("VmRSS:");

        g_test_message("daemon peak RSS (VmHWM): %" PRIu64 " kB at start, %" PRIu64 " kB after every hostile client",
                hwm_at_start_kb, hwm);
        g_test_message("daemon RSS (VmRSS): %" PRIu64 " kB at start, %" PRIu64 " kB now", rss_at_start_kb, rss);
        printf("# peak RSS before: %" PRIu64 " kB; after: %" PRIu64 " kB\n", hwm_at_start_kb, hwm);
        if (daemon_is_sanitized())
                g_test_message("an AddressSanitizer build: its quarantine makes these figures no measure of what "
                               "the daemon keeps");
        else
                g_assert_cmpuint(hwm, <, PEAK_RSS_MAX_KB);
        assert_serving();
}

/* The last test: SIGTERM stops the daemon promptly even while a direct client that never reads holds
 * a queue of replies: 200 of 256 KiB, more than the kernel's socket buffer takes. */
static void test_stop_with_stalled_reader(void) {
        g_autofree char *address = g_strdup_printf("unix:path=%s", world->direct_socket);
        g_autofree char *value = g_strnfill(STALLED_VALUE_BYTES, 'v');
        const char *args[] = { "flood", G_STRINGIFY(STALLED_CALLS), address, "hostile", "big", NULL };
        g_autofree char *status = NULL;
        Helper h;
        gint64 start;
        bool stopped = false;
        sd_bus *bus = connect_bus();

        assert_call("", bus, STORE_PATH, STORE_INTERFACE, "Set", "sss", "hostile", "big", value);
        sd_bus_flush_close_unref(bus);
        h = helper_start(args);
        status = helper_read_line(&h, 60000);
        g_assert_true(g_str_has_prefix(status, "sent="));
        g_usleep(G_USEC_PER_SEC); /* the daemon answers them all */
        g_test_message("daemon VmRSS with the replies queued: %" PRIu64 " kB", daemon_status_kb("VmRSS:"));
        start = g_get_monotonic_time();
        g_assert_cmpint(kill(world->daemon_pid, SIGTERM), ==, 0);
        while (!stopped && g_get_monotonic_time() - start < (gint64)STOP_MAX_USEC) {
                siginfo_t info = {};
                /* WNOWAIT: the harness reaps it below. */
                g_assert_cmpint(waitid(P_PID, (id_t)world->daemon_pid, &info, WEXITED | WNOHANG | WNOWAIT), ==, 0);
                stopped = info.si_pid == world->daemon_pid;
                if (!stopped)
                        g_usleep(20000);
        }
        g_test_message("SIGTERM with a direct client holding %u unread replies of %u KiB: %s after %.1f s",
                STALLED_CALLS, STALLED_VALUE_BYTES / KIB, stopped ? "stopped" : "still running",
                (g_get_monotonic_time() - start) / 1e6);
        helper_stop(&h); /* a daemon still flushing to it finishes once it is gone */
        world_stop_daemon(world);
        g_assert_true(stopped);
}

/* ---- main ---- */

static void raise_fd_limit(void) {
        struct rlimit rl;

        /* The bus (a child: it inherits this) needs a descriptor per connection. Root may raise the
         * hard limit too. */
        if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
                return;
        if (rl.rlim_max < 65536) {
                struct rlimit more = { 65536, 65536 };
                if (setrlimit(RLIMIT_NOFILE, &more) == 0)
                        return;
        }
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
}

int main(int argc, char *argv[]) {
        int r;

        g_test_init(&argc, &argv, NULL);
        hostile_client = argc > 1 ? argv[1] : g_getenv("HOSTILE_CLIENT");
        g_assert_nonnull(hostile_client);

        raise_fd_limit();
        world = world_new();
        install_exit_paths();
        world_start_daemon(world, NULL);
        rss_at_start_kb = daemon_status_kb("VmRSS:");
        hwm_at_start_kb = daemon_status_kb("VmHWM:");

        g_test_add_func("/hostile/size-limits", test_size_limits);
        g_test_add_func("/hostile/render-limits", test_render_limits);
        g_test_add_func("/hostile/wrong-signatures", test_wrong_signatures);
        g_test_add_func("/hostile/unknown-members", test_unknown_members);
        g_test_add_func("/hostile/odd-paths", test_odd_paths);
        g_test_add_func("/hostile/subscriptions-capped", test_subscriptions_capped);
        g_test_add_func("/hostile/flood-bus", test_flood_bus);
        g_test_add_func("/hostile/flood-direct", test_flood_direct);
        g_test_add_func("/hostile/connections-5000", test_connections);
        g_test_add_func("/hostile/introspect-new-caller", test_introspect_new_caller);
        g_test_add_func("/hostile/direct-fd-limit", test_direct_fd_limit);
        g_test_add_func("/hostile/memory-bounded", test_memory_bounded);
        g_test_add_func("/hostile/stop-with-stalled-reader", test_stop_with_stalled_reader);

        r = g_test_run();
        world_free(world);
        return r;
}
