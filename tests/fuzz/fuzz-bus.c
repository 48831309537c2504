/* SPDX-License-Identifier: MIT */
/* libFuzzer target for the bus dispatcher: random method calls with random arguments, into the
 * daemon's own objects, in process.
 *
 * Each input gets a fresh daemon: a Context as daemon_run() builds it (in-memory store, group commit,
 * authorization, change events, every object exported by daemon_export_objects()), served on one end of
 * a socketpair as a direct (peer-to-peer) connection, and an sd-bus client on the other end, both on
 * one sd-event loop. The input is a short program:
 *
 *   byte 0      who calls: root, or uid 1000 (set as the socket's credentials, so that its own namespace
 *               is uid-1000 and everything else goes to "polkit", which is the client itself here and
 *               answers CheckAuthorization as the next byte says: yes, no, a challenge, an error or junk)
 *   byte 1      polkit's answers
 *   then calls  path, interface, member, flags, signature and body, each chosen by the input from the
 *               objects' own vtables and a few others, or made up; the body follows the signature, and
 *               a descriptor argument is a memfd holding bytes of the input (an Import source)
 *
 * The loop runs until neither side has anything to do. Then every call that expected a reply must have
 * had one; anything else — a crash, a sanitizer report, a leak, a loop that never goes idle, a call
 * never answered — is a finding. FUZZ_BUS_VERBOSE=1 prints each call and its reply. */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>
#include <systemd/sd-id128.h>
#include <unistd.h>

#include "bus-dump.h"
#include "bus-error.h"
#include "bus-manager.h"
#include "bus-namespace.h"
#include "bus-store.h"
#include "context.h"
#include "daemon.h"
#include "log.h"

#define CALLS_MAX       24
#define PUMP_TURNS_MAX  200000
#define ARRAY_ITEMS_MAX 6
#define NESTING_MAX     4
#define OTHER_UID       1000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* ---- the input ---- */

typedef struct Input {
        const uint8_t *p;
        size_t n;
} Input;

static uint8_t next_byte(Input *in) {
        if (in->n == 0)
                return 0;
        in->n--;
        return *in->p++;
}

static uint64_t next_uint(Input *in, unsigned bytes) {
        uint64_t v = 0;
        for (unsigned i = 0; i < bytes; i++)
                v = (v << 8) | next_byte(in);
        return v;
}

/* ---- what there is to call ---- */

typedef struct Method {
        const char *interface, *member, *signature;
} Method;

static Method methods[96];
static size_t n_methods;
static const char *properties[32][2]; /* interface, name */
static size_t n_properties;

static void add_method(const char *interface, const char *member, const char *signature) {
        if (n_methods < ELEMENTSOF(methods))
                methods[n_methods++] = (Method){ interface, member, signature ?: "" };
}

static void add_vtable(const char *interface, const sd_bus_vtable *v) {
        for (; v->type != _SD_BUS_VTABLE_END; v++)
                if (v->type == _SD_BUS_VTABLE_METHOD)
                        add_method(interface, v->x.method.member, v->x.method.signature);
                else if (v->type == _SD_BUS_VTABLE_PROPERTY && n_properties < ELEMENTSOF(properties)) {
                        properties[n_properties][0] = interface;
                        properties[n_properties++][1] = v->x.property.member;
                }
}

static void collect_methods(void) {
        static const char *const namespace_properties[] = { "Name", "MaxKeys", "MaxGroups", "MaxBytes", "Keys",
                "Groups", "Bytes" };

        add_vtable(STORE_INTERFACE, store_vtable);
        add_vtable(MANAGER_INTERFACE, manager_vtable);
        for (size_t i = 0; i < ELEMENTSOF(namespace_properties); i++) {
                properties[n_properties][0] = NAMESPACE_INTERFACE;
                properties[n_properties++][1] = namespace_properties[i];
        }
        add_method("org.freedesktop.DBus.Properties", "Get", "ss");
        add_method("org.freedesktop.DBus.Properties", "GetAll", "s");
        add_method("org.freedesktop.DBus.Properties", "Set", "ssv");
        add_method("org.freedesktop.DBus.Introspectable", "Introspect", "");
        add_method("org.freedesktop.DBus.Peer", "Ping", "");
        add_method("org.freedesktop.DBus.Peer", "GetMachineId", "");
        add_method("org.freedesktop.DBus.ObjectManager", "GetManagedObjects", "");
}

static const char *const paths[] = {
        "/org/example/Store",
        "/org/example/Store/namespace/self",
        "/org/example/Store/namespace/tenant_2da",
        "/org/example/Store/namespace/uid_2d1000",
        "/org/example/Store/namespace/uid_2d0",
        "/org/example/Store/namespace",
        "/org/example/Store/namespace/_61bc",
        "/org/example/Store/namespace/a/b",
        "/org/example/Store/namespace/_",
        "/org/example",
        "/",
};

static const char *const strings[] = {
        "",
        "self",
        "tenant-a",
        "tenant-a:prefs",
        "uid-1000",
        "uid-1000:notes",
        "uid-0",
        "config",
        "theme",
        "a",
        "b",
        "k",
        "v",
        ":",
        "a:b",
        "-",
        "x-y-z",
        "caf\xc3\xa9",
        "\xf0\x9f\x98\x80",
        "{{.k}}",
        "{{.a}}{{.b}}",
        "{{range .}}{{.}}{{end}}",
        "{{range $k, $v := .}}{{$k}}={{$v}};{{end}}",
        "{{if .a}}x{{else}}y{{end}}",
        "{{printf \"%q\" .k}}",
        "{{",
        "{{end}}",
        "{{template \"x\"}}",
        "{{index . \"a\"}}",
        "*",
        "0123456789012345678901234567890123456789012345678901234567890123456789",
};

static const char *const signatures[] = { "", "s", "ss", "sss", "t", "a{ss}", "ay", "v", "as", "(ss)", "h" };

/* ---- building a call from the input ---- */

/* A string: one from the list, printable ASCII, raw bytes (maybe not UTF-8: sd-bus then refuses the
 * call), or one character repeated, long enough to pass the size limits set below. */
static char *next_string(Input *in) {
        uint8_t b = next_byte(in), len = b & 0x3f;
        char *s;

        switch (b >> 6) {
        case 0: return strdup(strings[len % ELEMENTSOF(strings)]);
        case 3: {
                char c = (char)(0x20 + next_byte(in) % 95);
                size_t n = (size_t)len * 4;
                s = malloc(n + 1);
                if (s) {
                        memset(s, c, n);
                        s[n] = 0;
                }
                return s;
        }
        default:
                s = malloc((size_t)len + 1);
                if (!s)
                        return NULL;
                for (size_t i = 0; i < len; i++) {
                        uint8_t c = next_byte(in);
                        s[i] = (char)((b >> 6) == 1 ? 0x20 + c % 95 : (c ? c : 'x'));
                }
                s[len] = 0;
                return s;
        }
}

static uint64_t next_u64(Input *in) {
        switch (next_byte(in) % 8) {
        case 0: return 0;
        case 1: return 1;
        case 2: return UINT64_MAX;
        case 3: return (uint64_t)INT64_MAX;
        case 4: return (uint64_t)INT64_MAX + 1;
        case 5: return next_byte(in);
        default: return next_uint(in, 8);
        }
}

/* The end of the complete type at `s`, or NULL if it is not one. */
static const char *type_end(const char *s, unsigned depth) {
        if (depth > 64)
                return NULL;
        switch (*s) {
        case 0: return NULL;
        case 'a': return type_end(s + 1, depth + 1);
        case '(':
        case '{': {
                char close = *s == '(' ? ')' : '}';
                s++;
                while (*s != close) {
                        s = type_end(s, depth + 1);
                        if (!s)
                                return NULL;
                }
                return s + 1;
        }
        default: return strchr("ybnqiuxtdsoghv", *s) ? s + 1 : NULL;
        }
}

/* A random complete type, appended to `out` (at most `room` more characters, NUL included). */
static void next_type(Input *in, char *out, size_t room, unsigned depth) {
        static const char basic[] = "ybnqiuxtdsogh";
        size_t len = strlen(out);
        uint8_t b = next_byte(in) % 16;

        if (room < 8 || depth >= NESTING_MAX || b < 9) {
                out[len] = basic[(b + next_byte(in)) % (sizeof(basic) - 1)];
                out[len + 1] = 0;
                if (room < 2)
                        out[len] = 0;
                return;
        }
        switch (b) {
        case 9: strcat(out, "v"); return;
        case 10:
        case 11:
                strcat(out, "a");
                next_type(in, out, room - 1, depth + 1);
                return;
        case 12:
                strcat(out, "a{");
                out[len + 2] = basic[next_byte(in) % (sizeof(basic) - 1)];
                out[len + 3] = 0;
                next_type(in, out, room - 5, depth + 1);
                strcat(out, "}");
                return;
        default: {
                unsigned n = 1 + next_byte(in) % 3;
                strcat(out, "(");
                for (unsigned i = 0; i < n && strlen(out) + 8 < len + room; i++)
                        next_type(in, out, room - (strlen(out) - len) - 2, depth + 1);
                strcat(out, ")");
                return;
        }
        }
}

static int append_value(sd_bus_message *m, const char **sig, Input *in, unsigned depth);

static int append_fd(sd_bus_message *m, Input *in) {
        int fd = memfd_create("fuzz-bus", MFD_CLOEXEC), r;
        uint8_t n = next_byte(in);

        if (fd < 0)
                return -errno;
        for (uint8_t i = 0; i < n && in->n > 0; i++) {
                uint8_t c = next_byte(in);
                if (write(fd, &c, 1) != 1)
                        break;
        }
        (void)lseek(fd, 0, SEEK_SET);
        r = sd_bus_message_append_basic(m, 'h', &fd); /* duplicates it */
        close(fd);
        return r;
}

static int append_value(sd_bus_message *m, const char **sig, Input *in, unsigned depth) {
        char c = **sig;
        int r;

        if (depth > 32)
                return -EINVAL;
        (*sig)++;
        switch (c) {
        case 'y': {
                uint8_t v = next_byte(in);
                return sd_bus_message_append_basic(m, c, &v);
        }
        case 'b': {
                int v = next_byte(in) & 1;
                return sd_bus_message_append_basic(m, c, &v);
        }
        case 'n':
        case 'q': {
                uint16_t v = (uint16_t)next_uint(in, 2);
                return sd_bus_message_append_basic(m, c, &v);
        }
        case 'i':
        case 'u': {
                uint32_t v = (uint32_t)next_uint(in, 4);
                return sd_bus_message_append_basic(m, c, &v);
        }
        case 'x':
        case 't': {
                uint64_t v = next_u64(in);
                return sd_bus_message_append_basic(m, c, &v);
        }
        case 'd': {
                uint64_t bits = next_uint(in, 8);
                double v;
                memcpy(&v, &bits, sizeof(v));
                return sd_bus_message_append_basic(m, c, &v);
        }
        case 's': {
                char *s = next_string(in);
                if (!s)
                        return -ENOMEM;
                r = sd_bus_message_append_basic(m, c, s);
                free(s);
                return r;
        }
        case 'o': return sd_bus_message_append_basic(m, c, paths[next_byte(in) % ELEMENTSOF(paths)]);
        case 'g': return sd_bus_message_append_basic(m, c, signatures[next_byte(in) % ELEMENTSOF(signatures)]);
        case 'h': return append_fd(m, in);
        case 'v': {
                char contents[64] = "";
                const char *p = contents;
                if (next_byte(in) & 1)
                        snprintf(contents, sizeof(contents), "%s",
                                signatures[1 + next_byte(in) % (ELEMENTSOF(signatures) - 1)]);
                else
                        next_type(in, contents, sizeof(contents), NESTING_MAX - 1);
                if (!type_end(contents, 0))
                        return -EINVAL;
                r = sd_bus_message_open_container(m, 'v', contents);
                if (r >= 0)
                        r = append_value(m, &p, in, depth + 1);
                if (r >= 0)
                        r = sd_bus_message_close_container(m);
                return r;
        }
        case 'a': {
                const char *start = *sig, *end = type_end(start, 0);
                char contents[256];
                unsigned n;

                if (!end || (size_t)(end - start) >= sizeof(contents))
                        return -EINVAL;
                memcpy(contents, start, (size_t)(end - start));
                contents[end - start] = 0;
                *sig = end;
                if (streq(contents, "y")) {
                        uint8_t len = next_byte(in);
                        uint8_t bytes[256];
                        size_t k = 0;
                        for (; k < len && in->n > 0; k++)
                                bytes[k] = next_byte(in);
                        return sd_bus_message_append_array(m, 'y', bytes, k);
                }
                r = sd_bus_message_open_container(m, 'a', contents);
                n = next_byte(in) % (ARRAY_ITEMS_MAX + 1);
                for (unsigned i = 0; r >= 0 && i < n; i++) {
                        const char *p = contents;
                        r = append_value(m, &p, in, depth + 1);
                }
                if (r >= 0)
                        r = sd_bus_message_close_container(m);
                return r;
        }
        case '(':
        case '{': {
                char close = c == '(' ? ')' : '}';
                const char *start = *sig - 1, *end = type_end(start, 0);
                char contents[256];

                if (!end || (size_t)(end - start) >= sizeof(contents))
                        return -EINVAL;
                memcpy(contents, start + 1, (size_t)(end - start - 2));
                contents[end - start - 2] = 0;
                r = sd_bus_message_open_container(m, c == '(' ? 'r' : 'e', contents);
                while (r >= 0 && **sig != close)
                        r = append_value(m, sig, in, depth + 1);
                if (r >= 0) {
                        (*sig)++;
                        r = sd_bus_message_close_container(m);
                }
                return r;
        }
        default: return -EINVAL;
        }
}

/* ---- the two ends ---- */

typedef struct Fuzz {
        Context context;
        sd_bus *client;
        unsigned waiting; /* calls whose reply has not come */
        uint8_t polkit; /* how "polkit" answers; rotates with each question */
        bool verbose;
} Fuzz;

static int on_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error _unused_) {
        Fuzz *f = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);

        f->waiting--;
        if (f->verbose)
                fprintf(stderr, "  → %s %s\n", e ? e->name : "return", e && e->message ? e->message : "");
        return 0;
}

/* The client plays polkit: CheckAuthorization from the daemon gets the answer the input chose. */
static int on_client_message(sd_bus_message *m, void *userdata, sd_bus_error *ret_error _unused_) {
        Fuzz *f = userdata;
        uint8_t answer;

        if (!sd_bus_message_is_method_call(m, "org.freedesktop.PolicyKit1.Authority", "CheckAuthorization"))
                return 0;
        answer = f->polkit % 5;
        f->polkit = (uint8_t)(f->polkit * 37 + 11);
        switch (answer) {
        case 0: (void)sd_bus_reply_method_return(m, "(bba{ss})", 1, 0, 0); break;
        case 1: (void)sd_bus_reply_method_return(m, "(bba{ss})", 0, 0, 0); break;
        case 2: (void)sd_bus_reply_method_return(m, "(bba{ss})", 0, 1, 0); break;
        case 3: (void)sd_bus_reply_method_errorf(m, "org.freedesktop.PolicyKit1.Error.Failed", "no"); break;
        default: (void)sd_bus_reply_method_return(m, "s", "junk"); break;
        }
        return 1;
}

static void on_store_commit(const StoreChange *changes, size_t n_changes, void *userdata) {
        Context *c = userdata;

        if (c->events)
                events_publish(c->events, changes, n_changes);
        expiry_timer_rearm(c);
}

/* The daemon's set-up (daemon_run, context_connect_bus) over the server end of the socketpair. Small
 * limits, so that inputs of a few bytes reach every one of them. */
static int daemon_setup(Context *c, int fd) {
        StoreError e = {};
        StoreOptions options = {
                .backend = { .path = ":memory:", .durability = BACKEND_DURABILITY_NORMAL },
                .limits = { .max_key_bytes = 16, .max_group_bytes = 24, .max_value_bytes = 64 },
                .default_quota = { .max_keys = 8, .max_groups = 4, .max_bytes = 256 },
                .observer = on_store_commit,
                .observer_userdata = c,
        };
        sd_id128_t id;
        int r;

        config_init(&c->config);
        c->config.render = (StoreRenderLimits){
                .max_template_bytes = 256,
                .max_output_bytes = 1024,
                .max_depth = 8,
                .max_steps = 2000,
        };
        c->config.events = (EventsLimits){
                .max_subscriptions_per_connection = 4,
                .max_unread_messages = 8,
                .max_unread_bytes = 4096,
        };
        c->root = (Scope){ .context = c };

        r = sd_event_new(&c->event);
        if (r < 0)
                return r;
        r = store_open(&options, &c->store, &e);
        if (r < 0)
                return r;
        expiry_timer_rearm(c);
        r = reply_queue_new(c->event, c->store, &c->replies);
        if (r < 0)
                return r;
        store_set_group_commit(c->store, true);

        /* As direct.c serves a peer. */
        r = sd_bus_new(&c->bus);
        if (r < 0)
                return r;
        r = sd_id128_randomize(&id);
        if (r >= 0)
                r = sd_bus_set_fd(c->bus, fd, fd);
        if (r >= 0)
                r = sd_bus_set_server(c->bus, 1, id);
        if (r >= 0)
                r = sd_bus_negotiate_fds(c->bus, true);
        if (r >= 0)
                r = sd_bus_start(c->bus);
        if (r >= 0)
                r = sd_bus_attach_event(c->bus, c->event, SD_EVENT_PRIORITY_NORMAL);
        if (r >= 0)
                r = auth_new(c->bus, &(AuthOptions){ .personal_namespaces = true }, &c->auth);
        if (r >= 0)
                r = events_new(c->bus, &c->config.events, &c->events);
        if (r >= 0)
                r = daemon_export_objects(c, c->bus);
        return r;
}

/* As daemon_done(), without the flushes: the peer is this process, which will not read any more. */
static void daemon_teardown(Context *c) {
        bus_dump_abort_all(c);
        if (c->replies)
                reply_queue_flush(c->replies);
        c->replies = reply_queue_free(c->replies);
        c->expiry_timer = sd_event_source_unref(c->expiry_timer);
        c->events = events_free(c->events);
        c->auth = auth_free(c->auth);
        if (c->bus)
                (void)sd_bus_detach_event(c->bus);
        c->bus = sd_bus_close_unref(c->bus);
        c->store = store_free(c->store);
        c->event = sd_event_unref(c->event);
        config_done(&c->config);
}

static int client_setup(Fuzz *f, int fd) {
        int r = sd_bus_new(&f->client);
        if (r >= 0)
                r = sd_bus_set_fd(f->client, fd, fd);
        if (r >= 0)
                r = sd_bus_negotiate_fds(f->client, true);
        if (r >= 0)
                r = sd_bus_start(f->client);
        if (r >= 0)
                r = sd_bus_add_filter(f->client, NULL, on_client_message, f);
        if (r >= 0)
                r = sd_bus_attach_event(f->client, f->context.event, SD_EVENT_PRIORITY_NORMAL);
        return r;
}

/* Runs both ends until neither has anything left to do. A daemon that never goes idle is a finding. */
static void run_until_idle(Fuzz *f) {
        unsigned idle = 0;

        for (unsigned turn = 0; turn < PUMP_TURNS_MAX; turn++) {
                int a = sd_event_run(f->context.event, 0);
                int b = sd_bus_process(f->context.bus, NULL);
                int c = sd_bus_process(f->client, NULL);

                if (a < 0) {
                        fprintf(stderr, "fuzz-bus: the event loop failed: %s\n", strerror(-a));
                        abort();
                }
                if (a == 0 && b <= 0 && c <= 0) {
                        if (++idle >= 3)
                                return;
                } else
                        idle = 0;
        }
        fprintf(stderr, "fuzz-bus: the daemon never went idle\n");
        abort();
}

static int send_call(Fuzz *f, Input *in) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        const Method *method = &methods[next_byte(in) % n_methods];
        const char *path = paths[next_byte(in) % ELEMENTSOF(paths)], *interface = method->interface;
        const char *member = method->member;
        char signature[128] = "", made_up_member[32], made_up_path[160];
        uint8_t how = next_byte(in), flags = next_byte(in);
        const char *p;
        bool expect_reply = (flags & 0x0f) != 0;
        int r;

        /* Now and then another interface, none, a made-up member or a made-up namespace path. */
        switch (how & 0x07) {
        case 0: interface = NULL; break;
        case 1: interface = methods[next_byte(in) % n_methods].interface; break;
        default: break;
        }
        if ((how & 0x18) == 0x18) {
                char *s = next_string(in);
                snprintf(made_up_member, sizeof(made_up_member), "%s", s ?: "X");
                free(s);
                member = made_up_member;
        }
        if ((how & 0x60) == 0x60) {
                char *s = next_string(in), *encoded = NULL;
                if (s && sd_bus_path_encode(NAMESPACE_OBJECT_PREFIX, s, &encoded) >= 0 &&
                        strlen(encoded) < sizeof(made_up_path)) {
                        snprintf(made_up_path, sizeof(made_up_path), "%s", encoded);
                        path = made_up_path;
                }
                free(encoded);
                free(s);
        }
        /* The method's own signature mostly; else a made-up one. */
        if (how & 0x80) {
                unsigned n = next_byte(in) % 4;
                for (unsigned i = 0; i < n && strlen(signature) + 40 < sizeof(signature); i++)
                        next_type(in, signature, sizeof(signature) - strlen(signature), 0);
        } else
                snprintf(signature, sizeof(signature), "%s", method->signature);

        r = sd_bus_message_new_method_call(f->client, &m, NULL, path, interface, member);
        if (r < 0)
                return r; /* a made-up member that is not a valid name */
        (void)sd_bus_message_set_expect_reply(m, expect_reply);
        (void)sd_bus_message_set_allow_interactive_authorization(m, (flags & 0x10) != 0);

        /* Properties: mostly a real interface and property name. */
        if (streq_ptr(interface, "org.freedesktop.DBus.Properties") &&
                (streq(member, "Get") || streq(member, "Set") || streq(member, "GetAll"))) {
                if (streq(signature, "ss") || streq(signature, "ssv") || streq(signature, "s")) {
                        uint8_t k = next_byte(in);
                        const char *const *prop = properties[k % n_properties];
                        r = sd_bus_message_append_basic(m, 's', k & 0x80 ? "org.example.Nope" : prop[0]);
                        if (r >= 0 && !streq(signature, "s"))
                                r = sd_bus_message_append_basic(m, 's', k & 0x40 ? "Nope" : prop[1]);
                        if (r >= 0 && streq(signature, "ssv")) {
                                p = "v";
                                r = append_value(m, &p, in, 0);
                        }
                        goto send;
                }
        }
        for (p = signature; r >= 0 && *p;)
                r = append_value(m, &p, in, 0);
send:
        if (r < 0)
                return r; /* not a message sd-bus would send (a string that is not UTF-8, say) */

        if (f->verbose)
                fprintf(stderr, "call %s %s.%s(%s)%s\n", path, interface ?: "(none)", member,
                        sd_bus_message_get_signature(m, true) ?: "", expect_reply ? "" : " no-reply");
        if (!expect_reply)
                return sd_bus_send(f->client, m, NULL);
        r = sd_bus_call_async(f->client, NULL, m, on_reply, f, 0);
        if (r >= 0)
                f->waiting++;
        return r;
}

int LLVMFuzzerInitialize(int *argc _unused_, char ***argv _unused_) {
        collect_methods();
        (void)sd_bus_error_add_map(store_bus_error_map);
        if (getenv("FUZZ_BUS_VERBOSE"))
                for (size_t i = 0; i < n_methods; i++)
                        fprintf(stderr, "method %zu: %s.%s(%s)\n", i, methods[i].interface, methods[i].member,
                                methods[i].signature);
        log_set_max_level(getenv("FUZZ_BUS_VERBOSE") ? LOG_DEBUG : LOG_EMERG - 1);
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        Input in = { data, size };
        Fuzz f = { .verbose = getenv("FUZZ_BUS_VERBOSE") != NULL };
        bool other_uid = (next_byte(&in) & 1) && geteuid() == 0;
        int fds[2], r;

        f.polkit = next_byte(&in);

        /* The socket's credentials are the caller's (SO_PEERCRED): make them another uid's, and let the
         * client say the same in its EXTERNAL authentication. */
        if (other_uid && seteuid(OTHER_UID) < 0)
                abort();
        r = socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds);
        if (r < 0)
                abort();
        r = daemon_setup(&f.context, fds[0]);
        if (r >= 0)
                r = client_setup(&f, fds[1]);
        if (other_uid && seteuid(0) < 0)
                abort();
        if (r < 0) {
                fprintf(stderr, "fuzz-bus: cannot set up: %s\n", strerror(-r));
                abort();
        }

        /* The handshake first: sd-bus would wait for it, blocking, before sending a descriptor. */
        run_until_idle(&f);
        if (sd_bus_is_ready(f.client) <= 0) {
                fprintf(stderr, "fuzz-bus: the peer-to-peer handshake did not complete\n");
                abort();
        }

        for (unsigned i = 0; i < CALLS_MAX && in.n > 0; i++) {
                (void)send_call(&f, &in);
                /* Now and then let the daemon catch up before the next call; else the calls arrive
                 * together and share a commit. */
                if (next_byte(&in) & 1)
                        run_until_idle(&f);
        }
        run_until_idle(&f);

        if (f.waiting > 0) {
                fprintf(stderr, "fuzz-bus: %u calls were never answered\n", f.waiting);
                abort();
        }

        f.client = sd_bus_close_unref(f.client);
        daemon_teardown(&f.context);
        return 0;
}
