// The handlers of the API's areas (routes.h's route_area), apart from the
// connection: each parses its requests, answers through a route_exchange and
// works the store through memory jobs. http_session is one route_exchange;
// a handler knows nothing else of it.
#pragma once

#include <boost/beast/http.hpp>

#include <functional>
#include <string>
#include <vector>

#include "os1/status.h"
#include "server/server_context.h"

namespace os1::memory {
class memory_store;
}

namespace os1::server {

namespace http = boost::beast::http;
using http_request = http::request<http::string_body>;

// What a memory route answers, computed on the memory thread.
struct memory_reply {
    memory_reply() = default;
    memory_reply(http::status c, std::string b, std::string type = "application/json")
        : code(c), body(std::move(b)), content_type(std::move(type)) {}
    http::status code = http::status::ok;
    std::string body;
    std::string content_type = "application/json";
    std::vector<std::string> drop;  // conversations whose KV states must go first
    bool drop_person = false;       // all of the person's KV states must go first
    bool unblock_person = false;    // then the person's name may be used again (person_gate)
};

// A piece of a streamed answer (route_exchange::audio_stream).
struct stream_piece {
    std::string bytes;
    bool last = false;
};

// How a status other than ok is answered: the one map for every route.
struct http_error {
    http::status code;
    const char * type;  // OpenAI's error type
    int retry_after_s;  // 0: no Retry-After
};
http_error http_error_of(status_code code);

// A store error as a reply (http_error_of).
memory_reply error_reply(const status & st);

// One request being answered, as a handler sees it. Each method answers it
// (once), except rate_limited when it returns false.
class route_exchange {
public:
    virtual ~route_exchange() = default;
    virtual void error(http::status code, const std::string & message, const std::string & type) = 0;
    // True (and a 429 sent) when PERSON is over their rate.
    virtual bool rate_limited(const std::string & person) = 0;
    // JOB runs on the memory thread; the KV states its reply names are dropped, then it is sent.
    virtual void memory_job(std::function<memory_reply(memory::memory_store &)> job, const std::string & person) = 0;
    // The connection becomes the person's event stream (server-sent events).
    virtual void events_stream(const std::string & person) = 0;
    // JOB runs on the voice queue (decoding, recognizing); its reply is sent.
    // A full queue is answered 503.
    virtual void voice_job(std::function<memory_reply()> job) = 0;
    // A streamed answer: NEXT runs on the voice queue, again and again, until
    // a piece is the last or the client is gone. The status line (200,
    // CONTENT_TYPE) goes out with the first piece, so that an error before it
    // is answered as an error; one after it ends the stream unfinished.
    virtual void audio_stream(const std::string & content_type, std::function<result<stream_piece>()> next) = 0;
};

// The person's memories, facts, summaries, profile, export and erase (http_memory.cpp).
class memory_handler {
public:
    explicit memory_handler(server_context & ctx) : ctx_(ctx) {}
    void handle(route_exchange & ex, const http_request & req, const std::string & person, const std::string & path);

private:
    server_context & ctx_;
};

// The persona, its versions, renaming and rollback, and the mood series (http_companion.cpp).
class companion_handler {
public:
    explicit companion_handler(server_context & ctx) : ctx_(ctx) {}
    void handle(route_exchange & ex, const http_request & req, const std::string & person, const std::string & path);

private:
    server_context & ctx_;
};

// The event stream, the initiative log and the person's limits (http_initiative.cpp).
class initiative_handler {
public:
    explicit initiative_handler(server_context & ctx) : ctx_(ctx) {}
    void handle(route_exchange & ex, const http_request & req, const std::string & person, const std::string & path);

private:
    server_context & ctx_;
};

// Speech to text and text to speech, OpenAI's routes (http_audio.cpp).
class audio_handler {
public:
    explicit audio_handler(server_context & ctx) : ctx_(ctx) {}
    // REQ's body moves to the job that reads it.
    void handle(route_exchange & ex, http_request & req, const std::string & person, const std::string & path);

private:
    void transcribe(route_exchange & ex, http_request & req);
    void speak(route_exchange & ex, const http_request & req);
    server_context & ctx_;
};

}  // namespace os1::server
