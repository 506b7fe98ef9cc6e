// What the memory store holds and returns, in os1:: types (no SQL here).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "os1/role.h"

namespace os1::memory {

// A person's internal id; every store call takes one, and every query filters on it.
using person_id = int64_t;

// The kinds and states below are enums in the core; their names (kind_name)
// appear only in SQL, JSON and what a person reads. parse_* give nullopt for
// any other name.
enum class recalled_kind { turn, fact, summary };
enum class initiative_kind { follow_up, check_in, reminder };
enum class initiative_state { pending, sent, dropped };
// Where a person is in the first-run interview (0011): not begun, asked
// questions, choosing the OS's name, done, or skipped by the operator.
enum class onboarding_stage { not_begun, interview, naming, done, skipped };

const char * kind_name(recalled_kind k);
const char * kind_name(initiative_kind k);
const char * state_name(initiative_state s);
const char * stage_name(onboarding_stage s);  // "" for not_begun
std::optional<initiative_kind> parse_initiative_kind(std::string_view name);
std::optional<initiative_state> parse_initiative_state(std::string_view name);
std::optional<onboarding_stage> parse_onboarding_stage(std::string_view name);

struct new_turn {
    std::string session;       // the caller's name for the sitting ("2024-05-08", "D3")
    std::string conversation;  // the conversation it belongs to ("" when there is one)
    std::string ext_id;        // the caller's id for the turn ("" for none); unique per person
    int64_t ts = 0;            // unix seconds
    std::string speaker;       // who said it ("Caroline", "OS1")
    os1::role role = os1::role::user;
    std::string text;
    // For a user turn: the recalled block put in front of it in the prompt, and
    // the ids of the turns that block quotes (see turn_citations in 0002).
    std::string recalled;
    std::vector<int64_t> cited;
    std::vector<int64_t> cited_facts;  // the facts that block quotes (see fact_citations in 0008)
};

struct turn_record {
    int64_t id = 0;
    int64_t session_id = 0;
    std::string ext_id;
    int64_t ts = 0;
    std::string speaker;
    os1::role role = os1::role::user;
    std::string text;
    std::string recalled;  // "" when none (or cleared because a quoted turn changed)
    std::string session;   // the session's key
};

// One conversation of a person, as the web page lists them.
struct conversation_brief {
    std::string id;         // the client's conversation id
    int64_t turns = 0;
    int64_t started_at = 0;
    int64_t last_at = 0;
    std::string last_text;  // its newest turn's words
};

// A fact to store: a short statement distilled from some of the person's turns.
struct new_fact {
    std::string text;
    int64_t ts = 0;                   // when it was said (its newest source's time)
    double confidence = 0.5;          // 0..1
    std::vector<int64_t> sources;     // the turns it comes from (at least one, this person's)
    std::vector<int64_t> supersedes;  // current facts it contradicts and replaces (this person's)
};

// One change distillation makes: a new fact, or (reinforce_id set) a repetition
// of a current fact, with new sources, time and confidence.
struct fact_change {
    new_fact fact;
    int64_t reinforce_id = 0;
};

struct distill_state {
    int64_t upto_turn_id = 0;  // turns up to this id are distilled
    int64_t failures = 0;      // in a row
    std::string last_error;
};

struct fact_record {
    int64_t id = 0;
    std::string text;
    int64_t ts = 0;
    double confidence = 0;
    int64_t reinforced = 0;     // times said again
    int64_t created_at = 0;
    int64_t superseded_by = 0;  // 0 while current
    int64_t superseded_at = 0;
    std::vector<int64_t> sources;
};

struct session_record {
    int64_t id = 0;
    std::string key;
    std::string conversation;
    int64_t started_at = 0;
    int64_t ended_at = 0;  // 0 while open
    std::string profile;   // the core profile its prompts carry ("" for none)
};

// One thing recall brings back. prov lists the turns it stands for (their
// ext_id, or "turn:<id>" when they have none).
struct recalled_item {
    recalled_kind kind = recalled_kind::turn;
    std::string text;  // as it goes into the prompt
    std::string body;  // the turn's or fact's own words (text without the date and speaker)
    double score = 0;
    int64_t ts = 0;
    std::vector<std::string> prov;
    std::vector<int64_t> turn_ids;  // the store's ids of the turns in prov
    int64_t fact_id = 0;            // for a fact
};

// A full-text or vector search's hit: a turn's, fact's or summary's id and score.
struct text_hit {
    int64_t turn_id;  // or fact id, or summary id
    double score;     // BM25 (higher is better), or a dot product
    double matched_share = 1;  // the share of the searched words it holds
};

// A summary: of one session (session_id set), or of the person (session_id 0).
struct summary_record {
    int64_t id = 0;
    int64_t session_id = 0;
    std::string session;       // the session's key ("" for the person's)
    std::string text;
    int64_t upto_turn_id = 0;  // the newest turn it covers (the person's: of the summaries it read)
    int64_t updated_at = 0;
};

// One version of the OS's persona in a relationship (0011).
struct persona_record {
    int64_t version = 0;                 // 0: there is none yet
    std::string name;                    // what the OS calls itself with this person
    std::string about;                   // how it describes itself, a sentence or two
    std::vector<std::string> traits;     // "curious", "dry humour"
    std::vector<std::string> interests;  // "astronomy"
    std::string notes;                   // running notes on the relationship
    std::string source;                  // onboarding, rename, evolve, rollback, default
    std::string reason;                  // why this version was made
    std::string diff;                    // from the version before
    int64_t created_at = 0;
};

// How one of the person's messages seemed to feel (0012).
struct emotion_reading {
    int64_t turn_id = 0;
    int64_t ts = 0;        // the message's time
    std::string label;     // one of companion/emotion.h's labels
    double valence = 0;    // -1 unpleasant .. 1 pleasant
    double arousal = 0;    // 0 calm .. 1 intense
    std::string source;    // "model" or "lexicon"
};

// Something the OS may say first (0013).
struct initiative_record {
    int64_t id = 0;
    initiative_kind kind = initiative_kind::follow_up;
    std::string text;         // what the OS will say
    std::string reason;       // why it thought of it
    double importance = 0.5;  // 0..1
    int64_t due_at = 0;
    int64_t created_at = 0;
    initiative_state state = initiative_state::pending;
    std::string decision;     // the scheduler's last word on it
    int64_t decided_at = 0;
    int64_t delivered_at = 0;  // 0: no client has received it
    int64_t source_turn = 0;   // the message it comes from (0: none)
    std::string dedup;         // one of each per person
};

// A pending initiative that is due, with whose it is (the scheduler's view).
struct due_initiative {
    person_id who = 0;
    std::string person;  // their name in the store
    initiative_record record;
};

// The person's own limits on the OS speaking first (0013).
struct initiative_settings {
    bool opted_out = false;
    int quiet_from = 22 * 60;   // minutes after local midnight
    int quiet_to = 8 * 60;
    int utc_offset = 0;         // minutes east of UTC
    int daily_cap = 2;          // messages a day it starts; reminders asked for do not count
    double min_importance = 0.3;
};

// Where a person is in the first-run interview (0011).
struct onboarding_state {
    onboarding_stage stage = onboarding_stage::not_begun;
    int question = 0;   // in the interview: the question asked and not yet answered
};

// Limits on what is stored, so that one huge message cannot fill the disk.
struct store_limits {
    size_t max_turn_bytes = 64 * 1024;
    size_t max_name_bytes = 256;
    size_t max_profile_bytes = 2048;  // the core profile is in every prompt: it stays short
    size_t max_fact_bytes = 1024;     // a fact is one statement
    size_t max_summary_bytes = 2400;          // 600 characters of up to 4 bytes
    size_t max_session_profile_bytes = 8192;  // the core profile a session keeps: own words, portrait, facts
    size_t max_persona_versions = 100;        // per person; the oldest go first
    size_t brief_turns = 2'000'000;           // turns whose briefs recall keeps in memory (about 64 bytes each)
};

}  // namespace os1::memory
