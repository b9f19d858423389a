/* enquire.cc — running a match: weighting (BM25 parameters), ordering
 * (relevance, value, docid), match spies, result pages and matching terms. */
#include "xapian-shim/internal.h"

#include <algorithm>
#include <cstdlib>
#include <memory>

extern "C" xap_enquire *xap_enquire_new(xap_db *db, xap_err *err) {
    XAPI_NULL_CHECK(db, err, nullptr);
    try {
        return new xap_enquire(*db->db);
    } catch (...) {
        xapi_caught(err);
        return nullptr;
    }
}

extern "C" void xap_enquire_free(xap_enquire *e) { delete e; }

/* 1 if `q` contains OP_MAX anywhere (see xap_enquire.no_pruning). */
static bool query_has_max(const Xapian::Query &q) {
    if (q.get_type() == Xapian::Query::OP_MAX)
        return true;
    for (size_t i = 0, n = q.get_num_subqueries(); i < n; i++)
        if (query_has_max(q.get_subquery(i)))
            return true;
    return false;
}

extern "C" int xap_enquire_set_query(xap_enquire *e, const xap_query *q, xap_err *err) {
    XAPI_NULL_CHECK(e && q, err, XAP_E_INVALID);
    try {
        e->enq.set_query(q->q);
        e->no_pruning = query_has_max(q->q);
        return XAP_OK;
    } catch (...) {
        return xapi_caught(err);
    }
}

extern "C" int xap_enquire_set_bm25(xap_enquire *e, double k1, double k2, double k3, double b,
                                    double min_normlen, xap_err *err) {
    XAPI_NULL_CHECK(e, err, XAP_E_INVALID);
    try {
        e->enq.set_weighting_scheme(Xapian::BM25Weight(k1, k2, k3, b, min_normlen));
        return XAP_OK;
    } catch (...) {
        return xapi_caught(err);
    }
}

extern "C" int xap_enquire_set_coord(xap_enquire *e, xap_err *err) {
    XAPI_NULL_CHECK(e, err, XAP_E_INVALID);
    try {
        e->enq.set_weighting_scheme(Xapian::CoordWeight());
        return XAP_OK;
    } catch (...) {
        return xapi_caught(err);
    }
}

extern "C" int xap_enquire_set_sort_by_value(xap_enquire *e, unsigned slot, int reverse,
                                             int relevance_first, xap_err *err) {
    XAPI_NULL_CHECK(e, err, XAP_E_INVALID);
    try {
        if (relevance_first)
            e->enq.set_sort_by_relevance_then_value(slot, reverse != 0);
        else
            e->enq.set_sort_by_value(slot, reverse != 0);
        return XAP_OK;
    } catch (...) {
        return xapi_caught(err);
    }
}

extern "C" int xap_enquire_set_docid_order(xap_enquire *e, int ascending, xap_err *err) {
    XAPI_NULL_CHECK(e, err, XAP_E_INVALID);
    try {
        e->enq.set_docid_order(ascending ? Xapian::Enquire::ASCENDING
                                         : Xapian::Enquire::DESCENDING);
        return XAP_OK;
    } catch (...) {
        return xapi_caught(err);
    }
}

extern "C" int xap_enquire_add_facetspy(xap_enquire *e, xap_facetspy *spy, xap_err *err) {
    XAPI_NULL_CHECK(e && spy, err, XAP_E_INVALID);
    try {
        /* Not released: the caller owns the spy and keeps it alive while the
         * enquire lives. */
        e->enq.add_matchspy(xapi_facetspy_base(spy));
        return XAP_OK;
    } catch (...) {
        return xapi_caught(err);
    }
}

extern "C" xap_mset *xap_enquire_get_mset(xap_enquire *e, uint32_t first, uint32_t maxitems,
                                          uint32_t check_at_least, xap_err *err) {
    XAPI_NULL_CHECK(e, err, nullptr);
    try {
        auto m = std::make_unique<xap_mset>();
        if (e->no_pruning)
            check_at_least = std::max(check_at_least, e->db.get_doccount());
        m->m = e->enq.get_mset(first, maxitems, check_at_least);
        return m.release();
    } catch (...) {
        xapi_caught(err);
        return nullptr;
    }
}

extern "C" int xap_enquire_matching_terms(xap_enquire *e, xap_docid id, char ***terms, size_t *n,
                                          xap_err *err) {
    XAPI_NULL_CHECK(e && terms && n, err, XAP_E_INVALID);
    *terms = nullptr;
    *n = 0;
    std::vector<char *> out;
    try {
        for (auto it = e->enq.get_matching_terms_begin(id);
             it != e->enq.get_matching_terms_end(id); ++it) {
            char *s = nullptr;
            if (xapi_dup_out(*it, &s, nullptr, err)) {
                for (char *t : out) free(t);
                return XAP_E_NOMEM;
            }
            out.push_back(s); /* s leaks only if push_back throws bad_alloc */
        }
        char **v = static_cast<char **>(malloc((out.empty() ? 1 : out.size()) * sizeof *v));
        if (!v) {
            for (char *t : out) free(t);
            return xapi_fail(err, XAP_E_NOMEM, "std::bad_alloc", "out of memory");
        }
        for (size_t i = 0; i < out.size(); i++) v[i] = out[i];
        *terms = v;
        *n = out.size();
        return XAP_OK;
    } catch (...) {
        for (char *s : out) free(s);
        return xapi_caught(err);
    }
}

extern "C" void xap_strv_free(char **v, size_t n) {
    if (!v) return;
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}
