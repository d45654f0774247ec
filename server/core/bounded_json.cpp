#include "core/bounded_json.hpp"

#include <string>

#include "common/utf8.hpp"

namespace liveblog {

namespace {

using json = nlohmann::json;
using DomBuilder = nlohmann::detail::json_sax_dom_parser<json>;

// Counts as it builds; returning false from any event ends the parse there
// (nlohmann's SAX contract), before anything past the limit is allocated.
class BoundedBuilder {
public:
    BoundedBuilder(json& root, const JsonLimits& limits, JsonRefusal& refusal)
        : dom_(root, false), limits_(limits), refusal_(refusal) {}

    bool null() { return value() && dom_.null(); }
    bool boolean(bool v) { return value() && dom_.boolean(v); }
    bool number_integer(json::number_integer_t v) { return value() && dom_.number_integer(v); }
    bool number_unsigned(json::number_unsigned_t v) { return value() && dom_.number_unsigned(v); }
    bool number_float(json::number_float_t v, const json::string_t& s) { return value() && dom_.number_float(v, s); }
    bool string(json::string_t& v) { return value() && fits(v) && dom_.string(v); }
    bool binary(json::binary_t& v) { return refuse(JsonRefusal::syntax); }  // not produced by a text parse
    bool key(json::string_t& v) { return value() && fits(v) && dom_.key(v); }
    bool start_object(std::size_t) { return open() && dom_.start_object(static_cast<std::size_t>(-1)); }
    bool end_object() {
        --depth_;
        return dom_.end_object();
    }
    bool start_array(std::size_t) { return open() && dom_.start_array(static_cast<std::size_t>(-1)); }
    bool end_array() {
        --depth_;
        return dom_.end_array();
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
        if (refusal_ == JsonRefusal::none) refusal_ = JsonRefusal::syntax;
        return false;
    }

private:
    bool refuse(JsonRefusal why) {
        refusal_ = why;
        return false;
    }
    bool value() { return ++elements_ <= limits_.max_elements || refuse(JsonRefusal::too_many); }
    bool fits(const json::string_t& s) { return s.size() <= limits_.max_string_bytes || refuse(JsonRefusal::too_long); }
    bool open() {
        if (!value()) return false;
        return ++depth_ <= limits_.max_depth || refuse(JsonRefusal::too_deep);
    }

    DomBuilder dom_;
    const JsonLimits& limits_;
    JsonRefusal& refusal_;
    std::size_t depth_ = 0;
    std::size_t elements_ = 0;
};

}  // namespace

std::string describe(JsonRefusal refusal, const JsonLimits& limits) {
    switch (refusal) {
        case JsonRefusal::none: return "valid";
        case JsonRefusal::not_utf8: return "not valid UTF-8";
        case JsonRefusal::too_large: return "longer than " + std::to_string(limits.max_bytes) + " bytes";
        case JsonRefusal::too_deep: return "nested deeper than " + std::to_string(limits.max_depth) + " levels";
        case JsonRefusal::too_long:
            return "holds a string longer than " + std::to_string(limits.max_string_bytes) + " bytes";
        case JsonRefusal::too_many: return "holds more than " + std::to_string(limits.max_elements) + " values";
        case JsonRefusal::syntax: return "not valid JSON";
        case JsonRefusal::not_object: return "not a JSON object";
    }
    return "refused";
}

json parse_bounded_json(std::string_view text, const JsonLimits& limits, JsonRefusal& refusal) {
    refusal = JsonRefusal::none;
    json root;
    if (text.size() > limits.max_bytes) {
        refusal = JsonRefusal::too_large;
        return json(json::value_t::discarded);
    }
    if (!is_valid_utf8(text)) {
        refusal = JsonRefusal::not_utf8;
        return json(json::value_t::discarded);
    }
    BoundedBuilder builder(root, limits, refusal);
    const bool ok = json::sax_parse(text, &builder, json::input_format_t::json, true, false);
    if (!ok || refusal != JsonRefusal::none) {
        if (refusal == JsonRefusal::none) refusal = JsonRefusal::syntax;
        // root may hold a partial document: destroying it is iterative in
        // nlohmann >= 3.10, and its depth is bounded anyway.
        return json(json::value_t::discarded);
    }
    return root;
}

}  // namespace liveblog
