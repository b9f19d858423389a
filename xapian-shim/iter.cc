/* iter.cc — walking terms (all terms of a database by prefix, or the terms of
 * a document), posting lists and value streams, one entry per next() call;
 * and a whole posting list read into an array in one call. */
#include "xapian-shim/internal.h"

#include <cstdlib>
#include <memory>

extern "C" xap_termiter *xap_db_allterms(xap_db *db, const char *prefix, size_t len,
                                         xap_err *err) {
    XAPI_NULL_CHECK(db, err, nullptr);
    try {
        std::string p = xapi_str(prefix, len);
        auto it = std::make_unique<xap_termiter>();
        it->it = db->db->allterms_begin(p);
        it->end = db->db->allterms_end(p);
        return it.release();
    } catch (...) {
        xapi_caught(err);
        return nullptr;
    }
}

extern "C" int xap_termiter_next(xap_termiter *it, const char **term, size_t *len,
                                 uint32_t *termfreq, xap_err *err) {
    XAPI_NULL_CHECK(it, err, -1);
    try {
        if (!it->pending && it->it != it->end) ++it->it;
        it->pending = false;
        if (it->it == it->end) return 0;
        it->cur = *it->it;
        if (term) *term = it->cur.c_str();
        if (len) *len = it->cur.size();
        if (termfreq) {
            if (it->doc_termlist) {
                /* A document not read from a database has no term
                 * frequencies; Xapian says so by throwing. */
                try {
                    *termfreq = it->it.get_termfreq();
                } catch (const Xapian::InvalidOperationError &) {
                    *termfreq = 0;
                }
            } else {
                *termfreq = it->it.get_termfreq();
            }
        }
        return 1;
    } catch (...) {
        xapi_caught(err);
        return -1;
    }
}

extern "C" int xap_termiter_skip_to(xap_termiter *it, const char *term, size_t len,
                                    xap_err *err) {
    XAPI_NULL_CHECK(it, err, XAP_E_INVALID);
    try {
        if (it->it != it->end) it->it.skip_to(xapi_str(term, len));
        it->pending = true;
        return XAP_OK;
    } catch (...) {
        return xapi_caught(err);
    }
}

extern "C" void xap_termiter_free(xap_termiter *it) { delete it; }

extern "C" xap_postiter *xap_db_postlist(xap_db *db, const char *term, size_t len,
                                         xap_err *err) {
    XAPI_NULL_CHECK(db, err, nullptr);
    try {
        std::string t = xapi_str(term, len);
        auto it = std::make_unique<xap_postiter>();
        it->it = db->db->postlist_begin(t);
        it->end = db->db->postlist_end(t);
        return it.release();
    } catch (...) {
        xapi_caught(err);
        return nullptr;
    }
}

extern "C" int xap_postiter_next(xap_postiter *it, xap_docid *id, uint32_t *wdf, xap_err *err) {
    XAPI_NULL_CHECK(it, err, -1);
    try {
        if (!it->pending && it->it != it->end) ++it->it;
        it->pending = false;
        if (it->it == it->end) return 0;
        if (id) *id = *it->it;
        if (wdf) *wdf = it->it.get_wdf();
        return 1;
    } catch (...) {
        xapi_caught(err);
        return -1;
    }
}

extern "C" void xap_postiter_free(xap_postiter *it) { delete it; }

extern "C" int xap_db_postlist_docids(xap_db *db, const char *term, size_t len, uint32_t **ids,
                                      size_t *n, xap_err *err) {
    XAPI_NULL_CHECK(db && ids && n, err, XAP_E_INVALID);
    *ids = nullptr;
    *n = 0;
    uint32_t *v = nullptr;
    try {
        std::string t = xapi_str(term, len);
        /* The term frequency is the exact length of the posting list (a
         * multi-database sums its shards'), so one allocation holds it. */
        Xapian::doccount freq = db->db->get_termfreq(t);
        if (freq == 0) return XAP_OK;
        v = static_cast<uint32_t *>(malloc((size_t)freq * sizeof *v));
        if (!v) return xapi_fail(err, XAP_E_NOMEM, "std::bad_alloc", "out of memory");
        size_t k = 0;
        for (Xapian::PostingIterator it = db->db->postlist_begin(t), end = db->db->postlist_end(t);
             it != end; ++it) {
            if (k == freq) {
                free(v);
                return xapi_fail(err, XAP_E_CORRUPT, "DatabaseCorruptError",
                                 "posting list longer than the term frequency");
            }
            v[k++] = *it;
        }
        *ids = v;
        *n = k;
        return XAP_OK;
    } catch (...) {
        free(v);
        return xapi_caught(err);
    }
}

extern "C" xap_valueiter *xap_db_valuestream(xap_db *db, unsigned slot, xap_err *err) {
    XAPI_NULL_CHECK(db, err, nullptr);
    try {
        auto it = std::make_unique<xap_valueiter>();
        it->it = db->db->valuestream_begin(slot);
        it->end = db->db->valuestream_end(slot);
        return it.release();
    } catch (...) {
        xapi_caught(err);
        return nullptr;
    }
}

extern "C" int xap_valueiter_next(xap_valueiter *it, xap_docid *id, const char **val,
                                  size_t *len, xap_err *err) {
    XAPI_NULL_CHECK(it, err, -1);
    try {
        if (!it->pending && it->it != it->end) ++it->it;
        it->pending = false;
        if (it->it == it->end) return 0;
        it->cur = *it->it;
        if (id) *id = it->it.get_docid();
        if (val) *val = it->cur.data();
        if (len) *len = it->cur.size();
        return 1;
    } catch (...) {
        xapi_caught(err);
        return -1;
    }
}

extern "C" void xap_valueiter_free(xap_valueiter *it) { delete it; }
