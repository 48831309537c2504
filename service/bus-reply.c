/* SPDX-License-Identifier: MIT */
#include <stdarg.h>

#include "bus-error.h"
#include "bus-reply.h"
#include "log.h"

typedef struct PendingReply {
        sd_bus_message *call; /* to answer with an error if the commit fails */
        sd_bus_message *reply; /* to send if it succeeds */
} PendingReply;

struct ReplyQueue {
        Store *store;
        sd_event_source *commit_source;
        PendingReply *pending;
        size_t n, cap;
};

/* Commits the store's open transaction and answers every waiting call accordingly. */
static void reply_queue_settle(ReplyQueue *q) {
        StoreError e = {};
        int r;

        r = store_commit(q->store, &e);
        if (r < 0)
                log_error("Group commit of %zu calls failed: %s", q->n, e.message);
        for (size_t i = 0; i < q->n; i++) {
                PendingReply *p = &q->pending[i];
                int k;

                if (r >= 0)
                        k = sd_bus_send(NULL, p->reply, NULL);
                else {
                        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                        (void)bus_error_from_store(&error, r, &e);
                        k = sd_bus_reply_method_error(p->call, &error);
                }
                if (k < 0)
                        log_debug("Cannot send a reply: %s", strerror(-k));
                sd_bus_message_unref(p->call);
                sd_bus_message_unref(p->reply);
        }
        q->n = 0;
}

/* Runs when nothing of higher priority is pending, i.e. when the bus has no more calls to read. */
static int on_commit(sd_event_source *s _unused_, void *userdata) {
        reply_queue_settle(userdata);
        return 0;
}

int reply_queue_send(ReplyQueue *q, sd_bus_message *call, sd_bus_message *reply) {
        if (store_pending_calls(q->store) == 0 && q->n == 0)
                return sd_bus_send(NULL, reply, NULL);

        if (q->n == q->cap) {
                size_t cap = MAX(q->cap * 2, 64U);
                PendingReply *p = realloc(q->pending, cap * sizeof(*p));
                if (!p)
                        return -ENOMEM;
                q->pending = p;
                q->cap = cap;
        }
        q->pending[q->n++] = (PendingReply){ .call = sd_bus_message_ref(call), .reply = sd_bus_message_ref(reply) };

        if (store_pending_calls(q->store) >= REPLY_QUEUE_MAX_CALLS)
                reply_queue_settle(q);
        else
                (void)sd_event_source_set_enabled(q->commit_source, SD_EVENT_ONESHOT);
        return 1;
}

int reply_queue_return(ReplyQueue *q, sd_bus_message *call, const char *types, ...) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        va_list ap;
        int r;

        r = sd_bus_message_new_method_return(call, &reply);
        if (r < 0)
                return r;
        if (types) {
                va_start(ap, types);
                r = sd_bus_message_appendv(reply, types, ap);
                va_end(ap);
                if (r < 0)
                        return r;
        }
        return reply_queue_send(q, call, reply);
}

void reply_queue_flush(ReplyQueue *q) {
        if (q)
                reply_queue_settle(q);
}

int reply_queue_new(sd_event *event, Store *store, ReplyQueue **ret) {
        ReplyQueue *q;
        int r;

        q = calloc(1, sizeof(*q));
        if (!q)
                return -ENOMEM;
        q->store = store;
        r = sd_event_add_defer(event, &q->commit_source, on_commit, q);
        if (r >= 0)
                r = sd_event_source_set_priority(q->commit_source, SD_EVENT_PRIORITY_IDLE);
        if (r >= 0)
                r = sd_event_source_set_enabled(q->commit_source, SD_EVENT_OFF);
        if (r < 0) {
                reply_queue_free(q);
                return r;
        }
        (void)sd_event_source_set_description(q->commit_source, "group-commit");
        *ret = q;
        return 0;
}

ReplyQueue *reply_queue_free(ReplyQueue *q) {
        if (!q)
                return NULL;
        for (size_t i = 0; i < q->n; i++) {
                sd_bus_message_unref(q->pending[i].call);
                sd_bus_message_unref(q->pending[i].reply);
        }
        free(q->pending);
        sd_event_source_unref(q->commit_source);
        free(q);
        return NULL;
}
