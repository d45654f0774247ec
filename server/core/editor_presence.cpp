#include "core/editor_presence.hpp"

#include <nlohmann/json.hpp>

namespace liveblog {

std::vector<std::pair<EditorPresence::Notify, std::string>> EditorPresence::frames_locked(const std::string& story) const {
    std::vector<std::pair<Notify, std::string>> out;
    for (const auto& [id, place] : places_) {
        if (place.story != story) continue;
        nlohmann::json list = nlohmann::json::array();
        for (const auto& [other, p] : places_) {
            if (other == id || p.story != story) continue;
            list.push_back({{"user_id", p.editor.user_id},
                            {"name", p.editor.name},
                            {"entry_id", p.editor.entry_id ? nlohmann::json(*p.editor.entry_id) : nlohmann::json(nullptr)}});
        }
        out.emplace_back(place.notify,
                         nlohmann::json{{"type", "editors"}, {"story", story}, {"editors", list}}.dump(
                             -1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
    return out;
}

void EditorPresence::set(std::uint64_t id, const std::string& story, Editor editor, Notify notify) {
    std::vector<std::pair<Notify, std::string>> frames;
    {
        std::lock_guard lock(mutex_);
        std::string left;
        if (auto it = places_.find(id); it != places_.end() && it->second.story != story) left = it->second.story;
        places_[id] = Place{story, std::move(editor), std::move(notify)};
        frames = frames_locked(story);
        if (!left.empty()) {
            auto more = frames_locked(left);
            frames.insert(frames.end(), more.begin(), more.end());
        }
    }
    for (auto& [notify, frame] : frames) notify(std::move(frame));
}

void EditorPresence::remove(std::uint64_t id) {
    std::vector<std::pair<Notify, std::string>> frames;
    {
        std::lock_guard lock(mutex_);
        auto it = places_.find(id);
        if (it == places_.end()) return;
        std::string story = it->second.story;
        places_.erase(it);
        frames = frames_locked(story);
    }
    for (auto& [notify, frame] : frames) notify(std::move(frame));
}

void EditorPresence::broadcast(const std::string& story, const std::string& frame) const {
    std::vector<Notify> to;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [id, place] : places_)
            if (place.story == story) to.push_back(place.notify);
    }
    for (auto& notify : to) notify(frame);
}

std::vector<EditorPresence::Editor> EditorPresence::others(std::uint64_t id, const std::string& story) const {
    std::lock_guard lock(mutex_);
    std::vector<Editor> out;
    for (const auto& [other, p] : places_)
        if (other != id && p.story == story) out.push_back(p.editor);
    return out;
}

}  // namespace liveblog
