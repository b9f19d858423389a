/* prior.cc — query-independent priors as posting sources: a document's weight
 * read from a sortable-serialised number in a value slot, either directly
 * (Xapian::ValueWeightPostingSource) or as a capped log (popularity). The
 * queries own their sources (release()), so callers only manage queries. */
#include "xapian-shim/internal.h"

#include <cmath>
#include <cstdio>

namespace {

/* weight = min(cap, factor * log1p(max(0, v))). Documents without a value in
 * the slot are not returned by the source, so they get weight 0. The log keeps
 * a very popular document from outweighing a text match; the cap makes that a
 * guarantee. */
class LogValueWeightPostingSource : public Xapian::ValuePostingSource {
    double factor_, cap_;

    double weight_of(double v) const {
        if (!(v > 0)) return 0.0; /* also NaN */
        double w = factor_ * std::log1p(v);
        return w < cap_ ? w : cap_;
    }

  public:
    LogValueWeightPostingSource(Xapian::valueno slot, double factor, double cap)
        : Xapian::ValuePostingSource(slot), factor_(factor), cap_(cap) {}

    double get_weight() const override {
        return weight_of(Xapian::sortable_unserialise(get_value()));
    }

    LogValueWeightPostingSource *clone() const override {
        return new LogValueWeightPostingSource(get_slot(), factor_, cap_);
    }

    std::string name() const override { return "metadex::LogValueWeightPostingSource"; }

    void init(const Xapian::Database &db) override {
        Xapian::ValuePostingSource::init(db);
        /* The weight grows with v, so the slot's upper bound gives the
         * tightest bound; an empty slot means no document scores. */
        std::string ub = db.get_value_upper_bound(get_slot());
        set_maxweight(ub.empty() ? 0.0 : weight_of(Xapian::sortable_unserialise(ub)));
    }

    std::string get_description() const override {
        char buf[160];
        snprintf(buf, sizeof buf, "LogValueWeightPostingSource(slot=%u, factor=%g, cap=%g)",
                 (unsigned)get_slot(), factor_, cap_);
        return buf;
    }
};

} // namespace

static bool bad_number(double x) { return !std::isfinite(x) || x < 0; }

extern "C" xap_query *xap_query_value_weight(unsigned slot, double factor, xap_err *err) {
    if (bad_number(factor)) {
        xapi_fail(err, XAP_E_INVALID, "InvalidArgumentError",
                  "weight factor must be finite and >= 0");
        return nullptr;
    }
    try {
        auto *src = new Xapian::ValueWeightPostingSource(slot);
        Xapian::Query q(src->release());
        return new xap_query{Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q, factor)};
    } catch (...) {
        xapi_caught(err);
        return nullptr;
    }
}

extern "C" xap_query *xap_query_log_value_weight(unsigned slot, double factor, double cap,
                                                 xap_err *err) {
    if (bad_number(factor) || bad_number(cap)) {
        xapi_fail(err, XAP_E_INVALID, "InvalidArgumentError",
                  "factor and cap must be finite and >= 0");
        return nullptr;
    }
    try {
        auto *src = new LogValueWeightPostingSource(slot, factor, cap);
        return new xap_query{Xapian::Query(src->release())};
    } catch (...) {
        xapi_caught(err);
        return nullptr;
    }
}
