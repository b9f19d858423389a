/* mset.cc — reading a page of results: sizes, match-count estimates, and
 * each hit's docid, weight and document. */
#include "xapian-shim/internal.h"

#include <memory>

extern "C" size_t xap_mset_size(const xap_mset *m) { return m ? m->m.size() : 0; }

extern "C" uint32_t xap_mset_matches_estimated(const xap_mset *m) {
    return m ? m->m.get_matches_estimated() : 0;
}

extern "C" uint32_t xap_mset_matches_lower_bound(const xap_mset *m) {
    return m ? m->m.get_matches_lower_bound() : 0;
}

extern "C" uint32_t xap_mset_matches_upper_bound(const xap_mset *m) {
    return m ? m->m.get_matches_upper_bound() : 0;
}

/* Out-of-range indexes give docid 0 / weight 0 rather than undefined reads. */
extern "C" xap_docid xap_mset_docid(const xap_mset *m, size_t i) {
    if (!m || i >= m->m.size()) return 0;
    try {
        return *m->m[static_cast<Xapian::doccount>(i)];
    } catch (...) {
        return 0;
    }
}

extern "C" double xap_mset_weight(const xap_mset *m, size_t i) {
    if (!m || i >= m->m.size()) return 0.0;
    try {
        return m->m[static_cast<Xapian::doccount>(i)].get_weight();
    } catch (...) {
        return 0.0;
    }
}

extern "C" xap_doc *xap_mset_document(const xap_mset *m, size_t i, xap_err *err) {
    XAPI_NULL_CHECK(m, err, nullptr);
    if (i >= m->m.size()) {
        xapi_fail(err, XAP_E_INVALID, "InvalidArgumentError", "result index out of range");
        return nullptr;
    }
    try {
        auto d = std::make_unique<xap_doc>();
        d->doc = m->m[static_cast<Xapian::doccount>(i)].get_document();
        return d.release();
    } catch (...) {
        xapi_caught(err);
        return nullptr;
    }
}

extern "C" void xap_mset_free(xap_mset *m) { delete m; }
