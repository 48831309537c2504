/* SPDX-License-Identifier: MIT */

/* Export, Import and Backup over the store's public API (store.h). Export reads the scope group by
 * group without yielding to anyone, so the dump is one consistent moment of a single-threaded store;
 * Import parses everything before it writes anything, then hands the whole batch to store_import(),
 * which is one transaction and one revision. */

#include "store-dump.h"
#include "strv.h"

typedef struct ExportContext {
        DumpBuffer *out;
        const char *group;
        uint64_t count;
} ExportContext;

static int export_entry(const char *key, const StoreValue *value, const StoreStat *stat, void *userdata) {
        ExportContext *c = userdata;
        int r;

        r = dump_entry_append(c->out, &(DumpEntry){
                                              .group = c->group,
                                              .key = key,
                                              .value = value->data,
                                              .value_len = value->len,
                                              .expires_usec = stat->expires_usec,
                                      });
        if (r < 0)
                return r;
        c->count++;
        return 0;
}

int store_dump_export(Store *s, const char *ns, DumpBuffer *out, uint64_t *ret_count, StoreError *error) {
        _cleanup_(strlist_done) StrList groups = {};
        ExportContext c = { .out = out };
        size_t start = out->len;
        int r;

        /* Names first: a listing cannot run inside another listing's callback. */
        r = store_groups(s, ns, "", strlist_collect, &groups, error);
        for (size_t i = 0; r >= 0 && i < groups.n; i++) {
                c.group = groups.items[i];
                r = store_list(s, ns, c.group, 0, UINT64_MAX, false, export_entry, &c, error);
        }
        if (r < 0) {
                out->len = start;
                if (out->data)
                        out->data[start] = 0;
                if (r == -EINVAL)
                        return store_error_set(error, -STORE_E_INVALID_ARGS,
                                "A group or key in the store is not text and cannot be exported");
                return r;
        }
        *ret_count = c.count;
        return 0;
}

typedef struct ImportBatch {
        StoreImportEntry *entries;
        size_t *lines; /* the line each entry came from, for messages */
        size_t n, cap;
} ImportBatch;

static void import_batch_done(ImportBatch *b) {
        free(b->entries);
        free(b->lines);
}

static int import_batch_add(ImportBatch *b, const DumpEntry *e, size_t line) {
        if (b->n == b->cap) {
                size_t cap = MAX(b->cap * 2, (size_t)64);
                StoreImportEntry *entries = realloc(b->entries, cap * sizeof(*entries));
                if (!entries)
                        return -ENOMEM;
                b->entries = entries;
                size_t *lines = realloc(b->lines, cap * sizeof(*lines));
                if (!lines)
                        return -ENOMEM;
                b->lines = lines;
                b->cap = cap;
        }
        b->entries[b->n] = (StoreImportEntry){
                .group = e->group,
                .key = e->key,
                .value = e->value,
                .value_len = e->value_len,
                .expires_usec = e->expires_usec,
        };
        b->lines[b->n++] = line;
        return 0;
}

int store_dump_import(Store *s, const char *ns, char *data, size_t len, uint64_t *ret_count, uint64_t *ret_revision,
        StoreError *error) {
        _cleanup_(import_batch_done) ImportBatch batch = {};
        DumpReader reader = { .data = data, .len = len };
        char message[DUMP_ERROR_MAX];
        size_t failed = SIZE_MAX;
        DumpEntry e;
        int r;

        while ((r = dump_reader_next(&reader, &e, message)) > 0) {
                r = import_batch_add(&batch, &e, reader.line);
                if (r < 0)
                        return r;
        }
        if (r == -EINVAL)
                return store_error_set(error, -STORE_E_INVALID_ARGS, "%s", message);
        if (r < 0)
                return r;

        r = store_import(s, ns, batch.entries, batch.n, ret_count, &failed, ret_revision, error);
        if (r < 0 && failed < batch.n && error) {
                /* The store names what was wrong; only we know where it came from. */
                char what[STORE_ERROR_MESSAGE_MAX];
                memcpy(what, error->message, sizeof(what));
                store_error_set(error, r, "line %zu: %s", batch.lines[failed], what);
        }
        return r;
}

/* ---- backup ---- */

struct StoreBackup {
        const BackendOps *ops;
        BackendBackup *backup;
};

int store_backup_begin(Store *s, const char *path, StoreBackup **ret, StoreError *error) {
        _cleanup_(store_backup_freep) StoreBackup *b = NULL;
        Backend *backend;
        int r;

        b = calloc(1, sizeof(*b));
        if (!b)
                return -ENOMEM;
        b->ops = store_backend(s, &backend);
        if (!b->ops->backup_begin)
                return store_error_set(error, -STORE_E_NOT_SUPPORTED, "The %s backend cannot make a backup image",
                        b->ops->name);
        r = b->ops->backup_begin(backend, path, &b->backup, error);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(b);
        return 0;
}

int store_backup_step(StoreBackup *b, StoreError *error) {
        return b->ops->backup_step(b->backup, error);
}

StoreBackup *store_backup_free(StoreBackup *b) {
        if (!b)
                return NULL;
        if (b->backup)
                b->ops->backup_end(b->backup);
        free(b);
        return NULL;
}
