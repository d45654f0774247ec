#pragma once
// A well-behaved reader that follows one story while a test attacks the
// server: each check posts an entry and waits for it, and the witness checks
// that every event it ever got arrived once, in seq order, with no gap.
// "The server keeps serving everyone else" is this class's job to show.

#include <string>

#include <initializer_list>

#include "support/editor.hpp"
#include "support/server_process.hpp"
#include "support/ws_client.hpp"

namespace liveblog::test {

class Witness {
public:
    // Creates `story` through `editor` and subscribes to it.
    Witness(unsigned short port, Editor& editor, std::string story = "temoin");
    // Posts an entry and returns once the witness has it live; throws (the
    // test fails) if it does not arrive within 5 s.
    void still_served();
    // Events received so far (all consecutive seqs from 1).
    long events() const { return last_seq_; }

private:
    Editor& editor_;
    std::string story_;
    WsClient reader_;
    long last_seq_ = 0;
    int posted_ = 0;
};

// The stage of an attack test: the real server (with extra flags), an admin
// editor, the witness, and the story under attack when one is named.
//   UnderAttack stage({"--auth-timeout-s", "1"}, "cible");
//   auto& [server, editor, witness] = stage;
struct UnderAttack {
    explicit UnderAttack(std::initializer_list<std::string> args = {}, const std::string& target_story = {});
    ServerProcess server;
    Editor editor;
    Witness witness;
};

}  // namespace liveblog::test
