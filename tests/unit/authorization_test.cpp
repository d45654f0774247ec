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
    {Action::read_desk, {true, true, true, true}},
    {Action::write_draft, {true, true, true, true}},
    {Action::review_draft, {false, true, true, true}},
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

TEST_CASE("authorization: each command is its action and on its story", "[authorization]") {
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

TEST_CASE("authorization: the desk - each desk action x role x owner x state", "[authorization]") {
    // Which desk actions are review_draft (contributors never), which write_draft.
    const std::map<DeskAction, Action> kind = {
        {DeskAction::save, Action::write_draft},         {DeskAction::submit, Action::write_draft},
        {DeskAction::send_back, Action::write_draft},    {DeskAction::remove, Action::write_draft},
        {DeskAction::schedule, Action::review_draft},    {DeskAction::unschedule, Action::review_draft},
        {DeskAction::publish, Action::review_draft},
    };
    // What a contributor may do to their own item, by state (written out).
    const std::map<std::pair<DeskAction, DeskState>, bool> own = {
        {{DeskAction::save, DeskState::draft}, true},        {{DeskAction::save, DeskState::in_review}, false},
        {{DeskAction::save, DeskState::scheduled}, false},   {{DeskAction::submit, DeskState::draft}, true},
        {{DeskAction::submit, DeskState::in_review}, false}, {{DeskAction::submit, DeskState::scheduled}, false},
        {{DeskAction::remove, DeskState::draft}, true},      {{DeskAction::remove, DeskState::in_review}, false},
        {{DeskAction::remove, DeskState::scheduled}, false}, {{DeskAction::send_back, DeskState::draft}, false},
        {{DeskAction::send_back, DeskState::in_review}, true}, {{DeskAction::send_back, DeskState::scheduled}, false},
    };
    for (const auto& [action, want] : kind) {
        DeskCommand c;
        c.action = action;
        c.story = "mine";
        c.draft_id = "d1";
        INFO(to_string(action));
        CHECK(action_of(Command{c}) == want);
        CHECK(allowed(principal(Role::contributor, Scope::in_scope), want, "mine") == (want == Action::write_draft));
        for (DeskState state : {DeskState::draft, DeskState::in_review, DeskState::scheduled}) {
            DeskItem item;
            item.owner_id = "u_anne";
            item.state = state;
            INFO(to_string(state));
            // Editors and admins: any item, any state (the rules check the state machine).
            CHECK(may_handle_draft(Role::editor, "u_paul", action, item));
            CHECK(may_handle_draft(Role::admin, "u_paul", action, item));
            // A contributor: never someone else's; their own as the table says.
            CHECK_FALSE(may_handle_draft(Role::contributor, "u_bob", action, item));
            CHECK_FALSE(may_handle_draft(Role::contributor, "", action, item));
            const auto it = own.find({action, state});
            CHECK(may_handle_draft(Role::contributor, "u_anne", action, item) == (it != own.end() && it->second));
        }
    }
}

TEST_CASE("authorization: stamp_actor names the principal on desk commands", "[authorization]") {
    Principal p = principal(Role::contributor, Scope::every_story);
    p.user_id = "u_anne";
    p.name = "Anne";
    Command c = DeskCommand{};
    stamp_actor(c, p);
    const auto& d = std::get<DeskCommand>(c);
    CHECK(d.actor == "Anne");
    CHECK(d.actor_id == "u_anne");
    CHECK(d.actor_role == Role::contributor);
}
