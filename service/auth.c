/* SPDX-License-Identifier: MIT */

/* Who may do what. Today the rule is: uid 0 may do everything, nobody else may do anything; the
 * per-namespace rules (a caller's own namespace, polkit) slot into authorize_sender().
 *
 * The caller's uid comes from the bus driver (GetConnectionUnixUser), asked once per sender and kept
 * until the sender leaves the bus. While the question is out, the messages that need the answer wait
 * in the Sender and are re-queued for dispatch when it comes: the daemon keeps serving meanwhile. */

#include <errno.h>
#include <search.h>

#include "auth.h"
#include "util.h"

typedef enum SenderState {
        SENDER_ASKING, /* uid query in flight */
        SENDER_KNOWN,
        SENDER_FAILED, /* the bus driver could not say: deny */
} SenderState;

typedef struct Sender {
        Auth *auth;
        char *name; /* unique bus name */
        SenderState state;
        uid_t uid;
        sd_bus_slot *query;
        sd_bus_message **waiting;
        size_t n_waiting;
} Sender;

struct Auth {
        sd_bus *bus;
        void *senders; /* tsearch tree of Sender, by name */
        size_t n_senders;
        sd_bus_slot *name_owner_changed;
};

static int sender_compare(const void *a, const void *b) {
        return strcmp(((const Sender *)a)->name, ((const Sender *)b)->name);
}

static void sender_free(Sender *s) {
        if (!s)
                return;
        sd_bus_slot_unref(s->query);
        for (size_t i = 0; i < s->n_waiting; i++)
                sd_bus_message_unref(s->waiting[i]);
        free(s->waiting);
        free(s->name);
        free(s);
}

static Sender *sender_find(Auth *a, const char *name) {
        Sender key = { .name = (char *)name };
        void **found = tfind(&key, &a->senders, sender_compare);
        return found ? *found : NULL;
}

static void sender_drop(Auth *a, const char *name) {
        Sender *s = sender_find(a, name);

        if (!s)
                return;
        tdelete(s, &a->senders, sender_compare);
        a->n_senders--;
        sender_free(s);
}

/* The sender left the bus: forget it, so that a later connection reusing nothing inherits nothing. */
static int on_name_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *error _unused_) {
        Auth *a = userdata;
        const char *name, *old_owner, *new_owner;

        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0)
                return 0;
        if (name[0] == ':' && new_owner[0] == 0)
                sender_drop(a, name);
        return 0;
}

static int sender_wait(Sender *s, sd_bus_message *m) {
        sd_bus_message **w = realloc(s->waiting, (s->n_waiting + 1) * sizeof(*w));
        if (!w)
                return -ENOMEM;
        s->waiting = w;
        s->waiting[s->n_waiting++] = sd_bus_message_ref(m);
        return 0;
}

static int on_uid_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error _unused_) {
        Sender *s = userdata;
        uint32_t uid;

        s->query = sd_bus_slot_unref(s->query);
        if (!sd_bus_message_is_method_error(reply, NULL) && sd_bus_message_read(reply, "u", &uid) >= 0) {
                s->state = SENDER_KNOWN;
                s->uid = (uid_t)uid;
        } else
                s->state = SENDER_FAILED;

        /* Re-run the waiting calls; they now find the answer in place. */
        for (size_t i = 0; i < s->n_waiting; i++) {
                (void)sd_bus_enqueue_for_read(s->auth->bus, s->waiting[i]);
                sd_bus_message_unref(s->waiting[i]);
        }
        s->n_waiting = 0;
        return 0;
}

static int sender_get(Auth *a, const char *name, Sender **ret) {
        Sender *s = sender_find(a, name);
        int r;

        if (s) {
                *ret = s;
                return 0;
        }
        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->auth = a;
        s->name = strdup(name);
        if (!s->name || !tsearch(s, &a->senders, sender_compare)) {
                sender_free(s);
                return -ENOMEM;
        }
        a->n_senders++;

        r = sd_bus_call_method_async(a->bus, &s->query, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                "org.freedesktop.DBus", "GetConnectionUnixUser", on_uid_reply, s, "s", name);
        if (r < 0) {
                sender_drop(a, name);
                return r;
        }
        s->state = SENDER_ASKING;
        *ret = s;
        return 0;
}

static const char *const action_names[_ACTION_MAX] = {
        [ACTION_READ] = "read",
        [ACTION_WRITE] = "write",
        [ACTION_MANAGE] = "manage",
};

static int authorize_sender(Sender *s, Action action, const char *ns, sd_bus_error *error) {
        if (s->uid == 0)
                return 0;
        if (ns)
                return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
                        "Access denied: uid %u may not %s namespace %s", (unsigned)s->uid, action_names[action], ns);
        return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
                "Access denied: uid %u may not %s the whole store (only root may)", (unsigned)s->uid,
                action_names[action]);
}

int authorize(Auth *a, sd_bus_message *m, Action action, const char *ns, sd_bus_error *error) {
        const char *sender = sd_bus_message_get_sender(m);
        Sender *s;
        int r;

        /* A peer-to-peer connection has no sender name and no bus driver to ask. */
        if (!sender)
                return sd_bus_error_set(error, SD_BUS_ERROR_ACCESS_DENIED, "Access denied: caller has no bus name");

        r = sender_get(a, sender, &s);
        if (r < 0)
                return r;
        switch (s->state) {
        case SENDER_ASKING:
                r = sender_wait(s, m);
                return r < 0 ? r : 1;
        case SENDER_FAILED:
                return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
                        "Access denied: the credentials of %s could not be established", sender);
        case SENDER_KNOWN:
        default:
                return authorize_sender(s, action, ns, error);
        }
}

size_t auth_n_senders(const Auth *a) {
        return a->n_senders;
}

int auth_new(sd_bus *bus, Auth **ret) {
        Auth *a;
        int r;

        a = calloc(1, sizeof(*a));
        if (!a)
                return -ENOMEM;
        a->bus = sd_bus_ref(bus);
        r = sd_bus_match_signal_async(bus, &a->name_owner_changed, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                "org.freedesktop.DBus", "NameOwnerChanged", on_name_owner_changed, NULL, a);
        if (r < 0) {
                auth_free(a);
                return r;
        }
        *ret = a;
        return 0;
}

static void sender_free_node(void *p) {
        sender_free(p);
}

Auth *auth_free(Auth *a) {
        if (!a)
                return NULL;
        sd_bus_slot_unref(a->name_owner_changed);
        tdestroy(a->senders, sender_free_node);
        sd_bus_unref(a->bus);
        free(a);
        return NULL;
}
