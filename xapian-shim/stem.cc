/* stem.cc — Snowball stemmers (Xapian::Stem) writing into caller buffers. */
#include "xapian-shim/internal.h"

#include <cstring>
#include <memory>

extern "C" xap_stem *xap_stem_new(const char *language, xap_err *err) {
    XAPI_NULL_CHECK(language, err, nullptr);
    try {
        auto s = std::make_unique<xap_stem>();
        s->stem = Xapian::Stem(language);
        return s.release();
    } catch (...) {
        xapi_caught(err);
        return nullptr;
    }
}

extern "C" void xap_stem_free(xap_stem *s) { delete s; }

extern "C" int xap_stem_word(xap_stem *s, const char *word, size_t len, char *out, size_t cap) {
    if (!s || !out) return -1;
    try {
        std::string r = s->stem(xapi_str(word, len));
        if (r.size() + 1 > cap || r.size() > INT32_MAX) return -1;
        memcpy(out, r.data(), r.size());
        out[r.size()] = '\0';
        return static_cast<int>(r.size());
    } catch (...) {
        return -1;
    }
}
