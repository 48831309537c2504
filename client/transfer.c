/* SPDX-License-Identifier: MIT */

/* The client side of Export, Import and Backup. The call goes out first; then the pipe is served to
 * its end while the reply waits in the bus socket; then the reply is read. A daemon that refuses the
 * call (AccessDenied) drops its end of the pipe, which ends our side at once (EOF or EPIPE). */

#include <fcntl.h>
#include <inttypes.h>
#include <time.h>

#include "parse.h"
#include "transfer.h"

#define PROGRESS_INTERVAL_USEC (100 * USEC_PER_MSEC)
#define SEND_CHUNK_BYTES       (64U * 1024U)

typedef struct PendingCall {
        sd_bus_slot *slot;
        sd_bus_message *reply;
        sd_bus_error error;
        bool done;
} PendingCall;

static void pending_call_done(PendingCall *p) {
        sd_bus_slot_unref(p->slot);
        sd_bus_message_unref(p->reply);
        sd_bus_error_free(&p->error);
}

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error _unused_) {
        PendingCall *p = userdata;

        p->done = true;
        if (sd_bus_message_is_method_error(m, NULL))
                sd_bus_error_copy(&p->error, sd_bus_message_get_error(m));
        else
                p->reply = sd_bus_message_ref(m);
        return 1;
}

/* Sends `m` (taking it) with `fd` appended. The message holds a copy of the descriptor until it is
 * freed, so it is sent out and freed here: afterwards the daemon's copy is the only one besides ours,
 * and its end of the pipe closing is what tells us it is done (or gave up). */
static int call_start(Ctl *c, sd_bus_message *m, int fd, PendingCall *p) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = m;
        int r;

        r = sd_bus_message_append(call, "h", fd);
        if (r < 0)
                return ctl_bus_error("Cannot build the call", r);
        /* No timeout: a transfer takes as long as its data; the daemon gives up on a stalled one. */
        r = sd_bus_call_async(c->bus, &p->slot, call, on_reply, p, UINT64_MAX);
        if (r >= 0)
                r = sd_bus_flush(c->bus);
        return r < 0 ? ctl_bus_error("Cannot send the call", r) : 0;
}

static int call_finish(Ctl *c, const char *method, PendingCall *p, sd_bus_message **ret_reply) {
        int r;

        while (!p->done) {
                r = sd_bus_process(c->bus, NULL);
                if (r > 0)
                        continue;
                if (r >= 0)
                        r = sd_bus_wait(c->bus, UINT64_MAX);
                if (r < 0 && r != -EINTR)
                        return ctl_bus_error("Lost the bus", r);
        }
        if (sd_bus_error_is_set(&p->error))
                return ctl_report_error(method, &p->error, -EIO);
        if (ret_reply)
                *ret_reply = sd_bus_message_ref(p->reply);
        return 0;
}

static int make_pipe(int fds[2]) {
        if (pipe2(fds, O_CLOEXEC) < 0)
                return log_errorf(-errno, "Cannot make a pipe: %m");
        return 0;
}

int transfer_receive(Ctl *c, const char *path, const char *interface, const char *method, DumpBuffer *out, int out_fd,
        sd_bus_message **ret_reply) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_(pending_call_done) PendingCall p = {};
        _cleanup_close_ int read_end = -1, write_end = -1;
        int fds[2], r;

        r = ctl_new_call(c, path, interface, method, &m);
        if (r < 0)
                return r;
        r = make_pipe(fds);
        if (r < 0)
                return r;
        read_end = fds[0];
        write_end = fds[1];
        r = call_start(c, TAKE_PTR(m), write_end, &p);
        if (r < 0)
                return r;
        /* Only the daemon's copy is left: EOF when it is done with it. */
        close(write_end);
        write_end = -1;

        for (;;) {
                char buf[SEND_CHUNK_BYTES];
                ssize_t k = read(read_end, buf, sizeof(buf));

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return log_errorf(-errno, "Cannot read what %s sent: %m", method);
                if (k == 0)
                        break;
                if (out_fd >= 0) {
                        r = write_all(out_fd, buf, (size_t)k);
                        if (r < 0)
                                return log_errorf(r, "Cannot write the output: %m");
                } else {
                        r = dump_buffer_append(out, buf, (size_t)k);
                        if (r < 0)
                                return log_errorf(r, "Out of memory");
                }
        }
        return call_finish(c, method, &p, ret_reply);
}

/* ---- progress on a terminal ---- */

typedef struct Progress {
        bool enabled;
        const char *verb;
        size_t total_lines, lines;
        size_t total_bytes, bytes;
        uint64_t last_shown;
} Progress;

static void progress_show(Progress *p, bool force, const char *note) {
        uint64_t now;
        char sent[32], total[32];

        if (!p->enabled)
                return;
        now = clock_usec(CLOCK_MONOTONIC);
        if (!force && now < p->last_shown + PROGRESS_INTERVAL_USEC)
                return;
        p->last_shown = now;
        fprintf(stderr, "\r\033[K%s: %zu of %zu entries, %s of %s (%u%%)%s", p->verb, p->lines, p->total_lines,
                format_bytes(sent, sizeof(sent), p->bytes), format_bytes(total, sizeof(total), p->total_bytes),
                p->total_bytes ? (unsigned)(p->bytes * 100 / p->total_bytes) : 100, note ?: "");
        fflush(stderr);
}

static void progress_clear(Progress *p) {
        if (!p->enabled)
                return;
        fputs("\r\033[K", stderr);
        fflush(stderr);
}

static size_t count_lines(const char *s, size_t n) {
        size_t lines = 0;

        for (const char *e = s + n; (s = memchr(s, '\n', (size_t)(e - s))); s++)
                lines++;
        return lines;
}

int transfer_send(Ctl *c, const char *path, const char *data, size_t len, const char *verb,
        sd_bus_message **ret_reply) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_(pending_call_done) PendingCall p = {};
        _cleanup_close_ int write_end = -1;
        Progress progress = {
                .enabled = isatty(STDERR_FILENO),
                .verb = verb,
                .total_lines = count_lines(data, len) + (len > 0 && data[len - 1] != '\n'),
                .total_bytes = len,
        };
        int fds[2], r;

        r = ctl_new_call(c, path, STORE_IFACE, "Import", &m);
        if (r < 0)
                return r;
        r = make_pipe(fds);
        if (r < 0)
                return r;
        write_end = fds[1];
        r = call_start(c, TAKE_PTR(m), fds[0], &p);
        close(fds[0]); /* the daemon has its copy: if it refuses the call, our writes fail at once */
        if (r < 0)
                return r;

        progress_show(&progress, true, NULL);
        while (progress.bytes < len) {
                size_t n = MIN(len - progress.bytes, (size_t)SEND_CHUNK_BYTES);
                ssize_t k = write(write_end, data + progress.bytes, n);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0 && errno == EPIPE)
                        break; /* the daemon stopped reading: its reply says why */
                if (k < 0) {
                        progress_clear(&progress);
                        return log_errorf(-errno, "Cannot send the data: %m");
                }
                progress.lines += count_lines(data + progress.bytes, (size_t)k);
                progress.bytes += (size_t)k;
                progress_show(&progress, false, NULL);
        }
        close(write_end);
        write_end = -1;
        if (progress.bytes == len) {
                progress.lines = progress.total_lines;
                progress_show(&progress, true, ", committing");
        }

        r = call_finish(c, "Import", &p, ret_reply);
        progress_clear(&progress);
        if (r < 0)
                return r;
        if (progress.bytes < len) /* a daemon that stopped reading and still succeeded: should not be */
                return log_errorf(-EPIPE, "Import ended before all the data was sent");
        return 0;
}
