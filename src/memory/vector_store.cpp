// The vector store (0010). Every statement filters on person_id.
#include "memory/vector_store.h"

#include <algorithm>
#include <cstring>

#include "memory/memory_store_rows.h"
#include "memory/sqlite_db.h"

namespace os1::memory {

status vector_store::use_vector_model(const std::string & key, int dims, bool replace) {
    if (key.empty() || dims <= 0) return status(status_code::invalid_argument, "an embedding model needs a key and dimensions");
    auto st = db_->prepare("SELECT key, dims FROM vector_model WHERE id = 1");
    if (!st) return st.error();
    auto row = st->step();
    if (!row) return row.error();
    if (*row && st->text(0) == key && st->int64(1) == dims) {
        vector_dims_ = dims;
        return status::ok();
    }
    if (*row && !replace) {
        return status(status_code::invalid_argument, "the stored vectors come from another embedding model; "
                                                     "the one os1 chat or os1 serve uses gives comparable ones");
    }
    vector_dims_ = dims;
    vectors_.clear();
    sqlite_txn txn(*db_);
    if (!txn.begun()) return txn.begun();
    if (auto s = db_->exec("DELETE FROM turn_vectors"); !s) return s;
    auto set = db_->prepare("INSERT INTO vector_model (id, key, dims) VALUES (1, ?1, ?2) "
                            "ON CONFLICT (id) DO UPDATE SET key = ?1, dims = ?2");
    if (!set) return set.error();
    set->bind(1, key).bind(2, static_cast<int64_t>(dims));
    if (auto s = set->run(); !s) return s;
    return txn.commit();
}

status vector_store::put_vector(person_id who, int64_t turn_id, const std::vector<float> & v) {
    if (vector_dims_ == 0) return status(status_code::invalid_argument, "no embedding model is in use");
    if (v.size() != static_cast<size_t>(vector_dims_)) {
        return status(status_code::invalid_argument, "a vector of " + std::to_string(v.size()) + " numbers, not " +
                                                         std::to_string(vector_dims_));
    }
    auto st = db_->prepare("INSERT OR REPLACE INTO turn_vectors (turn_id, person_id, vec) "
                           "SELECT id, person_id, ?3 FROM turns WHERE id = ?2 AND person_id = ?1");
    if (!st) return st.error();
    st->bind(1, who).bind(2, turn_id).bind_blob(3, v.data(), v.size() * sizeof(float));
    if (auto s = st->run(); !s) return s;
    if (db_->changes() == 0) return status(status_code::invalid_argument, "no turn " + std::to_string(turn_id) + " of this person");
    if (auto it = vectors_.find(who); it != vectors_.end()) {
        auto & set = it->second;
        const auto at = std::find(set.ids.begin(), set.ids.end(), turn_id);
        if (at != set.ids.end()) {
            std::copy(v.begin(), v.end(), set.data.begin() + (at - set.ids.begin()) * vector_dims_);
        } else {
            set.ids.push_back(turn_id);
            set.data.insert(set.data.end(), v.begin(), v.end());
        }
    }
    return status::ok();
}

result<std::vector<turn_record>> vector_store::turns_without_vector(person_id who, int limit) {
    auto st = db_->prepare(std::string("SELECT ") + turn_columns +
                           " FROM turns t WHERE t.person_id = ?1 AND NOT EXISTS "
                           "(SELECT 1 FROM turn_vectors v WHERE v.turn_id = t.id) ORDER BY t.id DESC LIMIT ?2");
    if (!st) return st.error();
    st->bind(1, who).bind(2, static_cast<int64_t>(limit));
    return collect_turns(st);
}

result<std::vector<text_hit>> vector_store::search_vectors(person_id who, const std::vector<float> & q, int limit) {
    if (vector_dims_ == 0 || q.size() != static_cast<size_t>(vector_dims_) || limit <= 0) return std::vector<text_hit>{};
    auto it = vectors_.find(who);
    if (it == vectors_.end()) {
        vector_set set;
        auto st = db_->prepare("SELECT turn_id, vec FROM turn_vectors WHERE person_id = ?1 ORDER BY turn_id");
        if (!st) return st.error();
        st->bind(1, who);
        const size_t bytes = static_cast<size_t>(vector_dims_) * sizeof(float);
        for (;;) {
            auto row = st->step();
            if (!row) return row.error();
            if (!*row) break;
            const std::string blob = st->blob(1);
            if (blob.size() != bytes) continue;  // cannot happen: put_vector checks the size
            set.ids.push_back(st->int64(0));
            const size_t at = set.data.size();
            set.data.resize(at + static_cast<size_t>(vector_dims_));
            std::memcpy(set.data.data() + at, blob.data(), bytes);
        }
        it = vectors_.emplace(who, std::move(set)).first;
    }
    const auto & set = it->second;
    std::vector<text_hit> out;
    out.reserve(set.ids.size());
    const size_t d = static_cast<size_t>(vector_dims_);
    for (size_t i = 0; i < set.ids.size(); ++i) {
        const float * row = set.data.data() + i * d;
        float dot = 0;
        for (size_t j = 0; j < d; ++j) dot += row[j] * q[j];
        out.push_back({set.ids[i], dot});
    }
    const size_t n = std::min(out.size(), static_cast<size_t>(limit));
    std::partial_sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n), out.end(), [](const text_hit & a, const text_hit & b) {
        return a.score != b.score ? a.score > b.score : a.turn_id < b.turn_id;
    });
    out.resize(n);
    return out;
}

}  // namespace os1::memory
