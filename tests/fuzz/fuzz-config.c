/* SPDX-License-Identifier: MIT */
/* libFuzzer target for the configuration file parser: the input is the file, read through
 * config_load_file() from a memfd, as the daemon reads /etc/stored/stored.conf. Whatever it accepts
 * must leave settings the daemon can run with; whatever it refuses must come with a message naming the
 * file and, for a line, its number. */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_settings(const Config *c) {
        /* The same bounds the parser promises (config.c): a limit of 0 or past a D-Bus message is refused. */
        if (!c->database || !*c->database || !c->direct_socket)
                abort();
        if (c->limits.max_key_bytes == 0 || c->limits.max_key_bytes > 128U * 1024 * 1024 ||
                c->limits.max_group_bytes == 0 || c->limits.max_group_bytes > 128U * 1024 * 1024 ||
                c->limits.max_value_bytes == 0 || c->limits.max_value_bytes > 128U * 1024 * 1024)
                abort();
        if (c->render.max_depth == 0 || c->render.max_depth > 1000 || c->render.max_steps == 0 ||
                c->render.max_template_bytes == 0 || c->render.max_output_bytes == 0)
                abort();
        if (c->events.max_subscriptions_per_connection == 0 || c->events.max_unread_messages == 0 ||
                c->events.max_unread_bytes == 0)
                abort();
        if (c->log_level < LOG_EMERG || c->log_level > LOG_DEBUG)
                abort();
        if (c->durability != BACKEND_DURABILITY_FULL && c->durability != BACKEND_DURABILITY_NORMAL)
                abort();
        if (c->on_corruption != CONFIG_ON_CORRUPTION_MOVE_ASIDE && c->on_corruption != CONFIG_ON_CORRUPTION_REFUSE)
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char path[64], *message = NULL;
        Config c;
        int fd, r;

        fd = memfd_create("fuzz-config", MFD_CLOEXEC);
        if (fd < 0)
                abort();
        if (size > 0 && write(fd, data, size) != (ssize_t)size)
                abort();
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);

        config_init(&c);
        if (!c.database)
                abort();
        r = config_load_file(&c, path, true, &message);
        if (r == 0) {
                if (message)
                        abort();
                check_settings(&c);
        } else {
                /* Every refusal but running out of memory names the file. */
                if (r != -ENOMEM && (!message || !strstr(message, path)))
                        abort();
                if (r != -EINVAL && r != -ERANGE && r != -ENOMEM && r != -EIO)
                        abort();
        }
        free(message);
        config_done(&c);
        close(fd);
        return 0;
}
