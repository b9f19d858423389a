/* facets.cc — the facet counter: a match spy over one value slot holding
 * several values separated by XAP_MULTI_SEP, counting how many matching
 * documents carry each value. It runs once per examined document, so the
 * per-document path reuses its buffers instead of allocating. */
#include "xapian-shim/internal.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string_view>

struct xap_facetspy final : public Xapian::MatchSpy {
    Xapian::valueno slot;
    uint32_t total = 0;
    std::unordered_map<std::string, uint32_t> counts;
    std::string key;                        /* lookup buffer, reused */
    std::vector<std::string_view> this_doc; /* values already counted for this doc */

    explicit xap_facetspy(Xapian::valueno s) : slot(s) {}

    void operator()(const Xapian::Document &doc, double) override {
        ++total;
        const std::string v = doc.get_value(slot);
        this_doc.clear();
        size_t start = 0;
        while (start <= v.size()) {
            size_t end = v.find(XAP_MULTI_SEP, start);
            if (end == std::string::npos) end = v.size();
            std::string_view piece(v.data() + start, end - start);
            start = end + 1;
            if (piece.empty()) continue;
            /* Documents carry a handful of values: a linear scan beats a set. */
            if (std::find(this_doc.begin(), this_doc.end(), piece) != this_doc.end()) continue;
            this_doc.push_back(piece);
            key.assign(piece.data(), piece.size());
            auto it = counts.find(key);
            if (it != counts.end())
                ++it->second;
            else
                counts.emplace(key, 1);
        }
    }

    Xapian::MatchSpy *clone() const override { return new xap_facetspy(slot); }

    std::string name() const override { return "metadex::FacetSpy"; }

    std::string get_description() const override {
        return "FacetSpy(slot=" + std::to_string(slot) + ")";
    }
};

Xapian::MatchSpy *xapi_facetspy_base(xap_facetspy *spy) noexcept { return spy; }

extern "C" xap_facetspy *xap_facetspy_new(unsigned slot, xap_err *err) {
    try {
        return new xap_facetspy(slot);
    } catch (...) {
        xapi_caught(err);
        return nullptr;
    }
}

extern "C" void xap_facetspy_free(xap_facetspy *spy) { delete spy; }

extern "C" uint32_t xap_facetspy_total(const xap_facetspy *spy) { return spy ? spy->total : 0; }

extern "C" int xap_facetspy_counts(const xap_facetspy *spy, size_t max, xap_facet_count **out,
                                   size_t *n, xap_err *err) {
    XAPI_NULL_CHECK(spy && out && n, err, XAP_E_INVALID);
    *out = nullptr;
    *n = 0;
    xap_facet_count *v = nullptr;
    size_t filled = 0;
    try {
        using entry = const std::pair<const std::string, uint32_t> *;
        std::vector<entry> order;
        order.reserve(spy->counts.size());
        for (const auto &kv : spy->counts) order.push_back(&kv);
        auto by_count = [](entry a, entry b) {
            if (a->second != b->second) return a->second > b->second;
            return a->first < b->first;
        };
        size_t keep = (max == 0 || max > order.size()) ? order.size() : max;
        std::partial_sort(order.begin(), order.begin() + keep, order.end(), by_count);
        if (keep == 0) return XAP_OK;
        v = static_cast<xap_facet_count *>(calloc(keep, sizeof *v));
        if (!v) return xapi_fail(err, XAP_E_NOMEM, "std::bad_alloc", "out of memory");
        for (; filled < keep; filled++) {
            if (xapi_dup_out(order[filled]->first, &v[filled].value, &v[filled].len, err)) {
                xap_facet_counts_free(v, filled);
                return XAP_E_NOMEM;
            }
            v[filled].count = order[filled]->second;
        }
        *out = v;
        *n = keep;
        return XAP_OK;
    } catch (...) {
        xap_facet_counts_free(v, filled);
        return xapi_caught(err);
    }
}

extern "C" void xap_facet_counts_free(xap_facet_count *v, size_t n) {
    if (!v) return;
    for (size_t i = 0; i < n; i++) free(v[i].value);
    free(v);
}
