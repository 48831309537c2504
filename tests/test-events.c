/* SPDX-License-Identifier: MIT */

/* Change events as a GDBus application sees them: Subscribe on a store object, then ordinary signal
 * subscriptions (g_dbus_connection_signal_subscribe with arg0 = group, or the "changed" signal of the
 * proxy gdbus-codegen generates) pick out the Changed signals the daemon sends to this connection.
 * go-store's watcher cases and zestor's watch cases are restated as such subscriptions.
 *
 * One daemon serves the whole binary, so each test works in groups (and namespaces) of its own, and
 * each listener is a connection of its own.
 *
 * "Nothing arrives" is decided without sleeping: the daemon sends a connection its signals before any
 * later reply to it, and the bus keeps that order, so once a Ping to the daemon returns on the
 * listener's connection every signal due to it has been received (listener_sync). */

#include <systemd/sd-bus.h>
#include <unistd.h>

#include "bus-client.h"

#define PEER_INTERFACE "org.freedesktop.DBus.Peer"
#define WAIT_MSEC      10000

/* ---- one received signal ---- */

typedef struct Event {
        char *path, *member;
        char *group, *key, *type, *value; /* Changed only */
        guint64 revision, timestamp_usec;
        guint64 received_usec; /* wall clock, when the callback ran */
} Event;

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

static char *event_to_string(const Event *e) {
        if (g_str_equal(e->member, "Overflow"))
                return g_strdup_printf("%s Overflow(%" G_GUINT64_FORMAT ")", e->path, e->revision);
        return g_strdup_printf("%s Changed(\"%s\", \"%s\", %s, \"%.40s\", %" G_GUINT64_FORMAT ")", e->path, e->group,
                e->key, e->type, e->value, e->revision);
}

/* ---- a listening connection ---- */

typedef struct Listener {
        GDBusConnection *c;
        GPtrArray *events; /* Event *, Changed and Overflow in arrival order */
        GArray *watches; /* signal subscription ids */
} Listener;

static void on_signal(GDBusConnection *c G_GNUC_UNUSED, const char *sender G_GNUC_UNUSED, const char *path,
        const char *interface G_GNUC_UNUSED, const char *member, GVariant *params, gpointer data) {
        Listener *l = data;
        Event *e = g_new0(Event, 1);

        e->path = g_strdup(path);
        e->member = g_strdup(member);
        e->received_usec = bus_now_usec();
        if (g_str_equal(member, "Changed")) {
                g_assert_true(g_variant_is_of_type(params, G_VARIANT_TYPE("(sssstt)")));
                g_variant_get(params, "(sssstt)", &e->group, &e->key, &e->type, &e->value, &e->revision,
                        &e->timestamp_usec);
        } else {
                g_assert_true(g_variant_is_of_type(params, G_VARIANT_TYPE("(t)")));
                g_variant_get(params, "(t)", &e->revision);
        }
        g_ptr_array_add(l->events, e);
}

/* Runs what is already due in the main context. */
static void drain(void) {
        while (g_main_context_iteration(NULL, FALSE))
                ;
}

static Listener *listener_new(void) {
        Listener *l = g_new0(Listener, 1);

        l->c = world_connect(bus_world);
        l->events = g_ptr_array_new_with_free_func(event_free);
        l->watches = g_array_new(FALSE, FALSE, sizeof(guint));
        return l;
}

static void listener_free(Listener *l) {
        for (guint i = 0; i < l->watches->len; i++)
                g_dbus_connection_signal_unsubscribe(l->c, g_array_index(l->watches, guint, i));
        drain(); /* callbacks already queued for the subscriptions just removed */
        g_array_unref(l->watches);
        g_object_unref(l->c);
        g_ptr_array_unref(l->events);
        g_free(l);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Listener, listener_free)

/* A local signal subscription, as an application writes it: `member` from org.example.Store, on any
 * object (path NULL) or one, for one group (arg0) or all. */
static void listener_watch_member(Listener *l, const char *member, const char *path, const char *arg0) {
        guint id = g_dbus_connection_signal_subscribe(l->c, STORE_BUS_NAME, STORE_INTERFACE, member, path, arg0,
                G_DBUS_SIGNAL_FLAGS_NONE, on_signal, l, NULL);
        g_array_append_val(l->watches, id);
}

static void listener_watch(Listener *l, const char *path, const char *arg0) {
        listener_watch_member(l, "Changed", path, arg0);
        listener_watch_member(l, "Overflow", path, NULL);
}

static void listener_call(Listener *l, const char *path, const char *method, const char *error_name) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = world_call(l->c, path, STORE_INTERFACE, method, NULL, "()", &error);

        if (error_name)
                bus_assert_error(error, error_name);
        else
                g_assert_no_error(error);
}

static void listener_subscribe(Listener *l, const char *path) {
        listener_call(l, path, "Subscribe", NULL);
}

static void listener_unsubscribe(Listener *l, const char *path) {
        listener_call(l, path, "Unsubscribe", NULL);
}

/* Returns once every signal the daemon sent this connection before now has been dispatched. */
static void listener_sync(Listener *l) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = world_call(l->c, STORE_PATH, PEER_INTERFACE, "Ping", NULL, "()", &error);

        g_assert_no_error(error);
        drain();
}

static char *listener_describe(const Listener *l) {
        GString *s = g_string_new(NULL);

        for (guint i = 0; i < l->events->len; i++) {
                g_autofree char *e = event_to_string(l->events->pdata[i]);
                g_string_append_printf(s, "\n  %u: %s", i, e);
        }
        return g_string_free(s, FALSE);
}

static gboolean on_wait_timeout(gpointer data) {
        *(gboolean *)data = TRUE;
        return G_SOURCE_REMOVE;
}

/* Waits until at least `n` signals have arrived. */
static void listener_wait(Listener *l, guint n) {
        gboolean timed_out = FALSE;
        guint timeout = g_timeout_add(WAIT_MSEC, on_wait_timeout, &timed_out);

        while (l->events->len < n && !timed_out)
                g_main_context_iteration(NULL, TRUE);
        if (!timed_out)
                g_source_remove(timeout);
        if (l->events->len < n) {
                g_autofree char *got = listener_describe(l);
                g_error("expected %u signals within %d ms, got %u:%s", n, WAIT_MSEC, l->events->len, got);
        }
}

/* Syncs, then asserts that exactly `n` signals arrived. */
static void listener_assert_count(Listener *l, guint n) {
        listener_sync(l);
        if (l->events->len != n) {
                g_autofree char *got = listener_describe(l);
                g_error("expected exactly %u signals, got %u:%s", n, l->events->len, got);
        }
}

static Event *listener_event(Listener *l, guint i) {
        g_assert_cmpuint(i, <, l->events->len);
        return l->events->pdata[i];
}

/* Asserts one Changed signal; revision 0 = any. */
static void assert_changed(const Event *e, const char *path, const char *group, const char *key, const char *type,
        const char *value, guint64 revision) {
        g_autofree char *s = event_to_string(e);

        g_test_message("%s", s);
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

/* ---- writes, by the test's own connection ---- */

static char *namespace_path(const char *name) {
        char *path = NULL;

        g_assert_cmpint(sd_bus_path_encode(STORE_PATH "/namespace", name, &path), >=, 0);
        return path;
}

static guint64 write_on(const char *path, const char *method, GVariant *args) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = world_call(bus_world->bus, path, STORE_INTERFACE, method, args, "(t)", &error);
        guint64 revision;

        g_assert_no_error(error);
        g_variant_get(reply, "(t)", &revision);
        return revision;
}

static guint64 set_on(const char *path, const char *group, const char *key, const char *value) {
        return write_on(path, "Set", g_variant_new("(sss)", group, key, value));
}

static guint64 delete_group(const char *group) {
        return write_on(STORE_PATH, "DeleteGroup", g_variant_new("(s)", group));
}

static guint64 set_all(const char *path, const char *group, GVariant *entries) {
        return write_on(path, "SetAll", g_variant_new("(s@a{ss})", group, entries));
}

/* ---- go-store's watchers, as signal subscriptions ---- */

/* Watch(group, "*"): arg0 names the group; other groups' changes are not delivered to the callback. */
static void test_arg0_watches_every_key_of_one_group(void) {
        g_autoptr(Listener) l = listener_new();
        guint64 r1, r2;

        listener_watch(l, NULL, "ev-arg0");
        listener_subscribe(l, STORE_PATH);
        r1 = bus_set("ev-arg0", "theme", "dark");
        bus_set("ev-arg0-other", "theme", "light");
        bus_set("other", "x", "y");
        r2 = bus_set("ev-arg0", "font", "mono");

        listener_assert_count(l, 2);
        assert_changed(listener_event(l, 0), STORE_PATH, "ev-arg0", "theme", "set", "dark", r1);
        assert_changed(listener_event(l, 1), STORE_PATH, "ev-arg0", "font", "set", "mono", r2);
        listener_unsubscribe(l, STORE_PATH);
}

/* Watch("*", "*"): set, set, delete, delete_group, in write order, each with its call's revision. */
static void test_everything_in_write_order(void) {
        g_autoptr(Listener) l = listener_new();
        guint64 r1, r2, r3, r4;

        listener_watch(l, NULL, NULL);
        listener_subscribe(l, STORE_PATH);
        r1 = bus_set("ev-all-a", "k1", "v1");
        r2 = bus_set("ev-all-b", "k2", "v2");
        r3 = bus_delete("ev-all-a", "k1");
        r4 = delete_group("ev-all-b");

        listener_assert_count(l, 4);
        assert_changed(listener_event(l, 0), STORE_PATH, "ev-all-a", "k1", "set", "v1", r1);
        assert_changed(listener_event(l, 1), STORE_PATH, "ev-all-b", "k2", "set", "v2", r2);
        assert_changed(listener_event(l, 2), STORE_PATH, "ev-all-a", "k1", "delete", "v1", r3);
        assert_changed(listener_event(l, 3), STORE_PATH, "ev-all-b", "", "delete_group", "", r4);
        g_assert_cmpuint(r1, <, r2);
        g_assert_cmpuint(r2, <, r3);
        g_assert_cmpuint(r3, <, r4);
        listener_unsubscribe(l, STORE_PATH);
}

/* Watch_Good_MultipleWatchersSameKey, across connections: each subscriber gets every event. */
static void test_every_subscriber_gets_every_event(void) {
        Listener *l[3];
        guint64 r[5];

        for (guint i = 0; i < G_N_ELEMENTS(l); i++) {
                l[i] = listener_new();
                listener_watch(l[i], NULL, "ev-multi");
                listener_subscribe(l[i], STORE_PATH);
        }
        for (guint k = 0; k < G_N_ELEMENTS(r); k++) {
                g_autofree char *key = g_strdup_printf("k%u", k);
                r[k] = bus_set("ev-multi", key, "v");
        }
        for (guint i = 0; i < G_N_ELEMENTS(l); i++) {
                listener_assert_count(l[i], G_N_ELEMENTS(r));
                for (guint k = 0; k < G_N_ELEMENTS(r); k++) {
                        g_autofree char *key = g_strdup_printf("k%u", k);
                        assert_changed(listener_event(l[i], k), STORE_PATH, "ev-multi", key, "set", "v", r[k]);
                }
                listener_free(l[i]);
        }
}

/* Two local subscriptions on one connection (a group watcher and an everything watcher) both fire:
 * the daemon sends the signal once, the library hands it to each. */
static void test_two_watchers_on_one_connection_both_fire(void) {
        g_autoptr(Listener) l = listener_new();
        guint64 r;

        listener_watch_member(l, "Changed", NULL, "ev-two-watchers");
        listener_watch_member(l, "Changed", STORE_PATH, NULL);
        listener_subscribe(l, STORE_PATH);
        r = bus_set("ev-two-watchers", "k", "v");

        listener_assert_count(l, 2);
        assert_changed(listener_event(l, 0), STORE_PATH, "ev-two-watchers", "k", "set", "v", r);
        assert_changed(listener_event(l, 1), STORE_PATH, "ev-two-watchers", "k", "set", "v", r);
        listener_unsubscribe(l, STORE_PATH);
}

/* The proxy gdbus-codegen makes from the XML: its "changed" signal carries the arguments by name.
 * A proxy listens on its own object path, so for a namespace it is made on the canonical path. */
typedef struct ProxySeen {
        GPtrArray *lines;
        guint64 overflow_revision;
} ProxySeen;

static void on_proxy_changed(StoredStore *proxy G_GNUC_UNUSED, const char *group, const char *key, const char *type,
        const char *value, guint64 revision, guint64 timestamp_usec, gpointer data) {
        ProxySeen *seen = data;

        g_assert_cmpuint(timestamp_usec, >, 0);
        g_ptr_array_add(seen->lines,
                g_strdup_printf("%s/%s %s %s @%" G_GUINT64_FORMAT, group, key, type, value, revision));
}

static void test_codegen_proxy_changed_signal(void) {
        g_autoptr(GDBusConnection) c = world_connect(bus_world);
        g_autoptr(GError) error = NULL;
        g_autoptr(StoredStore) proxy = NULL;
        g_autofree char *path = namespace_path("ev-proxy");
        g_autofree char *expected1 = NULL, *expected2 = NULL;
        ProxySeen seen = { .lines = g_ptr_array_new_with_free_func(g_free) };
        guint64 r1, r2;

        proxy = stored_store_proxy_new_sync(c,
                G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES | G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START, STORE_BUS_NAME, path,
                NULL, &error);
        g_assert_no_error(error);
        g_signal_connect(proxy, "changed", G_CALLBACK(on_proxy_changed), &seen);
        g_assert_true(stored_store_call_subscribe_sync(proxy, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error));
        g_assert_no_error(error);

        r1 = set_on(path, "prefs", "theme", "dark");
        r2 = bus_delete("ev-proxy:prefs", "theme");
        g_assert_no_error(error);
        {
                g_autoptr(GVariant) reply = world_call(c, STORE_PATH, PEER_INTERFACE, "Ping", NULL, "()", &error);
                g_assert_no_error(error);
        }
        drain();

        expected1 = g_strdup_printf("prefs/theme set dark @%" G_GUINT64_FORMAT, r1);
        expected2 = g_strdup_printf("prefs/theme delete dark @%" G_GUINT64_FORMAT, r2);
        g_assert_cmpuint(seen.lines->len, ==, 2);
        g_assert_cmpstr(seen.lines->pdata[0], ==, expected1);
        g_assert_cmpstr(seen.lines->pdata[1], ==, expected2);

        g_assert_true(stored_store_call_unsubscribe_sync(proxy, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error));
        g_assert_no_error(error);
        g_ptr_array_unref(seen.lines);
}

/* ---- what each kind of change carries ---- */

/* Watch_Good_SetWithTTLEmitsEvent. */
static void test_set_with_ttl_emits_set(void) {
        g_autoptr(Listener) l = listener_new();
        guint64 r;

        listener_watch(l, NULL, "ev-ttl-set");
        listener_subscribe(l, STORE_PATH);
        r = bus_set_with_ttl("ev-ttl-set", "session", "token", HOUR_USEC);
        listener_assert_count(l, 1);
        assert_changed(listener_event(l, 0), STORE_PATH, "ev-ttl-set", "session", "set", "token", r);
        delete_group("ev-ttl-set");
        listener_unsubscribe(l, STORE_PATH);
}

/* Active expiry: the timer removes the entry at its deadline and says `expire` with the value it had,
 * with nobody reading the key. */
static void test_expire_arrives_at_the_deadline_without_a_read(void) {
        g_autoptr(Listener) l = listener_new();
        guint64 r_set, deadline;
        Event *e;

        listener_watch(l, NULL, "ev-expire");
        listener_subscribe(l, STORE_PATH);
        r_set = bus_set_with_ttl("ev-expire", "lease", "holder-1", 300 * 1000);
        deadline = bus_stat("ev-expire", "lease").expires_usec;
        g_assert_cmpuint(deadline, >, 0);

        listener_wait(l, 2);
        assert_changed(listener_event(l, 0), STORE_PATH, "ev-expire", "lease", "set", "holder-1", r_set);
        e = listener_event(l, 1);
        assert_changed(e, STORE_PATH, "ev-expire", "lease", "expire", "holder-1", 0);
        g_assert_cmpuint(e->revision, >, r_set);
        g_assert_cmpuint(e->timestamp_usec, >=, deadline);
        g_test_message("expire received %" G_GINT64_FORMAT " us after the deadline",
                (gint64)e->received_usec - (gint64)deadline);
        g_assert_cmpuint(e->received_usec, >=, deadline);
        g_assert_cmpuint(e->received_usec - deadline, <, 100 * 1000);

        /* Gone for readers, and nothing more to say about it. */
        g_assert_cmpuint(bus_count("ev-expire"), ==, 0);
        listener_assert_count(l, 2);
        listener_unsubscribe(l, STORE_PATH);
}

/* zestor's DeleteReturnsPrevious; go-store's Delete event. */
static void test_delete_carries_the_previous_value(void) {
        g_autoptr(Listener) l = listener_new();
        guint64 r;

        bus_set("ev-delete", "k", "old");
        bus_set("ev-delete", "k", "previous");
        listener_watch(l, NULL, "ev-delete");
        listener_subscribe(l, STORE_PATH);
        r = bus_delete("ev-delete", "k");
        listener_assert_count(l, 1);
        assert_changed(listener_event(l, 0), STORE_PATH, "ev-delete", "k", "delete", "previous", r);
        listener_unsubscribe(l, STORE_PATH);
}

/* One delete_group for the whole group, with empty key and value. */
static void test_delete_group_has_empty_key_and_value(void) {
        g_autoptr(Listener) l = listener_new();
        guint64 r;

        set_all(STORE_PATH, "ev-delgroup", bus_entries("a", "1", "b", "2", "c", "3", NULL));
        listener_watch(l, NULL, "ev-delgroup");
        listener_subscribe(l, STORE_PATH);
        r = delete_group("ev-delgroup");
        listener_assert_count(l, 1);
        assert_changed(listener_event(l, 0), STORE_PATH, "ev-delgroup", "", "delete_group", "", r);
        listener_unsubscribe(l, STORE_PATH);
}

/* No signal for a call that changed nothing; the marker write after them is the only one. */
static void test_no_event_for_a_no_op(void) {
        g_autoptr(Listener) l = listener_new();
        guint64 before, r;

        bus_set("ev-noop", "same", "value");
        listener_watch(l, NULL, NULL);
        listener_subscribe(l, STORE_PATH);

        before = bus_revision();
        g_assert_cmpuint(bus_set("ev-noop", "same", "value"), ==, before); /* identical Set */
        g_assert_cmpuint(bus_delete("ev-noop", "missing"), ==, before); /* missing key */
        g_assert_cmpuint(bus_delete("ev-noop-nothing", "missing"), ==, before); /* missing group */
        g_assert_cmpuint(delete_group("ev-noop-empty"), ==, before); /* empty group */
        g_assert_cmpuint(set_all(STORE_PATH, "ev-noop", bus_entries("same", "value", NULL)), ==, before);
        g_assert_cmpuint(set_all(STORE_PATH, "ev-noop", bus_entries(NULL, NULL)), ==, before);
        r = bus_set("ev-noop", "marker", "m");

        listener_assert_count(l, 1);
        assert_changed(listener_event(l, 0), STORE_PATH, "ev-noop", "marker", "set", "m", r);
        listener_unsubscribe(l, STORE_PATH);
}

/* zestor's SetManySuppressesNoOps: SetAll says only what it changed, all at its revision. */
static void test_set_all_emits_only_the_entries_it_changed(void) {
        g_autoptr(Listener) l = listener_new();
        guint64 r;

        set_all(STORE_PATH, "ev-setall-noop", bus_entries("a", "1", "b", "2", NULL));
        listener_watch(l, NULL, "ev-setall-noop");
        listener_subscribe(l, STORE_PATH);
        r = set_all(STORE_PATH, "ev-setall-noop", bus_entries("a", "1", "b", "two", "c", "3", NULL));

        listener_assert_count(l, 2);
        /* The order within one call is the daemon's; compare as a set. */
        for (guint i = 0; i < 2; i++) {
                Event *e = listener_event(l, i);
                g_assert_cmpstr(e->type, ==, "set");
                g_assert_cmpuint(e->revision, ==, r);
                g_assert_true((g_str_equal(e->key, "b") && g_str_equal(e->value, "two")) ||
                              (g_str_equal(e->key, "c") && g_str_equal(e->value, "3")));
        }
        g_assert_cmpstr(listener_event(l, 0)->key, !=, listener_event(l, 1)->key);
        listener_unsubscribe(l, STORE_PATH);
}

/* Same bytes with another expiry is a change (contract): a second SetWithTTL, and a Set clearing it. */
static void test_same_value_with_another_expiry_is_a_change(void) {
        g_autoptr(Listener) l = listener_new();
        guint64 r1, r2;

        bus_set_with_ttl("ev-reexpire", "k", "v", HOUR_USEC);
        listener_watch(l, NULL, "ev-reexpire");
        listener_subscribe(l, STORE_PATH);
        r1 = bus_set_with_ttl("ev-reexpire", "k", "v", 2 * HOUR_USEC);
        r2 = bus_set("ev-reexpire", "k", "v");
        g_assert_cmpuint(bus_set("ev-reexpire", "k", "v"), ==, r2); /* now identical */

        listener_assert_count(l, 2);
        assert_changed(listener_event(l, 0), STORE_PATH, "ev-reexpire", "k", "set", "v", r1);
        assert_changed(listener_event(l, 1), STORE_PATH, "ev-reexpire", "k", "set", "v", r2);
        listener_unsubscribe(l, STORE_PATH);
}

/* A D-Bus string cannot carry a binary value: it travels as "", for set and for delete alike. */
static void test_binary_value_arrives_as_empty(void) {
        static const guint8 binary[] = { 0xff, 0x00, 0xfe, 'x' };
        g_autoptr(Listener) l = listener_new();
        guint64 r1, r2, r3;

        listener_watch(l, NULL, "ev-binary");
        listener_subscribe(l, STORE_PATH);
        r1 = bus_set_bytes("ev-binary", "blob", binary, sizeof(binary), 0);
        r2 = bus_set_bytes("ev-binary", "text-as-bytes", "plain", 5, 0);
        r3 = bus_delete("ev-binary", "blob");

        listener_assert_count(l, 3);
        assert_changed(listener_event(l, 0), STORE_PATH, "ev-binary", "blob", "set", "", r1);
        /* Text is text however it was written. */
        assert_changed(listener_event(l, 1), STORE_PATH, "ev-binary", "text-as-bytes", "set", "plain", r2);
        assert_changed(listener_event(l, 2), STORE_PATH, "ev-binary", "blob", "delete", "", r3);
        delete_group("ev-binary");
        listener_unsubscribe(l, STORE_PATH);
}

/* ---- namespaces: how the group and the path read ---- */

static void test_namespace_object_sends_the_group_unprefixed(void) {
        g_autoptr(Listener) l = listener_new();
        g_autofree char *path = namespace_path("ev-ns");
        guint64 r1, r2;

        listener_watch(l, NULL, NULL);
        listener_subscribe(l, path);
        r1 = set_on(path, "prefs", "theme", "dark");
        r2 = bus_set("ev-ns:prefs", "font", "mono"); /* the same namespace, written at the root */

        listener_assert_count(l, 2);
        assert_changed(listener_event(l, 0), path, "prefs", "theme", "set", "dark", r1);
        assert_changed(listener_event(l, 1), path, "prefs", "font", "set", "mono", r2);
        listener_unsubscribe(l, path);
}

static void test_root_object_sends_the_group_prefixed(void) {
        g_autoptr(Listener) l = listener_new();
        g_autofree char *path = namespace_path("ev-nsroot");
        guint64 r;

        listener_watch(l, NULL, "ev-nsroot:prefs");
        listener_subscribe(l, STORE_PATH);
        r = set_on(path, "prefs", "theme", "dark");
        listener_assert_count(l, 1);
        assert_changed(listener_event(l, 0), STORE_PATH, "ev-nsroot:prefs", "theme", "set", "dark", r);
        listener_unsubscribe(l, STORE_PATH);
}

/* A namespace's subscriber hears its namespace and nothing else: not another namespace whose name
 * starts the same, not a root group named like it without the colon. A group's own colons stay. */
static void test_namespace_subscription_covers_only_its_namespace(void) {
        g_autoptr(Listener) l = listener_new();
        g_autofree char *path = namespace_path("ev-cover");
        g_autofree char *other = namespace_path("ev-cover2");
        guint64 r;

        listener_watch(l, NULL, NULL);
        listener_subscribe(l, path);
        set_on(other, "prefs", "k", "v");
        bus_set("ev-cover2:prefs", "k", "w");
        bus_set("ev-cover", "k", "v");
        bus_set("ev-cove:r", "k", "v");
        r = bus_set("ev-cover:a:b", "k", "v");

        listener_assert_count(l, 1);
        assert_changed(listener_event(l, 0), path, "a:b", "k", "set", "v", r);
        listener_unsubscribe(l, path);
}

/* Signals come from the canonical path, which a `self` subscriber learns with GetNamespace. */
static void test_self_subscriber_hears_from_the_canonical_path(void) {
        g_autoptr(Listener) l = listener_new();
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autofree char *uid_ns = g_strdup_printf("uid-%u", (unsigned)getuid());
        g_autofree char *expected = namespace_path(uid_ns);
        const char *canonical;
        guint64 r;

        reply = world_call(l->c, STORE_PATH, MANAGER_INTERFACE, "GetNamespace", g_variant_new("(s)", uid_ns), "(o)",
                &error);
        g_assert_no_error(error);
        g_variant_get(reply, "(&o)", &canonical);
        g_assert_cmpstr(canonical, ==, expected);

        listener_watch(l, NULL, "ev-self");
        listener_subscribe(l, STORE_PATH "/namespace/self");
        r = set_on(STORE_PATH "/namespace/self", "ev-self", "k", "v");
        listener_assert_count(l, 1);
        assert_changed(listener_event(l, 0), canonical, "ev-self", "k", "set", "v", r);
        listener_unsubscribe(l, STORE_PATH "/namespace/self");
}

/* One subscription per scope: `self` and the canonical path are the same scope, so subscribing on
 * both delivers a change once, and one Unsubscribe (on either) ends it. */
static void test_self_and_canonical_path_are_one_subscription(void) {
        g_autoptr(Listener) l = listener_new();
        g_autofree char *uid_ns = g_strdup_printf("uid-%u", (unsigned)getuid());
        g_autofree char *canonical = namespace_path(uid_ns);
        guint64 r;

        listener_watch(l, NULL, "ev-self-one");
        listener_subscribe(l, STORE_PATH "/namespace/self");
        listener_subscribe(l, canonical);
        r = set_on(canonical, "ev-self-one", "k", "v1");
        listener_assert_count(l, 1);
        assert_changed(listener_event(l, 0), canonical, "ev-self-one", "k", "set", "v1", r);

        listener_unsubscribe(l, canonical);
        set_on(canonical, "ev-self-one", "k", "v2");
        listener_assert_count(l, 1);
}

/* Subscribed at the root and in a namespace: the change once from each object, each in its form. */
static void test_root_and_namespace_subscriber_gets_it_once_from_each(void) {
        g_autoptr(Listener) l = listener_new();
        g_autofree char *path = namespace_path("ev-both");
        Event *from_root = NULL, *from_ns = NULL;
        guint64 r;

        listener_watch(l, NULL, NULL);
        listener_subscribe(l, STORE_PATH);
        listener_subscribe(l, path);
        r = set_on(path, "prefs", "k", "v");

        listener_assert_count(l, 2);
        for (guint i = 0; i < 2; i++) {
                Event *e = listener_event(l, i);
                if (g_str_equal(e->path, STORE_PATH))
                        from_root = e;
                else
                        from_ns = e;
        }
        g_assert_nonnull(from_root);
        g_assert_nonnull(from_ns);
        assert_changed(from_root, STORE_PATH, "ev-both:prefs", "k", "set", "v", r);
        assert_changed(from_ns, path, "prefs", "k", "set", "v", r);
        listener_unsubscribe(l, STORE_PATH);
        listener_unsubscribe(l, path);
}

/* DeleteNamespace: one delete_group per group, in both forms, all at its revision. */
static void test_delete_namespace_emits_delete_group_per_group(void) {
        g_autoptr(Listener) root = listener_new(), ns = listener_new();
        g_autofree char *path = namespace_path("ev-delns");
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        guint64 r;

        set_on(path, "g1", "k", "v");
        set_all(path, "g2", bus_entries("a", "1", "b", "2", NULL));
        listener_watch(root, NULL, NULL);
        listener_subscribe(root, STORE_PATH);
        listener_watch(ns, NULL, NULL);
        listener_subscribe(ns, path);

        reply = world_call(bus_world->bus, STORE_PATH, MANAGER_INTERFACE, "DeleteNamespace",
                g_variant_new("(s)", "ev-delns"), "(t)", &error);
        g_assert_no_error(error);
        g_variant_get(reply, "(t)", &r);

        listener_assert_count(ns, 2);
        listener_assert_count(root, 2);
        for (guint i = 0; i < 2; i++) {
                const char *g = i == 0 ? "g1" : "g2";
                g_autofree char *prefixed = g_strdup_printf("ev-delns:%s", g);
                gboolean first_is_g = g_str_equal(listener_event(ns, 0)->group, g);
                assert_changed(listener_event(ns, first_is_g ? 0 : 1), path, g, "", "delete_group", "", r);
                first_is_g = g_str_equal(listener_event(root, 0)->group, prefixed);
                assert_changed(listener_event(root, first_is_g ? 0 : 1), STORE_PATH, prefixed, "", "delete_group", "",
                        r);
        }
        listener_unsubscribe(root, STORE_PATH);
        listener_unsubscribe(ns, path);
}

/* ---- revisions ---- */

/* All signals of one call carry its revision. */
static void test_set_all_signals_carry_the_call_revision(void) {
        g_autoptr(Listener) l = listener_new();
        g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        guint64 r;

        listener_watch(l, NULL, "ev-setall");
        listener_subscribe(l, STORE_PATH);
        r = set_all(STORE_PATH, "ev-setall", bus_entries("a", "1", "b", "2", "c", "3", NULL));

        listener_assert_count(l, 3);
        for (guint i = 0; i < 3; i++) {
                Event *e = listener_event(l, i);
                g_assert_cmpstr(e->type, ==, "set");
                g_assert_cmpstr(e->group, ==, "ev-setall");
                g_assert_cmpuint(e->revision, ==, r);
                g_hash_table_insert(seen, g_strdup(e->key), g_strdup(e->value));
        }
        g_assert_cmpuint(g_hash_table_size(seen), ==, 3);
        g_assert_cmpstr(g_hash_table_lookup(seen, "a"), ==, "1");
        g_assert_cmpstr(g_hash_table_lookup(seen, "b"), ==, "2");
        g_assert_cmpstr(g_hash_table_lookup(seen, "c"), ==, "3");
        g_assert_cmpuint(bus_revision(), ==, r);
        listener_unsubscribe(l, STORE_PATH);
}

#define N_WRITERS         4
#define WRITES_PER_WRITER 50

typedef struct Writer {
        int index;
        guint64 revisions[WRITES_PER_WRITER];
} Writer;

static gpointer writer_run(gpointer data) {
        Writer *w = data;
        g_autoptr(GDBusConnection) c = world_connect(bus_world);

        for (int i = 0; i < WRITES_PER_WRITER; i++) {
                g_autofree char *key = g_strdup_printf("w%d-%03d", w->index, i);
                g_autoptr(GError) error = NULL;
                g_autoptr(GVariant) reply = world_call(c, STORE_PATH, STORE_INTERFACE, "Set",
                        g_variant_new("(sss)", "ev-concurrent", key, "v"), "(t)", &error);
                g_assert_no_error(error);
                g_variant_get(reply, "(t)", &w->revisions[i]);
        }
        return NULL;
}

/* zestor's WatchPreservesWriteOrder with racing writers: signals follow commit order, so revisions
 * rise; each writer's changes arrive in its order, each at the revision its call returned. */
static void test_revisions_rise_with_concurrent_writers(void) {
        g_autoptr(Listener) l = listener_new();
        g_autoptr(GHashTable) by_key = g_hash_table_new(g_str_hash, g_str_equal);
        Writer writers[N_WRITERS] = {};
        GThread *threads[N_WRITERS];
        int next[N_WRITERS] = {};

        listener_watch(l, NULL, "ev-concurrent");
        listener_subscribe(l, STORE_PATH);
        for (int i = 0; i < N_WRITERS; i++) {
                writers[i].index = i;
                threads[i] = g_thread_new("writer", writer_run, &writers[i]);
        }
        for (int i = 0; i < N_WRITERS; i++)
                g_thread_join(threads[i]);

        listener_assert_count(l, N_WRITERS * WRITES_PER_WRITER);
        for (guint i = 0; i < l->events->len; i++) {
                Event *e = listener_event(l, i);
                int w, k;

                if (i > 0)
                        g_assert_cmpuint(e->revision, >, listener_event(l, i - 1)->revision);
                g_assert_cmpint(sscanf(e->key, "w%d-%d", &w, &k), ==, 2);
                g_assert_cmpint(w, >=, 0);
                g_assert_cmpint(w, <, N_WRITERS);
                g_assert_cmpint(k, ==, next[w]);
                g_assert_cmpuint(e->revision, ==, writers[w].revisions[k]);
                next[w]++;
        }
        delete_group("ev-concurrent");
        listener_unsubscribe(l, STORE_PATH);
}

/* ---- subscribing and unsubscribing ---- */

static void test_subscribe_twice_then_unsubscribe_once_ends_it(void) {
        g_autoptr(Listener) l = listener_new();
        guint64 r;

        listener_watch(l, NULL, "ev-twice");
        listener_subscribe(l, STORE_PATH);
        listener_subscribe(l, STORE_PATH);
        r = bus_set("ev-twice", "k", "1");
        listener_assert_count(l, 1); /* idempotent: once, not twice */
        assert_changed(listener_event(l, 0), STORE_PATH, "ev-twice", "k", "set", "1", r);

        listener_unsubscribe(l, STORE_PATH);
        bus_set("ev-twice", "k", "2");
        listener_assert_count(l, 1);
}

static void test_unsubscribe_without_subscribe_is_fine(void) {
        g_autoptr(Listener) l = listener_new();
        g_autofree char *path = namespace_path("ev-never");

        listener_watch(l, NULL, NULL);
        listener_unsubscribe(l, STORE_PATH);
        listener_unsubscribe(l, path);
        listener_unsubscribe(l, STORE_PATH "/namespace/self");
        bus_set("ev-never:g", "k", "v");
        listener_assert_count(l, 0);
}

static void test_nothing_arrives_after_unsubscribe(void) {
        g_autoptr(Listener) l = listener_new();
        g_autofree char *path = namespace_path("ev-unsub");

        listener_watch(l, NULL, NULL);
        listener_subscribe(l, STORE_PATH);
        listener_subscribe(l, path);
        bus_set("ev-unsub:g", "k", "1");
        listener_assert_count(l, 2);

        listener_unsubscribe(l, path);
        bus_set("ev-unsub:g", "k", "2");
        listener_assert_count(l, 3); /* the root subscription is still there */
        g_assert_cmpstr(listener_event(l, 2)->path, ==, STORE_PATH);

        listener_unsubscribe(l, STORE_PATH);
        bus_set("ev-unsub:g", "k", "3");
        bus_delete("ev-unsub:g", "k");
        listener_assert_count(l, 3);
}

/* Changed is unicast: a match rule alone, without Subscribe, catches nothing, while a subscriber on
 * the same bus hears the change. */
static void test_a_connection_that_never_subscribed_gets_nothing(void) {
        g_autoptr(Listener) bystander = listener_new(), subscriber = listener_new();

        listener_watch(bystander, NULL, NULL);
        listener_watch(subscriber, NULL, NULL);
        listener_subscribe(subscriber, STORE_PATH);
        bus_set("ev-bystander", "k", "v");
        bus_delete("ev-bystander", "k");

        listener_assert_count(subscriber, 2);
        listener_assert_count(bystander, 0);
        listener_unsubscribe(subscriber, STORE_PATH);
}

/* The daemon forgets a subscriber that leaves the bus: the others go on receiving, and a later
 * connection starts with nothing. */
static void test_a_subscriber_that_leaves_the_bus_is_forgotten(void) {
        g_autoptr(Listener) stays = listener_new(), later = listener_new();
        guint64 r;

        for (int i = 0; i < 20; i++) {
                g_autoptr(Listener) leaves = listener_new();
                listener_subscribe(leaves, STORE_PATH);
                listener_subscribe(leaves, STORE_PATH "/namespace/self");
        }
        listener_watch(stays, NULL, "ev-leaves");
        listener_subscribe(stays, STORE_PATH);
        r = bus_set("ev-leaves", "k", "v");
        listener_assert_count(stays, 1);
        assert_changed(listener_event(stays, 0), STORE_PATH, "ev-leaves", "k", "set", "v", r);

        listener_watch(later, NULL, NULL);
        bus_set("ev-leaves", "k", "w");
        listener_assert_count(later, 0);
        listener_unsubscribe(stays, STORE_PATH);
        bus_assert_serving();
}

/* ---- replay: Snapshot, then the signals after it ---- */

#define REPLAY_KEYS 12

typedef struct ReplayWriter {
        const char *path, *group;
        guint seed;
        gint stop; /* atomic: set by the reader */
        gint writes; /* atomic: done so far */
} ReplayWriter;

/* A mix of every kind of change, with short TTLs so that expiries happen during the run. */
static gpointer replay_writer_run(gpointer data) {
        ReplayWriter *w = data;
        g_autoptr(GDBusConnection) c = world_connect(bus_world);
        g_autoptr(GRand) rand = g_rand_new_with_seed(w->seed);

        while (!g_atomic_int_get(&w->stop)) {
                g_autofree char *key = g_strdup_printf("k%02d", g_rand_int_range(rand, 0, REPLAY_KEYS));
                g_autofree char *value = g_strdup_printf("v%d", g_rand_int_range(rand, 0, 4));
                g_autoptr(GError) error = NULL;
                g_autoptr(GVariant) reply = NULL;
                int op = g_rand_int_range(rand, 0, 100);

                if (op < 45)
                        reply = world_call(c, w->path, STORE_INTERFACE, "Set",
                                g_variant_new("(sss)", w->group, key, value), "(t)", &error);
                else if (op < 60)
                        reply = world_call(c, w->path, STORE_INTERFACE, "Delete", g_variant_new("(ss)", w->group, key),
                                "(t)", &error);
                else if (op < 75)
                        reply = world_call(c, w->path, STORE_INTERFACE, "SetWithTTL",
                                g_variant_new("(ssst)", w->group, key, value,
                                        (guint64)g_rand_int_range(rand, 5, 60) * 1000),
                                "(t)", &error);
                else if (op < 97) {
                        g_autofree char *k2 = g_strdup_printf("k%02d", g_rand_int_range(rand, 0, REPLAY_KEYS));
                        g_autofree char *k3 = g_strdup_printf("k%02d", g_rand_int_range(rand, 0, REPLAY_KEYS));
                        GVariantBuilder b;
                        g_variant_builder_init(&b, G_VARIANT_TYPE("a{ss}"));
                        g_variant_builder_add(&b, "{ss}", key, value);
                        if (!g_str_equal(k2, key))
                                g_variant_builder_add(&b, "{ss}", k2, "all");
                        if (!g_str_equal(k3, key) && !g_str_equal(k3, k2))
                                g_variant_builder_add(&b, "{ss}", k3, value);
                        reply = world_call(c, w->path, STORE_INTERFACE, "SetAll",
                                g_variant_new("(sa{ss})", w->group, &b), "(t)", &error);
                } else
                        reply = world_call(c, w->path, STORE_INTERFACE, "DeleteGroup", g_variant_new("(s)", w->group),
                                "(t)", &error);
                g_assert_no_error(error);
                g_atomic_int_inc(&w->writes);
        }
        return NULL;
}

static void replay_apply(GHashTable *model, const Event *e) {
        if (g_str_equal(e->type, "set"))
                g_hash_table_insert(model, g_strdup(e->key), g_strdup(e->value));
        else if (g_str_equal(e->type, "delete") || g_str_equal(e->type, "expire"))
                g_assert_true(g_hash_table_remove(model, e->key));
        else if (g_str_equal(e->type, "delete_group"))
                g_hash_table_remove_all(model);
        else
                g_error("unknown change type %s", e->type);
}

static void assert_model_equals(GHashTable *model, GVariant *entries) {
        GVariantIter iter;
        const char *k, *v;

        g_variant_iter_init(&iter, entries);
        while (g_variant_iter_next(&iter, "{&s&s}", &k, &v)) {
                const char *have = g_hash_table_lookup(model, k);
                if (g_strcmp0(have, v) != 0)
                        g_error("replayed group has %s=%s, the store has %s", k, have ? have : "(nothing)", v);
        }
        g_assert_cmpuint(g_hash_table_size(model), ==, g_variant_n_children(entries));
}

/* zestor's WatchInitialReplay / WatchReplayPrecedesLive: subscribe, Snapshot, then apply only the
 * signals above the snapshot's revision; while another client writes, in rounds, the result is the
 * group the store ends with. */
static void replay_round(const char *path, const char *group, guint seed) {
        g_autoptr(Listener) l = listener_new();
        g_autoptr(GHashTable) model = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) snapshot = NULL, entries = NULL, final = NULL, final_entries = NULL;
        ReplayWriter w = { .path = path, .group = group, .seed = seed };
        GThread *thread;
        guint64 snapshot_revision, last = 0;
        guint applied = 0, skipped = 0;
        GVariantIter iter;
        const char *k, *v;

        thread = g_thread_new("replay-writer", replay_writer_run, &w);
        while (g_atomic_int_get(&w.writes) < 40)
                g_usleep(1000);

        listener_watch(l, path, group);
        listener_subscribe(l, path);
        snapshot = world_call(l->c, path, STORE_INTERFACE, "Snapshot", g_variant_new("(s)", group), "(a{ss}t)", &error);
        g_assert_no_error(error);
        g_variant_get(snapshot, "(@a{ss}t)", &entries, &snapshot_revision);
        g_variant_iter_init(&iter, entries);
        while (g_variant_iter_next(&iter, "{&s&s}", &k, &v))
                g_hash_table_insert(model, g_strdup(k), g_strdup(v));

        /* Let the writer run on while the signals are applied as they come. */
        while (g_atomic_int_get(&w.writes) < 400)
                g_main_context_iteration(NULL, TRUE);
        g_atomic_int_set(&w.stop, 1);
        g_thread_join(thread);

        /* Let every short TTL run out (its expire is part of the story), then compare. */
        g_usleep(200 * 1000);
        final = world_call(l->c, path, STORE_INTERFACE, "Snapshot", g_variant_new("(s)", group), "(a{ss}t)", &error);
        g_assert_no_error(error);
        listener_sync(l);

        for (guint i = 0; i < l->events->len; i++) {
                const Event *e = listener_event(l, i);
                g_assert_cmpstr(e->member, ==, "Changed");
                g_assert_cmpuint(e->revision, >=, last);
                last = e->revision;
                if (e->revision <= snapshot_revision) {
                        skipped++;
                        continue;
                }
                replay_apply(model, e);
                applied++;
        }
        g_variant_get(final, "(@a{ss}t)", &final_entries, NULL);
        g_test_message("%s %s: snapshot at %" G_GUINT64_FORMAT " with %zu entries, %u signals applied, %u older", path,
                group, snapshot_revision, g_variant_n_children(entries), applied, skipped);
        g_assert_cmpuint(applied, >, 100);
        assert_model_equals(model, final_entries);
        listener_unsubscribe(l, path);
}

static void test_replay_snapshot_then_signals_reproduces_the_group(void) {
        g_autofree char *path = namespace_path("ev-replay");

        replay_round(STORE_PATH, "ev-replay-root", 1);
        replay_round(path, "cfg", 2);
        replay_round(STORE_PATH, "ev-replay-root", 3);
}

int main(int argc, char *argv[]) {
        g_autofree char **args = g_new0(char *, argc + 2);
        int n_args = 0, r;

        for (int i = 0; i < argc; i++)
                args[n_args++] = argv[i];
        args[n_args++] = (char *)"--keep-going";
        g_test_init(&n_args, &args, NULL);

        g_test_add_func("/events/gdbus/watch/arg0-every-key-of-one-group", test_arg0_watches_every_key_of_one_group);
        g_test_add_func("/events/gdbus/watch/everything-in-write-order", test_everything_in_write_order);
        g_test_add_func("/events/gdbus/watch/every-subscriber-gets-every-event",
                test_every_subscriber_gets_every_event);
        g_test_add_func("/events/gdbus/watch/two-watchers-on-one-connection",
                test_two_watchers_on_one_connection_both_fire);
        g_test_add_func("/events/gdbus/watch/codegen-proxy-changed-signal", test_codegen_proxy_changed_signal);
        g_test_add_func("/events/gdbus/change/set-with-ttl-emits-set", test_set_with_ttl_emits_set);
        g_test_add_func("/events/gdbus/change/expire-at-the-deadline-without-a-read",
                test_expire_arrives_at_the_deadline_without_a_read);
        g_test_add_func("/events/gdbus/change/delete-carries-the-previous-value",
                test_delete_carries_the_previous_value);
        g_test_add_func("/events/gdbus/change/delete-group-has-empty-key-and-value",
                test_delete_group_has_empty_key_and_value);
        g_test_add_func("/events/gdbus/change/no-event-for-a-no-op", test_no_event_for_a_no_op);
        g_test_add_func("/events/gdbus/change/set-all-emits-only-what-it-changed",
                test_set_all_emits_only_the_entries_it_changed);
        g_test_add_func("/events/gdbus/change/same-value-another-expiry-is-a-change",
                test_same_value_with_another_expiry_is_a_change);
        g_test_add_func("/events/gdbus/change/binary-value-arrives-as-empty", test_binary_value_arrives_as_empty);
        g_test_add_func("/events/gdbus/namespace/group-unprefixed", test_namespace_object_sends_the_group_unprefixed);
        g_test_add_func("/events/gdbus/namespace/root-sees-group-prefixed", test_root_object_sends_the_group_prefixed);
        g_test_add_func("/events/gdbus/namespace/covers-only-its-namespace",
                test_namespace_subscription_covers_only_its_namespace);
        g_test_add_func("/events/gdbus/namespace/self-hears-from-canonical-path",
                test_self_subscriber_hears_from_the_canonical_path);
        g_test_add_func("/events/gdbus/namespace/self-and-canonical-are-one-subscription",
                test_self_and_canonical_path_are_one_subscription);
        g_test_add_func("/events/gdbus/namespace/root-and-namespace-once-from-each",
                test_root_and_namespace_subscriber_gets_it_once_from_each);
        g_test_add_func("/events/gdbus/namespace/delete-namespace-emits-delete-group-per-group",
                test_delete_namespace_emits_delete_group_per_group);
        g_test_add_func("/events/gdbus/revision/set-all-signals-carry-the-call-revision",
                test_set_all_signals_carry_the_call_revision);
        g_test_add_func("/events/gdbus/revision/rise-with-concurrent-writers",
                test_revisions_rise_with_concurrent_writers);
        g_test_add_func("/events/gdbus/subscribe/twice-then-unsubscribe-once-ends-it",
                test_subscribe_twice_then_unsubscribe_once_ends_it);
        g_test_add_func("/events/gdbus/subscribe/unsubscribe-without-subscribe",
                test_unsubscribe_without_subscribe_is_fine);
        g_test_add_func("/events/gdbus/subscribe/nothing-after-unsubscribe", test_nothing_arrives_after_unsubscribe);
        g_test_add_func("/events/gdbus/isolation/never-subscribed-gets-nothing",
                test_a_connection_that_never_subscribed_gets_nothing);
        g_test_add_func("/events/gdbus/isolation/subscriber-that-leaves-is-forgotten",
                test_a_subscriber_that_leaves_the_bus_is_forgotten);
        g_test_add_func("/events/gdbus/replay/snapshot-then-signals-reproduce-the-group",
                test_replay_snapshot_then_signals_reproduces_the_group);

        bus_world = world_new();
        world_start_daemon(bus_world, bus_daemon_args());

        r = g_test_run();
        world_free(bus_world);
        return r;
}
