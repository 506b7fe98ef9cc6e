// A connection serving an audio route (http_audio.cpp): its work on the voice
// queue, its answers back on the connection's strand, and a streamed answer
// piece by piece, stopped when the client goes.
#include <spdlog/spdlog.h>

#include "server/http_session.h"

namespace os1::server {
namespace {

using piece_source = std::function<result<stream_piece>()>;

}  // namespace

void http_session::voice_job(std::function<memory_reply()> job) {
    auto self = shared_from_this();
    const std::string route_name = route_name_;
    const bool posted = ctx_.voice_jobs->post([self, route_name, job = std::move(job)] {
        memory_reply r;
        try {
            r = job();
        } catch (const std::exception & e) {
            r = error_reply(status(status_code::internal, e.what()));
        }
        auto reply = std::make_shared<memory_reply>(std::move(r));
        net::post(self->stream_.get_executor(), [self, route_name, reply] {
            if (!self->closed_) self->send(reply->code, reply->body, route_name, reply->content_type);
        });
    });
    if (!posted) send_error(http::status::service_unavailable, "the server is busy with audio; try again in a few seconds", "server_error", route_name_, 2);
}

void http_session::audio_stream(const std::string & content_type, piece_source next) {
    streaming_audio_ = true;
    audio_opened_ = false;
    watch_audio_client();
    next_audio_piece(std::make_shared<piece_source>(std::move(next)), content_type);
}

void http_session::next_audio_piece(std::shared_ptr<piece_source> next, std::string content_type) {
    auto self = shared_from_this();
    const bool posted = ctx_.voice_jobs->post([self, next, content_type] {
        if (self->gone_) return;  // the client left: nothing more is made for it
        result<stream_piece> piece = status(status_code::internal, "no piece");
        try {
            piece = (*next)();
        } catch (const std::exception & e) {
            piece = status(status_code::internal, e.what());
        }
        net::post(self->stream_.get_executor(), [self, piece = std::move(piece), next, content_type]() mutable {
            self->on_audio_piece(std::move(piece), next, content_type);
        });
    });
    if (!posted) on_audio_piece(status(status_code::resource_exhausted, "the server is busy with audio; try again in a few seconds"), next, content_type);
}

void http_session::on_audio_piece(result<stream_piece> piece, std::shared_ptr<piece_source> next, const std::string & content_type) {
    if (closed_) return;
    if (!piece) {
        streaming_audio_ = false;
        if (!audio_opened_) return send_status_error(piece.error(), route_name_);
        // The status line is out: the stream ends without its last chunk, which the client sees as cut.
        spdlog::warn("a speech stream stopped: {}", piece.error().message());
        return close();
    }
    if (!audio_opened_) {
        audio_opened_ = true;
        ctx_.stats.count_response(route_name_, 200);
        write_raw("HTTP/1.1 200 OK\r\nServer: os1\r\nContent-Type: " + content_type +
                  "\r\nX-Content-Type-Options: nosniff\r\n" + cors_lines() + "Cache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n" +
                  (keep_alive_ ? "" : "Connection: close\r\n") + "\r\n");
    }
    if (!piece->bytes.empty() && !head_) write_raw(chunk_frame(piece->bytes));
    if (!piece->last) return next_audio_piece(next, content_type);
    streaming_audio_ = false;
    finish_after_write_ = true;
    write_raw("0\r\n\r\n");
}

// While the answer is made: a client that closes stops it (the next piece is never made).
void http_session::watch_audio_client() {
    stream_.socket().async_wait(tcp::socket::wait_read, [self = shared_from_this()](beast::error_code ec) {
        if (ec || !self->streaming_audio_ || self->closed_) return;
        switch (self->peek_socket()) {
        case readable::closed: self->close(); break;
        case readable::nothing: self->watch_audio_client(); break;
        case readable::data: break;  // the next request arrived early; it is read after this answer
        }
    });
}

}  // namespace os1::server
