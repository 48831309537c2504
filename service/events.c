/* SPDX-License-Identifier: MIT */

/* Subscribers and the unicast Changed signals.
 *
 * Subscriptions are indexed by scope: one list for the whole store, one per namespace (a tsearch tree
 * by name), so a change costs a walk over the subscribers that want it and nobody else.
 *
 * Flow control. dbus-daemon queues what a connection has not read, and nothing on the bus tells us how
 * much. So we measure it ourselves: every PING_EVERY signals we send the subscriber a Peer.Ping, which
 * every bus library answers as soon as it reads it; and it reads in order, so the answer means every
 * signal sent before the ping has been read. What was sent after the last answered ping is "unread";
 * when that passes the bound, the subscriber is too far behind: its subscriptions end, and it gets a
 * last Overflow(revision) — the last revision it was sent — its cue to Snapshot and subscribe again. */

#include <search.h>

#include "caller.h"
#include "events.h"
#include "log.h"

#define STORE_PATH       "/org/example/Store"
#define NAMESPACE_PREFIX "/org/example/Store/namespace"
#define STORE_INTERFACE  "org.example.Store"
#define PING_EVERY       64

typedef struct Subscriber Subscriber;
typedef struct ScopeSubscribers ScopeSubscribers;

typedef struct Subscription {
        Subscriber *subscriber;
        ScopeSubscribers *scope;
        bool via_polkit;
        struct Subscription *scope_prev, *scope_next; /* in the scope's list */
        struct Subscription *subscriber_next; /* in the subscriber's list */
} Subscription;

/* Everyone subscribed to one scope, and how signals for it are addressed. */
struct ScopeSubscribers {
        char *ns; /* NULL: the whole store */
        char *path;
        Subscription *first;
};

struct Subscriber {
        Events *events;
        char *name; /* caller key (caller.h) */
        sd_bus *bus; /* the connection its signals go out on */
        const char *address; /* destination of its signals: the unique name; NULL on a direct connection */
        Subscription *subscriptions;
        unsigned n_subscriptions;

        uint64_t last_revision; /* of the last signal sent */
        uint64_t sent, sent_bytes; /* totals */
        uint64_t read, read_bytes; /* known read: the totals when the last answered ping was sent */
        uint64_t ping_sent, ping_sent_bytes;
        sd_bus_slot *ping;
        uint64_t publication; /* the last publication (commit) it was sent anything of */
        bool behind; /* to be ended once the current publication is done */
};

struct Events {
        EventsLimits limits;
        ScopeSubscribers root;
        void *namespaces; /* tsearch tree of ScopeSubscribers, by ns */
        void *subscribers; /* tsearch tree of Subscriber, by name */
        /* Subscribers found too far behind while publishing: ended afterwards, so that the lists being
         * walked do not change under the walk. */
        Subscriber **behind;
        size_t n_behind;
        uint64_t publication; /* counts events_publish() calls */
        sd_bus_slot *name_owner_changed;
        sd_bus_slot *polkit_changed;
};

static int subscriber_compare(const void *a, const void *b) {
        return strcmp(((const Subscriber *)a)->name, ((const Subscriber *)b)->name);
}

static int scope_compare(const void *a, const void *b) {
        return strcmp(((const ScopeSubscribers *)a)->ns, ((const ScopeSubscribers *)b)->ns);
}

/* ---- scopes ---- */

static void scope_free(void *p) {
        ScopeSubscribers *s = p;
        free(s->ns);
        free(s->path);
        free(s);
}

static ScopeSubscribers *scope_find(Events *e, const char *ns, bool create) {
        ScopeSubscribers key = { .ns = (char *)ns }, *s;
        void **found;

        if (!ns)
                return &e->root;
        found = tfind(&key, &e->namespaces, scope_compare);
        if (found || !create)
                return found ? *found : NULL;

        s = calloc(1, sizeof(*s));
        if (!s)
                return NULL;
        s->ns = strdup(ns);
        if (!s->ns || sd_bus_path_encode(NAMESPACE_PREFIX, ns, &s->path) < 0 ||
                !tsearch(s, &e->namespaces, scope_compare)) {
                scope_free(s);
                return NULL;
        }
        return s;
}

/* ---- subscribers ---- */

static Subscriber *subscriber_find(Events *e, const char *name) {
        Subscriber key = { .name = (char *)name };
        void **found = tfind(&key, &e->subscribers, subscriber_compare);
        return found ? *found : NULL;
}

static void subscription_unlink(Events *e, Subscription *s) {
        ScopeSubscribers *scope = s->scope;

        if (s->scope_prev)
                s->scope_prev->scope_next = s->scope_next;
        else
                scope->first = s->scope_next;
        if (s->scope_next)
                s->scope_next->scope_prev = s->scope_prev;
        if (!scope->first && scope != &e->root) {
                tdelete(scope, &e->namespaces, scope_compare);
                scope_free(scope);
        }
}

/* Frees a subscriber and its subscriptions, which must be out of every list (or the lists going away). */
static void subscriber_free(void *p) {
        Subscriber *sub = p;

        while (sub->subscriptions) {
                Subscription *s = sub->subscriptions;
                sub->subscriptions = s->subscriber_next;
                free(s);
        }
        sd_bus_slot_unref(sub->ping);
        sd_bus_unref(sub->bus);
        free(sub->name);
        free(sub);
}

static void subscriber_drop(Subscriber *sub) {
        Events *e = sub->events;

        for (Subscription *s = sub->subscriptions; s; s = s->subscriber_next)
                subscription_unlink(e, s);
        tdelete(sub, &e->subscribers, subscriber_compare);
        subscriber_free(sub);
}

static Subscriber *subscriber_get(Events *e, sd_bus_message *m) {
        char buf[CALLER_KEY_MAX];
        const char *name = caller_key(m, buf);
        Subscriber *sub = subscriber_find(e, name);

        if (sub)
                return sub;
        sub = calloc(1, sizeof(*sub));
        if (!sub)
                return NULL;
        sub->events = e;
        sub->name = strdup(name);
        sub->bus = sd_bus_ref(sd_bus_message_get_bus(m));
        sub->address = caller_is_direct(m) ? NULL : sub->name;
        if (!sub->name || !tsearch(sub, &e->subscribers, subscriber_compare)) {
                subscriber_free(sub);
                return NULL;
        }
        return sub;
}

/* Sends Overflow on every object the subscriber listens on, then forgets it. */
static void subscriber_overflow(Subscriber *sub, const char *why) {
        log_info("Ending the subscriptions of %s: %s", sub->name, why);
        for (Subscription *s = sub->subscriptions; s; s = s->subscriber_next) {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
                int r = sd_bus_message_new_signal(sub->bus, &m, s->scope->path, STORE_INTERFACE, "Overflow");
                if (r >= 0 && sub->address)
                        r = sd_bus_message_set_destination(m, sub->address);
                if (r >= 0)
                        r = sd_bus_message_append(m, "t", sub->last_revision);
                if (r >= 0)
                        r = sd_bus_send(sub->bus, m, NULL);
                if (r < 0)
                        log_debug("Cannot send Overflow to %s: %s", sub->name, strerror(-r));
        }
        subscriber_drop(sub);
}

/* ---- flow control ---- */

static int on_ping_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error _unused_) {
        Subscriber *sub = userdata;

        sub->ping = sd_bus_slot_unref(sub->ping);
        if (sd_bus_message_is_method_error(reply, NULL))
                return 0; /* gone (NameOwnerChanged will tell) or odd: the bound still applies */
        sub->read = sub->ping_sent;
        sub->read_bytes = sub->ping_sent_bytes;
        return 0;
}

static void subscriber_mark_behind(Subscriber *sub) {
        Events *e = sub->events;
        Subscriber **b;

        if (sub->behind)
                return;
        b = realloc(e->behind, (e->n_behind + 1) * sizeof(*b));
        if (!b)
                return; /* tried again with the next signal */
        e->behind = b;
        e->behind[e->n_behind++] = sub;
        sub->behind = true;
}

/* Before the first signal of a commit: is the subscriber too far behind? Judged between commits only:
 * no read receipt can arrive while one commit's signals go out, so one large commit (a SetAll or an
 * Import of thousands of entries) must not count against a reader that keeps up. */
static bool subscriber_is_behind(Subscriber *sub) {
        Events *e = sub->events;

        if (sub->publication == e->publication)
                return sub->behind;
        sub->publication = e->publication;
        if (sub->sent - sub->read > e->limits.max_unread_messages ||
                sub->sent_bytes - sub->read_bytes > e->limits.max_unread_bytes)
                subscriber_mark_behind(sub);
        return sub->behind;
}

/* After a signal went out: ask for a read receipt now and then. */
static void subscriber_flow(Subscriber *sub) {
        int r;

        if (!sub->ping && sub->sent - sub->ping_sent >= PING_EVERY) {
                r = sd_bus_call_method_async(sub->bus, &sub->ping, sub->address, "/", "org.freedesktop.DBus.Peer",
                        "Ping", on_ping_reply, sub, "");
                if (r < 0)
                        log_debug("Cannot ping %s: %s", sub->name, strerror(-r));
                else {
                        sub->ping_sent = sub->sent;
                        sub->ping_sent_bytes = sub->sent_bytes;
                }
        }
}

/* ---- publishing ---- */

static int send_changed(Subscriber *sub, const char *path, const StoreChange *c, const char *group, const char *value) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = sd_bus_message_new_signal(sub->bus, &m, path, STORE_INTERFACE, "Changed");
        if (r >= 0 && sub->address)
                r = sd_bus_message_set_destination(m, sub->address);
        if (r >= 0)
                r = sd_bus_message_append(m, "sssstt", group, c->key, store_change_type_to_string(c->type), value,
                        c->revision, c->timestamp_usec);
        if (r >= 0)
                r = sd_bus_send(sub->bus, m, NULL);
        if (r < 0)
                return r;
        sub->last_revision = c->revision;
        sub->sent++;
        /* What the subscriber's queue holds for this signal, roughly: the strings and a header. */
        sub->sent_bytes += strlen(group) + strlen(c->key) + strlen(value) + 128;
        return 0;
}

/* Sends one change to every subscriber of one scope. */
static void publish_to_scope(ScopeSubscribers *scope, const StoreChange *c, const char *group, const char *value) {
        for (Subscription *s = scope->first; s; s = s->scope_next) {
                Subscriber *sub = s->subscriber;
                int r;

                if (subscriber_is_behind(sub))
                        continue; /* it gets Overflow, not a gap it cannot see */
                r = send_changed(sub, scope->path, c, group, value);
                if (r < 0) {
                        /* Cannot queue the signal (sd-bus's queue is full): the subscriber cannot be kept
                         * whole, so it must learn it missed something. */
                        log_warning("Cannot send Changed to %s: %s", sub->name, strerror(-r));
                        subscriber_mark_behind(sub);
                } else
                        subscriber_flow(sub);
        }
}

void events_publish(Events *e, const StoreChange *changes, size_t n_changes) {
        char ns[STORE_NAMESPACE_MAX + 1];

        e->publication++;
        for (size_t i = 0; i < n_changes; i++) {
                const StoreChange *c = &changes[i];
                /* A binary value travels as "": a D-Bus string cannot carry it. */
                const char *value = store_value_is_text(c->value, c->value_len) ? c->value : "";
                ScopeSubscribers *scope;

                if (e->root.first)
                        publish_to_scope(&e->root, c, c->group, value);
                if (store_group_namespace(c->group, ns) && (scope = scope_find(e, ns, false)))
                        publish_to_scope(scope, c, c->group + strlen(ns) + 1, value);
        }

        for (size_t i = 0; i < e->n_behind; i++)
                subscriber_overflow(e->behind[i], "too many signals unread");
        e->n_behind = 0;
}

/* ---- subscribing ---- */

int events_subscribe(Events *e, sd_bus_message *m, const char *ns, bool via_polkit, sd_bus_error *error) {
        ScopeSubscribers *scope;
        Subscriber *sub;
        Subscription *s;

        sub = subscriber_get(e, m);
        if (!sub)
                return -ENOMEM;
        for (s = sub->subscriptions; s; s = s->subscriber_next)
                if (streq_ptr(s->scope->ns, ns)) {
                        s->via_polkit = via_polkit;
                        return 0; /* already subscribed */
                }
        if (sub->n_subscriptions >= e->limits.max_subscriptions_per_connection)
                return sd_bus_error_setf(error, SD_BUS_ERROR_LIMITS_EXCEEDED,
                        "A connection may hold at most %u subscriptions", e->limits.max_subscriptions_per_connection);

        scope = scope_find(e, ns, true);
        s = scope ? calloc(1, sizeof(*s)) : NULL;
        if (!s) {
                if (!sub->subscriptions)
                        subscriber_drop(sub);
                return -ENOMEM;
        }
        *s = (Subscription){
                .subscriber = sub,
                .scope = scope,
                .via_polkit = via_polkit,
                .scope_next = scope->first,
                .subscriber_next = sub->subscriptions,
        };
        if (scope->first)
                scope->first->scope_prev = s;
        scope->first = s;
        sub->subscriptions = s;
        sub->n_subscriptions++;
        return 0;
}

int events_unsubscribe(Events *e, sd_bus_message *m, const char *ns) {
        char buf[CALLER_KEY_MAX];
        Subscriber *sub = subscriber_find(e, caller_key(m, buf));

        if (!sub)
                return 0;
        for (Subscription **p = &sub->subscriptions; *p; p = &(*p)->subscriber_next)
                if (streq_ptr((*p)->scope->ns, ns)) {
                        Subscription *s = *p;
                        *p = s->subscriber_next;
                        subscription_unlink(e, s);
                        free(s);
                        sub->n_subscriptions--;
                        break;
                }
        if (!sub->subscriptions)
                subscriber_drop(sub);
        return 0;
}

void events_forget(Events *e, const char *key) {
        Subscriber *sub = subscriber_find(e, key);
        if (sub)
                subscriber_drop(sub);
}

/* ---- the bus telling us things ---- */

static int on_name_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *error _unused_) {
        Events *e = userdata;
        const char *name, *old_owner, *new_owner;
        Subscriber *sub;

        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0)
                return 0;
        if (name[0] == ':' && new_owner[0] == 0 && (sub = subscriber_find(e, name)))
                subscriber_drop(sub);
        return 0;
}

/* polkit's rules changed: a reader that polkit let in may no longer be entitled. Rather than send
 * anything it may not read, end those subscriptions; Overflow tells the client to subscribe again,
 * which asks polkit anew. */
typedef struct Collected {
        Subscriber **items;
        size_t n;
} Collected;

static void collect_polkit_subscribers(const void *node, VISIT which, void *closure) {
        Subscriber *sub = *(Subscriber *const *)node;
        Collected *c = closure;
        Subscriber **items;

        if (which != postorder && which != leaf)
                return;
        for (Subscription *s = sub->subscriptions; s; s = s->subscriber_next)
                if (s->via_polkit) {
                        items = realloc(c->items, (c->n + 1) * sizeof(*items));
                        if (!items)
                                return;
                        c->items = items;
                        c->items[c->n++] = sub;
                        return;
                }
}

static int on_polkit_changed(sd_bus_message *m _unused_, void *userdata, sd_bus_error *error _unused_) {
        Events *e = userdata;
        Collected c = {};

        /* Collect first: ending a subscriber changes the tree being walked. */
        twalk_r(e->subscribers, collect_polkit_subscribers, &c);
        for (size_t i = 0; i < c.n; i++)
                subscriber_overflow(c.items[i], "polkit's rules changed");
        free(c.items);
        return 0;
}

int events_new(sd_bus *bus, const EventsLimits *limits, Events **ret) {
        Events *e;
        int r;

        e = calloc(1, sizeof(*e));
        if (!e)
                return -ENOMEM;
        e->limits = *limits;
        e->root.path = (char *)STORE_PATH;
        r = sd_bus_match_signal_async(bus, &e->name_owner_changed, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                "org.freedesktop.DBus", "NameOwnerChanged", on_name_owner_changed, NULL, e);
        if (r >= 0)
                r = sd_bus_match_signal_async(bus, &e->polkit_changed, "org.freedesktop.PolicyKit1",
                        "/org/freedesktop/PolicyKit1/Authority", "org.freedesktop.PolicyKit1.Authority", "Changed",
                        on_polkit_changed, NULL, e);
        if (r < 0) {
                events_free(e);
                return r;
        }
        *ret = e;
        return 0;
}

Events *events_free(Events *e) {
        if (!e)
                return NULL;
        sd_bus_slot_unref(e->name_owner_changed);
        sd_bus_slot_unref(e->polkit_changed);
        tdestroy(e->subscribers, subscriber_free);
        tdestroy(e->namespaces, scope_free);
        free(e->behind);
        free(e);
        return NULL;
}
