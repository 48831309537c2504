/* SPDX-License-Identifier: MIT */

/* Who may do what; see auth.h for the rules.
 *
 * Per sender (unique bus name) we keep its uid and the verdicts polkit gave it. A question that is
 * still out has a list of the messages waiting for it; when the answer arrives they are re-queued
 * with sd_bus_enqueue_for_read() and run again from the top, now finding the answer in place. The
 * daemon never blocks on polkit: other callers are served meanwhile. */

#include <errno.h>
#include <search.h>

#include "auth.h"
#include "caller.h"
#include "store.h"
#include "util.h"

#define POLKIT_NAME      "org.freedesktop.PolicyKit1"
#define POLKIT_PATH      "/org/freedesktop/PolicyKit1/Authority"
#define POLKIT_INTERFACE "org.freedesktop.PolicyKit1.Authority"

/* A caller probing many namespaces must not grow our memory without bound: past this many verdicts
 * the oldest settled one is forgotten (and asked again if needed). */
#define VERDICTS_PER_SENDER_MAX 256

typedef enum Answer {
        ANSWER_ASKING,
        ANSWER_YES,
        ANSWER_NO,
        ANSWER_CHALLENGE, /* polkit wants interactive authentication */
} Answer;

typedef struct Sender Sender;

/* A question to the bus driver or to polkit, and the messages waiting for its answer. */
typedef struct Question {
        Sender *sender;
        Answer answer;
        sd_bus_slot *slot;
        sd_bus_message **waiting;
        size_t n_waiting;
} Question;

typedef struct Verdict {
        Question question;
        Action action;
        char ns[STORE_NAMESPACE_MAX + 1]; /* "" for manage */
        struct Verdict *next;
} Verdict;

struct Sender {
        Auth *auth;
        char *name; /* caller key: unique bus name, or a direct connection's */
        Question uid_question;
        uid_t uid;
        /* A direct connection: known by its socket's credentials, asked about as a process. */
        bool direct;
        pid_t pid;
        uint64_t start_time;
        Verdict *verdicts; /* newest first */
        size_t n_verdicts;
};

struct Auth {
        sd_bus *bus;
        AuthOptions options;
        void *senders; /* tsearch tree of Sender, by name */
        sd_bus_slot *name_owner_changed;
        sd_bus_slot *polkit_changed;
};

static const char *const action_ids[_ACTION_MAX] = {
        [ACTION_READ] = "org.example.Store.read",
        [ACTION_WRITE] = "org.example.Store.write",
        [ACTION_MANAGE] = "org.example.Store.manage",
};

static const char *const action_verbs[_ACTION_MAX] = {
        [ACTION_READ] = "read",
        [ACTION_WRITE] = "write",
        [ACTION_MANAGE] = "manage",
};

/* ---- questions ---- */

static void question_done(Question *q) {
        q->slot = sd_bus_slot_unref(q->slot);
        for (size_t i = 0; i < q->n_waiting; i++)
                sd_bus_message_unref(q->waiting[i]);
        q->waiting = mfree(q->waiting);
        q->n_waiting = 0;
}

static int question_wait(Question *q, sd_bus_message *m) {
        sd_bus_message **w = realloc(q->waiting, (q->n_waiting + 1) * sizeof(*w));
        if (!w)
                return -ENOMEM;
        q->waiting = w;
        q->waiting[q->n_waiting++] = sd_bus_message_ref(m);
        return 1;
}

/* The answer is in: run the parked calls again. */
static void question_answer(Question *q, Answer answer) {
        q->answer = answer;
        q->slot = sd_bus_slot_unref(q->slot);
        for (size_t i = 0; i < q->n_waiting; i++) {
                /* Back into the queue of the connection it came on (the bus, or a direct one). */
                (void)sd_bus_enqueue_for_read(sd_bus_message_get_bus(q->waiting[i]), q->waiting[i]);
                sd_bus_message_unref(q->waiting[i]);
        }
        q->waiting = mfree(q->waiting);
        q->n_waiting = 0;
}

/* ---- senders ---- */

static int sender_compare(const void *a, const void *b) {
        return strcmp(((const Sender *)a)->name, ((const Sender *)b)->name);
}

static void verdict_free(Verdict *v) {
        question_done(&v->question);
        free(v);
}

static void sender_free(Sender *s) {
        if (!s)
                return;
        question_done(&s->uid_question);
        while (s->verdicts) {
                Verdict *v = s->verdicts;
                s->verdicts = v->next;
                verdict_free(v);
        }
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
        sender_free(s);
}

static int on_uid_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error _unused_) {
        Sender *s = userdata;
        uint32_t uid;

        if (!sd_bus_message_is_method_error(reply, NULL) && sd_bus_message_read(reply, "u", &uid) > 0) {
                s->uid = (uid_t)uid;
                question_answer(&s->uid_question, ANSWER_YES);
        } else
                question_answer(&s->uid_question, ANSWER_NO);
        return 0;
}

/* The start time of a process in clock ticks since boot (/proc/PID/stat, field 22): with the pid, it
 * names the process to polkit without the race of a recycled pid. */
static uint64_t process_start_time(pid_t pid) {
        _cleanup_fclose_ FILE *f = NULL;
        char path[64], buf[1024], *p;
        unsigned long long t = 0;

        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        f = fopen(path, "re");
        if (!f || !fgets(buf, sizeof(buf), f))
                return 0;
        p = strrchr(buf, ')'); /* the command name may hold spaces and parentheses */
        if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
                          &t) != 1)
                return 0;
        return t;
}

/* A direct connection's caller is known at once, from the socket. */
static int sender_init_direct(Sender *s, sd_bus *bus) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        uid_t uid;
        pid_t pid = 0;
        int r;

        s->direct = true;
        r = sd_bus_get_owner_creds(bus, SD_BUS_CREDS_EUID | SD_BUS_CREDS_UID | SD_BUS_CREDS_PID, &creds);
        if (r >= 0 && sd_bus_creds_get_euid(creds, &uid) < 0)
                r = sd_bus_creds_get_uid(creds, &uid);
        if (r < 0) {
                s->uid_question.answer = ANSWER_NO;
                return 0;
        }
        (void)sd_bus_creds_get_pid(creds, &pid);
        s->uid = uid;
        s->pid = pid;
        s->start_time = pid > 0 ? process_start_time(pid) : 0;
        s->uid_question.answer = ANSWER_YES;
        return 0;
}

static int sender_get(Auth *a, sd_bus_message *m, const char *name, Sender **ret) {
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
        s->uid_question.sender = s;
        s->name = strdup(name);
        if (!s->name || !tsearch(s, &a->senders, sender_compare)) {
                sender_free(s);
                return -ENOMEM;
        }

        if (caller_is_direct(m)) {
                *ret = s;
                return sender_init_direct(s, sd_bus_message_get_bus(m));
        }
        r = sd_bus_call_method_async(a->bus, &s->uid_question.slot, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                "org.freedesktop.DBus", "GetConnectionUnixUser", on_uid_reply, s, "s", name);
        if (r < 0) {
                sender_drop(a, name);
                return r;
        }
        *ret = s;
        return 0;
}

/* The sender left the bus: forget everything about it. */
static int on_name_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *error _unused_) {
        Auth *a = userdata;
        const char *name, *old_owner, *new_owner;

        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0)
                return 0;
        if (name[0] == ':' && new_owner[0] == 0)
                sender_drop(a, name);
        return 0;
}

/* ---- polkit ---- */

static int on_polkit_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error _unused_) {
        Verdict *v = userdata;
        int authorized = 0, challenge = 0;

        /* polkitd absent or failing is a no, never a yes. */
        if (sd_bus_message_is_method_error(reply, NULL) || sd_bus_message_enter_container(reply, 'r', "bba{ss}") < 0 ||
                sd_bus_message_read(reply, "bb", &authorized, &challenge) < 0)
                authorized = challenge = 0;

        question_answer(&v->question, authorized ? ANSWER_YES : challenge ? ANSWER_CHALLENGE : ANSWER_NO);
        return 0;
}

static int polkit_ask(Auth *a, Verdict *v, sd_bus_message *m) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        /* CheckAuthorizationFlags: 1 = AllowUserInteraction, passed through from the caller. */
        uint32_t flags = sd_bus_message_get_allow_interactive_authorization(m) > 0 ? 1 : 0;
        int r;

        r = sd_bus_message_new_method_call(a->bus, &call, POLKIT_NAME, POLKIT_PATH, POLKIT_INTERFACE,
                "CheckAuthorization");
        if (r < 0)
                return r;
        if (v->question.sender->direct)
                /* No bus name to point at: the process at the other end of the socket. */
                r = sd_bus_message_append(call, "(sa{sv})s", "unix-process", 3, "pid", "u",
                        (uint32_t)v->question.sender->pid, "start-time", "t", v->question.sender->start_time, "uid",
                        "i", (int32_t)v->question.sender->uid, action_ids[v->action]);
        else
                r = sd_bus_message_append(call, "(sa{sv})s", "system-bus-name", 1, "name", "s",
                        v->question.sender->name, action_ids[v->action]);
        if (r < 0)
                return r;
        if (v->ns[0])
                r = sd_bus_message_append(call, "a{ss}", 1, "namespace", v->ns);
        else
                r = sd_bus_message_append(call, "a{ss}", 0);
        if (r < 0)
                return r;
        r = sd_bus_message_append(call, "us", flags, "");
        if (r < 0)
                return r;
        /* An interactive check waits for a person: no timeout of ours. */
        return sd_bus_call_async(a->bus, &v->question.slot, call, on_polkit_reply, v, flags ? UINT64_MAX : 0);
}

static void sender_forget_oldest_verdict(Sender *s) {
        Verdict **p, **oldest = NULL;

        for (p = &s->verdicts; *p; p = &(*p)->next)
                if ((*p)->question.answer != ANSWER_ASKING)
                        oldest = p;
        if (oldest) {
                Verdict *v = *oldest;
                *oldest = v->next;
                verdict_free(v);
                s->n_verdicts--;
        }
}

/* Finds the verdict for (action, ns), asking polkit if there is none yet. */
static int verdict_get(Sender *s, Action action, const char *ns, sd_bus_message *m, Verdict **ret) {
        Verdict *v;
        int r;

        for (v = s->verdicts; v; v = v->next)
                if (v->action == action && streq(v->ns, ns ?: "")) {
                        *ret = v;
                        return 0;
                }

        if (s->n_verdicts >= VERDICTS_PER_SENDER_MAX)
                sender_forget_oldest_verdict(s);
        v = calloc(1, sizeof(*v));
        if (!v)
                return -ENOMEM;
        v->question.sender = s;
        v->action = action;
        snprintf(v->ns, sizeof(v->ns), "%s", ns ?: "");
        r = polkit_ask(s->auth, v, m);
        if (r < 0) {
                /* Cannot even ask: that is a no (and not remembered). */
                free(v);
                return r;
        }
        v->next = s->verdicts;
        s->verdicts = v;
        s->n_verdicts++;
        *ret = v;
        return 0;
}

static void verdicts_forget_settled(const void *node, VISIT which, void *closure _unused_) {
        Sender *s = *(Sender *const *)node;
        Verdict **p = &s->verdicts;

        if (which != postorder && which != leaf)
                return; /* visit each node once */
        while (*p) {
                Verdict *v = *p;
                if (v->question.answer == ANSWER_ASKING) {
                        p = &v->next;
                        continue;
                }
                *p = v->next;
                verdict_free(v);
                s->n_verdicts--;
        }
}

/* polkit's rules changed: forget every settled verdict. Questions still out stay, with their calls. */
static int on_polkit_changed(sd_bus_message *m _unused_, void *userdata, sd_bus_error *error _unused_) {
        Auth *a = userdata;
        twalk_r(a->senders, verdicts_forget_settled, NULL);
        return 0;
}

/* ---- the rules ---- */

static int deny(sd_bus_error *error, Sender *s, Action action, const char *ns, Answer answer) {
        if (answer == ANSWER_CHALLENGE)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED,
                        "Authentication is required to %s %s%s (polkit action %s)", action_verbs[action],
                        ns ? "namespace " : "the whole store", ns ?: "", action_ids[ns ? action : ACTION_MANAGE]);
        return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
                "Access denied: uid %u may not %s %s%s (polkit action %s)", (unsigned)s->uid, action_verbs[action],
                ns ? "namespace " : "the whole store", ns ?: "", action_ids[ns ? action : ACTION_MANAGE]);
}

void personal_namespace_name(uid_t uid, char buf[static PERSONAL_NAMESPACE_MAX]) {
        snprintf(buf, PERSONAL_NAMESPACE_MAX, "uid-%u", (unsigned)uid);
}

static bool is_own_namespace(Auth *a, Sender *s, const char *ns) {
        char own[PERSONAL_NAMESPACE_MAX];

        if (!a->options.personal_namespaces || !ns)
                return false;
        personal_namespace_name(s->uid, own);
        return streq(ns, own);
}

static int authorize_sender(Auth *a, Sender *s, sd_bus_message *m, Action action, const char *ns, sd_bus_error *error) {
        Answer namespace_answer = ANSWER_NO;
        Verdict *v, *manage;
        int r;

        if (s->uid == 0)
                return 0;
        if (action != ACTION_MANAGE && is_own_namespace(a, s, ns))
                return 0;

        /* In a namespace: its own action first; manage covers everything, so a no there asks manage. */
        if (ns && action != ACTION_MANAGE) {
                r = verdict_get(s, action, ns, m, &v);
                if (r < 0)
                        return deny(error, s, action, ns, ANSWER_NO);
                if (v->question.answer == ANSWER_YES)
                        return 0;
                if (v->question.answer == ANSWER_ASKING)
                        return question_wait(&v->question, m);
                namespace_answer = v->question.answer;
        }

        r = verdict_get(s, ACTION_MANAGE, NULL, m, &manage);
        if (r < 0)
                return deny(error, s, action, ns, ANSWER_NO);
        switch (manage->question.answer) {
        case ANSWER_YES: return 0;
        case ANSWER_ASKING: return question_wait(&manage->question, m);
        default:
                /* A challenge on either side means a person could still say yes. */
                return deny(error, s, action, ns,
                        namespace_answer == ANSWER_CHALLENGE ? namespace_answer : manage->question.answer);
        }
}

static int sender_known(Auth *a, sd_bus_message *m, Sender **ret, sd_bus_error *error) {
        char buf[CALLER_KEY_MAX];
        const char *sender = caller_key(m, buf);
        Sender *s;
        int r;

        r = sender_get(a, m, sender, &s);
        if (r < 0)
                return r;
        switch (s->uid_question.answer) {
        case ANSWER_YES: *ret = s; return 0;
        case ANSWER_ASKING: return question_wait(&s->uid_question, m);
        default:
                return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
                        "Access denied: the credentials of %s could not be established", sender);
        }
}

int auth_sender_uid(Auth *a, sd_bus_message *m, uid_t *ret, sd_bus_error *error) {
        Sender *s;
        int r = sender_known(a, m, &s, error);
        if (r != 0)
                return r;
        *ret = s->uid;
        return 0;
}

int authorize(Auth *a, sd_bus_message *m, Action action, const char *ns, sd_bus_error *error) {
        Sender *s;
        int r = sender_known(a, m, &s, error);
        if (r != 0)
                return r;
        return authorize_sender(a, s, m, ns ? action : ACTION_MANAGE, ns, error);
}

bool auth_is_privileged(Auth *a, sd_bus_message *m, const char *ns) {
        char buf[CALLER_KEY_MAX];
        Sender *s = sender_find(a, caller_key(m, buf));

        if (!s || s->uid_question.answer != ANSWER_YES)
                return false;
        return s->uid == 0 || is_own_namespace(a, s, ns);
}

void auth_forget(Auth *a, const char *key) {
        sender_drop(a, key);
}

int auth_new(sd_bus *bus, const AuthOptions *options, Auth **ret) {
        Auth *a;
        int r;

        a = calloc(1, sizeof(*a));
        if (!a)
                return -ENOMEM;
        a->bus = sd_bus_ref(bus);
        a->options = *options;
        r = sd_bus_match_signal_async(bus, &a->name_owner_changed, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                "org.freedesktop.DBus", "NameOwnerChanged", on_name_owner_changed, NULL, a);
        if (r >= 0)
                r = sd_bus_match_signal_async(bus, &a->polkit_changed, POLKIT_NAME, POLKIT_PATH, POLKIT_INTERFACE,
                        "Changed", on_polkit_changed, NULL, a);
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
        sd_bus_slot_unref(a->polkit_changed);
        tdestroy(a->senders, sender_free_node);
        sd_bus_unref(a->bus);
        free(a);
        return NULL;
}
