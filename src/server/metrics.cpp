#include "server/metrics.h"

#include <sstream>

namespace os1::server {

void metrics::count_response(const std::string & route, int code) {
    std::lock_guard<std::mutex> lock(mu_);
    ++responses_[{route, code}];
}

void metrics::observe_ttft_s(double s) {
    size_t i = 0;
    while (i < ttft_bounds.size() && s > ttft_bounds[i]) ++i;
    ++ttft_buckets_[i];
    ++ttft_count_;
    ttft_sum_us_ += static_cast<uint64_t>(s * 1e6);
}

std::string metrics::render(const llm::engine_stats & e) const {
    std::ostringstream o;
    const auto counter = [&](const char * name, const char * help, uint64_t v) {
        o << "# HELP " << name << " " << help << "\n# TYPE " << name << " counter\n" << name << " " << v << "\n";
    };
    const auto gauge = [&](const char * name, const char * help, int64_t v) {
        o << "# HELP " << name << " " << help << "\n# TYPE " << name << " gauge\n" << name << " " << v << "\n";
    };
    o << "# HELP os1_http_responses_total HTTP responses by route and status.\n# TYPE os1_http_responses_total counter\n";
    {
        std::lock_guard<std::mutex> lock(mu_);
        for (const auto & [k, v] : responses_) {
            o << "os1_http_responses_total{route=\"" << k.first << "\",code=\"" << k.second << "\"} " << v << "\n";
        }
    }
    counter("os1_requests_total", "Completion requests the engine started.", e.requests);
    counter("os1_prompt_tokens_total", "Prompt tokens of all requests.", e.prompt_tokens);
    counter("os1_prompt_tokens_computed_total", "Prompt tokens evaluated (the rest came from KV states).", e.computed_tokens);
    counter("os1_completion_tokens_total", "Tokens generated.", e.generated_tokens);
    o << "# HELP os1_kv_hits_total Conversations found in a KV tier.\n# TYPE os1_kv_hits_total counter\n"
      << "os1_kv_hits_total{tier=\"resident\"} " << e.hits_resident << "\n"
      << "os1_kv_hits_total{tier=\"ram\"} " << e.hits_ram << "\n"
      << "os1_kv_hits_total{tier=\"disk\"} " << e.hits_disk << "\n";
    counter("os1_kv_misses_total", "Conversations with no KV state anywhere (computed from the start).", e.misses);
    counter("os1_kv_prefix_hits_total", "Conversations that started from a kept shared prefix (its cells copied, not computed).", e.prefix_hits);
    o << "# HELP os1_conversations Conversations whose KV state is in each tier.\n# TYPE os1_conversations gauge\n"
      << "os1_conversations{tier=\"resident\"} " << e.conversations_resident << "\n"
      << "os1_conversations{tier=\"ram\"} " << e.conversations_ram << "\n"
      << "os1_conversations{tier=\"disk\"} " << e.conversations_disk << "\n";
    o << "# HELP os1_kv_bytes Bytes of KV state in each tier.\n# TYPE os1_kv_bytes gauge\n"
      << "os1_kv_bytes{tier=\"ram\"} " << e.kv_ram_bytes << "\n"
      << "os1_kv_bytes{tier=\"disk\"} " << e.kv_disk_bytes << "\n";
    gauge("os1_queue_depth", "Requests waiting for a sequence.", static_cast<int64_t>(e.pending));
    gauge("os1_requests_active", "Requests being computed or generated.", static_cast<int64_t>(e.active));
    gauge("os1_open_connections", "Open client connections.", open_connections.load());
    gauge("os1_upload_bytes", "Bytes held for the audio uploads being received.", upload_bytes.load());
    o << "# HELP os1_time_to_first_token_seconds From request to first token.\n"
         "# TYPE os1_time_to_first_token_seconds histogram\n";
    uint64_t cumulative = 0;
    for (size_t i = 0; i < ttft_bounds.size(); ++i) {
        cumulative += ttft_buckets_[i];
        o << "os1_time_to_first_token_seconds_bucket{le=\"" << ttft_bounds[i] << "\"} " << cumulative << "\n";
    }
    cumulative += ttft_buckets_[ttft_bounds.size()];
    o << "os1_time_to_first_token_seconds_bucket{le=\"+Inf\"} " << cumulative << "\n"
      << "os1_time_to_first_token_seconds_sum " << static_cast<double>(ttft_sum_us_) / 1e6 << "\n"
      << "os1_time_to_first_token_seconds_count " << ttft_count_ << "\n";
    return o.str();
}

}  // namespace os1::server
