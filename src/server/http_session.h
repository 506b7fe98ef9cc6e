// One client connection: reads requests, routes them, writes responses and
// server-sent events. All of its handlers run on its own strand.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <functional>
#include <string>
#include <vector>

#include "companion/turn.h"
#include "llm/llm_i.h"
#include "server/event_hub.h"
#include "server/openai_json.h"
#include "server/route_handlers.h"
#include "server/server_context.h"

namespace os1::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// A short id that names one internal error in the reply and in the log.
std::string error_id();

// A conversation id as a client may name one: 1 to 128 printable ASCII characters.
bool valid_conversation_id(const std::string & id);

// DATA as one chunk of a chunked HTTP body.
std::string chunk_frame(const std::string & data);

class http_session : public std::enable_shared_from_this<http_session>, public event_listener, public route_exchange {
public:
    // ADDRESS holds a connection slot (ctx.connections), given back when the session ends.
    http_session(tcp::socket && socket, server_context & ctx, std::string address);
    ~http_session() override;
    void start();
    bool send_event(const std::string & event) override;  // from any thread
    void end_stream() override;                            // from any thread

    // What the area handlers answer through (route_handlers.h), under the route's name.
    void error(http::status code, const std::string & message, const std::string & type) override;
    bool rate_limited(const std::string & person) override;
    void memory_job(std::function<memory_reply(memory::memory_store &)> job, const std::string & person) override;
    void events_stream(const std::string & person) override;
    void voice_job(std::function<memory_reply()> job) override;
    void audio_stream(const std::string & content_type, std::function<result<stream_piece>()> next) override;

private:
    using request = http::request<http::string_body>;

    void wait_for_request();
    void read_request();
    void on_header(beast::error_code ec);  // the body's limit follows the route
    void on_read(beast::error_code ec);
    bool reserve_upload(uint64_t bytes);  // of ctx_.stats.upload_bytes; false when the server has no room
    void release_upload();
    void next_audio_piece(std::shared_ptr<std::function<result<stream_piece>()>> next, std::string content_type);
    void on_audio_piece(result<stream_piece> piece, std::shared_ptr<std::function<result<stream_piece>()>> next,
                        const std::string & content_type);
    void watch_audio_client();
    void route(request && req);     // dispatch, and a 500 for anything thrown
    void dispatch(request && req);
    void internal_error(const std::string & where, const std::string & what);
    void send(http::status code, std::string body, const std::string & route_name,
              const std::string & content_type = "application/json", int retry_after_s = 0,
              const std::vector<std::pair<std::string, std::string>> & extra_headers = {});
    std::string cors_lines() const;
    // True (and a 429 sent) when PERSON is over their rate.
    bool over_rate(const std::string & person, const std::string & route_name);
    void send_error(http::status code, const std::string & message, const std::string & type,
                    const std::string & route_name, int retry_after_s = 0);
    void send_status_error(const status & st, const std::string & route_name);  // through http_error_of
    void after_response();
    void close();
    void status_route();  // GET /api/v1/status (authenticated by dispatch)
    void web_route(const request & req, const std::string & path);  // GET / and /assets/NAME: the web page
    void stop_talking();  // the person's chat request is over (presence)

    // Routes
    void chat_completions(request && req, const std::string & person);
    void delete_conversation(const std::string & person, const std::string & id);
    void realtime_route(request && req, const std::string & person);  // the connection becomes a realtime_session
    void heartbeat();
    void watch_events_client();
    std::optional<std::string> authenticate(const request & req);

    // A completion in progress
    void on_turn_event(const std::string & id, const companion::turn_event & ev);
    void turn_failed(const status & st);
    void write_raw(std::string data);
    void do_write();
    void watch_client();
    // What a socket that polled readable holds: the peer's close, bytes, or
    // nothing (a wakeup with no cause, which must not be taken for a close).
    enum class readable { closed, data, nothing };
    readable peek_socket();
    void finish_completion();

    struct completion {
        std::string id;
        int64_t created = 0;
        bool stream = false;
        bool include_usage = false;
        std::string text;
        std::shared_ptr<std::atomic<bool>> cancel;
        std::chrono::steady_clock::time_point started;
        bool first_token = false;
        bool opened = false;  // a stream's status line and first chunk are written
        bool began = false;   // the turn said `started`
        bool ended = false;  // done or error event seen
    };

    completion new_completion(const chat_request & chat) const;
    void open_stream();

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    server_context & ctx_;
    net::steady_timer watchdog_;
    std::deque<std::string> out_;
    bool writing_ = false;
    bool keep_alive_ = false;
    bool head_ = false;  // the request was HEAD: answers carry their headers, not their body
    bool close_after_write_ = false;  // an event stream that was ended: closed once its last chunk is out
    bool finish_after_write_ = false;  // a streamed answer that ended: the next request is read once it is out
    bool streaming_audio_ = false;     // an audio answer is being made (audio_stream)
    bool audio_opened_ = false;        // its status line is out
    uint64_t body_limit_ = 0;          // of the request being read
    uint64_t upload_reserved_ = 0;     // of ctx_.stats.upload_bytes, for the upload being read
    bool closed_ = false;
    std::atomic<bool> gone_{false};  // closed_, readable from other threads (send_event)
    std::optional<completion> cur_;
    std::optional<std::string> talking_;  // whose chat request this connection is serving
    std::string address_;                 // the client's, for the connection limits
    std::string cors_origin_;             // the allowed Origin of the request being served ("" for none)
    std::string route_name_ = "other";    // the area of the request being served, for the metrics
};

}  // namespace os1::server
