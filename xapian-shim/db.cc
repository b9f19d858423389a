/* db.cc — opening, reopening and closing databases, their statistics,
 * metadata, and the writes (documents, transactions, commits). */
#include "xapian-shim/internal.h"

#include <memory>

static int need_writable(xap_db *db, xap_err *err) {
    if (!db->wdb)
        return xapi_fail(err, XAP_E_INVALID, "InvalidOperationError",
                         "database was opened read-only");
    return XAP_OK;
}

extern "C" xap_db *xap_db_open_read(const char *path, xap_err *err) {
    XAPI_NULL_CHECK(path, err, nullptr);
    return xap_db_open_read_multi(&path, 1, err);
}

extern "C" xap_db *xap_db_open_read_multi(const char *const *paths, size_t n, xap_err *err) {
    XAPI_NULL_CHECK(paths, err, nullptr);
    if (n == 0) {
        xapi_fail(err, XAP_E_INVALID, "InvalidArgumentError", "no database path given");
        return nullptr;
    }
    try {
        auto h = std::make_unique<xap_db>();
        auto all = std::make_unique<Xapian::Database>();
        for (size_t i = 0; i < n; i++) {
            XAPI_NULL_CHECK(paths[i], err, nullptr);
            h->shards.emplace_back(paths[i]);
            all->add_database(h->shards.back());
        }
        h->db = all.release();
        return h.release();
    } catch (...) {
        xapi_caught(err);
        return nullptr;
    }
}

extern "C" xap_db *xap_db_open_write(const char *path, xap_err *err) {
    XAPI_NULL_CHECK(path, err, nullptr);
    try {
        auto h = std::make_unique<xap_db>();
        h->wdb = new Xapian::WritableDatabase(path, Xapian::DB_CREATE_OR_OPEN |
                                                        Xapian::DB_BACKEND_GLASS);
        h->db = h->wdb;
        return h.release();
    } catch (...) {
        xapi_caught(err);
        return nullptr;
    }
}

extern "C" void xap_db_close(xap_db *db) {
    if (!db) return;
    /* A writer is closed explicitly so the lock is released now even if an
     * enquire still shares it (closing commits pending changes, as Xapian's
     * destructor would; an error here has nobody to report to). A reader is
     * left to reference counting so enquires and iterators stay usable. */
    if (db->wdb) {
        try {
            db->wdb->close();
        } catch (...) {
        }
    }
    delete db->db;
    delete db;
}

/* Sum of shard revisions: it moves whenever any shard's revision moves, since
 * revisions only grow. */
static uint64_t revision_sum(const xap_db *db) {
    uint64_t sum = 0;
    if (db->wdb) return db->wdb->get_revision();
    for (const auto &s : db->shards) sum += s.get_revision();
    return sum;
}

extern "C" int xap_db_reopen(xap_db *db, int *changed, xap_err *err) {
    XAPI_NULL_CHECK(db, err, XAP_E_INVALID);
    try {
        uint64_t before = revision_sum(db);
        db->db->reopen();
        uint64_t after = revision_sum(db);
        if (changed) *changed = before != after;
        return XAP_OK;
    } catch (...) {
        return xapi_caught(err);
    }
}

extern "C" int xap_db_revision(xap_db *db, uint64_t *rev, xap_err *err) {
    XAPI_NULL_CHECK(db && rev, err, XAP_E_INVALID);
    try {
        if (db->wdb)
            *rev = db->wdb->get_revision();
        else
            *rev = db->shards.empty() ? 0 : db->shards[0].get_revision();
        return XAP_OK;
    } catch (...) {
        return xapi_caught(err);
    }
}

extern "C" int xap_db_doccount(xap_db *db, uint32_t *count, xap_err *err) {
    XAPI_NULL_CHECK(db && count, err, XAP_E_INVALID);
    try {
        *count = db->db->get_doccount();
        return XAP_OK;
    } catch (...) {
        return xapi_caught(err);
    }
}

extern "C" int xap_db_lastdocid(xap_db *db, xap_docid *id, xap_err *err) {
    XAPI_NULL_CHECK(db && id, err, XAP_E_INVALID);
    try {
        *id = db->db->get_lastdocid();
        return XAP_OK;
    } catch (...) {
        return xapi_caught(err);
    }
}

extern "C" int xap_db_avlength(xap_db *db, double *avlen, xap_err *err) {
    XAPI_NULL_CHECK(db && avlen, err, XAP_E_INVALID);
    try {
        *avlen = db->db->get_avlength();
        return XAP_OK;
    } catch (...) {
        return xapi_caught(err);
    }
}

extern "C" int xap_db_termfreq(xap_db *db, const char *term, size_t len, uint32_t *freq,
                               xap_err *err) {
    XAPI_NULL_CHECK(db && freq, err, XAP_E_INVALID);
    try {
        *freq = db->db->get_termfreq(xapi_str(term, len));
        return XAP_OK;
    } catch (...) {
        return xapi_caught(err);
    }
}

extern "C" int xap_db_collection_freq(xap_db *db, const char *term, size_t len, uint32_t *freq,
                                      xap_err *err) {
    XAPI_NULL_CHECK(db && freq, err, XAP_E_INVALID);
    try {
        *freq = db->db->get_collection_freq(xapi_str(term, len));
        return XAP_OK;
    } catch (...) {
        return xapi_caught(err);
    }
}

extern "C" xap_doc *xap_db_get_document(xap_db *db, xap_docid id, xap_err *err) {
    XAPI_NULL_CHECK(db, err, nullptr);
    try {
        auto d = std::make_unique<xap_doc>();
        d->doc = db->db->get_document(id);
        return d.release();
    } catch (...) {
        xapi_caught(err);
        return nullptr;
    }
}

extern "C" int xap_db_get_data(xap_db *db, xap_docid id, char **data, size_t *len, xap_err *err) {
    XAPI_NULL_CHECK(db && data && len, err, XAP_E_INVALID);
    try {
        /* DOC_ASSUME_VALID: no existence check in the term list table; a
         * missing document reads as empty data. */
        return xapi_dup_out(db->db->get_document(id, Xapian::DOC_ASSUME_VALID).get_data(), data,
                            len, err);
    } catch (...) {
        return xapi_caught(err);
    }
}

extern "C" int xap_db_get_value(xap_db *db, xap_docid id, unsigned slot, char **val, size_t *len,
                                xap_err *err) {
    XAPI_NULL_CHECK(db && val && len, err, XAP_E_INVALID);
    try {
        /* As xap_db_get_data: only the slot's value stream is read. */
        return xapi_dup_out(db->db->get_document(id, Xapian::DOC_ASSUME_VALID).get_value(slot),
                            val, len, err);
    } catch (...) {
        return xapi_caught(err);
    }
}

extern "C" int xap_db_find_by_term(xap_db *db, const char *term, size_t len, xap_docid *id,
                                   xap_err *err) {
    XAPI_NULL_CHECK(db && id, err, XAP_E_INVALID);
    try {
        std::string t = xapi_str(term, len);
        Xapian::PostingIterator it = db->db->postlist_begin(t);
        *id = it == db->db->postlist_end(t) ? 0 : *it;
        return XAP_OK;
    } catch (...) {
        return xapi_caught(err);
    }
}

extern "C" int xap_db_get_metadata(xap_db *db, const char *key, char **val, size_t *len,
                                   xap_err *err) {
    XAPI_NULL_CHECK(db && key && val, err, XAP_E_INVALID);
    try {
        return xapi_dup_out(db->db->get_metadata(key), val, len, err);
    } catch (...) {
        return xapi_caught(err);
    }
}

extern "C" int xap_db_begin_transaction(xap_db *db, int flushed, xap_err *err) {
    XAPI_NULL_CHECK(db, err, XAP_E_INVALID);
    if (int rc = need_writable(db, err)) return rc;
    try {
        db->wdb->begin_transaction(flushed != 0);
        return XAP_OK;
    } catch (...) {
        return xapi_caught(err);
    }
}

extern "C" int xap_db_commit_transaction(xap_db *db, xap_err *err) {
    XAPI_NULL_CHECK(db, err, XAP_E_INVALID);
    if (int rc = need_writable(db, err)) return rc;
    try {
        db->wdb->commit_transaction();
        return XAP_OK;
    } catch (...) {
        return xapi_caught(err);
    }
}

extern "C" int xap_db_cancel_transaction(xap_db *db, xap_err *err) {
    XAPI_NULL_CHECK(db, err, XAP_E_INVALID);
    if (int rc = need_writable(db, err)) return rc;
    try {
        db->wdb->cancel_transaction();
        return XAP_OK;
    } catch (...) {
        return xapi_caught(err);
    }
}

extern "C" int xap_db_commit(xap_db *db, xap_err *err) {
    XAPI_NULL_CHECK(db, err, XAP_E_INVALID);
    if (int rc = need_writable(db, err)) return rc;
    try {
        db->wdb->commit();
        return XAP_OK;
    } catch (...) {
        return xapi_caught(err);
    }
}

extern "C" int xap_db_add_document(xap_db *db, const xap_doc *doc, xap_docid *id,
                                   xap_err *err) {
    XAPI_NULL_CHECK(db && doc, err, XAP_E_INVALID);
    if (int rc = need_writable(db, err)) return rc;
    try {
        xap_docid did = db->wdb->add_document(doc->doc);
        if (id) *id = did;
        return XAP_OK;
    } catch (...) {
        return xapi_caught(err);
    }
}

extern "C" int xap_db_replace_by_term(xap_db *db, const char *term, size_t len,
                                      const xap_doc *doc, xap_docid *id, xap_err *err) {
    XAPI_NULL_CHECK(db && term && doc, err, XAP_E_INVALID);
    if (int rc = need_writable(db, err)) return rc;
    try {
        xap_docid did = db->wdb->replace_document(std::string(term, len), doc->doc);
        if (id) *id = did;
        return XAP_OK;
    } catch (...) {
        return xapi_caught(err);
    }
}

extern "C" int xap_db_replace_document(xap_db *db, xap_docid id, const xap_doc *doc,
                                       xap_err *err) {
    XAPI_NULL_CHECK(db && doc, err, XAP_E_INVALID);
    if (int rc = need_writable(db, err)) return rc;
    try {
        db->wdb->replace_document(id, doc->doc);
        return XAP_OK;
    } catch (...) {
        return xapi_caught(err);
    }
}

extern "C" int xap_db_delete_by_term(xap_db *db, const char *term, size_t len, xap_err *err) {
    XAPI_NULL_CHECK(db && term, err, XAP_E_INVALID);
    if (int rc = need_writable(db, err)) return rc;
    try {
        db->wdb->delete_document(std::string(term, len));
        return XAP_OK;
    } catch (...) {
        return xapi_caught(err);
    }
}

extern "C" int xap_db_delete_document(xap_db *db, xap_docid id, xap_err *err) {
    XAPI_NULL_CHECK(db, err, XAP_E_INVALID);
    if (int rc = need_writable(db, err)) return rc;
    try {
        db->wdb->delete_document(id);
        return XAP_OK;
    } catch (...) {
        return xapi_caught(err);
    }
}

extern "C" int xap_db_set_metadata(xap_db *db, const char *key, const char *val, size_t len,
                                   xap_err *err) {
    XAPI_NULL_CHECK(db && key, err, XAP_E_INVALID);
    if (int rc = need_writable(db, err)) return rc;
    try {
        db->wdb->set_metadata(key, xapi_str(val, len));
        return XAP_OK;
    } catch (...) {
        return xapi_caught(err);
    }
}
