#include "llm/kv_tier_disk.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <vector>

#include "base/files.h"
#include "base/sha256.h"

namespace os1::llm {

namespace fs = std::filesystem;

kv_tier_disk::kv_tier_disk(std::string dir, uint64_t budget_bytes) : dir_(std::move(dir)), budget_(budget_bytes) {}

kv_tier_disk::~kv_tier_disk() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        stop_ = true;
    }
    cv_.notify_all();
    if (writer_.joinable()) writer_.join();
}

std::string kv_person_folder(const std::string & person) { return sha256_hex(person).substr(0, 16); }
std::string kv_conversation_file(const std::string & conversation) { return sha256_hex(conversation).substr(0, 32) + ".kv"; }

std::string kv_tier_disk::path_for(const conversation_key & key) const {
    return dir_ + "/" + kv_person_folder(key.person) + "/" + kv_conversation_file(key.conversation);
}

status kv_tier_disk::open() {
    if (auto st = make_private_dirs(dir_); !st) return st;
    std::vector<std::pair<fs::file_time_type, std::string>> found;
    std::error_code ec;
    for (const auto & e : fs::recursive_directory_iterator(dir_, ec)) {
        if (!e.is_regular_file()) continue;
        const auto & p = e.path();
        if (p.extension() == ".kv") {
            found.emplace_back(e.last_write_time(), p.string());
        } else if (p.string().find(".kv.tmp.") != std::string::npos) {
            fs::remove(p, ec);  // a write cut short by a crash
        }
    }
    std::sort(found.begin(), found.end());  // oldest first: smallest last_used
    {
        std::lock_guard<std::mutex> lock(mu_);
        for (const auto & [when, path] : found) {
            const uint64_t size = fs::file_size(path, ec);
            files_[path] = {size, ++clock_};
            bytes_ += size;
        }
        evict_over_budget();
    }
    writer_ = std::thread([this] { writer_loop(); });
    spdlog::info("KV disk tier: {} conversations, {} MiB in {}", found.size(), bytes_ >> 20, dir_);
    return status::ok();
}

void kv_tier_disk::put_async(kv_saved_state s) {
    const std::string path = path_for(s.key);
    auto state = std::make_shared<const kv_saved_state>(std::move(s));
    {
        std::lock_guard<std::mutex> lock(mu_);
        if (pending_.count(path) == 0) queue_.push_back(path);
        pending_[path] = std::move(state);
    }
    cv_.notify_all();
}

void kv_tier_disk::writer_loop() {
    for (;;) {
        std::string path;
        std::shared_ptr<const kv_saved_state> state;
        {
            std::unique_lock<std::mutex> lock(mu_);
            cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping, and nothing left to write
            path = queue_.front();
            queue_.pop_front();
            state = pending_.at(path);
            ++writing_;
        }
        // Tens of MiB: encoded outside the lock, which the engine thread takes.
        const std::string data = encode_kv_state(*state);
        std::error_code ec;
        (void)make_private_dirs(fs::path(path).parent_path().string());
        // Rename makes the file appear whole or not at all; no fsync: a state lost
        // in a crash is only computed again.
        const std::string tmp = path + ".tmp." + std::to_string(reinterpret_cast<uintptr_t>(&data));
        bool ok = false;
        const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);  // a person's words, in effect
        if (FILE * f = fd >= 0 ? ::fdopen(fd, "wb") : nullptr) {
            ok = std::fwrite(data.data(), 1, data.size(), f) == data.size();
            ok = (std::fclose(f) == 0) && ok;
            ok = ok && std::rename(tmp.c_str(), path.c_str()) == 0;
        }
        if (!ok) {
            fs::remove(tmp, ec);
            spdlog::warn("KV disk tier: cannot write {}; that conversation will be computed again", path);
        }
        {
            std::lock_guard<std::mutex> lock(mu_);
            --writing_;
            // A newer state for the same path may have come meanwhile: it is
            // written next, and loads see it until then.
            if (auto it = pending_.find(path); it != pending_.end()) {
                if (it->second == state) {
                    pending_.erase(it);
                } else if (std::find(queue_.begin(), queue_.end(), path) == queue_.end()) {
                    queue_.push_back(path);
                }
            }
            if (ok) {
                auto & e = files_[path];
                bytes_ -= e.bytes;
                e.bytes = data.size();
                e.last_used = ++clock_;
                bytes_ += e.bytes;
                evict_over_budget();
            }
        }
        cv_.notify_all();
    }
}

void kv_tier_disk::evict_over_budget() {
    while (bytes_ > budget_ && !files_.empty()) {
        auto oldest = std::min_element(files_.begin(), files_.end(),
                                       [](const auto & a, const auto & b) { return a.second.last_used < b.second.last_used; });
        std::error_code ec;
        fs::remove(oldest->first, ec);
        bytes_ -= oldest->second.bytes;
        files_.erase(oldest);
    }
}

result<kv_saved_state> kv_tier_disk::load(const conversation_key & key) {
    const std::string path = path_for(key);
    std::shared_ptr<const kv_saved_state> queued;
    {
        std::lock_guard<std::mutex> lock(mu_);
        if (auto it = pending_.find(path); it != pending_.end()) {
            queued = it->second;
        } else {
            auto f = files_.find(path);
            if (f == files_.end()) return status(status_code::not_found, "no KV state");
            f->second.last_used = ++clock_;
        }
    }
    if (queued) return *queued;  // still being written: copied without the lock
    auto data = read_file_bytes(path, stream_slack);
    result<kv_saved_state> s = data ? decode_kv_state(std::move(*data)) : result<kv_saved_state>(data.error());
    if (s && !(s->key == key)) s = status(status_code::corrupt, "KV state file of another conversation");
    if (!s) {
        spdlog::warn("KV disk tier: {}: {}; computing that conversation again", path, s.error().message());
        erase(key);
        return status(status_code::not_found, "no usable KV state");
    }
    return s;
}

bool kv_tier_disk::contains(const conversation_key & key) const {
    const std::string path = path_for(key);
    std::lock_guard<std::mutex> lock(mu_);
    return pending_.count(path) > 0 || files_.count(path) > 0;
}

void kv_tier_disk::erase(const conversation_key & key) {
    const std::string path = path_for(key);
    std::unique_lock<std::mutex> lock(mu_);
    // Let an in-flight write of this path land first, then remove it.
    cv_.wait(lock, [&] { return pending_.count(path) == 0 || writing_ == 0; });
    pending_.erase(path);
    queue_.erase(std::remove(queue_.begin(), queue_.end(), path), queue_.end());
    if (auto it = files_.find(path); it != files_.end()) {
        bytes_ -= it->second.bytes;
        files_.erase(it);
    }
    std::error_code ec;
    fs::remove(path, ec);
}

void kv_tier_disk::erase_person(const std::string & person) {
    flush();
    const std::string sub = dir_ + "/" + sha256_hex(person).substr(0, 16);
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = files_.begin(); it != files_.end();) {
        if (it->first.rfind(sub + "/", 0) == 0) {
            bytes_ -= it->second.bytes;
            it = files_.erase(it);
        } else {
            ++it;
        }
    }
    std::error_code ec;
    fs::remove_all(sub, ec);
}

void kv_tier_disk::flush() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return queue_.empty() && writing_ == 0; });
}

uint64_t kv_tier_disk::bytes() const {
    std::lock_guard<std::mutex> lock(mu_);
    return bytes_;
}

size_t kv_tier_disk::count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return files_.size();
}

}  // namespace os1::llm
