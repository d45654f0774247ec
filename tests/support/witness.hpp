#pragma once
// A well-behaved reader that follows one story while a test attacks the
// server: each check posts an entry and waits for it, and the witness checks
// that every event it ever got arrived once, in seq order, with no gap.
// "The server keeps serving everyone else" is this class's job to show.

#include <string>

#include "support/editor.hpp"
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

}  // namespace liveblog::test
