// libFuzzer target over every parser of a request's outside input in
// src/server: the chat body, OS1's own route bodies, URL queries, paths
// against the route table, the request guard's headers, the JSON depth scan,
// multipart/form-data uploads, the text to speak (cut into sentences), the
// realtime WebSocket's events and base64. The first byte picks the parser
// (anything else: all of them); the rest is the input. A parser must answer a value or an error for
// any bytes: a crash, a hang, an uncaught exception or a sanitizer report is
// a finding.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "base/base64.h"
#include "server/json_body.h"
#include "server/multipart.h"
#include "server/openai_json.h"
#include "server/realtime_events.h"
#include "server/request_bodies.h"
#include "server/request_guard.h"
#include "server/routes.h"
#include "server/url_query.h"
#include "voice/sentences.h"

namespace {

void check(bool ok) {
    if (!ok) std::abort();  // an invariant broke: report it as a crash
}

void chat(std::string_view in) {
    os1::server::server_options o;
    auto r = os1::server::parse_chat_request(in, o);
    if (r) {
        check(!r->messages.empty() && r->messages.size() <= static_cast<size_t>(o.max_messages));
        check(r->gen.max_tokens >= 1);
    }
}

void bodies(std::string_view in) {
    (void)os1::server::parse_text_body(in);
    (void)os1::server::parse_persona_name(in);
    if (auto v = os1::server::parse_persona_version(in)) check(*v >= 1);
    if (auto p = os1::server::parse_initiative_settings(in)) {
        const auto s = os1::server::apply_settings({}, *p);
        check(s.daily_cap >= 0 && s.daily_cap <= 50 && s.utc_offset >= -840 && s.utc_offset <= 840);
        check(s.min_importance >= 0 && s.min_importance <= 1);
    }
}

void query(std::string_view in) {
    const auto q = os1::server::url_query("/x?" + std::string(in));
    if (auto n = os1::server::query_number(q, "limit", 1, 1000, 20)) check(*n >= 1 && *n <= 1000);
    (void)os1::server::percent_decode(in);
}

void depth(std::string_view in) {
    const int d = os1::server::json_nesting_depth(in, os1::server::max_json_depth);
    auto j = os1::server::parse_json_body(in);
    if (j) check(d <= os1::server::max_json_depth);
}

void path(std::string_view in) {
    for (const char * method : {"GET", "POST", "PUT", "PATCH", "DELETE"}) {
        if (const auto * r = os1::server::find_route(method, in)) check(std::string_view(r->method) == method);
    }
    (void)os1::server::methods_of(in);
}

// Host, Origin, Sec-Fetch-Site and Content-Type, one per line.
void guard(std::string_view in) {
    std::string_view parts[4];
    for (auto & p : parts) {
        const size_t nl = in.find('\n');
        p = in.substr(0, nl);
        in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
    }
    for (const bool no_auth : {false, true}) {
        os1::server::server_options o;
        o.no_auth = no_auth;
        o.allow_origins = {"https://app.example"};
        const auto v = os1::server::check_request({"POST", parts[0], parts[1], parts[2], parts[3], in.size()}, o);
        check(v.status == 0 || v.status == 403 || v.status == 415);
        // Only a listed origin is echoed (as the browser sent it: scheme and host ignore case).
        std::string echoed = v.cors_origin;
        for (char & c : echoed) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        check(echoed.empty() || echoed == "https://app.example");
    }
}

// An upload's Content-Type (the first line) and its multipart body (the rest).
void form(std::string_view in) {
    const size_t eol = in.find('\n');
    const std::string_view type = in.substr(0, eol), body = eol == std::string_view::npos ? "" : in.substr(eol + 1);
    auto b = os1::server::multipart_boundary(type);
    if (!b) return check(!b.error().message().empty());
    check(!b->empty() && b->size() <= 70);
    auto parts = os1::server::parse_multipart(body, *b);
    if (!parts) return check(!parts.error().message().empty());
    check(parts->size() <= 16);
    for (const auto & p : *parts) {
        check(!p.name.empty());
        check(p.data.data() >= body.data() && p.data.data() + p.data.size() <= body.data() + body.size());  // a view into the body
    }
}

// The text of POST /v1/audio/speech, cut whole and as a stream in pieces of
// the first byte's size: the same sentences, each trimmed and non-empty, and
// nothing but whitespace lost.
void speech_text(std::string_view in) {
    if (in.empty()) return;
    const size_t piece = 1 + static_cast<unsigned char>(in[0]) % 16;
    // The first piece's limit, as a realtime reply cuts it (odd bytes: the usual one).
    const size_t first = in[0] & 0x10 ? 20 + static_cast<unsigned char>(in[0]) % 100 : os1::voice::sentence_splitter::max_chars;
    in.remove_prefix(1);
    const auto whole = os1::voice::split_sentences(in, first);
    os1::voice::sentence_splitter s(first);
    std::vector<std::string> streamed;
    for (size_t at = 0; at < in.size(); at += piece) {
        for (auto & x : s.feed(in.substr(at, piece))) streamed.push_back(std::move(x));
    }
    if (auto last = s.flush(); !last.empty()) streamed.push_back(std::move(last));
    check(streamed == whole);
    const auto dense = [](std::string_view t) {
        std::string out;
        for (const char c : t) {
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') out.push_back(c);
        }
        return out;
    };
    std::string joined;
    for (const auto & x : whole) {
        check(!x.empty() && x.front() != ' ' && x.back() != ' ');
        joined += x;
    }
    check(dense(joined) == dense(in));
}

// A realtime client event: a value within the settings' bounds, or an error;
// base64 of any bytes decodes back to them, and any text decodes only when
// encoding its bytes gives it again.
void realtime(std::string_view in) {
    os1::server::realtime_config c;
    std::string event_id;
    auto ev = os1::server::parse_realtime_event(in, c, event_id);
    if (ev) {
        const auto & s = ev->session;
        check(s.input_rate_hz >= 8000 && s.input_rate_hz <= 48000);
        check(s.silence_ms >= 100 && s.silence_ms <= 5000 && s.prefix_ms >= 0 && s.prefix_ms <= 2000);
        check(ev->audio.size() % 2 == 0);
    }
    if (auto bytes = os1::base64_decode(in)) check(os1::base64_encode(*bytes) == in);
    check(os1::base64_decode(os1::base64_encode(in)) == std::string(in));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t * data, size_t size) {
    if (size == 0) return 0;
    const std::string_view in(reinterpret_cast<const char *>(data) + 1, size - 1);
    switch (data[0]) {
        case 'c': chat(in); break;
        case 'b': bodies(in); break;
        case 'q': query(in); break;
        case 'd': depth(in); break;
        case 'r': path(in); break;
        case 'g': guard(in); break;
        case 'm': form(in); break;
        case 's': speech_text(in); break;
        case 'w': realtime(in); break;
        default:
            chat(in);
            bodies(in);
            query(in);
            depth(in);
            path(in);
            guard(in);
            form(in);
            speech_text(in);
            realtime(in);
    }
    return 0;
}
