// Erasing and revoking a person as one ordered step (docs/api.md, "Erasing").
//
// revoke(P) is the first thing an erase or a removal does: from then on P's
// tokens are refused (blocked), every request of P's in flight is cancelled,
// and P's epoch moves on. Every request carries the epoch it was admitted
// under, and the memory thread writes for it only while that epoch is
// current, so nothing of P is written after the erase, however the jobs
// interleave. unblock(P) follows once P's account is gone: a new account
// under the same name is then a new person.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace os1::server {

class person_gate {
public:
    uint64_t epoch(const std::string & person) const;
    // False once PERSON was revoked after EPOCH was taken.
    bool current(const std::string & person, uint64_t epoch) const;
    // True from revoke() until unblock(): PERSON's tokens are refused.
    bool blocked(const std::string & person) const;

    // A request of PERSON in flight: CANCEL is set when they are revoked.
    void watch(const std::string & person, const std::shared_ptr<std::atomic<bool>> & cancel);

    // PERSON was let in (a token was accepted): from now on the server holds
    // something of theirs (a stream, a request, a KV state) until they are revoked.
    void seen(const std::string & person);
    // Everyone let in and not revoked since.
    std::vector<std::string> known() const;

    void revoke(const std::string & person);  // also forgets PERSON from known()
    void unblock(const std::string & person);

private:
    mutable std::mutex mu_;
    std::map<std::string, uint64_t> epochs_;  // GUARDED_BY(mu_); absent = 0
    std::set<std::string> blocked_;           // GUARDED_BY(mu_)
    std::set<std::string> known_;             // GUARDED_BY(mu_)
    std::multimap<std::string, std::weak_ptr<std::atomic<bool>>> in_flight_;  // GUARDED_BY(mu_)
};

}  // namespace os1::server
