#include "cli/usage.hpp"

#include "common/config.hpp"
#include "common/version.hpp"

namespace liveblog {

namespace {

constexpr const char* synopsis =
    "usage: liveblog-server [--listen HOST:PORT] [--data-dir DIR] [--config FILE] [options]\n"
    "       liveblog-server check-config --config FILE [options]\n"
    "       liveblog-server backup --output DIR [--config FILE | --data-dir DIR]\n"
    "       liveblog-server user add --email EMAIL --name NAME --role contributor|editor|admin [--config FILE]\n"
    "       liveblog-server token --sub NAME --role contributor|editor|admin [--story ID]... [--ttl 12h]\n"
    "                             [--config FILE | --data-dir DIR] [--secret-file PATH]\n"
    "       liveblog-server --version\n";

// Text as roff: backslashes escaped, hyphens as real minus signs (flags
// must be typed as ASCII hyphen-minus), a leading dot or quote defused.
std::string roff(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '\\') out += "\\e";
        else if (c == '-') out += "\\-";
        else out += c;
    }
    if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out.insert(0, "\\&");
    return out;
}

}  // namespace

std::string server_usage() {
    std::string out = std::string(synopsis) +
                      "\nEvery option is also a key of the JSON config file (--max-queue-bytes <-> \"max_queue_bytes\").\n"
                      "The token signing secret comes from $LIVEBLOG_SECRET, else --secret-file, else <data-dir>/secret\n"
                      "(generated on first start). Signals: SIGTERM/SIGINT stop gracefully; SIGHUP reloads the TLS\n"
                      "certificate and key and reopens the log file. man liveblog-server has the whole manual.\n\noptions:\n";
    for (const auto& o : server_options())
        out += "  " + o.flag + std::string(o.flag.size() < 28 ? 28 - o.flag.size() : 1, ' ') + o.help + "\n";
    return out;
}

std::string server_version_line() {
    return std::string("liveblog-server ") + liveblog_version() + " (commit " + liveblog_commit() + ")";
}

std::string server_manpage() {
    std::string m;
    m += ".TH LIVEBLOG-SERVER 1 \"\" \"liveblog " + std::string(liveblog_version()) + "\" \"User Commands\"\n";
    m += ".SH NAME\nliveblog\\-server \\- live\\-blog push server (WebSocket, SSE, HTTP)\n";
    m += ".SH SYNOPSIS\n.nf\n";
    std::string s = synopsis;
    for (std::size_t start = 0; start < s.size();) {
        auto nl = s.find('\n', start);
        std::string line = s.substr(start, nl - start);
        if (line.rfind("usage: ", 0) == 0) line = line.substr(7);
        while (!line.empty() && line[0] == ' ') line.erase(0, 1);
        m += roff(line) + "\n";
        start = nl + 1;
    }
    m += ".fi\n";
    m += ".SH DESCRIPTION\n"
         "liveblog serves live coverage of a developing story: editors post, edit, correct, pin and delete entries "
         "from the console (/editor) or the API, and every reader's open page (/stories/ID) updates within "
         "milliseconds over WebSocket (/ws) or Server\\-Sent Events, with no gap and no duplicate on reconnect. "
         "One process with its embedded SQLite database serves a newsroom; several processes sharing a Redis "
         "serve a national event (\\fB\\-\\-redis\\fR).\n"
         ".PP\nWith no subcommand the server starts. Settings come from the defaults, then the JSON file named by "
         "\\fB\\-\\-config\\fR, then the flags; each later source wins. Every option below is also a key of the "
         "config file: \\fB\\-\\-max\\-queue\\-bytes\\fR is \\fBmax_queue_bytes\\fR.\n";
    m += ".SH COMMANDS\n"
         ".TP\n\\fBcheck\\-config \\-\\-config\\fR \\fIFILE\\fR\nValidates the settings (types, values, the "
         "client files, the TLS certificate and key, the data directory) without starting; exit status 0 when "
         "they are usable, 1 with one line per problem otherwise.\n"
         ".TP\n\\fBbackup \\-\\-output\\fR \\fIDIR\\fR\nCopies the SQLite store (consistent while the server "
         "runs, integrity\\-checked) and the signing secret into a new directory \\fIDIR\\fR. To restore: stop the "
         "server, put both files in the data directory, start it.\n"
         ".TP\n\\fBuser add\\fR\nCreates a console account (see \\fBliveblog\\-server user \\-\\-help\\fR).\n"
         ".TP\n\\fBtoken\\fR\nPrints a signed editor token for machines (see \\fBliveblog\\-server token "
         "\\-\\-help\\fR).\n"
         ".TP\n\\fB\\-\\-version\\fR\nPrints the version and the git commit of the build.\n";
    m += ".SH OPTIONS\n";
    for (const auto& o : server_options()) m += ".TP\n\\fB" + roff(o.flag) + "\\fR\n" + roff(o.help) + "\n";
    m += ".SH SIGNALS\n.TP\n\\fBSIGTERM\\fR, \\fBSIGINT\\fR\nStop: connections are closed with 1001 (going away), "
         "acknowledged writes are on disk.\n.TP\n\\fBSIGHUP\\fR\nReloads the TLS certificate and key (new "
         "connections use them; open ones keep theirs; a file that does not load leaves the old pair in use) and "
         "reopens \\fBlog_file\\fR (after logrotate moved it).\n";
    m += ".SH ENVIRONMENT\n.TP\n\\fBLIVEBLOG_SECRET\\fR\nThe token signing secret (else \\fBsecret_file\\fR, "
         "else \\fIDATA_DIR\\fR/secret, generated on first start).\n.TP\n\\fBLIVEBLOG_REDIS_PASSWORD\\fR\nThe "
         "Redis password, when not in the URL or the config.\n";
    m += ".SH FILES\n.TP\n\\fI/etc/liveblog/config.json\\fR\nThe Debian package's configuration (read by "
         "liveblog.service).\n.TP\n\\fI/var/lib/liveblog\\fR\nThe package's data directory: liveblog.db (SQLite), "
         "secret.\n.TP\n\\fIPREFIX/share/liveblog/client\\fR\nThe browser files served under /static/ and "
         "/editor, found from the executable's own location.\n.TP\n\\fIPREFIX/share/liveblog/"
         "config.example.json\\fR\nA starting point for a config (every key is an option above).\n";
    m += ".SH EXIT STATUS\n0 after a clean stop; 1 when check\\-config finds problems; 2 when the server cannot "
         "start (the message says why).\n";
    m += ".SH SEE ALSO\nREADME.md (\"Install and operate\") in /usr/share/doc/liveblog, and docs/protocol.md in "
         "the source.\n";
    return m;
}

}  // namespace liveblog
