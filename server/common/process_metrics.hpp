#pragma once
// The process collector every Prometheus client library has, under its
// standard names (so stock dashboards and alerts work): CPU seconds, resident
// memory, open and maximum descriptors, start time; read from /proc/self at
// scrape time. And liveblog_build_info{version,commit} = 1.

#include "common/metrics.hpp"

namespace liveblog {

void register_process_metrics(MetricsRegistry& metrics, const char* version, const char* commit);

}  // namespace liveblog
