// Dense vectors of the person's turns (0010), for recall's semantic half.
// Part of memory_store (memory_store.h), over its connection and transaction.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "memory/memory_types.h"
#include "os1/status.h"

namespace os1::memory {

class sqlite_db;

class vector_store {
public:
    explicit vector_store(sqlite_db & db) : db_(&db) {}

    // The embedding model in use, by KEY (llm::embedder::key); with REPLACE,
    // vectors of any other model are removed (they do not compare), else
    // such vectors are an invalid_argument naming the problem.
    status use_vector_model(const std::string & key, int dims, bool replace = true);
    // Stores turn ID's vector (DIMS floats, L2-normalized). invalid_argument:
    // no model in use, wrong size, or not this person's turn.
    status put_vector(person_id who, int64_t turn_id, const std::vector<float> & v);
    // This person's turns that have no vector yet, newest first, up to LIMIT.
    result<std::vector<turn_record>> turns_without_vector(person_id who, int limit);
    // The LIMIT turns whose vectors are nearest Q (dot product), best first.
    // The person's vectors are read once and kept in memory.
    result<std::vector<text_hit>> search_vectors(person_id who, const std::vector<float> & q, int limit);

    // What is held of WHO's vectors (or everyone's) is forgotten; it reloads on use.
    void forget_cached(person_id who) { vectors_.erase(who); }
    void forget_all_cached() { vectors_.clear(); }

private:
    sqlite_db * db_;
    struct vector_set {
        std::vector<int64_t> ids;
        std::vector<float> data;  // ids.size() rows of vector_dims_
    };
    std::unordered_map<person_id, vector_set> vectors_;
    int vector_dims_ = 0;  // 0 until use_vector_model
};

}  // namespace os1::memory
