#include "support/witness.hpp"

#include <catch2/catch.hpp>

namespace liveblog::test {

Witness::Witness(unsigned short port, Editor& editor, std::string story)
    : editor_(editor), story_(std::move(story)), reader_(port) {
    editor_.create_story(story_);
    reader_.send({{"type", "subscribe"}, {"story", story_}});
    reader_.recv_type("subscribed");
}

void Witness::still_served() {
    json ack = editor_.post(story_, "témoin " + std::to_string(++posted_));
    REQUIRE(ack.value("type", std::string()) == "ack");
    const long seq = ack["seq"].get<long>();
    while (last_seq_ < seq) {
        json m = reader_.recv_type("event");
        REQUIRE(m["seq"].get<long>() == last_seq_ + 1);  // once each, in order, no gap
        last_seq_ = m["seq"].get<long>();
    }
}

namespace {
ServerProcess::Options options_with(std::initializer_list<std::string> args) {
    ServerProcess::Options options;
    for (const auto& a : args) options.args.push_back(a);
    return options;
}
}  // namespace

UnderAttack::UnderAttack(std::initializer_list<std::string> args, const std::string& target_story)
    : server(options_with(args)), editor(server.port()), witness(server.port(), editor) {
    if (!target_story.empty()) editor.create_story(target_story);
}

}  // namespace liveblog::test
