#pragma once
// A fictional French live story (a flood in an invented valley) used to seed
// a demo server: one create_story, then entries in publication order. Every
// block passes validate_blocks, and the set uses every block type, the inline
// marks, a key event and a pinned summary, so a client demo exercises the
// whole content model.

#include <vector>

#include "core/command.hpp"

namespace liveblog {

inline constexpr const char* demo_story_id = "demo-en-direct";

std::vector<Command> demo_story_commands();

}  // namespace liveblog
