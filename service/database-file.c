/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include "database-file.h"
#include "util.h"

/* SQLite keeps these beside the database; the WAL holds committed transactions not yet copied into
 * the database file, so it belongs to the database and travels with it. */
static const char *const companions[] = { "-wal", "-shm" };

static char *path_join_suffix(const char *path, const char *suffix) {
        char *p;

        if (asprintf(&p, "%s%s", path, suffix) < 0)
                return NULL;
        return p;
}

/* Anything at the name, or a name we cannot even look at, counts as taken: never overwrite. */
static bool name_taken(const char *name) {
        struct stat st;

        return lstat(name, &st) >= 0 || errno != ENOENT;
}

static bool target_taken(const char *target) {
        if (name_taken(target))
                return true;
        for (size_t i = 0; i < ELEMENTSOF(companions); i++) {
                _cleanup_free_ char *p = path_join_suffix(target, companions[i]);
                if (!p || name_taken(p))
                        return true;
        }
        return false;
}

static int rename_noreplace(const char *from, const char *to) {
        if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) >= 0)
                return 0;
        if (errno != EINVAL && errno != ENOSYS)
                return -errno;
        /* A file system without RENAME_NOREPLACE: target_taken() already checked, and only this
         * daemon writes here. */
        if (name_taken(to))
                return -EEXIST;
        return rename(from, to) < 0 ? -errno : 0;
}

/* Makes the renames survive a crash: they live in the directory, not in the files. */
static int fsync_parent_directory(const char *path) {
        _cleanup_free_ char *dir = NULL;
        _cleanup_close_ int fd = -1;
        const char *slash = strrchr(path, '/');

        if (!slash)
                dir = strdup(".");
        else if (slash == path)
                dir = strdup("/");
        else
                dir = strndup(path, (size_t)(slash - path));
        if (!dir)
                return -ENOMEM;
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fsync(fd) < 0)
                return -errno;
        return 0;
}

int database_file_move_aside(const char *path, char **ret_path) {
        _cleanup_free_ char *target = NULL;
        char stamp[32];
        struct tm tm;
        time_t now = time(NULL);
        int r;

        if (!gmtime_r(&now, &tm) || strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm) == 0)
                return -EINVAL;
        for (unsigned n = 1;; n++) {
                char *t;
                if (n > 1000)
                        return -EEXIST;
                if ((n == 1 ? asprintf(&t, "%s.corrupt-%s", path, stamp)
                            : asprintf(&t, "%s.corrupt-%s-%u", path, stamp, n)) < 0)
                        return -ENOMEM;
                free(target);
                target = t;
                if (!target_taken(target))
                        break;
        }

        /* Companions first: a database left behind without its WAL is found damaged again on the next
         * start, whereas a WAL left behind without its database would be replayed into the fresh one. */
        for (size_t i = 0; i < ELEMENTSOF(companions); i++) {
                _cleanup_free_ char *from = path_join_suffix(path, companions[i]);
                _cleanup_free_ char *to = path_join_suffix(target, companions[i]);
                if (!from || !to)
                        return -ENOMEM;
                r = rename_noreplace(from, to);
                if (r < 0 && r != -ENOENT)
                        return r;
        }
        r = rename_noreplace(path, target);
        if (r < 0)
                return r;
        r = fsync_parent_directory(path);
        if (r < 0)
                return r;

        *ret_path = TAKE_PTR(target);
        return 0;
}
