/* internal.h — what the shim's C++ files share: the structs behind the opaque
 * handles of xap.h and the one place where a C++ exception becomes an xap_err.
 * Every entry point runs its body inside `try { ... } catch (...)` and returns
 * xapi_caught(err) (or the failure value after it) so no exception reaches C. */
#ifndef MDX_XAPIAN_SHIM_INTERNAL_H
#define MDX_XAPIAN_SHIM_INTERNAL_H

#include <xapian.h>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "xapian-shim/xap.h"

/* A database handle. `db` is the handle every reader uses; for a writable
 * database it is the WritableDatabase itself (`wdb` == db). `shards` keeps a
 * handle on each shard of a multi-database, sharing its internals, so the
 * revision of every shard can be read after a reopen. */
struct xap_db {
    Xapian::Database *db = nullptr;
    Xapian::WritableDatabase *wdb = nullptr;
    std::vector<Xapian::Database> shards;
};

struct xap_doc {
    Xapian::Document doc;
};

struct xap_query {
    Xapian::Query q;
};

struct xap_enquire {
    Xapian::Database db; /* keeps the shards alive while the enquire lives */
    Xapian::Enquire enq;
    /* The query holds OP_MAX: Xapian 1.4's MaxPostList can crash once the
     * matcher starts pruning (it recalculates its max weight after all its
     * subqueries ended), so such a match must check every document. */
    bool no_pruning = false;
    explicit xap_enquire(const Xapian::Database &d) : db(d), enq(d) {}
};

struct xap_mset {
    Xapian::MSet m;
};

/* Iterators report the current position only after next(): `pending` is set
 * while `it` points at an entry next() has not returned yet. */
struct xap_termiter {
    Xapian::TermIterator it, end;
    std::string cur;
    bool pending = true;
    bool doc_termlist = false; /* a lone document's terms have no termfreq */
};

struct xap_postiter {
    Xapian::PostingIterator it, end;
    bool pending = true;
};

struct xap_valueiter {
    Xapian::ValueIterator it, end;
    std::string cur;
    bool pending = true;
};

struct xap_stem {
    Xapian::Stem stem;
};

/* The facet counter seen as the Xapian::MatchSpy it is (facets.cc). */
Xapian::MatchSpy *xapi_facetspy_base(xap_facetspy *spy) noexcept;

/* Fills err (if any) from the exception being handled and returns its
 * XAP_E* code. Call only inside a catch block. */
int xapi_caught(xap_err *err) noexcept;
/* Fills err with `code` and a message "type: msg"; returns code. */
int xapi_fail(xap_err *err, int code, const char *type, const char *msg) noexcept;
/* A std::string from a (pointer, length) pair that tolerates (NULL, 0). */
inline std::string xapi_str(const char *p, size_t len) {
    return p ? std::string(p, len) : std::string();
}
/* Copies s into a malloc'd NUL-terminated buffer; XAP_E_NOMEM on failure. */
int xapi_dup_out(const std::string &s, char **out, size_t *len, xap_err *err) noexcept;

#define XAPI_NULL_CHECK(cond, err, ret)                                                  \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            xapi_fail((err), XAP_E_INVALID, "InvalidArgumentError",                      \
                      "NULL argument: " #cond);                                          \
            return ret;                                                                  \
        }                                                                                \
    } while (0)

#endif
