/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

/* The children to stop if the test dies: kept where a signal handler can reach them. */
static volatile pid_t live_children[2];

static void stop_children_now(void) {
        for (size_t i = 0; i < G_N_ELEMENTS(live_children); i++) {
                pid_t pid = live_children[i];
                if (pid > 0) {
                        kill(pid, SIGKILL);
                        (void)waitpid(pid, NULL, 0);
                        live_children[i] = 0;
                }
        }
}

static void on_fatal_signal(int sig) {
        stop_children_now();
        signal(sig, SIG_DFL);
        raise(sig);
}

static void install_exit_paths(void) {
        static gboolean installed;

        if (installed)
                return;
        installed = TRUE;
        atexit(stop_children_now);
        signal(SIGABRT, on_fatal_signal);
        signal(SIGTERM, on_fatal_signal);
        signal(SIGINT, on_fatal_signal);
        signal(SIGSEGV, on_fatal_signal);
}

/* In the child: die with the test, whatever kills it. */
static void child_setup(gpointer user_data G_GNUC_UNUSED) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
}

const char *world_source_dir(void) {
        const char *d = g_getenv("STORED_SOURCE_DIR");
        g_assert_nonnull(d);
        return d;
}

const char *world_stored_binary(void) {
        const char *b = g_getenv("STORED_BINARY");
        g_assert_nonnull(b);
        return b;
}

static GPid spawn(const char *const *argv, int *stdout_fd) {
        g_autoptr(GError) error = NULL;
        GPid pid;

        g_assert_true(
                g_spawn_async_with_pipes(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH,
                        child_setup, NULL, &pid, NULL, stdout_fd, NULL, &error));
        g_assert_no_error(error);
        return pid;
}

/* dbus-daemon creates its socket file (bind) a moment before it listens, and refuses a client that
 * connects in between: wait until a connection is accepted, not until the file exists. */
static gboolean socket_accepts(const char *path) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd, r;

        g_assert_cmpuint(strlen(path), <, sizeof(sa.sun_path));
        strcpy(sa.sun_path, path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        g_assert_cmpint(fd, >=, 0);
        r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
        close(fd);
        return r == 0;
}

static void wait_for_socket(const char *path) {
        for (int i = 0; i < 500; i++) {
                if (socket_accepts(path))
                        return;
                g_usleep(10000);
        }
        g_error("bus socket %s did not start accepting connections", path);
}

static GDBusConnection *connect_to(const char *address, gboolean message_bus) {
        g_autoptr(GError) error = NULL;
        GDBusConnection *c;

        c = g_dbus_connection_new_for_address_sync(address,
                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                        (message_bus ? G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION : 0),
                NULL, NULL, &error);
        g_assert_no_error(error);
        g_dbus_connection_set_exit_on_close(c, FALSE);
        return c;
}

World *world_new(void) {
        g_autoptr(GError) error = NULL;
        g_autofree char *template_path = NULL, *config = NULL, *config_path = NULL, *socket_path = NULL;
        World *w = g_new0(World, 1);
        GString *text;

        install_exit_paths();
        w->dir = g_dir_make_tmp("stored-test-XXXXXX", &error);
        g_assert_no_error(error);
        /* Other uids (setpriv clients) must reach the socket. */
        g_assert_cmpint(chmod(w->dir, 0755), ==, 0);

        template_path = g_build_filename(world_source_dir(), "tests", "bus", "system-bus.conf.in", NULL);
        g_assert_true(g_file_get_contents(template_path, &config, NULL, &error));
        text = g_string_new(config);
        g_string_replace(text, "@RUNTIME_DIR@", w->dir, 0);
        g_string_replace(text, "@SOURCE_DIR@", world_source_dir(), 0);
        config_path = g_build_filename(w->dir, "bus.conf", NULL);
        g_assert_true(g_file_set_contents(config_path, text->str, -1, &error));
        g_string_free(text, TRUE);

        socket_path = g_build_filename(w->dir, "system_bus_socket", NULL);
        w->address = g_strdup_printf("unix:path=%s", socket_path);
        w->database = g_build_filename(w->dir, "store.db", NULL);
        w->direct_socket = g_build_filename(w->dir, "private", NULL);
        w->direct = g_strcmp0(g_getenv("STORED_TEST_TRANSPORT"), "direct") == 0;

        g_autofree char *config_arg = g_strdup_printf("--config-file=%s", config_path);
        const char *argv[] = { "dbus-daemon", "--nofork", config_arg, NULL };
        w->bus_pid = spawn(argv, NULL);
        live_children[0] = w->bus_pid;
        wait_for_socket(socket_path);

        g_setenv("DBUS_SYSTEM_BUS_ADDRESS", w->address, TRUE);
        w->system = connect_to(w->address, TRUE);
        w->bus = g_object_ref(w->system);
        return w;
}

GDBusConnection *world_connect(World *w) {
        g_autofree char *direct_address = NULL;

        if (!w->direct)
                return connect_to(w->address, TRUE);
        g_assert_cmpint(w->daemon_pid, >, 0);
        direct_address = g_strdup_printf("unix:path=%s", w->direct_socket);
        return connect_to(direct_address, FALSE);
}

static gboolean name_has_owner(World *w, const char *name) {
        g_autoptr(GVariant) reply = NULL;
        gboolean has = FALSE;

        reply = g_dbus_connection_call_sync(w->system, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                "org.freedesktop.DBus", "NameHasOwner", g_variant_new("(s)", name), G_VARIANT_TYPE("(b)"),
                G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
        if (reply)
                g_variant_get(reply, "(b)", &has);
        return has;
}

static int wait_child(GPid pid) {
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        return status;
}

void world_start_daemon(World *w, const char *const *extra_args) {
        g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);

        g_assert_cmpint(w->daemon_pid, ==, 0);
        g_ptr_array_add(argv, g_strdup(world_stored_binary()));
        g_ptr_array_add(argv, g_strdup_printf("--database=%s", w->database));
        g_ptr_array_add(argv, g_strdup("--log-level=warning"));
        g_ptr_array_add(argv, g_strdup_printf("--direct-socket=%s", w->direct_socket));
        for (size_t i = 0; extra_args && extra_args[i]; i++)
                g_ptr_array_add(argv, g_strdup(extra_args[i]));
        g_ptr_array_add(argv, NULL);

        w->daemon_pid = spawn((const char *const *)argv->pdata, NULL);
        live_children[1] = w->daemon_pid;

        for (int i = 0; i < 1000; i++) {
                int status;
                if (name_has_owner(w, "org.example.Store")) {
                        if (w->direct) {
                                /* The socket is ready before the name is taken. */
                                g_clear_object(&w->bus);
                                w->bus = world_connect(w);
                        }
                        return;
                }
                if (waitpid(w->daemon_pid, &status, WNOHANG) == w->daemon_pid) {
                        w->daemon_pid = 0;
                        live_children[1] = 0;
                        g_error("stored exited before taking its name (status %d)", status);
                }
                g_usleep(10000);
        }
        g_error("stored did not take its name within 10 s");
}

void world_stop_daemon(World *w) {
        int status;

        if (w->daemon_pid <= 0)
                return;
        kill(w->daemon_pid, SIGTERM);
        status = wait_child(w->daemon_pid);
        w->daemon_pid = 0;
        live_children[1] = 0;
        g_assert_true(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), ==, 0);
        /* Let the bus notice the name is gone before the next start. */
        for (int i = 0; i < 500 && name_has_owner(w, "org.example.Store"); i++)
                g_usleep(10000);
}

void world_kill_daemon(World *w) {
        if (w->daemon_pid <= 0)
                return;
        kill(w->daemon_pid, SIGKILL);
        (void)wait_child(w->daemon_pid);
        w->daemon_pid = 0;
        live_children[1] = 0;
        for (int i = 0; i < 500 && name_has_owner(w, "org.example.Store"); i++)
                g_usleep(10000);
}

int world_run_as(World *w G_GNUC_UNUSED, unsigned uid, unsigned gid, const char *groups, const char *const *argv,
        char **ret_stdout, char **ret_stderr) {
        g_autoptr(GPtrArray) full = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GError) error = NULL;
        int status = 0;

        g_ptr_array_add(full, g_strdup("setpriv"));
        g_ptr_array_add(full, g_strdup_printf("--reuid=%u", uid));
        g_ptr_array_add(full, g_strdup_printf("--regid=%u", gid));
        g_ptr_array_add(full, groups ? g_strdup_printf("--groups=%s", groups) : g_strdup("--clear-groups"));
        for (size_t i = 0; argv[i]; i++)
                g_ptr_array_add(full, g_strdup(argv[i]));
        g_ptr_array_add(full, NULL);

        g_assert_true(g_spawn_sync(NULL, (char **)full->pdata, NULL, G_SPAWN_SEARCH_PATH, child_setup, NULL, ret_stdout,
                ret_stderr, &status, &error));
        g_assert_no_error(error);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

GVariant *world_call(GDBusConnection *c, const char *path, const char *interface, const char *method, GVariant *args,
        const char *reply_type, GError **error) {
        return g_dbus_connection_call_sync(c, "org.example.Store", path, interface, method, args,
                reply_type ? G_VARIANT_TYPE(reply_type) : NULL, G_DBUS_CALL_FLAGS_NONE, 30000, NULL, error);
}

static void remove_tree(const char *dir) {
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        const char *name;

        if (!d)
                return;
        while ((name = g_dir_read_name(d))) {
                g_autofree char *p = g_build_filename(dir, name, NULL);
                if (g_file_test(p, G_FILE_TEST_IS_DIR) && !g_file_test(p, G_FILE_TEST_IS_SYMLINK))
                        remove_tree(p);
                else
                        (void)unlink(p);
        }
        (void)rmdir(dir);
}

void world_free(World *w) {
        if (!w)
                return;
        world_stop_daemon(w);
        g_clear_object(&w->bus);
        g_clear_object(&w->system);
        if (w->bus_pid > 0) {
                kill(w->bus_pid, SIGTERM);
                (void)wait_child(w->bus_pid);
                live_children[0] = 0;
        }
        remove_tree(w->dir);
        g_free(w->dir);
        g_free(w->address);
        g_free(w->database);
        g_free(w->direct_socket);
        g_free(w);
}
