#include "core/desk_rules.hpp"

#include "common/random.hpp"
#include "core/authorization.hpp"
#include "core/command_rules.hpp"
#include "core/desk.hpp"
#include "core/revision.hpp"

namespace liveblog {

const char* to_string(DeskAction a) {
    switch (a) {
        case DeskAction::save: return "save_draft";
        case DeskAction::submit: return "submit_draft";
        case DeskAction::send_back: return "send_back_draft";
        case DeskAction::schedule: return "schedule_draft";
        case DeskAction::unschedule: return "unschedule_draft";
        case DeskAction::publish: return "publish_draft";
        case DeskAction::remove: return "delete_draft";
    }
    return "?";
}

namespace {

// Who the scheduler's revisions name.
const char* const scheduler_name = "liveblog";

struct DeskRules {
    StoreTxn& txn;
    const DeskCommand& c;
    Millis now;

    static CommandResult refuse(ErrorCode code, std::string message) {
        return CommandResult::failure(code, std::move(message));
    }

    void apply_content(DeskItem& d) const {
        if (c.author) d.author = *c.author;
        if (c.title) d.title = *c.title;
        if (c.key_event) d.key_event = *c.key_event;
        if (c.pinned) d.pinned = *c.pinned;
        if (c.blocks) d.blocks = *c.blocks;
    }

    Revision revision_of(const DeskItem& d, const char* action) const {
        Revision r;
        r.story = d.story;
        r.entry_id = d.id;
        r.version = d.version;
        r.at = now;
        r.by = c.by_scheduler ? scheduler_name : c.actor;
        r.action = action;
        r.title = d.title;
        r.key_event = d.key_event;
        r.pinned = d.pinned;
        r.blocks = d.blocks;
        r.state = to_string(d.state);
        return r;
    }

    // Saves the item (still on the desk) and its revision; the result names it.
    CommandResult keep(const Story& story, DeskItem& d, Revision rev) {
        d.updated_at = now;
        txn.save_record(desk_collection, to_record(d));
        save_revision(txn, rev);
        CommandResult r;
        r.seq = story.seq;
        r.version = d.version;
        r.desk = DeskChange{d.story, d.id, desk_item_json(d), {}};
        return r;
    }

    void unschedule_record(const DeskItem& d) {
        if (d.state == DeskState::scheduled)
            txn.delete_record(schedule_collection, schedule_key(d.publish_at, d.story, d.id));
    }

    CommandResult create(const Story& story) {
        DeskItem d;
        d.id = make_entry_id(now);
        d.story = story.id;
        d.owner_id = c.actor_id;
        d.owner_name = c.actor;
        d.author = c.actor;
        d.created_at = now;
        apply_content(d);
        return keep(story, d, revision_of(d, "drafted"));
    }

    CommandResult publish(Story& story, DeskItem& d, const char* action) {
        if (story.status == StoryStatus::ended) {
            if (!c.by_scheduler)
                return refuse(ErrorCode::story_ended, "story '" + story.id + "' has ended; set it live to publish");
            // Its time came on an ended story: back to the review queue, saying why.
            unschedule_record(d);
            d.state = DeskState::in_review;
            d.version += 1;
            d.comment = DeskComment{scheduler_name, now, "not published at its time: the story had ended"};
            Revision rev = revision_of(d, "unscheduled");
            rev.comment = d.comment->text;
            return keep(story, d, rev);
        }
        unschedule_record(d);
        txn.delete_record(desk_collection, desk_key(d.story, d.id));
        Entry en;
        en.id = d.id;
        en.version = d.version + 1;
        en.author = d.author;
        en.title = d.title;
        en.key_event = d.key_event;
        en.pinned = d.pinned;
        en.blocks = d.blocks;
        CommandResult r = create_entry(txn, story, std::move(en), now);
        DeskItem after = d;
        after.version = r.version;
        Revision rev = revision_of(after, action);
        rev.state.reset();  // published
        save_revision(txn, rev);
        r.desk = DeskChange{d.story, d.id, std::nullopt, d.id};
        return r;
    }

    // The scheduler's publish of the schedule record (story, id, publish_at).
    CommandResult scheduled_publish(std::optional<Story>& story, const std::optional<Record>& rec) {
        std::optional<DeskItem> d;
        if (rec) d = desk_item_from(*rec);
        if (story && d && d->state == DeskState::scheduled && d->publish_at == c.publish_at && d->publish_at <= now)
            return publish(*story, *d, "published_on_schedule");
        // Published by another node or an editor, or rescheduled: nothing to
        // do, but a schedule record no item matches any more goes (it would
        // be read again every pass).
        const std::string stale = schedule_key(c.publish_at, c.story, c.draft_id);
        if (!d || d->state != DeskState::scheduled || schedule_key(d->publish_at, d->story, d->id) != stale)
            txn.delete_record(schedule_collection, stale);  // absent: a no-op
        return CommandResult{};
    }

    CommandResult run() {
        auto story = txn.load_story(c.story);
        if (c.by_scheduler)
            return scheduled_publish(story, txn.load_record(desk_collection, desk_key(c.story, c.draft_id)));
        if (!story) return refuse(ErrorCode::unknown_story, "no story '" + c.story + "'");
        if (c.action == DeskAction::save && c.draft_id.empty()) return create(*story);

        auto rec = txn.load_record(desk_collection, desk_key(c.story, c.draft_id));
        if (!rec) return refuse(ErrorCode::unknown_draft, "no draft '" + c.draft_id + "' on the desk of '" + c.story + "'");
        DeskItem d = desk_item_from(*rec);
        if (!may_handle_draft(c.actor_role, c.actor_id, c.action, d))
            return refuse(ErrorCode::forbidden, std::string("a contributor may ") + to_string(c.action) +
                                                    " only their own drafts, and not once " + to_string(d.state));
        if (c.expected_version)
            if (auto fail = version_conflict(d.id, d.version, *c.expected_version)) return *fail;

        switch (c.action) {
            case DeskAction::save: {
                apply_content(d);
                d.version += 1;
                return keep(*story, d, revision_of(d, "edited"));
            }
            case DeskAction::submit: {
                if (d.state != DeskState::draft)
                    return refuse(ErrorCode::invalid_state, "only a draft is submitted; this item is " +
                                                                std::string(to_string(d.state)));
                d.state = DeskState::in_review;
                d.comment.reset();
                d.version += 1;
                return keep(*story, d, revision_of(d, "submitted"));
            }
            case DeskAction::send_back: {
                if (d.state == DeskState::draft)
                    return refuse(ErrorCode::invalid_state, "this item is a draft already");
                unschedule_record(d);
                d.state = DeskState::draft;
                if (c.comment) d.comment = DeskComment{c.actor, now, *c.comment};
                else d.comment.reset();
                d.version += 1;
                Revision rev = revision_of(d, "sent_back");
                rev.comment = c.comment;
                return keep(*story, d, rev);
            }
            case DeskAction::schedule: {
                if (c.publish_at <= now)
                    return refuse(ErrorCode::bad_request, "publish_at: must be in the future");
                if (c.publish_at > now + max_schedule_ahead_ms)
                    return refuse(ErrorCode::bad_request, "publish_at: at most a year ahead");
                unschedule_record(d);
                d.state = DeskState::scheduled;
                d.publish_at = c.publish_at;
                d.version += 1;
                txn.save_record(schedule_collection, schedule_record(d));
                Revision rev = revision_of(d, "scheduled");
                rev.publish_at = d.publish_at;
                return keep(*story, d, rev);
            }
            case DeskAction::unschedule: {
                if (d.state != DeskState::scheduled)
                    return refuse(ErrorCode::invalid_state, "this item is not scheduled");
                unschedule_record(d);
                d.state = DeskState::in_review;
                d.version += 1;
                return keep(*story, d, revision_of(d, "unscheduled"));
            }
            case DeskAction::publish: {
                apply_content(d);
                return publish(*story, d, "published");
            }
            case DeskAction::remove: {
                unschedule_record(d);
                txn.delete_record(desk_collection, desk_key(d.story, d.id));
                d.version += 1;
                save_revision(txn, revision_of(d, "deleted"));
                CommandResult r;
                r.seq = story->seq;
                r.version = d.version;
                r.desk = DeskChange{d.story, d.id, std::nullopt, {}};
                return r;
            }
        }
        return refuse(ErrorCode::internal, "unknown desk action");
    }
};

}  // namespace

CommandResult apply_desk(StoreTxn& txn, const DeskCommand& command, Millis now) {
    return DeskRules{txn, command, now}.run();
}

}  // namespace liveblog
