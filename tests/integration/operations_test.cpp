// What an operator runs around the server: --version and the man page,
// check-config before a restart, a backup taken while the server writes and
// restored after its machine is gone, the refusal to start on a store from
// a newer release, JSON logs, and the log file reopened on SIGHUP (logrotate).

#include <sqlite3.h>

#include <catch2/catch.hpp>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "support/cli_run.hpp"
#include "support/editor.hpp"
#include "support/server_process.hpp"
#include "support/test_certificate.hpp"
#include "support/tls_client.hpp"

using namespace liveblog::test;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    std::string path = make_temp_dir();
    ~TempDir() { fs::remove_all(path); }
};

void write_file(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void set_schema_version(const std::string& db, int version) {
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(db.c_str(), &raw) == SQLITE_OK);
    REQUIRE(sqlite3_exec(raw, ("PRAGMA user_version = " + std::to_string(version)).c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(raw);
}

std::size_t entry_count(unsigned short port, const std::string& story) {
    auto r = http_request(port, "GET", "/api/stories/" + story + "/entries?limit=100");
    REQUIRE(r.status == 200);
    return json::parse(r.body)["entries"].size();
}

}  // namespace

TEST_CASE("operations: --version names the version and the commit, and the man page documents every option") {
    auto version = run_server_cli({"--version"});
    CHECK(version.status == 0);
    CHECK(std::regex_search(version.output, std::regex(R"(^liveblog-server \d+\.\d+\.\d+ \(commit ([0-9a-f]{12}(-dirty)?|unknown)\)\n$)")));
    auto help = run_server_cli({"--help"});
    auto man = run_server_cli({"--man"});
    REQUIRE(help.status == 0);
    REQUIRE(man.status == 0);
    CHECK(man.output.rfind(".TH LIVEBLOG-SERVER 1", 0) == 0);
    std::set<std::string> flags;
    std::istringstream lines(help.output);
    for (std::string line; std::getline(lines, line);) {
        std::smatch m;
        if (std::regex_search(line, m, std::regex(R"(^  (--[a-z0-9-]+))"))) flags.insert(m[1]);
    }
    CHECK(flags.size() > 50);
    for (const auto& flag : flags) {
        INFO(flag);
        std::string roff;  // as the man page spells it: \- for each hyphen
        for (char c : flag) roff += c == '-' ? std::string("\\-") : std::string(1, c);
        CHECK(man.output.find("\\fB" + roff) != std::string::npos);
    }
    for (const char* section : {".SH SYNOPSIS", ".SH OPTIONS", ".SH SIGNALS", ".SH FILES", "check\\-config", "backup"})
        CHECK(man.output.find(section) != std::string::npos);
}

TEST_CASE("operations: check-config accepts a usable config and names every problem of a bad one") {
    TempDir dir;
    auto cert = make_test_certificate(dir.path, "c");
    auto other = make_test_certificate(dir.path, "other");
    const std::string good = dir.path + "/good.json";
    write_file(good, json{{"listen", "127.0.0.1:8443"}, {"data_dir", dir.path + "/data"}, {"tls_cert", cert.cert_file},
                          {"tls_key", cert.key_file}, {"log_format", "json"}}
                         .dump());
    auto ok = run_server_cli({"check-config", "--config", good});
    CHECK(ok.status == 0);
    CHECK(ok.output.find("config OK: " + good) != std::string::npos);
    CHECK(ok.output.find("with TLS") != std::string::npos);
    CHECK_FALSE(fs::exists(dir.path + "/data"));  // checking creates nothing

    struct Case {
        json config;
        std::string expect;
    };
    const std::vector<Case> cases = {
        {{{"listen", "127.0.0.1:99999"}}, "listen: bad port"},
        {{{"threads", "two"}}, "threads: wrong type"},
        {{{"no_such_key", 1}}, "unknown key 'no_such_key'"},
        {{{"tls_cert", cert.cert_file}}, "tls_cert and tls_key go together"},
        {{{"tls_cert", dir.path + "/missing.pem"}, {"tls_key", cert.key_file}}, "tls_cert: cannot load"},
        {{{"tls_cert", cert.cert_file}, {"tls_key", other.key_file}}, "is not the key of"},
        {{{"redirect_listen", "127.0.0.1:8080"}}, "redirect_listen: redirects to https"},
        {{{"log_format", "xml"}}, "log_format: text or json"},
        {{{"log_level", "loud"}, {"store", "postgres"}}, "store: sqlite or memory"},
        {{{"static_dir", dir.path}}, "--static-dir"},
        {{{"data_dir", cert.cert_file}}, "is not a directory"},
    };
    for (const auto& c : cases) {
        INFO(c.config.dump() << " -> " << c.expect);
        const std::string file = dir.path + "/bad.json";
        json config = c.config;
        if (!config.contains("data_dir")) config["data_dir"] = dir.path + "/data";
        write_file(file, config.dump());
        auto r = run_server_cli({"check-config", "--config", file});
        CHECK(r.status == 1);
        CHECK(r.output.find(c.expect) != std::string::npos);
    }
    // Two problems at once are both named.
    write_file(dir.path + "/two.json", json{{"log_level", "loud"}, {"store", "postgres"}}.dump());
    auto two = run_server_cli({"check-config", "--config", dir.path + "/two.json"});
    CHECK(two.output.find("log_level") != std::string::npos);
    CHECK(two.output.find("store") != std::string::npos);
    CHECK(two.output.find("2 problem(s)") != std::string::npos);
}

TEST_CASE("operations: a backup taken while the server writes restores on another machine with every entry it held") {
    TempDir dir;
    std::set<std::string> before_backup;
    {
        fs::create_directories(dir.path + "/live");
        ServerProcess server(ServerProcess::Options{{}, dir.path + "/live", false});
        Editor editor(server.port());
        REQUIRE(editor.create_story("archive")["type"] == "ack");
        std::atomic<bool> writing{true};
        std::atomic<int> written_during{0};
        // Writes go on during the backup: the copy is one consistent commit, whatever it caught.
        std::thread writer([&] {
            Editor other(server.port());
            for (int i = 0; writing && i < 60; ++i)
                if (other.post("archive", "pendant " + std::to_string(i))["type"] == "ack") ++written_during;
        });
        for (int i = 0; i < 20; ++i) {
            auto ack = editor.post("archive", "avant " + std::to_string(i));
            REQUIRE(ack["type"] == "ack");
            before_backup.insert(ack["entry_id"].get<std::string>());
        }
        auto backup = run_server_cli({"backup", "--data-dir", dir.path + "/live", "--output", dir.path + "/backup"});
        writing = false;
        writer.join();
        INFO(backup.output);
        REQUIRE(backup.status == 0);
        CHECK(backup.output.find("checked") != std::string::npos);
        CHECK(written_during > 0);
        // A second backup into the same place is refused, the first one untouched.
        auto again = run_server_cli({"backup", "--data-dir", dir.path + "/live", "--output", dir.path + "/backup"});
        CHECK(again.status == 2);
        CHECK(again.output.find("exists") != std::string::npos);
        server.kill9();  // the machine is gone
    }
    // Restore, as the README says: the two files into an empty data directory, then start.
    fs::create_directories(dir.path + "/restored");
    fs::copy_file(dir.path + "/backup/liveblog.db", dir.path + "/restored/liveblog.db");
    if (fs::exists(dir.path + "/backup/secret")) fs::copy_file(dir.path + "/backup/secret", dir.path + "/restored/secret");
    ServerProcess restored(ServerProcess::Options{{}, dir.path + "/restored", false});
    auto page = http_request(restored.port(), "GET", "/api/stories/archive/entries?limit=100");
    REQUIRE(page.status == 200);
    std::set<std::string> ids;
    const json entries = json::parse(page.body)["entries"];
    for (const auto& e : entries) ids.insert(e["id"].get<std::string>());
    INFO(ids.size() << " entries restored: " << page.body.substr(0, 300));
    for (const auto& id : before_backup) CHECK(ids.count(id) == 1);
    // And it takes new writes.
    Editor editor(restored.port());
    CHECK(editor.post("archive", "après restauration")["type"] == "ack");
}

TEST_CASE("operations: a store from a newer release is refused at start and by check-config, and left as it was") {
    TempDir dir;
    const std::string data = dir.path + "/data";
    fs::create_directories(data);
    {
        ServerProcess server(ServerProcess::Options{{}, data, true});
        CHECK(entry_count(server.port(), "demo-en-direct") > 0);
    }
    set_schema_version(data + "/liveblog.db", 99);
    auto start = run_server_cli({"--listen", "127.0.0.1:0", "--data-dir", data});
    CHECK(start.status == 2);
    CHECK(start.output.find("schema version 99") != std::string::npos);
    CHECK(start.output.find("newer than this build understands") != std::string::npos);
    auto check = run_server_cli({"check-config", "--data-dir", data});
    CHECK(check.status == 1);
    CHECK(check.output.find("schema version 99") != std::string::npos);
    // Nothing was changed: the version is still the newer one (a downgrade never rewrites it).
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(( data + "/liveblog.db").c_str(), &raw) == SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(raw, "PRAGMA user_version", -1, &st, nullptr);
    REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    CHECK(sqlite3_column_int(st, 0) == 99);
    sqlite3_finalize(st);
    sqlite3_close(raw);
}

TEST_CASE("operations: JSON logs, and the log file reopened on SIGHUP after logrotate moved it") {
    TempDir dir;
    const std::string log = dir.path + "/liveblog.log";
    fs::create_directories(dir.path + "/data");
    ServerProcess server(ServerProcess::Options{{"--log-format", "json", "--log-file", log, "--access-log", "true"},
                                                dir.path + "/data", false});
    REQUIRE(http_request(server.port(), "GET", "/healthz").status == 200);
    for (int i = 0; i < 100 && read_file(log).find("/healthz") == std::string::npos; ++i)
        std::this_thread::sleep_for(10ms);
    const std::string first = read_file(log);
    REQUIRE(first.find("/healthz") != std::string::npos);
    std::istringstream lines(first);
    int parsed = 0;
    for (std::string line; std::getline(lines, line);) {
        INFO(line);
        auto j = json::parse(line, nullptr, false);
        REQUIRE_FALSE(j.is_discarded());
        CHECK(j.contains("ts"));
        CHECK(j.contains("level"));
        CHECK(j["msg"].is_string());
        ++parsed;
    }
    CHECK(parsed >= 3);

    fs::rename(log, log + ".1");  // what logrotate does
    server.signal(SIGHUP);
    for (int i = 0; i < 200 && !fs::exists(log); ++i) std::this_thread::sleep_for(10ms);
    REQUIRE(fs::exists(log));
    REQUIRE(http_request(server.port(), "GET", "/readyz").status == 200);
    for (int i = 0; i < 100 && read_file(log).find("/readyz") == std::string::npos; ++i)
        std::this_thread::sleep_for(10ms);
    CHECK(read_file(log).find("/readyz") != std::string::npos);
    CHECK(read_file(log + ".1").find("/readyz") == std::string::npos);
}

TEST_CASE("operations: the Grafana dashboard asks only for metrics the server exposes, TLS and process ones included") {
    TempDir dir;
    auto cert = make_test_certificate(dir.path, "m");
    fs::create_directories(dir.path + "/data");
    ServerProcess server(ServerProcess::Options{{"--tls-cert", cert.cert_file, "--tls-key", cert.key_file},
                                                dir.path + "/data", true});
    const std::string dashboard = read_file(std::string(LIVEBLOG_SOURCE_DIR) + "/docs/ops/grafana-dashboard.json");
    const json d = json::parse(dashboard);
    REQUIRE(d["panels"].size() > 10);
    // Some families appear with their first sample (the HTTP responses, the read cache): serve a page first.
    REQUIRE(https_exchange(server.port(), "GET", "/stories/demo-en-direct").status == 200);
    auto scrape = https_exchange(server.port(), "GET", "/metrics");
    REQUIRE(scrape.status == 200);
    std::set<std::string> exposed;
    std::istringstream lines(scrape.body);
    for (std::string line; std::getline(lines, line);) {
        std::smatch m;
        if (std::regex_search(line, m, std::regex(R"(^# TYPE ([a-z_]+) )"))) exposed.insert(m[1]);
    }
    CHECK(exposed.count("liveblog_tls_certificate_expiry_seconds") == 1);
    CHECK(exposed.count("process_open_fds") == 1);
    CHECK(scrape.body.find("liveblog_build_info{commit=") != std::string::npos);
    std::set<std::string> asked;
    const std::regex metric_name(R"(\b((liveblog|process)_[a-z_]+))");
    for (const auto& panel : d["panels"])
        if (panel.contains("targets"))
            for (const auto& t : panel["targets"]) {
                const std::string expr = t["expr"];
                for (std::sregex_iterator it(expr.begin(), expr.end(), metric_name), end;
                     it != end; ++it) {
                    std::string name = (*it)[1];
                    for (const char* suffix : {"_bucket", "_sum", "_count"})
                        if (name.size() > std::strlen(suffix) && name.ends_with(suffix))
                            name.resize(name.size() - std::strlen(suffix));
                    asked.insert(name);
                }
            }
    CHECK(asked.size() >= 15);
    for (const auto& name : asked) {
        INFO(name);
        CHECK(exposed.count(name) == 1);
    }
}
