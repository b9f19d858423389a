/* doc.cc — documents: data, terms, postings, values, and their term lists.
 * The indexer builds thousands of documents a second through these, so each
 * call goes straight to the wrapped Xapian::Document without copies. */
#include "xapian-shim/internal.h"

#include <memory>

extern "C" xap_doc *xap_doc_new(void) {
    try {
        return new xap_doc();
    } catch (...) {
        return nullptr;
    }
}

extern "C" void xap_doc_free(xap_doc *doc) { delete doc; }

extern "C" int xap_doc_set_data(xap_doc *doc, const char *data, size_t len, xap_err *err) {
    XAPI_NULL_CHECK(doc, err, XAP_E_INVALID);
    try {
        doc->doc.set_data(xapi_str(data, len));
        return XAP_OK;
    } catch (...) {
        return xapi_caught(err);
    }
}

extern "C" int xap_doc_get_data(const xap_doc *doc, char **data, size_t *len, xap_err *err) {
    XAPI_NULL_CHECK(doc && data, err, XAP_E_INVALID);
    try {
        return xapi_dup_out(doc->doc.get_data(), data, len, err);
    } catch (...) {
        return xapi_caught(err);
    }
}

extern "C" int xap_doc_add_term(xap_doc *doc, const char *term, size_t len, uint32_t wdf,
                                xap_err *err) {
    XAPI_NULL_CHECK(doc && term, err, XAP_E_INVALID);
    try {
        doc->doc.add_term(std::string(term, len), wdf);
        return XAP_OK;
    } catch (...) {
        return xapi_caught(err);
    }
}

extern "C" int xap_doc_add_posting(xap_doc *doc, const char *term, size_t len, uint32_t pos,
                                   uint32_t wdf, xap_err *err) {
    XAPI_NULL_CHECK(doc && term, err, XAP_E_INVALID);
    try {
        doc->doc.add_posting(std::string(term, len), pos, wdf);
        return XAP_OK;
    } catch (...) {
        return xapi_caught(err);
    }
}

extern "C" int xap_doc_add_boolean_term(xap_doc *doc, const char *term, size_t len,
                                        xap_err *err) {
    XAPI_NULL_CHECK(doc && term, err, XAP_E_INVALID);
    try {
        doc->doc.add_boolean_term(std::string(term, len));
        return XAP_OK;
    } catch (...) {
        return xapi_caught(err);
    }
}

extern "C" int xap_doc_add_value(xap_doc *doc, unsigned slot, const char *val, size_t len,
                                 xap_err *err) {
    XAPI_NULL_CHECK(doc, err, XAP_E_INVALID);
    try {
        doc->doc.add_value(slot, xapi_str(val, len));
        return XAP_OK;
    } catch (...) {
        return xapi_caught(err);
    }
}

extern "C" int xap_doc_get_value(const xap_doc *doc, unsigned slot, char **val, size_t *len,
                                 xap_err *err) {
    XAPI_NULL_CHECK(doc && val, err, XAP_E_INVALID);
    try {
        return xapi_dup_out(doc->doc.get_value(slot), val, len, err);
    } catch (...) {
        return xapi_caught(err);
    }
}

extern "C" xap_termiter *xap_doc_termlist(const xap_doc *doc, xap_err *err) {
    XAPI_NULL_CHECK(doc, err, nullptr);
    try {
        auto it = std::make_unique<xap_termiter>();
        it->it = doc->doc.termlist_begin();
        it->end = doc->doc.termlist_end();
        it->doc_termlist = true;
        return it.release();
    } catch (...) {
        xapi_caught(err);
        return nullptr;
    }
}

extern "C" size_t xap_sortable_serialise(double v, char out[18]) {
    /* Xapian's encoding is at most 9 bytes and cannot fail. */
    return Xapian::sortable_serialise_(v, out);
}

extern "C" double xap_sortable_unserialise(const char *s, size_t len) {
    try {
        return Xapian::sortable_unserialise(xapi_str(s, len));
    } catch (...) {
        return 0.0;
    }
}
