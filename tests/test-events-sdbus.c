/* SPDX-License-Identifier: MIT */

/* Change events as an sd-bus application sees them, and what happens to a subscriber that stops
 * reading.
 *
 * The watchers are match strings, as the contract writes them: arg0 is the group, arg1 the key, arg2
 * the type; leaving one out is go-store's "*". sd-bus filters the daemon's unicast signals by them
 * on the client side, as every bus library does.
 *
 * A subscriber that does not read is an sd-bus connection on which the test simply stops calling
 * sd_bus_process(): what the daemon sends it waits unread in the bus and in its socket. Once the
 * daemon counts more unanswered signals than --max-unread-signals (it learns what was read from the
 * Peer.Ping it sends now and then, which sd-bus answers when it reads it), the subscription ends with
 * a last Overflow(revision).
 *
 * Each test gets a world of its own (bus and daemon), started with the test's daemon arguments. */

#include <gio/gio.h>
#include <inttypes.h>
#include <systemd/sd-bus.h>

#include "harness.h"

#define STORE_BUS_NAME  "org.example.Store"
#define STORE_PATH      "/org/example/Store"
#define STORE_INTERFACE "org.example.Store"
#define PEER_INTERFACE  "org.freedesktop.DBus.Peer"
#define WAIT_USEC       (10 * G_USEC_PER_SEC)

#define MATCH_CHANGED  "type='signal',sender='" STORE_BUS_NAME "',interface='" STORE_INTERFACE "',member='Changed'"
#define MATCH_OVERFLOW "type='signal',sender='" STORE_BUS_NAME "',interface='" STORE_INTERFACE "',member='Overflow'"

/* The bound the overflow tests run with, and how many changes they make: well past it. */
#define UNREAD_BOUND    100
#define OVERFLOW_WRITES 300

typedef struct Fixture {
        World *world;
} Fixture;

static void set_up(Fixture *f, gconstpointer daemon_args) {
        f->world = world_new();
        world_start_daemon(f->world, daemon_args);
}

static void tear_down(Fixture *f, gconstpointer unused G_GNUC_UNUSED) {
        world_free(f->world);
}

#define UNUSED gconstpointer unused G_GNUC_UNUSED

/* ---- an sd-bus client ---- */

typedef struct Client Client;

typedef struct Event {
        const char *watch; /* the label of the match that delivered it */
        char *path, *member;
        char *group, *key, *type, *value;
        uint64_t revision, timestamp_usec;
} Event;

typedef struct Watch {
        Client *client;
        const char *label;
        sd_bus_slot *slot;
} Watch;

struct Client {
        sd_bus *bus;
        GPtrArray *events; /* Event *, in the order the matches fired */
        GPtrArray *watches; /* Watch * */
};

static void event_free(gpointer p) {
        Event *e = p;
        g_free(e->path);
        g_free(e->member);
        g_free(e->group);
        g_free(e->key);
        g_free(e->type);
        g_free(e->value);
        g_free(e);
}

static void watch_free(gpointer p) {
        Watch *w = p;
        sd_bus_slot_unref(w->slot);
        g_free(w);
}

static char *event_to_string(const Event *e) {
        if (g_str_equal(e->member, "Overflow"))
                return g_strdup_printf("[%s] %s Overflow(%" PRIu64 ")", e->watch, e->path, e->revision);
        return g_strdup_printf("[%s] %s Changed(\"%s\", \"%s\", %s, \"%.40s\", %" PRIu64 ")", e->watch, e->path,
                e->group, e->key, e->type, e->value, e->revision);
}

static int on_message(sd_bus_message *m, void *userdata, sd_bus_error *error G_GNUC_UNUSED) {
        Watch *w = userdata;
        Event *e = g_new0(Event, 1);
        const char *group, *key, *type, *value;
        int r;

        e->watch = w->label;
        e->path = g_strdup(sd_bus_message_get_path(m));
        e->member = g_strdup(sd_bus_message_get_member(m));
        if (g_str_equal(e->member, "Changed")) {
                r = sd_bus_message_read(m, "sssstt", &group, &key, &type, &value, &e->revision, &e->timestamp_usec);
                g_assert_cmpint(r, >, 0);
                e->group = g_strdup(group);
                e->key = g_strdup(key);
                e->type = g_strdup(type);
                e->value = g_strdup(value);
        } else {
                r = sd_bus_message_read(m, "t", &e->revision);
                g_assert_cmpint(r, >, 0);
        }
        g_ptr_array_add(w->client->events, e);
        return 0;
}

static Client *client_new(Fixture *f) {
        Client *c = g_new0(Client, 1);
        int r;

        r = sd_bus_new(&c->bus);
        g_assert_cmpint(r, >=, 0);
        r = sd_bus_set_address(c->bus, f->world->address);
        g_assert_cmpint(r, >=, 0);
        r = sd_bus_set_bus_client(c->bus, 1);
        g_assert_cmpint(r, >=, 0);
        r = sd_bus_start(c->bus);
        g_assert_cmpint(r, >=, 0);
        c->events = g_ptr_array_new_with_free_func(event_free);
        c->watches = g_ptr_array_new_with_free_func(watch_free);
        return c;
}

static void client_free(Client *c) {
        g_ptr_array_unref(c->watches);
        sd_bus_flush_close_unref(c->bus);
        g_ptr_array_unref(c->events);
        g_free(c);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Client, client_free)

/* A match string, as an application writes it (sd_bus_add_match). */
static Watch *client_match(Client *c, const char *label, const char *match) {
        Watch *w = g_new0(Watch, 1);
        int r;

        w->client = c;
        w->label = label;
        r = sd_bus_add_match(c->bus, &w->slot, match, on_message, w);
        if (r < 0)
                g_error("AddMatch %s: %s", match, g_strerror(-r));
        g_ptr_array_add(c->watches, w);
        return w;
}

/* The structured form (sd_bus_match_signal): a member of org.example.Store from the daemon. */
static void client_match_signal(Client *c, const char *label, const char *path, const char *member) {
        Watch *w = g_new0(Watch, 1);
        int r;

        w->client = c;
        w->label = label;
        r = sd_bus_match_signal(c->bus, &w->slot, STORE_BUS_NAME, path, STORE_INTERFACE, member, on_message, w);
        g_assert_cmpint(r, >=, 0);
        g_ptr_array_add(c->watches, w);
}

/* A method call that must succeed (or fail with `error_name`); returns the reply. */
static sd_bus_message *client_callv(Client *c, const char *path, const char *interface, const char *method,
        const char *error_name, const char *types, va_list ap) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        int r;

        r = sd_bus_call_methodv(c->bus, STORE_BUS_NAME, path, interface, method, &error, &reply, types, ap);
        if (error_name) {
                if (r >= 0 || !sd_bus_error_has_name(&error, error_name))
                        g_error("%s.%s on %s: expected %s, got %s", interface, method, path, error_name,
                                r >= 0 ? "success" : error.name);
        } else if (r < 0)
                g_error("%s.%s on %s failed: %s", interface, method, path,
                        error.message ? error.message : g_strerror(-r));
        sd_bus_error_free(&error);
        return reply;
}

static sd_bus_message *client_call(Client *c, const char *path, const char *method, const char *types, ...) {
        sd_bus_message *reply;
        va_list ap;

        va_start(ap, types);
        reply = client_callv(c, path, STORE_INTERFACE, method, NULL, types, ap);
        va_end(ap);
        return reply;
}

/* A call without arguments that must fail with `error_name`. */
static void client_call_fails(Client *c, const char *path, const char *method, const char *error_name, ...) {
        va_list ap;

        va_start(ap, error_name);
        sd_bus_message_unref(client_callv(c, path, STORE_INTERFACE, method, error_name, "", ap));
        va_end(ap);
}

/* A write that must succeed; returns its revision. */
static uint64_t client_write(Client *c, const char *path, const char *method, const char *types, ...) {
        sd_bus_message *reply;
        uint64_t revision;
        va_list ap;
        int r;

        va_start(ap, types);
        reply = client_callv(c, path, STORE_INTERFACE, method, NULL, types, ap);
        va_end(ap);
        r = sd_bus_message_read(reply, "t", &revision);
        g_assert_cmpint(r, >, 0);
        sd_bus_message_unref(reply);
        return revision;
}

static uint64_t client_set(Client *c, const char *group, const char *key, const char *value) {
        return client_write(c, STORE_PATH, "Set", "sss", group, key, value);
}

static void client_subscribe(Client *c, const char *path) {
        sd_bus_message_unref(client_call(c, path, "Subscribe", ""));
}

/* Dispatches what has already arrived; never waits. */
static void client_drain(Client *c) {
        int r;

        while ((r = sd_bus_process(c->bus, NULL)) > 0)
                ;
        g_assert_cmpint(r, >=, 0);
}

/* Once a Ping to the daemon returns, every signal it sent this connection before has arrived. */
static void client_sync(Client *c) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = sd_bus_call_method(c->bus, STORE_BUS_NAME, STORE_PATH, PEER_INTERFACE, "Ping", &error, NULL, "");
        if (r < 0)
                g_error("Ping: %s", error.message ? error.message : g_strerror(-r));
        client_drain(c);
}

static char *client_describe(const Client *c) {
        GString *s = g_string_new(NULL);

        for (guint i = 0; i < c->events->len; i++) {
                g_autofree char *e = event_to_string(c->events->pdata[i]);
                g_string_append_printf(s, "\n  %u: %s", i, e);
        }
        return g_string_free(s, FALSE);
}

static void client_assert_count(Client *c, guint n) {
        client_sync(c);
        if (c->events->len != n) {
                g_autofree char *got = client_describe(c);
                g_error("expected exactly %u signals, got %u:%s", n, c->events->len, got);
        }
}

static Event *client_event(Client *c, guint i) {
        g_assert_cmpuint(i, <, c->events->len);
        return c->events->pdata[i];
}

static void assert_changed(const Event *e, const char *watch, const char *path, const char *group, const char *key,
        const char *type, const char *value, uint64_t revision) {
        g_autofree char *s = event_to_string(e);

        g_test_message("%s", s);
        g_assert_cmpstr(e->watch, ==, watch);
        g_assert_cmpstr(e->member, ==, "Changed");
        g_assert_cmpstr(e->path, ==, path);
        g_assert_cmpstr(e->group, ==, group);
        g_assert_cmpstr(e->key, ==, key);
        g_assert_cmpstr(e->type, ==, type);
        g_assert_cmpstr(e->value, ==, value);
        if (revision)
                g_assert_cmpuint(e->revision, ==, revision);
        g_assert_cmpuint(e->timestamp_usec, >, 0);
}

static char *namespace_path(const char *name) {
        char *path = NULL;

        g_assert_cmpint(sd_bus_path_encode(STORE_PATH "/namespace", name, &path), >=, 0);
        return path;
}

/* ---- go-store's watchers as match strings ---- */

/* Watch_Good_SpecificKey: arg0 + arg1. The other key of the group is not delivered. */
static void test_match_specific_key(Fixture *f, UNUSED) {
        g_autoptr(Client) c = client_new(f), w = client_new(f);
        uint64_t r;

        client_match(c, "config/theme", MATCH_CHANGED ",arg0='config',arg1='theme'");
        client_subscribe(c, STORE_PATH);
        r = client_set(w, "config", "theme", "dark");
        client_set(w, "config", "font", "mono");
        client_set(w, "other", "theme", "light");

        client_assert_count(c, 1);
        assert_changed(client_event(c, 0), "config/theme", STORE_PATH, "config", "theme", "set", "dark", r);
}

/* Watch_Good_WildcardKey and Watch_Good_GroupMismatch: arg0 only. */
static void test_match_every_key_of_a_group(Fixture *f, UNUSED) {
        g_autoptr(Client) c = client_new(f), w = client_new(f);
        uint64_t r1, r2;

        client_match(c, "config/*", MATCH_CHANGED ",arg0='config'");
        client_subscribe(c, STORE_PATH);
        r1 = client_set(w, "config", "theme", "dark");
        client_set(w, "other", "theme", "light");
        client_set(w, "config-2", "theme", "light");
        r2 = client_set(w, "config", "font", "mono");

        client_assert_count(c, 2);
        assert_changed(client_event(c, 0), "config/*", STORE_PATH, "config", "theme", "set", "dark", r1);
        assert_changed(client_event(c, 1), "config/*", STORE_PATH, "config", "font", "set", "mono", r2);
}

/* Watch_Good_WildcardAll, with sd_bus_match_signal: set, set, delete, delete_group in order. */
static void test_match_everything(Fixture *f, UNUSED) {
        g_autoptr(Client) c = client_new(f), w = client_new(f);
        uint64_t r1, r2, r3, r4;

        client_match_signal(c, "*/*", NULL, "Changed");
        client_subscribe(c, STORE_PATH);
        r1 = client_set(w, "g1", "k1", "v1");
        r2 = client_set(w, "g2", "k2", "v2");
        r3 = client_write(w, STORE_PATH, "Delete", "ss", "g1", "k1");
        r4 = client_write(w, STORE_PATH, "DeleteGroup", "s", "g2");

        client_assert_count(c, 4);
        assert_changed(client_event(c, 0), "*/*", STORE_PATH, "g1", "k1", "set", "v1", r1);
        assert_changed(client_event(c, 1), "*/*", STORE_PATH, "g2", "k2", "set", "v2", r2);
        assert_changed(client_event(c, 2), "*/*", STORE_PATH, "g1", "k1", "delete", "v1", r3);
        assert_changed(client_event(c, 3), "*/*", STORE_PATH, "g2", "", "delete_group", "", r4);
}

/* zestor's WatchFiltersEventTypes: arg2 picks the type, exactly ("delete" is not "delete_group"). */
static void test_match_type_filter(Fixture *f, UNUSED) {
        g_autoptr(Client) c = client_new(f), w = client_new(f);
        uint64_t r1, r2;

        client_match(c, "deletes", MATCH_CHANGED ",arg2='delete'");
        client_match(c, "config deletes", MATCH_CHANGED ",arg0='config',arg2='delete'");
        client_subscribe(c, STORE_PATH);
        client_set(w, "config", "a", "1");
        client_set(w, "other", "b", "2");
        r1 = client_write(w, STORE_PATH, "Delete", "ss", "other", "b");
        r2 = client_write(w, STORE_PATH, "Delete", "ss", "config", "a");
        client_set(w, "config", "a", "1");
        client_write(w, STORE_PATH, "DeleteGroup", "s", "config");

        client_assert_count(c, 3);
        assert_changed(client_event(c, 0), "deletes", STORE_PATH, "other", "b", "delete", "2", r1);
        /* One signal, two matches: sd-bus runs both, in an order of its own. */
        {
                gboolean narrow_first = g_str_equal(client_event(c, 1)->watch, "config deletes");
                assert_changed(client_event(c, narrow_first ? 2 : 1), "deletes", STORE_PATH, "config", "a", "delete",
                        "1", r2);
                assert_changed(client_event(c, narrow_first ? 1 : 2), "config deletes", STORE_PATH, "config", "a",
                        "delete", "1", r2);
        }
}

/* All three arguments; and the object path picks root or namespace when subscribed to both. */
static void test_match_group_key_type_and_path(Fixture *f, UNUSED) {
        g_autoptr(Client) c = client_new(f), w = client_new(f);
        g_autofree char *ns = namespace_path("tenant-a");
        g_autofree char *match_ns =
                g_strdup_printf(MATCH_CHANGED ",path='%s',arg0='prefs',arg1='theme',arg2='set'", ns);
        uint64_t r;

        client_match(c, "ns prefs/theme set", match_ns);
        client_match(c, "root tenant-a:prefs/theme set",
                MATCH_CHANGED ",path='" STORE_PATH "',arg0='tenant-a:prefs',arg1='theme',arg2='set'");
        client_subscribe(c, STORE_PATH);
        client_subscribe(c, ns);
        client_write(w, ns, "Set", "sss", "prefs", "font", "mono");
        client_write(w, ns, "Set", "sss", "other", "theme", "dark");
        r = client_write(w, ns, "Set", "sss", "prefs", "theme", "dark");
        client_write(w, ns, "Delete", "ss", "prefs", "theme");

        client_assert_count(c, 2);
        /* Which object the daemon serves first is its business. */
        for (guint i = 0; i < 2; i++) {
                Event *e = client_event(c, i);
                if (g_str_equal(e->path, ns))
                        assert_changed(e, "ns prefs/theme set", ns, "prefs", "theme", "set", "dark", r);
                else
                        assert_changed(e, "root tenant-a:prefs/theme set", STORE_PATH, "tenant-a:prefs", "theme", "set",
                                "dark", r);
        }
        g_assert_cmpstr(client_event(c, 0)->path, !=, client_event(c, 1)->path);
}

/* Watch_Good_MultipleWatchersSameKey: two connections, each with its match, both get it. */
static void test_match_multiple_subscribers(Fixture *f, UNUSED) {
        g_autoptr(Client) a = client_new(f), b = client_new(f), w = client_new(f);
        uint64_t r[3];

        client_match(a, "a", MATCH_CHANGED ",arg0='shared',arg1='k'");
        client_match(b, "b", MATCH_CHANGED ",arg0='shared',arg1='k'");
        client_subscribe(a, STORE_PATH);
        client_subscribe(b, STORE_PATH);
        for (guint i = 0; i < G_N_ELEMENTS(r); i++) {
                g_autofree char *v = g_strdup_printf("v%u", i);
                r[i] = client_set(w, "shared", "k", v);
        }
        client_assert_count(a, 3);
        client_assert_count(b, 3);
        for (guint i = 0; i < G_N_ELEMENTS(r); i++) {
                g_autofree char *v = g_strdup_printf("v%u", i);
                assert_changed(client_event(a, i), "a", STORE_PATH, "shared", "k", "set", v, r[i]);
                assert_changed(client_event(b, i), "b", STORE_PATH, "shared", "k", "set", v, r[i]);
        }
}

/* The expire type as a match, with the timer doing the work. */
static void test_match_expire(Fixture *f, UNUSED) {
        g_autoptr(Client) c = client_new(f), w = client_new(f);
        gint64 deadline = g_get_real_time() + 200 * 1000;
        uint64_t r;

        client_match(c, "expire", MATCH_CHANGED ",arg2='expire'");
        client_subscribe(c, STORE_PATH);
        r = client_write(w, STORE_PATH, "SetWithTTL", "ssst", "session", "token", "abc", (uint64_t)200 * 1000);
        while (c->events->len == 0 && g_get_real_time() < deadline + WAIT_USEC) {
                client_drain(c);
                if (c->events->len == 0)
                        g_assert_cmpint(sd_bus_wait(c->bus, 100 * 1000), >=, 0);
        }
        client_assert_count(c, 1);
        assert_changed(client_event(c, 0), "expire", STORE_PATH, "session", "token", "expire", "abc", 0);
        g_assert_cmpuint(client_event(c, 0)->revision, >, r);
        g_assert_cmpint(g_get_real_time(), >=, deadline);
}

/* ---- a subscriber that stops reading ---- */

static const char *const bound_args[] = { "--max-unread-signals=100", NULL };

/* `n` changes to one group at the root, one call each; the revisions go into `revisions`. A reader, if
 * any, reads between calls as a live application would. */
static void write_many(Client *w, const char *path, const char *group, guint n, uint64_t *revisions, Client *reader) {
        for (guint i = 0; i < n; i++) {
                char key[32];

                g_snprintf(key, sizeof(key), "k%04u", i);
                revisions[i] = client_write(w, path, "Set", "sss", group, key, "v");
                if (reader)
                        client_drain(reader);
        }
}

/* What a non-reader finds once it reads: the first changes in order, then Overflow naming the last
 * revision it was sent, then nothing. Returns how many Changed came before Overflow. */
static guint assert_changed_then_overflow(Client *c, const char *path, const uint64_t *revisions, guint n_revisions) {
        g_autofree char *got = client_describe(c);
        guint n = 0;
        Event *last;

        g_test_message("the non-reader read %u signals:%s", c->events->len, c->events->len < 8 ? got : "");
        g_assert_cmpuint(c->events->len, >=, 2);
        while (n < c->events->len && g_str_equal(client_event(c, n)->member, "Changed")) {
                Event *e = client_event(c, n);
                g_assert_cmpstr(e->path, ==, path);
                g_assert_cmpuint(n, <, n_revisions);
                g_assert_cmpuint(e->revision, ==, revisions[n]);
                n++;
        }
        g_assert_cmpuint(n, ==, c->events->len - 1);
        last = client_event(c, n);
        g_assert_cmpstr(last->member, ==, "Overflow");
        g_assert_cmpstr(last->path, ==, path);
        g_assert_cmpuint(n, >=, 1);
        g_assert_cmpuint(last->revision, ==, revisions[n - 1]);
        /* "At most about the bound": the daemon may allow one in flight past it. */
        g_assert_cmpuint(n, <=, UNREAD_BOUND + 1);
        return n;
}

/* The non-reader's subscription ends with Overflow; a reader on the same bus gets everything. */
static void test_overflow_ends_a_subscriber_that_does_not_read(Fixture *f, UNUSED) {
        g_autoptr(Client) lazy = client_new(f), reader = client_new(f), w = client_new(f);
        uint64_t revisions[OVERFLOW_WRITES + 10];
        guint n;

        client_match(lazy, "lazy", MATCH_CHANGED);
        client_match(lazy, "lazy", MATCH_OVERFLOW);
        client_match(reader, "reader", MATCH_CHANGED);
        client_match(reader, "reader", MATCH_OVERFLOW);
        client_subscribe(lazy, STORE_PATH);
        client_subscribe(reader, STORE_PATH);

        write_many(w, STORE_PATH, "flood", OVERFLOW_WRITES, revisions, reader);

        /* The non-reader starts reading. */
        client_sync(lazy);
        n = assert_changed_then_overflow(lazy, STORE_PATH, revisions, OVERFLOW_WRITES);
        g_test_message("Overflow after %u Changed (bound %d)", n, UNREAD_BOUND);

        /* Its subscription is over: more changes reach the reader only. */
        for (guint i = OVERFLOW_WRITES; i < G_N_ELEMENTS(revisions); i++)
                revisions[i] = client_set(w, "flood", "after", i % 2 ? "a" : "b");
        client_assert_count(lazy, n + 1);

        client_assert_count(reader, G_N_ELEMENTS(revisions));
        for (guint i = 0; i < G_N_ELEMENTS(revisions); i++) {
                Event *e = client_event(reader, i);
                g_assert_cmpstr(e->member, ==, "Changed");
                g_assert_cmpuint(e->revision, ==, revisions[i]);
        }
}

/* The subscriber's filter is its own business: the daemon counts what it sent, so a client whose only
 * match is arg2='delete' still falls behind on sets, and its Overflow arrives past the filter
 * (zestor's WatchOverflowBypassesTypeFilter). */
static void test_overflow_reaches_a_narrow_filter(Fixture *f, UNUSED) {
        g_autoptr(Client) lazy = client_new(f), w = client_new(f);
        uint64_t revisions[OVERFLOW_WRITES];

        client_match(lazy, "deletes", MATCH_CHANGED ",arg2='delete'");
        client_match(lazy, "overflow", MATCH_OVERFLOW);
        client_subscribe(lazy, STORE_PATH);
        write_many(w, STORE_PATH, "sets-only", OVERFLOW_WRITES, revisions, NULL);

        client_assert_count(lazy, 1);
        g_assert_cmpstr(client_event(lazy, 0)->member, ==, "Overflow");
        g_assert_cmpuint(client_event(lazy, 0)->revision, >=, revisions[0]);
        g_assert_cmpuint(client_event(lazy, 0)->revision, <=, revisions[UNREAD_BOUND]);
}

/* Subscribed at the root and in a namespace: Overflow comes from each object, with one revision. */
static void test_overflow_comes_from_every_object(Fixture *f, UNUSED) {
        g_autoptr(Client) lazy = client_new(f), w = client_new(f);
        g_autofree char *ns = namespace_path("tenant-a");
        uint64_t revisions[OVERFLOW_WRITES];
        guint changed = 0;
        Event *o1, *o2;

        client_match_signal(lazy, "changed", NULL, "Changed");
        client_match_signal(lazy, "overflow", NULL, "Overflow");
        client_subscribe(lazy, STORE_PATH);
        client_subscribe(lazy, ns);
        write_many(w, ns, "flood", OVERFLOW_WRITES, revisions, NULL);

        client_sync(lazy);
        g_assert_cmpuint(lazy->events->len, >=, 3);
        o1 = client_event(lazy, lazy->events->len - 2);
        o2 = client_event(lazy, lazy->events->len - 1);
        for (guint i = 0; i < lazy->events->len - 2; i++) {
                Event *e = client_event(lazy, i);
                g_assert_cmpstr(e->member, ==, "Changed");
                g_assert_true(g_str_equal(e->path, ns) ? g_str_equal(e->group, "flood")
                                                       : g_str_equal(e->group, "tenant-a:flood"));
                changed++;
        }
        /* The bound is judged between commits, and each commit here sends two signals (one per object). */
        g_assert_cmpuint(changed, <=, UNREAD_BOUND + 2);
        g_assert_cmpstr(o1->member, ==, "Overflow");
        g_assert_cmpstr(o2->member, ==, "Overflow");
        g_assert_cmpstr(o1->path, !=, o2->path);
        g_assert_true(g_str_equal(o1->path, ns) || g_str_equal(o1->path, STORE_PATH));
        g_assert_true(g_str_equal(o2->path, ns) || g_str_equal(o2->path, STORE_PATH));
        g_assert_cmpuint(o1->revision, ==, o2->revision);
        g_assert_cmpuint(o1->revision, ==, client_event(lazy, changed - 1)->revision);

        /* Both subscriptions are over. */
        client_set(w, "tenant-a:flood", "after", "x");
        client_assert_count(lazy, changed + 2);
}

/* The bound on bytes works the same way, for large values. */
static const char *const byte_bound_args[] = { "--max-unread-bytes=65536", NULL };

static void test_overflow_on_unread_bytes(Fixture *f, UNUSED) {
        g_autoptr(Client) lazy = client_new(f), w = client_new(f);
        g_autofree char *value = g_strnfill(8192, 'x');
        uint64_t revisions[40];
        guint n;

        client_match(lazy, "lazy", MATCH_CHANGED);
        client_match(lazy, "lazy", MATCH_OVERFLOW);
        client_subscribe(lazy, STORE_PATH);
        for (guint i = 0; i < G_N_ELEMENTS(revisions); i++) {
                char key[16];
                g_snprintf(key, sizeof(key), "k%02u", i);
                revisions[i] = client_set(w, "big", key, value);
        }
        client_sync(lazy);
        n = assert_changed_then_overflow(lazy, STORE_PATH, revisions, G_N_ELEMENTS(revisions));
        /* 64 KiB of 8 KiB values: about eight. */
        g_assert_cmpuint(n, <=, 9);
        g_assert_cmpstr(client_event(lazy, 0)->value, ==, value);
}

/* A subscriber that reads in bursts, but never further behind than the bound, is never cut off: the
 * read receipts (Peer.Ping, answered by sd-bus as it reads) keep it in. */
static void test_a_reader_within_the_bound_keeps_its_subscription(Fixture *f, UNUSED) {
        g_autoptr(Client) slow = client_new(f), w = client_new(f);
        uint64_t revisions[4 * OVERFLOW_WRITES / 3];

        client_match(slow, "slow", MATCH_CHANGED);
        client_match(slow, "slow", MATCH_OVERFLOW);
        client_subscribe(slow, STORE_PATH);
        for (guint i = 0; i < G_N_ELEMENTS(revisions); i++) {
                char key[16];
                g_snprintf(key, sizeof(key), "k%04u", i);
                revisions[i] = client_set(w, "bursts", key, "v");
                if (i % 20 == 19)
                        client_drain(slow);
        }
        client_assert_count(slow, G_N_ELEMENTS(revisions));
        for (guint i = 0; i < G_N_ELEMENTS(revisions); i++)
                g_assert_cmpuint(client_event(slow, i)->revision, ==, revisions[i]);
}

/* Overflow is the cue to Snapshot and Subscribe again; that works, and the store is whole. */
static void test_after_overflow_snapshot_and_subscribe_again(Fixture *f, UNUSED) {
        g_autoptr(Client) lazy = client_new(f), w = client_new(f);
        uint64_t revisions[OVERFLOW_WRITES], snapshot_revision, r;
        sd_bus_message *reply;
        guint n, entries = 0;
        const char *k, *v;
        int rr;

        client_match(lazy, "lazy", MATCH_CHANGED ",arg0='flood'");
        client_match(lazy, "lazy", MATCH_OVERFLOW);
        client_subscribe(lazy, STORE_PATH);
        write_many(w, STORE_PATH, "flood", OVERFLOW_WRITES, revisions, NULL);
        client_sync(lazy);
        n = assert_changed_then_overflow(lazy, STORE_PATH, revisions, OVERFLOW_WRITES);

        client_subscribe(lazy, STORE_PATH);
        reply = client_call(lazy, STORE_PATH, "Snapshot", "s", "flood");
        g_assert_cmpint(sd_bus_message_enter_container(reply, 'a', "{ss}"), >, 0);
        while ((rr = sd_bus_message_read(reply, "{ss}", &k, &v)) > 0)
                entries++;
        g_assert_cmpint(rr, ==, 0);
        g_assert_cmpint(sd_bus_message_exit_container(reply), >, 0);
        g_assert_cmpint(sd_bus_message_read(reply, "t", &snapshot_revision), >, 0);
        sd_bus_message_unref(reply);
        g_assert_cmpuint(entries, ==, OVERFLOW_WRITES);
        g_assert_cmpuint(snapshot_revision, >=, revisions[OVERFLOW_WRITES - 1]);

        r = client_set(w, "flood", "again", "v");
        client_assert_count(lazy, n + 2);
        assert_changed(client_event(lazy, n + 1), "lazy", STORE_PATH, "flood", "again", "set", "v", r);
        g_assert_cmpuint(r, >, snapshot_revision);
}

/* One call that changes more entries than the bound is sent at once, before any read receipt can come
 * back. A subscriber that reads everything as it comes has not fallen behind, and must not be cut off
 * by the size of someone else's transaction (the contract bounds what a subscriber leaves unread). */
static void test_one_large_call_does_not_cut_off_a_reader(Fixture *f, UNUSED) {
        g_autoptr(Client) reader = client_new(f), w = client_new(f);
        g_autoptr(GString) args = g_string_new(NULL);
        sd_bus_message *m = NULL, *reply = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        guint n = UNREAD_BOUND + UNREAD_BOUND / 2;
        uint64_t r;

        client_match(reader, "reader", MATCH_CHANGED);
        client_match(reader, "reader", MATCH_OVERFLOW);
        client_subscribe(reader, STORE_PATH);

        g_assert_cmpint(sd_bus_message_new_method_call(w->bus, &m, STORE_BUS_NAME, STORE_PATH, STORE_INTERFACE,
                                "SetAll"),
                >=, 0);
        g_assert_cmpint(sd_bus_message_append(m, "s", "bulk"), >=, 0);
        g_assert_cmpint(sd_bus_message_open_container(m, 'a', "{ss}"), >=, 0);
        for (guint i = 0; i < n; i++) {
                char key[16];
                g_snprintf(key, sizeof(key), "k%04u", i);
                g_assert_cmpint(sd_bus_message_append(m, "{ss}", key, "v"), >=, 0);
        }
        g_assert_cmpint(sd_bus_message_close_container(m), >=, 0);
        g_assert_cmpint(sd_bus_call(w->bus, m, 0, &error, &reply), >=, 0);
        g_assert_cmpint(sd_bus_message_read(reply, "t", &r), >, 0);
        sd_bus_message_unref(m);
        sd_bus_message_unref(reply);

        /* It reads at once, and keeps reading. */
        client_sync(reader);
        r = client_set(w, "bulk", "after", "v");
        client_sync(reader);
        for (guint i = 0; i < reader->events->len; i++)
                if (g_str_equal(client_event(reader, i)->member, "Overflow")) {
                        /* Failed, but not fatal: the tests after this one still run. */
                        g_test_fail_printf("a subscriber reading as fast as it can got Overflow(%" PRIu64
                                           ") after %u of "
                                           "the %u changes of one SetAll (--max-unread-signals=%d)",
                                client_event(reader, i)->revision, i, n, UNREAD_BOUND);
                        return;
                }
        client_assert_count(reader, n + 1);
        assert_changed(client_event(reader, n), "reader", STORE_PATH, "bulk", "after", "set", "v", r);
}

/* --max-subscriptions-per-connection: one more scope is LimitsExceeded; those held still work. */
static const char *const two_subscriptions_args[] = { "--max-subscriptions-per-connection=2", NULL };

static void test_subscriptions_per_connection_are_bounded(Fixture *f, UNUSED) {
        g_autoptr(Client) c = client_new(f), w = client_new(f);
        g_autofree char *a = namespace_path("tenant-a"), *b = namespace_path("tenant-b");

        client_match_signal(c, "changed", NULL, "Changed");
        client_subscribe(c, a);
        client_subscribe(c, STORE_PATH);
        client_subscribe(c, a); /* idempotent: not a third */
        client_call_fails(c, b, "Subscribe", "org.freedesktop.DBus.Error.LimitsExceeded");
        client_write(w, b, "Set", "sss", "g", "k", "v");
        client_write(w, a, "Set", "sss", "g", "k", "v");
        /* Both changes from the root, tenant-a's also from tenant-a; nothing from tenant-b. */
        client_assert_count(c, 3);
        for (guint i = 0; i < c->events->len; i++)
                g_assert_cmpstr(client_event(c, i)->path, !=, b);
}

/* Subscriptions belong to the daemon's connection and end with it; the revision does not: after a
 * restart a subscriber subscribes again and the revisions go on rising. */
static void test_revisions_go_on_rising_after_a_restart(Fixture *f, UNUSED) {
        g_autoptr(Client) c = client_new(f), w = client_new(f);
        uint64_t r1, r2;

        client_match_signal(c, "changed", NULL, "Changed");
        client_subscribe(c, STORE_PATH);
        r1 = client_set(w, "g", "k", "before");
        client_assert_count(c, 1);

        world_stop_daemon(f->world);
        world_start_daemon(f->world, NULL);
        client_set(w, "g", "k", "not-subscribed");
        client_assert_count(c, 1);

        client_subscribe(c, STORE_PATH);
        r2 = client_set(w, "g", "k", "after");
        client_assert_count(c, 2);
        assert_changed(client_event(c, 1), "changed", STORE_PATH, "g", "k", "set", "after", r2);
        g_assert_cmpuint(r2, >, r1 + 1);
}

int main(int argc, char *argv[]) {
        g_autofree char **args = g_new0(char *, argc + 2);
        int n_args = 0;

        for (int i = 0; i < argc; i++)
                args[n_args++] = argv[i];
        args[n_args++] = (char *)"--keep-going";
        g_test_init(&n_args, &args, NULL);

#define TEST(path, args, fn) g_test_add(path, Fixture, args, set_up, fn, tear_down)
        TEST("/events/sdbus/match/specific-key-arg0-arg1", NULL, test_match_specific_key);
        TEST("/events/sdbus/match/every-key-of-a-group-arg0", NULL, test_match_every_key_of_a_group);
        TEST("/events/sdbus/match/everything-in-write-order", NULL, test_match_everything);
        TEST("/events/sdbus/match/type-filter-arg2", NULL, test_match_type_filter);
        TEST("/events/sdbus/match/group-key-type-and-path", NULL, test_match_group_key_type_and_path);
        TEST("/events/sdbus/match/multiple-subscribers", NULL, test_match_multiple_subscribers);
        TEST("/events/sdbus/match/expire", NULL, test_match_expire);
        TEST("/events/sdbus/overflow/ends-a-subscriber-that-does-not-read", bound_args,
                test_overflow_ends_a_subscriber_that_does_not_read);
        TEST("/events/sdbus/overflow/reaches-a-narrow-filter", bound_args, test_overflow_reaches_a_narrow_filter);
        TEST("/events/sdbus/overflow/comes-from-every-object", bound_args, test_overflow_comes_from_every_object);
        TEST("/events/sdbus/overflow/on-unread-bytes", byte_bound_args, test_overflow_on_unread_bytes);
        TEST("/events/sdbus/overflow/reader-within-the-bound-stays", bound_args,
                test_a_reader_within_the_bound_keeps_its_subscription);
        TEST("/events/sdbus/overflow/snapshot-and-subscribe-again", bound_args,
                test_after_overflow_snapshot_and_subscribe_again);
        TEST("/events/sdbus/overflow/one-large-call-does-not-cut-off-a-reader", bound_args,
                test_one_large_call_does_not_cut_off_a_reader);
        TEST("/events/sdbus/subscribe/bounded-per-connection", two_subscriptions_args,
                test_subscriptions_per_connection_are_bounded);
        TEST("/events/sdbus/revision/rises-after-a-restart", NULL, test_revisions_go_on_rising_after_a_restart);
        return g_test_run();
}
