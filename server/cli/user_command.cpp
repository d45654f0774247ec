#include "cli/user_command.hpp"

#include <iostream>
#include <stdexcept>

#include "accounts/accounts.hpp"
#include "accounts/password.hpp"
#include "cli/open_store.hpp"
#include "common/clock.hpp"
#include "common/config.hpp"
#include "core/validation.hpp"

namespace liveblog {

namespace {

constexpr const char* usage =
    "usage: liveblog-server user add --email EMAIL --name NAME --role contributor|editor|admin\n"
    "                                [--story ID]... [--password-stdin] [--config FILE | --data-dir DIR | --redis URL]\n"
    "  Creates an account. Without --password-stdin a password is generated and printed once;\n"
    "  with it, the first line of standard input is the password (at least 10 characters).\n";

}  // namespace

int user_command(const std::vector<std::string>& args) {
    if (args.empty() || args[0] == "--help") {
        std::cout << usage;
        return args.empty() ? 2 : 0;
    }
    if (args[0] != "add") throw std::runtime_error("user: unknown subcommand '" + args[0] + "' (see user --help)");
    accounts::NewUser n;
    bool role_given = false, password_stdin = false;
    std::vector<std::string> server_flags;  // --config, --data-dir, --store, --redis...: where the store is
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--help") {
            std::cout << usage;
            return 0;
        }
        if (a == "--password-stdin") {
            password_stdin = true;
            continue;
        }
        if (i + 1 >= args.size()) throw std::runtime_error(a + " needs a value");
        const std::string& v = args[++i];
        if (a == "--email") n.email = v;
        else if (a == "--name") n.name = v;
        else if (a == "--role") {
            auto role = parse_role(v);
            if (!role) throw std::runtime_error("--role: contributor, editor or admin");
            n.role = *role;
            role_given = true;
        } else if (a == "--story") {
            if (!is_valid_slug(v)) throw std::runtime_error("--story: '" + v + "' is not a story id ([a-z0-9-]{1,64})");
            if (!n.stories) n.stories.emplace();
            n.stories->push_back(v);
        } else {
            server_flags.push_back(a);
            server_flags.push_back(v);
        }
    }
    if (n.email.empty() || n.name.empty() || !role_given)
        throw std::runtime_error("user add needs --email, --name and --role (see user --help)");
    Config config;
    config.demo = false;
    parse_server_args(config, server_flags);
    accounts::check_new_user(n);

    std::string password;
    if (password_stdin) {
        if (!std::getline(std::cin, password)) throw std::runtime_error("--password-stdin: no password on standard input");
        if (!password.empty() && password.back() == '\r') password.pop_back();
        check_password_rule(password);
    } else {
        password = generate_password();
    }
    n.password_hash = hash_password(password);

    auto store = open_store(config);
    accounts::User created;
    store->write([&](StoreTxn& txn) {
        const Millis now = now_millis();
        created = accounts::create_user(txn, n, now);
        accounts::AuditEvent e;
        e.at = now;
        e.action = "user.created";
        e.actor_name = "command line";
        e.target = created.id;
        e.details = {{"email", created.email}, {"role", to_string(created.role)}};
        accounts::append_audit(txn, e);
    });
    std::cout << "created " << to_string(created.role) << " " << created.name << " <" << created.email << "> ("
              << created.id << ")" << std::endl;
    if (!password_stdin) std::cout << "password (shown once): " << password << std::endl;
    return 0;
}

}  // namespace liveblog
