/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "caller.h"
#include "daemon.h"
#include "direct.h"
#include "log.h"

/* Peer-to-peer connections are not limited by the bus daemon, so we limit them ourselves. */
#define DIRECT_CONNECTIONS_MAX 4096

/* sd-bus keeps every message a peer does not read, without limit; on the bus, dbus-daemon bounds
 * that, but here stored is the other end. A peer with this many messages unread when it sends
 * another is not reading: it is disconnected. The bound is above MaxUnreadSignals' default plus a
 * group of replies, so a subscriber that falls behind gets Overflow first. */
#define DIRECT_UNREAD_MAX 8192

typedef struct DirectConnection {
        DirectServer *server;
        sd_bus *bus;
        sd_event_source *handshake; /* see on_handshake() */
        struct DirectConnection *prev, *next;
} DirectConnection;

struct DirectServer {
        Context *context;
        char *path;
        int fd;
        sd_event_source *accept_source;
        sd_event_source *accept_retry; /* re-enables accepting after running out of descriptors */
        sd_event_source *reap_source;
        DirectConnection *connections;
        unsigned n_connections;
        sd_id128_t id;
};

static void connection_free(DirectConnection *dc) {
        DirectServer *d = dc->server;
        char key[CALLER_KEY_MAX];

        caller_key_of_direct(dc->bus, key);
        auth_forget(d->context->auth, key);
        events_forget(d->context->events, key);
        if (dc->prev)
                dc->prev->next = dc->next;
        else
                d->connections = dc->next;
        if (dc->next)
                dc->next->prev = dc->prev;
        d->n_connections--;
        sd_event_source_unref(dc->handshake);
        /* Never flush: a peer that does not read would hold us here for ever. */
        sd_bus_close_unref(dc->bus);
        free(dc);
}

/* Closed connections are freed outside their own dispatch: sd-bus must not lose the bus it is in. */
static int on_reap(sd_event_source *s _unused_, void *userdata) {
        DirectServer *d = userdata;
        DirectConnection *dc = d->connections;

        while (dc) {
                DirectConnection *next = dc->next;
                if (sd_bus_is_open(dc->bus) <= 0)
                        connection_free(dc);
                dc = next;
        }
        return 0;
}

static int on_disconnected(sd_bus_message *m _unused_, void *userdata, sd_bus_error *error _unused_) {
        DirectConnection *dc = userdata;
        return sd_event_source_set_enabled(dc->server->reap_source, SD_EVENT_ONESHOT);
}

/* Runs before sd-bus dispatches anything the peer sent. */
static int on_incoming(sd_bus_message *m _unused_, void *userdata, sd_bus_error *error _unused_) {
        DirectConnection *dc = userdata;
        struct ucred peer = { .pid = 0 };
        socklen_t size = sizeof(peer);
        uint64_t unread = 0;

        if (sd_bus_get_n_queued_write(dc->bus, &unread) < 0 || unread <= DIRECT_UNREAD_MAX)
                return 0;
        (void)getsockopt(sd_bus_get_fd(dc->bus), SOL_SOCKET, SO_PEERCRED, &peer, &size);
        log_warning("Disconnecting the direct peer pid %d (uid %u): it has not read %" PRIu64 " messages",
                (int)peer.pid, (unsigned)peer.uid, unread);
        sd_bus_close(dc->bus);
        (void)sd_event_source_set_enabled(dc->server->reap_source, SD_EVENT_ONESHOT);
        return 1; /* dropped */
}

/* A client that sends BEGIN and its first call in one write leaves that call in sd-bus's read buffer
 * when the handshake ends, where the event loop does not see it (sd-bus 252 only looks again when the
 * socket has more to read). So until the connection is up, after each turn of the loop, let sd-bus
 * process what it holds. */
static int on_handshake(sd_event_source *s, void *userdata) {
        DirectConnection *dc = userdata;
        int r = sd_bus_is_ready(dc->bus);

        if (r == 0)
                return 0; /* still authenticating */
        if (r > 0)
                while (sd_bus_process(dc->bus, NULL) > 0)
                        ;
        return sd_event_source_set_enabled(s, SD_EVENT_OFF);
}

static inline void connection_freep(DirectConnection **dc) {
        if (*dc) {
                sd_event_source_unref((*dc)->handshake);
                sd_bus_close_unref((*dc)->bus);
                free(*dc);
        }
}

static int connection_new(DirectServer *d, int fd) {
        _cleanup_(connection_freep) DirectConnection *dc = NULL;
        int r;

        dc = calloc(1, sizeof(*dc));
        if (!dc) {
                close(fd);
                return -ENOMEM;
        }
        dc->server = d;
        r = sd_bus_new(&dc->bus);
        if (r < 0) {
                close(fd);
                return r;
        }
        r = sd_bus_set_fd(dc->bus, fd, fd);
        if (r < 0) {
                close(fd); /* not the bus's yet */
                return r;
        }
        r = sd_bus_set_server(dc->bus, 1, d->id);
        if (r >= 0)
                r = sd_bus_negotiate_fds(dc->bus, true); /* Export, Import and Backup pass descriptors */
        if (r >= 0)
                r = sd_bus_set_description(dc->bus, "direct");
        if (r >= 0)
                r = sd_bus_start(dc->bus);
        if (r >= 0)
                r = sd_bus_attach_event(dc->bus, d->context->event, SD_EVENT_PRIORITY_NORMAL);
        if (r >= 0)
                r = daemon_export_objects(d->context, dc->bus);
        if (r >= 0)
                r = sd_bus_add_filter(dc->bus, NULL, on_incoming, dc); /* added last, runs first */
        if (r >= 0)
                r = sd_bus_match_signal(dc->bus, NULL, "org.freedesktop.DBus.Local", "/org/freedesktop/DBus/Local",
                        "org.freedesktop.DBus.Local", "Disconnected", on_disconnected, dc);
        if (r >= 0)
                r = sd_event_add_post(d->context->event, &dc->handshake, on_handshake, dc);
        if (r < 0)
                return r;

        dc->next = d->connections;
        if (d->connections)
                d->connections->prev = dc;
        d->connections = TAKE_PTR(dc);
        d->n_connections++;
        return 0;
}

static int on_accept_retry(sd_event_source *s _unused_, uint64_t usec _unused_, void *userdata) {
        DirectServer *d = userdata;
        return sd_event_source_set_enabled(d->accept_source, SD_EVENT_ON);
}

/* Out of file descriptors, the pending connection stays in the backlog and the socket stays readable:
 * accepting again at once would spin and starve everything else. Pause for a moment instead. */
static void accept_pause(DirectServer *d) {
        uint64_t now_usec = 0;

        (void)sd_event_source_set_enabled(d->accept_source, SD_EVENT_OFF);
        (void)sd_event_now(d->context->event, CLOCK_MONOTONIC, &now_usec);
        if (!d->accept_retry) {
                if (sd_event_add_time(d->context->event, &d->accept_retry, CLOCK_MONOTONIC, now_usec + 100000, 0,
                            on_accept_retry, d) < 0)
                        (void)sd_event_source_set_enabled(d->accept_source, SD_EVENT_ON);
                return;
        }
        (void)sd_event_source_set_time(d->accept_retry, now_usec + 100000);
        (void)sd_event_source_set_enabled(d->accept_retry, SD_EVENT_ONESHOT);
}

static int on_accept(sd_event_source *s _unused_, int listen_fd, uint32_t revents _unused_, void *userdata) {
        DirectServer *d = userdata;
        int fd, r;

        fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
                if (errno == EMFILE || errno == ENFILE) {
                        log_warning_errno(errno, "Cannot accept a direct connection; pausing for 100 ms");
                        accept_pause(d);
                } else if (errno != EAGAIN && errno != EINTR)
                        log_warning_errno(errno, "Cannot accept a direct connection");
                return 0;
        }
        if (d->n_connections >= DIRECT_CONNECTIONS_MAX) {
                log_warning("Refusing a direct connection: %u are open", d->n_connections);
                close(fd);
                return 0;
        }
        r = connection_new(d, fd); /* takes the fd, also on failure: the bus closes it */
        if (r < 0)
                log_warning_errno(r, "Cannot set up a direct connection");
        return 0;
}

static inline void direct_server_freep(DirectServer **d) {
        direct_server_free(*d);
}

int direct_server_new(Context *c, const char *path, DirectServer **ret) {
        _cleanup_(direct_server_freep) DirectServer *d = NULL;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int r;

        if (strlen(path) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        memcpy(sa.sun_path, path, strlen(path));

        d = calloc(1, sizeof(*d));
        if (!d)
                return -ENOMEM;
        d->context = c;
        d->fd = -1;
        d->path = strdup(path);
        if (!d->path)
                return -ENOMEM;
        r = sd_id128_randomize(&d->id);
        if (r < 0)
                return r;

        d->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (d->fd < 0)
                return -errno;
        (void)unlink(path); /* a socket left by a previous run */
        if (bind(d->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                return -errno;
        /* Anyone may connect: every call is authorized. */
        if (chmod(path, 0666) < 0 || listen(d->fd, SOMAXCONN) < 0)
                return -errno;

        r = sd_event_add_io(c->event, &d->accept_source, d->fd, EPOLLIN, on_accept, d);
        if (r >= 0)
                r = sd_event_add_defer(c->event, &d->reap_source, on_reap, d);
        if (r >= 0)
                r = sd_event_source_set_enabled(d->reap_source, SD_EVENT_OFF);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(d);
        return 0;
}

DirectServer *direct_server_free(DirectServer *d) {
        if (!d)
                return NULL;
        while (d->connections)
                connection_free(d->connections);
        sd_event_source_unref(d->accept_source);
        sd_event_source_unref(d->accept_retry);
        sd_event_source_unref(d->reap_source);
        if (d->fd >= 0) {
                close(d->fd);
                (void)unlink(d->path);
        }
        free(d->path);
        free(d);
        return NULL;
}
