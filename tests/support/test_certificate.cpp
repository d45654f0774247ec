#include "support/test_certificate.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

namespace liveblog::test {

namespace {
struct FileClose {
    void operator()(FILE* f) const { std::fclose(f); }
};
}  // namespace

TestCertificate make_test_certificate(const std::string& dir, const std::string& name, const std::string& common_name) {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
    if (!key) throw std::runtime_error("test certificate: key generation failed");
    std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
    X509_set_version(cert.get(), 2);
    static long serial = 1;
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400);
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME* subject = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0);
    X509_set_issuer_name(cert.get(), subject);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
    if (X509_EXTENSION* san = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost")) {
        X509_add_ext(cert.get(), san, -1);
        X509_EXTENSION_free(san);
    }
    if (!X509_sign(cert.get(), key.get(), EVP_sha256())) throw std::runtime_error("test certificate: signing failed");

    TestCertificate out{dir + "/" + name + ".cert.pem", dir + "/" + name + ".key.pem", {}};
    {
        std::unique_ptr<FILE, FileClose> f(std::fopen(out.cert_file.c_str(), "w"));
        if (!f || !PEM_write_X509(f.get(), cert.get())) throw std::runtime_error("test certificate: cannot write " + out.cert_file);
    }
    {
        std::unique_ptr<FILE, FileClose> f(std::fopen(out.key_file.c_str(), "w"));
        if (!f || !PEM_write_PrivateKey(f.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr))
            throw std::runtime_error("test certificate: cannot write " + out.key_file);
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    X509_digest(cert.get(), EVP_sha256(), md, &len);
    static const char hex[] = "0123456789abcdef";
    for (unsigned i = 0; i < len; ++i) {
        out.fingerprint += hex[md[i] >> 4];
        out.fingerprint += hex[md[i] & 15];
    }
    return out;
}

}  // namespace liveblog::test
