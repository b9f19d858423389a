/* query.cc — building immutable query values: terms, combinations, scaling,
 * value ranges, match-all/nothing, and their descriptions. */
#include "xapian-shim/internal.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>

static xap_query *wrap(Xapian::Query q) { return new xap_query{std::move(q)}; }

extern "C" xap_query *xap_query_term(const char *term, size_t len, uint32_t wqf,
                                     xap_err *err) {
    XAPI_NULL_CHECK(term, err, nullptr);
    try {
        return wrap(Xapian::Query(std::string(term, len), wqf));
    } catch (...) {
        xapi_caught(err);
        return nullptr;
    }
}

static bool map_op(xap_op op, Xapian::Query::op *out) {
    switch (op) {
    case XAP_OP_AND: *out = Xapian::Query::OP_AND; return true;
    case XAP_OP_OR: *out = Xapian::Query::OP_OR; return true;
    case XAP_OP_AND_NOT: *out = Xapian::Query::OP_AND_NOT; return true;
    case XAP_OP_AND_MAYBE: *out = Xapian::Query::OP_AND_MAYBE; return true;
    case XAP_OP_FILTER: *out = Xapian::Query::OP_FILTER; return true;
    case XAP_OP_SYNONYM: *out = Xapian::Query::OP_SYNONYM; return true;
    case XAP_OP_PHRASE: *out = Xapian::Query::OP_PHRASE; return true;
    case XAP_OP_MAX: *out = Xapian::Query::OP_MAX; return true;
    }
    return false;
}

extern "C" xap_query *xap_query_combine(xap_op op, xap_query *const *subs, size_t n,
                                        unsigned window, xap_err *err) {
    XAPI_NULL_CHECK(subs || n == 0, err, nullptr);
    Xapian::Query::op xop;
    if (!map_op(op, &xop)) {
        xapi_fail(err, XAP_E_INVALID, "InvalidArgumentError", "unknown query operator");
        return nullptr;
    }
    try {
        std::vector<Xapian::Query> v;
        v.reserve(n);
        for (size_t i = 0; i < n; i++) {
            XAPI_NULL_CHECK(subs[i], err, nullptr);
            v.push_back(subs[i]->q);
        }
        /* Xapian reads window 0 as "the number of subqueries". */
        return wrap(Xapian::Query(xop, v.begin(), v.end(), window));
    } catch (...) {
        xapi_caught(err);
        return nullptr;
    }
}

extern "C" xap_query *xap_query_scale(const xap_query *q, double factor, xap_err *err) {
    XAPI_NULL_CHECK(q, err, nullptr);
    try {
        return wrap(Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q->q, factor));
    } catch (...) {
        xapi_caught(err);
        return nullptr;
    }
}

extern "C" xap_query *xap_query_value_range(unsigned slot, const char *lo, size_t lolen,
                                            const char *hi, size_t hilen, xap_err *err) {
    try {
        return wrap(Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot, xapi_str(lo, lolen),
                                  xapi_str(hi, hilen)));
    } catch (...) {
        xapi_caught(err);
        return nullptr;
    }
}

extern "C" xap_query *xap_query_value_ge(unsigned slot, const char *lo, size_t lolen,
                                         xap_err *err) {
    try {
        return wrap(Xapian::Query(Xapian::Query::OP_VALUE_GE, slot, xapi_str(lo, lolen)));
    } catch (...) {
        xapi_caught(err);
        return nullptr;
    }
}

extern "C" xap_query *xap_query_match_all(xap_err *err) {
    try {
        return wrap(Xapian::Query::MatchAll);
    } catch (...) {
        xapi_caught(err);
        return nullptr;
    }
}

extern "C" xap_query *xap_query_match_nothing(xap_err *err) {
    try {
        return wrap(Xapian::Query::MatchNothing);
    } catch (...) {
        xapi_caught(err);
        return nullptr;
    }
}

extern "C" int xap_query_is_empty(const xap_query *q) { return !q || q->q.empty(); }

extern "C" char *xap_query_describe(const xap_query *q) {
    if (!q) return nullptr;
    try {
        char *out = nullptr;
        if (xapi_dup_out(q->q.get_description(), &out, nullptr, nullptr) != XAP_OK)
            return nullptr;
        return out;
    } catch (...) {
        return nullptr;
    }
}

extern "C" void xap_query_free(xap_query *q) { delete q; }
