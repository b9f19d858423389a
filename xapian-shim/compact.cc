/* compact.cc — merging databases into one new database (Xapian's compactor,
 * as xapian-compact does it): how a bulk load written as parallel shards
 * becomes the one index searchd opens. */
#include "xapian-shim/internal.h"

extern "C" int xap_db_compact(const char *const *paths, size_t n, const char *out, xap_err *err) {
    XAPI_NULL_CHECK(paths, err, XAP_E_INVALID);
    XAPI_NULL_CHECK(out, err, XAP_E_INVALID);
    if (n == 0)
        return xapi_fail(err, XAP_E_INVALID, "InvalidArgumentError", "no database to compact");
    try {
        Xapian::Database all;
        for (size_t i = 0; i < n; i++) {
            XAPI_NULL_CHECK(paths[i], err, XAP_E_INVALID);
            all.add_database(Xapian::Database(paths[i]));
        }
        /* Renumbered: each source's documents follow the previous source's,
         * in their own order. Standard compaction leaves blocks as full as
         * a sequential load does, so later updates split no more than usual. */
        all.compact(out, Xapian::Compactor::STANDARD);
        return XAP_OK;
    } catch (...) {
        return xapi_caught(err);
    }
}
