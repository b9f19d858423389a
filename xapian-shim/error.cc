/* error.cc — translation of Xapian and C++ exceptions into xap_err codes and
 * messages; the only place that knows the exception hierarchy. */
#include "xapian-shim/internal.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

int xapi_fail(xap_err *err, int code, const char *type, const char *msg) noexcept {
    if (err) {
        err->code = code;
        snprintf(err->msg, sizeof err->msg, "%s: %s", type, msg ? msg : "");
    }
    return code;
}

static int fail_xapian(xap_err *err, int code, const Xapian::Error &e) noexcept {
    if (!err) return code;
    /* The errno text (e.g. "No such file or directory") is what tells an
     * operator why an open failed, so keep it when Xapian has one. */
    const char *sys = e.get_error_string();
    err->code = code;
    if (sys && *sys)
        snprintf(err->msg, sizeof err->msg, "%s: %s (%s)", e.get_type(), e.get_msg().c_str(),
                 sys);
    else
        snprintf(err->msg, sizeof err->msg, "%s: %s", e.get_type(), e.get_msg().c_str());
    return code;
}

int xapi_caught(xap_err *err) noexcept {
    /* Most derived first: DatabaseLockError and DatabaseNotFoundError are
     * both DatabaseOpeningErrors. */
    try {
        throw;
    } catch (const Xapian::DatabaseModifiedError &e) {
        return fail_xapian(err, XAP_E_MODIFIED, e);
    } catch (const Xapian::DatabaseLockError &e) {
        return fail_xapian(err, XAP_E_LOCKED, e);
    } catch (const Xapian::DatabaseNotFoundError &e) {
        return fail_xapian(err, XAP_E_NOT_FOUND, e);
    } catch (const Xapian::DocNotFoundError &e) {
        return fail_xapian(err, XAP_E_NOT_FOUND, e);
    } catch (const Xapian::DatabaseCorruptError &e) {
        return fail_xapian(err, XAP_E_CORRUPT, e);
    } catch (const Xapian::DatabaseOpeningError &e) {
        return fail_xapian(err, XAP_E_OPENING, e);
    } catch (const Xapian::InvalidArgumentError &e) {
        return fail_xapian(err, XAP_E_INVALID, e);
    } catch (const Xapian::InvalidOperationError &e) {
        return fail_xapian(err, XAP_E_INVALID, e);
    } catch (const Xapian::Error &e) {
        return fail_xapian(err, XAP_E_GENERIC, e);
    } catch (const std::bad_alloc &e) {
        return xapi_fail(err, XAP_E_NOMEM, "std::bad_alloc", e.what());
    } catch (const std::exception &e) {
        return xapi_fail(err, XAP_E_GENERIC, "std::exception", e.what());
    } catch (...) {
        return xapi_fail(err, XAP_E_GENERIC, "UnknownException", "unknown C++ exception");
    }
}

int xapi_dup_out(const std::string &s, char **out, size_t *len, xap_err *err) noexcept {
    char *p = static_cast<char *>(malloc(s.size() + 1));
    if (!p) return xapi_fail(err, XAP_E_NOMEM, "std::bad_alloc", "out of memory");
    memcpy(p, s.data(), s.size());
    p[s.size()] = '\0';
    *out = p;
    if (len) *len = s.size();
    return XAP_OK;
}
