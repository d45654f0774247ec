#pragma once
// Asio/Beast aliases for the transport layer (the only layer that includes them).

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace liveblog {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = boost::asio::ip::tcp;
using error_code = boost::system::error_code;

// Errors that only mean "the connection ended": not worth a log line.
inline bool is_benign(const error_code& ec) {
    return ec == net::error::operation_aborted || ec == websocket::error::closed || ec == net::error::eof ||
           ec == net::error::connection_reset || ec == beast::error::timeout || ec == http::error::end_of_stream ||
           ec == net::error::broken_pipe || ec == net::error::not_connected;
}
}  // namespace liveblog
