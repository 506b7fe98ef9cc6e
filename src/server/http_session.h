// One client connection: reads requests, routes them, writes responses and
// server-sent events. All of its handlers run on its own strand.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "llm/engine.h"
#include "server/server_context.h"

namespace os1::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

class http_session : public std::enable_shared_from_this<http_session> {
public:
    http_session(tcp::socket && socket, server_context & ctx);
    ~http_session();
    void start();

private:
    using request = http::request<http::string_body>;

    void wait_for_request();
    void read_request();
    void on_read(beast::error_code ec);
    void route(request && req);
    void send(http::status code, std::string body, const std::string & route_name,
              const std::string & content_type = "application/json", int retry_after_s = 0);
    void send_error(http::status code, const std::string & message, const std::string & type,
                    const std::string & route_name, int retry_after_s = 0);
    void after_response();
    void close();

    // Routes
    void chat_completions(request && req, const std::string & person);
    void delete_conversation(const std::string & person, const std::string & id);
    std::optional<std::string> authenticate(const request & req);

    // A completion in progress
    void on_engine_event(const llm::completion_event & ev);
    void write_raw(std::string data);
    void do_write();
    void watch_client();
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
        bool ended = false;  // done or error event seen
    };

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    server_context & ctx_;
    net::steady_timer watchdog_;
    std::deque<std::string> out_;
    bool writing_ = false;
    bool keep_alive_ = false;
    bool closed_ = false;
    std::optional<completion> cur_;
};

}  // namespace os1::server
