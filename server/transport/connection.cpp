#include "transport/connection.hpp"

#include "common/log.hpp"

namespace liveblog {

Connection::~Connection() {
    if (session_index_ == not_listed) return;
    if (!shard_.destroying()) log_error("connection: bug: destroyed while still open; unlisting it");
    shard_.closed(this);
}

}  // namespace liveblog
