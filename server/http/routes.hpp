#pragma once
// The route table (routes.cpp): every HTTP route of the server.

#include "http/http_context.hpp"
#include "http/router.hpp"

namespace liveblog {

// The handlers keep a reference to ctx: it must outlive the router.
Router build_routes(HttpContext& ctx);

}  // namespace liveblog
