#include "fakes/fake_llm.h"

namespace os1::test {
namespace {

int count_chars(const std::vector<llm::chat_message> & messages) {
    size_t n = 0;
    for (const auto & m : messages) n += m.content.size();
    return static_cast<int>(n);
}

}  // namespace

fake_llm::fake_llm(script s, word_hook hook) : script_(std::move(s)), hook_(std::move(hook)), thread_([this] { run(); }) {}

fake_llm::~fake_llm() { stop(0); }

status fake_llm::submit(llm::completion_request req) {
    if (req.messages.empty() || req.messages.back().role != role::user) {
        return {status_code::invalid_argument, "the last message must be the user's"};
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return {status_code::cancelled, "stopping"};
    if (!refuse_) return std::exchange(refuse_, status::ok());
    llm::completion_request copy = req;
    copy.on_event = nullptr;
    requests_.push_back(std::move(copy));
    ++stats_.requests;
    work_.push_back([this, req = std::move(req)] {
        std::string text = script_(req);
        llm::reply_stats st;
        st.prompt_tokens = count_chars(req.messages);
        st.computed_tokens = st.prompt_tokens;
        size_t at = 0;
        while (at < text.size() && st.generated_tokens < req.gen.max_tokens) {
            if (hook_) hook_(static_cast<size_t>(st.generated_tokens));
            if (req.cancelled->load()) {
                st.reason = llm::stop_reason::cancelled;
                break;
            }
            const size_t space = text.find(' ', at + 1);
            const size_t end = space == std::string::npos ? text.size() : space;
            llm::completion_event ev;
            ev.text = text.substr(at, end - at);
            at = end;
            ++st.generated_tokens;
            if (req.on_event) req.on_event(ev);
        }
        if (st.reason != llm::stop_reason::cancelled && at < text.size()) st.reason = llm::stop_reason::max_tokens;
        {
            std::lock_guard<std::mutex> after(mu_);
            held_.insert(req.key.id());
            stats_.prompt_tokens += static_cast<uint64_t>(st.prompt_tokens);
            stats_.computed_tokens += static_cast<uint64_t>(st.computed_tokens);
            stats_.generated_tokens += static_cast<uint64_t>(st.generated_tokens);
            stats_.conversations_resident = held_.size();
        }
        llm::completion_event done;
        done.type = llm::completion_event::kind::done;
        done.stats = st;
        if (req.on_event) req.on_event(done);
    });
    cv_.notify_all();
    return status::ok();
}

void fake_llm::drop(const llm::conversation_key & key, std::function<void(bool found)> done) {
    const auto forget = [this, key] {
        std::lock_guard<std::mutex> lock(mu_);
        const bool found = held_.erase(key.id()) > 0;
        stats_.conversations_resident = held_.size();
        return found;
    };
    {
        std::lock_guard<std::mutex> lock(mu_);
        if (!stopping_) {
            work_.push_back([forget, done = std::move(done)] {
                const bool found = forget();
                if (done) done(found);
            });
            cv_.notify_all();
            return;
        }
    }
    const bool found = forget();
    if (done) done(found);
}

void fake_llm::drop_person(const std::string & person, std::function<void()> done) {
    const auto forget = [this, prefix = person + '\x1f'] {
        std::lock_guard<std::mutex> lock(mu_);
        std::erase_if(held_, [&](const std::string & id) { return id.rfind(prefix, 0) == 0; });
        stats_.conversations_resident = held_.size();
    };
    {
        std::lock_guard<std::mutex> lock(mu_);
        if (!stopping_) {
            work_.push_back([forget, done = std::move(done)] {
                forget();
                if (done) done();
            });
            cv_.notify_all();
            return;
        }
    }
    forget();
    if (done) done();
}

llm::engine_stats fake_llm::stats() const {
    std::lock_guard<std::mutex> lock(mu_);
    llm::engine_stats st = stats_;
    st.pending = work_.size();
    return st;
}

// Replies already taken run to their end (a fake's replies are short).
void fake_llm::stop(int /*drain_ms*/) {
    {
        std::lock_guard<std::mutex> lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void fake_llm::refuse_next(status st) {
    std::lock_guard<std::mutex> lock(mu_);
    refuse_ = std::move(st);
}

std::vector<llm::completion_request> fake_llm::requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
}

bool fake_llm::holds(const llm::conversation_key & key) const {
    std::lock_guard<std::mutex> lock(mu_);
    return held_.count(key.id()) > 0;
}

void fake_llm::run() {
    for (;;) {
        std::function<void()> job;
        {
            std::unique_lock<std::mutex> lock(mu_);
            cv_.wait(lock, [this] { return stopping_ || !work_.empty(); });
            if (work_.empty()) return;  // stopping, and everything taken is done
            job = std::move(work_.front());
            work_.pop_front();
        }
        job();
    }
}

}  // namespace os1::test
