#include <catch2/catch.hpp>

#include "websocket/handshake.hpp"

using namespace liveblog::ws;

TEST_CASE("websocket handshake: the accept key of RFC 6455's example", "[websocket]") {
    CHECK(accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST_CASE("websocket handshake: client keys must be 16 bytes in base64", "[websocket]") {
    CHECK(valid_client_key("dGhlIHNhbXBsZSBub25jZQ=="));
    CHECK_FALSE(valid_client_key(""));
    CHECK_FALSE(valid_client_key("dGhlIHNhbXBsZSBub25jZQ="));     // 23 characters
    CHECK_FALSE(valid_client_key("dGhlIHNhbXBsZSBub25jZQ=x"));    // no padding
    CHECK_FALSE(valid_client_key("dGhlIHNhbXBsZSBub25j*Q=="));    // not base64
    CHECK_FALSE(valid_client_key("dGhlIHNhbXBsZSBub25jZQ==AAAA"));
}
