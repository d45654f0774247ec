#pragma once
// A self-signed certificate made at test time (OpenSSL, P-256, CN and
// subjectAltName 127.0.0.1 and localhost), written as PEM files.

#include <string>

namespace liveblog::test {

struct TestCertificate {
    std::string cert_file;
    std::string key_file;
    std::string fingerprint;  // SHA-256 of the DER certificate, hex
};

// Writes <dir>/<name>.cert.pem and <dir>/<name>.key.pem; throws on failure.
TestCertificate make_test_certificate(const std::string& dir, const std::string& name = "test",
                                      const std::string& common_name = "127.0.0.1");

}  // namespace liveblog::test
