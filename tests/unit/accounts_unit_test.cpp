// Accounts' building blocks: passwords, credentials' formats, the sign-in
// throttle, and the account rules on a real (memory) store transaction.

#include <catch2/catch.hpp>

#include "accounts/accounts.hpp"
#include "accounts/credentials.hpp"
#include "accounts/login_throttle.hpp"
#include "accounts/password.hpp"
#include "common/error_code.hpp"
#include "store/memory_store.hpp"

using namespace liveblog;
using namespace liveblog::accounts;

TEST_CASE("accounts: Argon2id hashes verify, carry their parameters, and differ by salt", "[accounts]") {
    const std::string h = hash_password("correct horse battery");
    CHECK(h.rfind("$argon2id$", 0) == 0);
    CHECK(verify_password(h, "correct horse battery"));
    CHECK_FALSE(verify_password(h, "correct horse batterY"));
    CHECK_FALSE(verify_password("not a hash", "correct horse battery"));
    CHECK_FALSE(verify_password("", ""));
    CHECK(hash_password("correct horse battery") != h);
    CHECK_THROWS_AS(check_password_rule("short"), Error);
    CHECK_THROWS_AS(check_password_rule(std::string(1025, 'x')), Error);
    CHECK_NOTHROW(check_password_rule("ten chars!"));
    const std::string g = generate_password();
    CHECK(g.size() == 20);
    CHECK(g.find_first_not_of("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") == std::string::npos);
    CHECK(generate_password() != g);
}

TEST_CASE("accounts: API token and cookie formats", "[accounts]") {
    const std::string id = new_api_token_id(), secret = new_secret();
    const std::string token = format_api_token(id, secret);
    auto parts = parse_api_token(token);
    REQUIRE(parts);
    CHECK(parts->id == id);
    CHECK(parts->secret == secret);
    const std::vector<std::string> bad_tokens{"lbt_", "lbt_t_123_x", "xyz_" + id + "_" + secret, "lbt_" + id + secret,
                                              "lbt_" + id + "_" + secret + "=", "lbt_t_ZZZZZZZZZZZZZZZZ_" + secret};
    for (const auto& bad : bad_tokens)
        CHECK_FALSE(parse_api_token(bad));
    CHECK(cookie_value("a=1; liveblog_session=abc; b=2", "liveblog_session") == std::optional<std::string>("abc"));
    CHECK(cookie_value("liveblog_session_x=1", "liveblog_session") == std::nullopt);
    CHECK(cookie_value("", "liveblog_session") == std::nullopt);
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(equal_in_constant_time("abc", "abc"));
    CHECK_FALSE(equal_in_constant_time("abc", "abd"));
    CHECK_FALSE(equal_in_constant_time("abc", "abcd"));
}

TEST_CASE("accounts: the sign-in throttle refills over its window and stays bounded", "[accounts]") {
    using namespace std::chrono;
    LoginThrottle t(3, 30, 100);  // 3 per 30 s: one every 10 s
    auto t0 = LoginThrottle::Clock::now();
    CHECK(t.take("a", t0) == 0);
    CHECK(t.take("a", t0) == 0);
    CHECK(t.take("a", t0) == 0);
    CHECK(t.take("a", t0) == 10);
    CHECK(t.retry_after("a", t0 + seconds(5)) == 5);
    CHECK(t.take("b", t0) == 0);  // another key has its own
    CHECK(t.take("a", t0 + seconds(10)) == 0);
    for (int i = 0; i < 500; ++i) t.take("k" + std::to_string(i), t0 + seconds(11));
    CHECK(t.size() <= 100);
}

TEST_CASE("accounts: rules check before they save", "[accounts]") {
    MemoryStore store;
    User ada;
    store.write([&](StoreTxn& txn) {
        ada = create_user(txn, NewUser{"Ada@Example.org", "Ada", Role::admin, std::nullopt, "h"}, 1000);
    });
    CHECK(find_user_by_email(store, " ada@example.ORG")->id == ada.id);
    // A second account with the same email (any case) is refused, and writes nothing.
    CHECK_THROWS_AS(store.write([&](StoreTxn& txn) {
        create_user(txn, NewUser{"ADA@example.org", "Other", Role::editor, std::nullopt, "h"}, 1000);
    }),
                    Error);
    CHECK(list_users(store).size() == 1);
    for (auto bad : {"", "no-at", "a@", "@b", "a b@c", "a@b@c"}) {
        INFO(bad);
        CHECK_THROWS_AS(check_new_user(NewUser{bad, "N", Role::editor, std::nullopt, "h"}), Error);
    }
    CHECK_THROWS_AS(check_new_user(NewUser{"a@b", "N", Role::editor, std::vector<std::string>{"Bad Slug"}, "h"}), Error);
    // Changing one's own role is refused; a new password ends the sessions.
    store.write([&](StoreTxn& txn) {
        UserChanges self;
        self.role = Role::editor;
        CHECK_THROWS_AS(update_user(txn, ada.id, self, ada.id, 2000), Error);
        UserChanges pw;
        pw.password_hash = "h2";
        CHECK(update_user(txn, ada.id, pw, "someone-else", 2000).session_generation == ada.session_generation + 1);
    });
    // An email move frees the old one and takes the new one.
    store.write([&](StoreTxn& txn) {
        UserChanges c;
        c.email = "ada.l@example.org";
        update_user(txn, ada.id, c, "someone-else", 3000);
    });
    CHECK_FALSE(find_user_by_email(store, "ada@example.org"));
    CHECK(find_user_by_email(store, "ada.l@example.org"));
    // Audit keys sort by time.
    CHECK(new_audit_key(1000) < new_audit_key(2000));
    CHECK(new_audit_key(1000).substr(0, 15) == "000000000001000");
}
