// A scripted realtime client for the tests: a WebSocket to /v1/realtime, each
// event the server sends kept in order (read on its own thread), and waits
// with deadlines so that a server that never answers fails a test instead of
// hanging it.
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/base64.h"
#include "voice/audio.h"

namespace os1::test {

class realtime_client {
public:
    using json = nlohmann::json;

    // TOKEN as a Bearer header, or (AS_SUBPROTOCOL) as a browser offers it.
    realtime_client(int port, const std::string & token, const std::string & query = "", bool as_subprotocol = false)
        : ws_(ioc_) {
        namespace websocket = boost::beast::websocket;
        boost::asio::ip::tcp::resolver resolver(ioc_);
        boost::asio::connect(ws_.next_layer(), resolver.resolve("127.0.0.1", std::to_string(port)));
        ws_.set_option(websocket::stream_base::decorator([token, as_subprotocol](websocket::request_type & req) {
            if (token.empty()) return;
            if (as_subprotocol) req.set(boost::beast::http::field::sec_websocket_protocol, "realtime, openai-insecure-api-key." + token);
            else req.set(boost::beast::http::field::authorization, "Bearer " + token);
        }));
        ws_.handshake(response_, "127.0.0.1:" + std::to_string(port), "/v1/realtime" + query);
        reader_ = std::thread([this] { read_all(); });
    }
    ~realtime_client() {
        boost::system::error_code ec;
        ws_.next_layer().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
        ws_.next_layer().close(ec);
        reader_.join();
    }

    const boost::beast::websocket::response_type & handshake() const { return response_; }

    void send(const json & event) {
        std::lock_guard<std::mutex> lock(write_mu_);
        ws_.text(true);
        ws_.write(boost::asio::buffer(event.dump()));
    }
    void send_raw(const std::string & text, bool binary = false) {
        std::lock_guard<std::mutex> lock(write_mu_);
        ws_.binary(binary);
        ws_.write(boost::asio::buffer(text));
        ws_.text(true);
    }
    // AUDIO (resampled to RATE_HZ) as input_audio_buffer.append events of 100 ms.
    void send_audio(const voice::pcm_audio & audio, int rate_hz = 24000) {
        const voice::pcm_audio a = voice::resample(audio, rate_hz).value();
        const size_t step = static_cast<size_t>(rate_hz) / 10;
        for (size_t at = 0; at < a.samples.size(); at += step) {
            std::string bytes;
            for (size_t i = at; i < std::min(a.samples.size(), at + step); ++i) {
                const auto v = static_cast<uint16_t>(a.samples[i]);
                bytes += static_cast<char>(v & 0xff);
                bytes += static_cast<char>(v >> 8);
            }
            send({{"type", "input_audio_buffer.append"}, {"audio", base64_encode(bytes)}});
        }
    }

    // The first event from index FROM on that MATCHES, waiting up to TIMEOUT; its index too.
    std::optional<std::pair<size_t, json>> wait_for(const std::function<bool(const json &)> & matches, size_t from = 0,
                                                    std::chrono::seconds timeout = std::chrono::seconds(60)) {
        std::unique_lock<std::mutex> lock(mu_);
        std::optional<std::pair<size_t, json>> found;
        cv_.wait_for(lock, timeout, [&] {
            for (size_t i = from; i < events_.size(); ++i) {
                if (matches(events_[i])) {
                    found = {{i, events_[i]}};
                    return true;
                }
            }
            return closed_;
        });
        if (!found) {  // one last look: the close may have come with the event
            for (size_t i = from; i < events_.size(); ++i) {
                if (matches(events_[i])) return std::make_pair(i, events_[i]);
            }
        }
        return found;
    }
    std::optional<std::pair<size_t, json>> wait_for_type(const std::string & type, size_t from = 0,
                                                         std::chrono::seconds timeout = std::chrono::seconds(60)) {
        return wait_for([&](const json & e) { return e.value("type", "") == type; }, from, timeout);
    }
    std::vector<json> events() {
        std::lock_guard<std::mutex> lock(mu_);
        return events_;
    }
    bool closed() {
        std::lock_guard<std::mutex> lock(mu_);
        return closed_;
    }

private:
    void read_all() {
        for (;;) {
            boost::beast::flat_buffer buf;
            boost::system::error_code ec;
            ws_.read(buf, ec);
            std::lock_guard<std::mutex> lock(mu_);
            if (ec) {
                closed_ = true;
                cv_.notify_all();
                return;
            }
            events_.push_back(json::parse(boost::beast::buffers_to_string(buf.data()), nullptr, false));
            cv_.notify_all();
        }
    }

    boost::asio::io_context ioc_;
    boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
    boost::beast::websocket::response_type response_;
    std::mutex write_mu_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::vector<json> events_;  // GUARDED_BY(mu_)
    bool closed_ = false;       // GUARDED_BY(mu_)
    std::thread reader_;
};

}  // namespace os1::test
