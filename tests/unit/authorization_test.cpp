// The role matrix: every action x role x scope, against the table the issue
// and docs/protocol.md ("Roles") state, written out here independently of
// core/authorization's switch.

#include <catch2/catch.hpp>

#include <map>

#include "core/authorization.hpp"

using namespace liveblog;

namespace {

enum class Scope { every_story, in_scope, out_of_scope };

Principal principal(Role role, Scope scope) {
    Principal p;
    p.role = role;
    p.name = "x";
    if (scope != Scope::every_story) p.stories = std::vector<std::string>{"mine", "also-mine"};
    return p;
}

// Expected: for each action, which roles may, and whether the story scope applies.
struct Rule {
    bool contributor, editor, admin;
    bool scoped;
};
const std::map<Action, Rule> expected = {
    {Action::create_story, {false, false, true, false}},
    {Action::update_story, {false, true, true, true}},
    {Action::publish_entry, {false, true, true, true}},
    {Action::update_entry, {false, true, true, true}},
    {Action::delete_entry, {false, true, true, true}},
    {Action::pin_entry, {false, true, true, true}},
    {Action::read_history, {true, true, true, true}},
    {Action::manage_users, {false, false, true, false}},
    {Action::manage_tokens, {false, false, true, false}},
    {Action::read_audit, {false, false, true, false}},
};

bool allowed(const Principal& p, Action a, const std::string& story) {
    try {
        authorize(p, a, story);
        return true;
    } catch (const Error& e) {
        CHECK(e.code == ErrorCode::forbidden);
        CHECK_FALSE(e.message.empty());
        return false;
    }
}

}  // namespace

TEST_CASE("authorization: every action x role x scope", "[authorization]") {
    REQUIRE(expected.size() == static_cast<std::size_t>(Action::read_audit) + 1);  // every action is in the table
    for (const auto& [action, rule] : expected) {
        for (Role role : {Role::contributor, Role::editor, Role::admin}) {
            const bool role_may = role == Role::contributor ? rule.contributor : role == Role::editor ? rule.editor : rule.admin;
            CHECK(role_allows(role, action) == role_may);
            for (Scope scope : {Scope::every_story, Scope::in_scope, Scope::out_of_scope}) {
                INFO(to_string(action) << " by " << to_string(role) << ", scope " << static_cast<int>(scope));
                const std::string story = scope == Scope::out_of_scope ? "theirs" : "mine";
                const bool want = role_may && !(rule.scoped && scope == Scope::out_of_scope);
                CHECK(allowed(principal(role, scope), action, story) == want);
            }
        }
    }
}

TEST_CASE("authorization: each command is its action, on its story", "[authorization]") {
    PostEntry post;
    post.story = "mine";
    UpdateEntry update;
    update.story = "mine";
    DeleteEntry del;
    del.story = "theirs";
    SetPinned pin;
    pin.story = "mine";
    CreateStory create;
    create.id = "new-one";
    UpdateStory status;
    status.id = "mine";
    CHECK(action_of(post) == Action::publish_entry);
    CHECK(action_of(update) == Action::update_entry);
    CHECK(action_of(del) == Action::delete_entry);
    CHECK(action_of(pin) == Action::pin_entry);
    CHECK(action_of(create) == Action::create_story);
    CHECK(action_of(status) == Action::update_story);

    const Principal scoped_editor = principal(Role::editor, Scope::in_scope);
    CHECK_NOTHROW(authorize(scoped_editor, Command{post}));
    CHECK_THROWS_AS(authorize(scoped_editor, Command{del}), Error);  // out of its scope
    CHECK_THROWS_AS(authorize(scoped_editor, Command{create}), Error);
    // A scoped admin creates stories (story creation is not scoped), and acts only in scope.
    const Principal scoped_admin = principal(Role::admin, Scope::in_scope);
    CHECK_NOTHROW(authorize(scoped_admin, Command{create}));
    CHECK_THROWS_AS(authorize(scoped_admin, Command{del}), Error);
    const Principal contributor = principal(Role::contributor, Scope::every_story);
    for (const Command& c : {Command{post}, Command{update}, Command{del}, Command{pin}, Command{create}, Command{status}})
        CHECK_THROWS_AS(authorize(contributor, c), Error);
}
