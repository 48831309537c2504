/* SPDX-License-Identifier: MIT */

/* Export, Import and Backup: data through a caller's file descriptor.
 *
 * A caller controls the other end of its descriptor and may never read (or never write), so the
 * daemon never waits on it: each call becomes a Transfer driven by the event loop. The data is made or
 * taken whole in memory or a scratch file (Export's dump is one consistent moment; Import parses only
 * a complete input), and only the bytes move in the background, in bounded slices per dispatch.
 *
 * Non-blocking without changing what the caller sees where possible: a socket is used with
 * MSG_DONTWAIT; a pipe, FIFO or terminal gets O_NONBLOCK on its open file description for the time of
 * the transfer (shared with the caller: pass a descriptor made for the transfer, as storectl does) and
 * its flags back after; a regular file or block device cannot make us wait on anyone and is used as
 * it is. A transfer that moves nothing for TRANSFER_IDLE_TIMEOUT_SEC (a reader that stopped reading)
 * is abandoned with a Timeout error. */

#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "bus-dump.h"
#include "bus-error.h"
#include "bus-scope.h"
#include "context.h"
#include "log.h"
#include "store-dump.h"

#define USEC_PER_SEC              UINT64_C(1000000)
#define TRANSFER_IDLE_TIMEOUT_SEC 30
#define TRANSFER_CHUNK_BYTES      (64U * 1024U)
#define TRANSFER_DISPATCH_BYTES   (1024U * 1024U) /* per dispatch: one transfer does not hold the loop */
#define IMPORT_MAX_BYTES          (1024ULL * 1024U * 1024U)

typedef enum TransferKind {
        TRANSFER_EXPORT, /* dump in memory → fd, reply t count */
        TRANSFER_IMPORT, /* fd → memory, then the store, reply t count */
        TRANSFER_BACKUP, /* image file made in steps → fd, reply () */
} TransferKind;

struct Transfer {
        Transfer *prev, *next;
        TransferKind kind;
        Context *context;
        Scope scope; /* resolved and authorized; scope.ns points into scope.name */
        sd_bus_message *call;

        int fd; /* the caller's */
        int fd_flags; /* its flags before O_NONBLOCK, or -1 if untouched */
        bool socket;
        sd_event_source *io_source; /* pollable descriptors */
        sd_event_source *defer_source; /* files, and backup steps */
        sd_event_source *timer_source;
        uint64_t last_progress;

        DumpBuffer data; /* export: the dump; import: the input; backup: the slice being written */
        size_t written;
        uint64_t count;

        StoreBackup *backup;
        char *image_path; /* until the image is complete, then unlinked */
        int image_fd;
};

static int fd_close(int fd) {
        if (fd >= 0)
                close(fd);
        return -1;
}

/* Gives the caller's descriptor its flags back and lets go of it. The io source goes first: epoll
 * watches the open file description, which outlives our descriptor while the caller holds its copy. */
static void transfer_release_fd(Transfer *t) {
        t->io_source = sd_event_source_disable_unref(t->io_source);
        if (t->fd >= 0 && t->fd_flags >= 0)
                (void)fcntl(t->fd, F_SETFL, t->fd_flags);
        t->fd = fd_close(t->fd);
}

static uint64_t timeout_usec(void) {
        static uint64_t timeout;
        const char *e;

        /* For tests (a stalled reader without a 30 s wait); not a setting. */
        if (timeout == 0) {
                e = getenv("STORED_TRANSFER_TIMEOUT_SEC");
                timeout = (e && atoi(e) > 0 ? (uint64_t)atoi(e) : TRANSFER_IDLE_TIMEOUT_SEC) * USEC_PER_SEC;
        }
        return timeout;
}

static Transfer *transfer_free(Transfer *t) {
        if (!t)
                return NULL;
        if (t->prev)
                t->prev->next = t->next;
        else if (t->context->transfers == t)
                t->context->transfers = t->next;
        if (t->next)
                t->next->prev = t->prev;
        transfer_release_fd(t);
        sd_event_source_disable_unref(t->defer_source);
        sd_event_source_disable_unref(t->timer_source);
        store_backup_free(t->backup);
        if (t->image_path)
                (void)unlink(t->image_path);
        free(t->image_path);
        fd_close(t->image_fd);
        dump_buffer_done(&t->data);
        sd_bus_message_unref(t->call);
        free(t);
        return NULL;
}

static inline void transfer_freep(Transfer **t) {
        transfer_free(*t);
}

/* Replies and ends the transfer: success (r >= 0) through the reply queue, since Import's writes are
 * durable only once the group commit has run; failure at once. The descriptor is closed first, so a
 * caller reading to the end sees it before the reply. */
static void transfer_end(Transfer *t, int r, const sd_bus_error *error) {
        int k;

        transfer_release_fd(t);
        if (r >= 0)
                k = t->kind == TRANSFER_BACKUP ? reply_queue_return(t->context->replies, t->call, NULL)
                                               : reply_queue_return(t->context->replies, t->call, "t", t->count);
        else if (error && sd_bus_error_is_set(error))
                k = sd_bus_reply_method_error(t->call, error);
        else
                k = sd_bus_reply_method_errno(t->call, r, NULL);
        if (k < 0)
                log_debug("Cannot reply to %s: %s", sd_bus_message_get_member(t->call), strerror(-k));
        transfer_free(t);
}

static void transfer_fail_store(Transfer *t, int r, const StoreError *e) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;

        bus_error_from_store(&error, r, e);
        transfer_end(t, r, &error);
}

/* Fails with the error `name`, or with the contract's name for r (bus-error.c) if it is NULL. Trouble
 * with the caller's descriptor is an IOError, not the store's Storage error. */
static void transfer_fail(Transfer *t, int r, const char *name, const char *format, ...) _printf_(4, 5);
static void transfer_fail(Transfer *t, int r, const char *name, const char *format, ...) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        StoreError e = { .code = r };
        va_list ap;

        va_start(ap, format);
        vsnprintf(e.message, sizeof(e.message), format, ap);
        va_end(ap);
        if (!name) {
                transfer_fail_store(t, r, &e);
                return;
        }
        sd_bus_error_set(&error, name, e.message);
        transfer_end(t, r, &error);
}

static void transfer_progress(Transfer *t) {
        (void)sd_event_now(t->context->event, CLOCK_MONOTONIC, &t->last_progress);
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Transfer *t = userdata;

        /* `usec` is when it was due: if bytes moved since, the deadline moves with them. */
        if (usec < t->last_progress + timeout_usec()) {
                int r = sd_event_source_set_time(s, t->last_progress + timeout_usec());
                return r < 0 ? r : sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
        }
        log_info("%s for %s stalled, abandoned.", sd_bus_message_get_member(t->call),
                sd_bus_message_get_sender(t->call) ?: "a caller");
        transfer_fail(t, -ETIMEDOUT, SD_BUS_ERROR_TIMEOUT,
                "Nothing moved through the file descriptor for %" PRIu64 " s; %s abandoned",
                timeout_usec() / USEC_PER_SEC, sd_bus_message_get_member(t->call));
        return 0;
}

/* ---- moving bytes ---- */

static ssize_t transfer_write(Transfer *t, const void *p, size_t n) {
        /* A reader that went away is EPIPE, not a signal: main() ignores SIGPIPE. */
        ssize_t k = t->socket ? send(t->fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL) : write(t->fd, p, n);
        return k < 0 ? -errno : k;
}

static ssize_t transfer_read(Transfer *t, void *p, size_t n) {
        ssize_t k = t->socket ? recv(t->fd, p, n, MSG_DONTWAIT) : read(t->fd, p, n);
        return k < 0 ? -errno : k;
}

/* The backup image goes out in slices read from the scratch file. 0 at its end. */
static int backup_refill(Transfer *t) {
        char buf[TRANSFER_CHUNK_BYTES];
        ssize_t k;
        int r;

        t->data.len = 0;
        t->written = 0;
        k = read(t->image_fd, buf, sizeof(buf));
        if (k <= 0)
                return k < 0 ? -errno : 0;
        r = dump_buffer_append(&t->data, buf, (size_t)k);
        return r < 0 ? r : 1;
}

static void transfer_pump_out(Transfer *t) {
        size_t moved = 0;
        ssize_t k;
        int r;

        while (moved < TRANSFER_DISPATCH_BYTES) {
                if (t->written == t->data.len) {
                        r = t->kind == TRANSFER_BACKUP ? backup_refill(t) : 0;
                        if (r < 0) {
                                transfer_fail(t, r, SD_BUS_ERROR_IO_ERROR, "Cannot read the backup image: %s",
                                        strerror(-r));
                                return;
                        }
                        if (r == 0) {
                                transfer_end(t, 0, NULL);
                                return;
                        }
                }
                k = transfer_write(t, t->data.data + t->written, MIN(t->data.len - t->written, TRANSFER_CHUNK_BYTES));
                if (k == -EAGAIN)
                        return; /* the io source calls again when there is room */
                if (k == -EINTR)
                        continue;
                if (k == -EPIPE || k == -ECONNRESET) {
                        transfer_fail(t, (int)k, SD_BUS_ERROR_IO_ERROR,
                                "The reader closed the file descriptor before the end");
                        return;
                }
                if (k < 0) {
                        transfer_fail(t, (int)k, SD_BUS_ERROR_IO_ERROR, "Cannot write to the file descriptor: %s",
                                strerror((int)-k));
                        return;
                }
                t->written += (size_t)k;
                moved += (size_t)k;
                transfer_progress(t);
        }
}

static void import_apply(Transfer *t) {
        StoreError e = {};
        uint64_t revision;
        int r;

        r = store_dump_import(t->context->store, t->scope.ns, t->data.data ?: (char *)"", t->data.len, &t->count,
                &revision, &e);
        if (r < 0) {
                transfer_fail_store(t, r, &e);
                return;
        }
        transfer_end(t, 0, NULL);
}

static void transfer_pump_in(Transfer *t) {
        char buf[TRANSFER_CHUNK_BYTES];
        size_t moved = 0;
        ssize_t k;
        int r;

        while (moved < TRANSFER_DISPATCH_BYTES) {
                k = transfer_read(t, buf, sizeof(buf));
                if (k == -EAGAIN)
                        return;
                if (k == -EINTR)
                        continue;
                if (k < 0) {
                        transfer_fail(t, (int)k, SD_BUS_ERROR_IO_ERROR, "Cannot read from the file descriptor: %s",
                                strerror((int)-k));
                        return;
                }
                if (k == 0) {
                        /* The whole input is in: nothing is written before this point. */
                        transfer_release_fd(t);
                        import_apply(t);
                        return;
                }
                if (t->data.len + (size_t)k > IMPORT_MAX_BYTES) {
                        transfer_fail(t, -STORE_E_TOO_LARGE, NULL, "Import data over %llu MiB; import it in parts",
                                IMPORT_MAX_BYTES / 1024 / 1024);
                        return;
                }
                r = dump_buffer_append(&t->data, buf, (size_t)k);
                if (r < 0) {
                        transfer_fail(t, r, NULL, "Out of memory");
                        return;
                }
                moved += (size_t)k;
                transfer_progress(t);
        }
}

static void transfer_pump(Transfer *t) {
        if (t->kind == TRANSFER_IMPORT)
                transfer_pump_in(t);
        else
                transfer_pump_out(t);
}

static int on_io(sd_event_source *s _unused_, int fd _unused_, uint32_t revents _unused_, void *userdata) {
        transfer_pump(userdata);
        return 0;
}

static int on_defer_pump(sd_event_source *s _unused_, void *userdata) {
        transfer_pump(userdata);
        return 0;
}

/* Starts moving bytes: from the io source when the descriptor can wait on its peer, else from a defer
 * source that runs a bounded slice per loop iteration. */
static int transfer_start_io(Transfer *t) {
        struct stat st;
        int r;

        if (fstat(t->fd, &st) < 0)
                return -errno;
        if (S_ISSOCK(st.st_mode))
                t->socket = true;
        else if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
                int flags = fcntl(t->fd, F_GETFL);
                if (flags < 0)
                        return -errno;
                if (!(flags & O_NONBLOCK)) {
                        if (fcntl(t->fd, F_SETFL, flags | O_NONBLOCK) < 0)
                                return -errno;
                        t->fd_flags = flags;
                }
        }
        transfer_progress(t);
        r = sd_event_add_time(t->context->event, &t->timer_source, CLOCK_MONOTONIC, t->last_progress + timeout_usec(),
                USEC_PER_SEC, on_timer, t);
        if (r < 0)
                return r;

        if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
                r = sd_event_add_io(t->context->event, &t->io_source, t->fd,
                        t->kind == TRANSFER_IMPORT ? EPOLLIN : EPOLLOUT, on_io, t);
                if (r != -EPERM) /* EPERM: not pollable (/dev/null and the like): never waits either */
                        return r;
        }
        t->defer_source = sd_event_source_disable_unref(t->defer_source);
        r = sd_event_add_defer(t->context->event, &t->defer_source, on_defer_pump, t);
        if (r >= 0)
                r = sd_event_source_set_enabled(t->defer_source, SD_EVENT_ON);
        return r;
}

/* ---- backup steps ---- */

static int on_backup_step(sd_event_source *s _unused_, void *userdata) {
        Transfer *t = userdata;
        StoreError e = {};
        struct stat st;
        int r;

        /* Step outside any open transaction: the image must hold committed data only, so the group
         * commit is settled first (it costs a sync only while writes come in during the backup). */
        if (store_pending_calls(t->context->store) > 0)
                reply_queue_flush(t->context->replies);
        r = store_backup_step(t->backup, &e);
        if (r < 0) {
                transfer_fail_store(t, r, &e);
                return 0;
        }
        transfer_progress(t);
        if (r == 0)
                return 0;

        t->backup = store_backup_free(t->backup);
        (void)unlink(t->image_path);
        t->image_path = mfree(t->image_path);
        if (fstat(t->image_fd, &st) >= 0)
                log_info("Backup image of %jd bytes made for %s.", (intmax_t)st.st_size,
                        sd_bus_message_get_sender(t->call) ?: "a caller");
        t->defer_source = sd_event_source_disable_unref(t->defer_source);
        r = transfer_start_io(t);
        if (r < 0)
                transfer_fail(t, r, SD_BUS_ERROR_IO_ERROR, "Cannot write to the file descriptor: %s", strerror(-r));
        return 0;
}

static int backup_begin(Transfer *t, sd_bus_error *error) {
        const char *dir = getenv("TMPDIR") ?: "/var/tmp";
        StoreError e = {};
        int r;

        if (asprintf(&t->image_path, "%s/stored-backup-XXXXXX", dir) < 0) {
                t->image_path = NULL;
                return -ENOMEM;
        }
        t->image_fd = mkostemp(t->image_path, O_CLOEXEC);
        if (t->image_fd < 0) {
                r = -errno;
                t->image_path = mfree(t->image_path);
                return sd_bus_error_set_errnof(error, r, "Cannot create a scratch file in %s for the image: %m", dir);
        }
        if (store_pending_calls(t->context->store) > 0)
                reply_queue_flush(t->context->replies);
        r = store_backup_begin(t->context->store, t->image_path, &t->backup, &e);
        if (r < 0)
                return bus_error_from_store(error, r, &e);
        r = sd_event_add_defer(t->context->event, &t->defer_source, on_backup_step, t);
        if (r >= 0)
                r = sd_event_source_set_enabled(t->defer_source, SD_EVENT_ON);
        return r;
}

/* ---- the handlers ---- */

void bus_dump_abort_all(Context *c) {
        while (c->transfers)
                transfer_fail(c->transfers, -ESHUTDOWN, SD_BUS_ERROR_FAILED, "stored is stopping");
}

/* Reads the fd argument and checks that it is open the way `kind` needs; argument checks come before
 * authorization. */
static int read_fd_argument(sd_bus_message *m, TransferKind kind, int *ret, sd_bus_error *error) {
        int fd, flags, r;

        r = sd_bus_message_read(m, "h", &fd);
        if (r < 0)
                return r;
        flags = fcntl(fd, F_GETFL);
        if (flags < 0)
                return -errno;
        if (kind == TRANSFER_IMPORT ? (flags & O_ACCMODE) == O_WRONLY : (flags & O_ACCMODE) == O_RDONLY)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "The file descriptor is not open for %s",
                        kind == TRANSFER_IMPORT ? "reading" : "writing");
        *ret = fd;
        return 0;
}

static int transfer_new(sd_bus_message *m, const Scope *target, TransferKind kind, int fd, Transfer **ret) {
        _cleanup_(transfer_freep) Transfer *t = NULL;

        t = calloc(1, sizeof(*t));
        if (!t)
                return -ENOMEM;
        *t = (Transfer){
                .kind = kind,
                .context = target->context,
                .scope = *target,
                .call = sd_bus_message_ref(m),
                .fd = -1,
                .fd_flags = -1,
                .image_fd = -1,
        };
        if (target->ns)
                t->scope.ns = t->scope.name;
        t->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (t->fd < 0)
                return -errno;
        t->next = t->context->transfers;
        if (t->next)
                t->next->prev = t;
        t->context->transfers = t;
        *ret = TAKE_PTR(t);
        return 0;
}

int method_export(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Scope target;
        Transfer *t;
        StoreError e = {};
        int fd, r;

        r = read_fd_argument(m, TRANSFER_EXPORT, &fd, error);
        if (r < 0)
                return r;

        r = scope_authorize(userdata, m, ACTION_READ, &target, error);
        if (r != 0)
                return r;

        r = transfer_new(m, &target, TRANSFER_EXPORT, fd, &t);
        if (r < 0)
                return r;
        /* The dump shows committed data only: settle what the group commit holds first. */
        if (store_pending_calls(target.context->store) > 0)
                reply_queue_flush(target.context->replies);
        r = store_dump_export(target.context->store, target.ns, &t->data, &t->count, &e);
        if (r < 0) {
                transfer_free(t);
                return bus_error_from_store(error, r, &e);
        }
        r = transfer_start_io(t);
        if (r < 0) {
                transfer_free(t);
                return sd_bus_error_set_errnof(error, r, "Cannot write to the file descriptor: %m");
        }
        return 1;
}

int method_import(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Scope target;
        Transfer *t;
        int fd, r;

        r = read_fd_argument(m, TRANSFER_IMPORT, &fd, error);
        if (r < 0)
                return r;

        r = scope_authorize(userdata, m, ACTION_WRITE, &target, error);
        if (r != 0)
                return r;

        r = transfer_new(m, &target, TRANSFER_IMPORT, fd, &t);
        if (r < 0)
                return r;
        r = transfer_start_io(t);
        if (r < 0) {
                transfer_free(t);
                return sd_bus_error_set_errnof(error, r, "Cannot read from the file descriptor: %m");
        }
        return 1;
}

int method_backup(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Scope *scope = userdata;
        Transfer *t;
        int fd, r;

        r = read_fd_argument(m, TRANSFER_BACKUP, &fd, error);
        if (r < 0)
                return r;

        r = authorize(scope->context->auth, m, ACTION_MANAGE, NULL, error);
        if (r != 0)
                return r;

        r = transfer_new(m, scope, TRANSFER_BACKUP, fd, &t);
        if (r < 0)
                return r;
        r = backup_begin(t, error);
        if (r < 0) {
                transfer_free(t);
                return r;
        }
        return 1;
}
