#include "companion/turn_memory.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>
#include <unordered_map>

#include "companion/emotion.h"
#include "companion/persona.h"
#include "memory/recall.h"

namespace os1::companion {

memory::new_turn turn_of(const turn_context & c, os1::role role, const std::string & speaker, const std::string & text) {
    memory::new_turn t;
    t.session = c.conversation;
    t.conversation = c.conversation;
    t.ts = c.now;
    t.speaker = speaker;
    t.role = role;
    t.text = text;
    return t;
}

result<prepared_turn> prepare_turn(memory::memory_store & store, const turn_context & c,
                                   const std::vector<llm::chat_message> & request, const std::string & default_persona,
                                   const memory_settings & s) {
    if (request.empty() || request.back().role != role::user) {
        return status(status_code::invalid_argument, "the last message must be the person's (role \"user\")");
    }
    auto who = store.person(c.person, true);
    if (!who) return who.error();
    prepared_turn out;
    out.person = *who;
    prompt_parts & p = out.parts;
    size_t first = 0;
    if (request.front().role == role::system) {
        p.persona = request.front().content;
        first = 1;
    } else {
        p.persona = default_persona;
    }
    p.message = request.back().content;

    auto tail = store.turns().session_tail(*who, c.conversation, s.tail_turns);
    if (!tail) return tail.error();
    // Earlier messages go back to the model as they were sent: with their blocks.
    std::unordered_map<std::string, std::string> sent_with;
    for (const auto & t : *tail) {
        if (t.role == role::user) sent_with[t.text] = t.recalled;
    }
    std::set<std::string> in_prompt{p.message};
    std::string shown;  // the blocks the history carries: what they recalled is in the prompt already
    for (size_t i = first; i + 1 < request.size(); ++i) {
        llm::chat_message m = request[i];
        in_prompt.insert(m.content);
        if (m.role == role::user) {
            if (auto it = sent_with.find(m.content); it != sent_with.end()) {
                m.content = with_recalled(it->second, m.content);
                shown += it->second;
            }
        }
        p.history.push_back(std::move(m));
    }

    // The core profile as this conversation first sent it (it sits before the
    // history, so a change would recompute the history's KV state), or made
    // now: the person's own words, their portrait and the facts said most often.
    // (An empty one too: facts learned later wait for the next conversation.
    // A session without one had it cleared, or began before profiles.)
    turn_parts w;
    auto frozen = store.profiles().session_profile(*who, c.conversation);
    if (!frozen) return frozen.error();
    if (*frozen) {
        p.core_profile = std::move(**frozen);
    } else {
        auto own = store.profiles().profile(*who);
        if (!own) return own.error();
        auto portrait = store.summaries().summary(*who, 0);
        if (!portrait) return portrait.error();
        auto facts = store.facts().core_facts(*who, s.profile_facts);
        if (!facts) return facts.error();
        p.core_profile = core_profile(*own, portrait->text, *facts, s.profile_bytes);
        w.session_profile = p.core_profile;
    }

    // Who the OS is with this person, frozen with the session as the profile is.
    auto persona = store.profiles().session_persona(*who, c.conversation);
    if (!persona) return persona.error();
    if (*persona) {
        p.relationship = std::move(**persona);
    } else {
        auto current = store.personas().persona(*who);
        if (!current) return current.error();
        p.relationship = persona_text(*current);
        w.session_persona = p.relationship;
    }

    // A retry of a turn that got no reply: the same turn, the same prompt.
    if (!tail->empty() && tail->back().role == role::user && tail->back().text == p.message) {
        out.user_turn_id = tail->back().id;
        p.recalled = tail->back().recalled;
        if (w.session_profile || w.session_persona) {
            if (auto id = store_turn(store, *who, c.conversation, w); !id) return id.error();
        }
        return out;
    }

    // What the prompt already holds is not recalled again.
    std::set<int64_t> skip;
    for (const auto & t : *tail) {
        if (in_prompt.count(t.text)) skip.insert(t.id);
    }
    memory::recall_options ro;
    size_t shown_items = 0;
    for (size_t at = shown.find("\n- "); at != std::string::npos; at = shown.find("\n- ", at + 1)) ++shown_items;
    ro.k = s.recall_items + static_cast<int>(std::min<size_t>(skip.size() + shown_items, 64));
    ro.as_of = c.now;
    ro.floor = s.recall_floor;
    std::vector<float> vec;  // the message's, also stored with it
    if (s.embedder) {
        auto v = s.embedder->embed(p.message);
        if (v) {
            vec = std::move(*v);
            ro.query_vector = &vec;
        } else {
            spdlog::warn("memory: no vector for a message ({}); full text only", v.error().message());
        }
    }
    ro.facts = s.recall_facts;
    ro.summaries = s.recall_summaries;
    auto items = memory::recall(store, *who, p.message, ro);
    if (!items) return items.error();
    std::vector<memory::recalled_item> fresh;
    for (auto & item : *items) {
        bool seen = std::any_of(item.turn_ids.begin(), item.turn_ids.end(), [&](int64_t id) { return skip.count(id) > 0; });
        // A fact from a turn the prompt holds is in it already, and so is one of the profile.
        if (item.kind == memory::recalled_kind::fact && ("\n" + p.core_profile + "\n").find("\n- " + item.body + "\n") != std::string::npos) seen = true;
        // Only what is new: an earlier block of this conversation brought it, and the model still sees it there.
        if (shown_in(shown, item)) seen = true;
        if (!seen && fresh.size() < static_cast<size_t>(s.recall_items)) fresh.push_back(std::move(item));
    }
    w.turn = turn_of(c, role::user, c.speaker, p.message);
    memory::new_turn & t = *w.turn;
    std::string tone;
    if (s.feelings) {
        w.feeling = lexicon_reading(p.message);
        tone = tone_line(*w.feeling);
        if (tone == last_tone_line(shown)) tone.clear();  // said already, and still in the prompt
    }
    const int budget = shown_items > 0 ? std::min(s.recall_words, s.recall_words_later) : s.recall_words;
    t.recalled = c.live_note + tone + recalled_block(fresh, budget, t.cited, &t.cited_facts, default_recall_bytes, shown);
    w.vector = std::move(vec);
    auto id = store_turn(store, *who, c.conversation, w);
    if (!id) return id.error();
    out.user_turn_id = *id;
    p.recalled = std::move(t.recalled);
    return out;
}

result<int64_t> remember_reply(memory::memory_store & store, const turn_context & c, memory::person_id who,
                               const std::string & reply, llm::embedder * embedder) {
    if (reply.empty()) return int64_t{0};  // nothing was said
    // Under the name it has with this person (the one it chose, or was given).
    auto persona = store.personas().persona(who);
    if (!persona) return persona.error();
    const std::string & speaker = persona->version && !persona->name.empty() ? persona->name : c.assistant;
    turn_parts w;
    w.turn = turn_of(c, role::assistant, speaker, reply);
    if (embedder) {
        // Made before the transaction, which stays short; one that fails is made later (embed_missing).
        if (auto v = embedder->embed(reply)) w.vector = std::move(*v);
    }
    return store_turn(store, who, c.conversation, w);
}

result<int64_t> store_turn(memory::memory_store & store, memory::person_id who, const std::string & session,
                           turn_parts & w) {
    memory::memory_store::transaction txn(store);
    if (!txn.begun()) return txn.begun();
    int64_t id = 0;
    if (w.turn) {  // first: a new session begins with it
        auto added = store.turns().add_turn(who, *w.turn);
        if (!added) return added.error();
        id = *added;
    }
    if (w.session_profile) {
        if (auto st = store.profiles().set_session_profile(who, session, *w.session_profile); !st) return st;
    }
    if (w.session_persona) {
        if (auto st = store.profiles().set_session_persona(who, session, *w.session_persona); !st) return st;
    }
    // A feeling or a vector the store refuses is made again later (read_missing_feelings,
    // embed_missing): the turn is not lost for it. A refused statement undoes only itself.
    if (w.feeling && id) {
        w.feeling->turn_id = id;
        if (auto st = store.feelings().put_emotion(who, *w.feeling); !st) spdlog::warn("feelings: a reading was not stored: {}", st.message());
    }
    if (!w.vector.empty() && id) {
        if (auto st = store.vectors().put_vector(who, id, w.vector); !st) spdlog::warn("memory: a vector was not stored: {}", st.message());
    }
    if (auto st = txn.commit(); !st) return st;
    return id;
}

result<int> read_missing_feelings(memory::memory_store & store, memory::person_id who, int limit) {
    auto turns = store.feelings().turns_without_emotion(who, "", limit);
    if (!turns) return turns.error();
    int done = 0;
    for (const auto & t : *turns) {
        auto r = lexicon_reading(t.text);
        r.turn_id = t.id;
        if (auto st = store.feelings().put_emotion(who, r); !st) return st;
        ++done;
    }
    return done;
}

result<int> embed_missing(memory::memory_store & store, memory::person_id who, llm::embedder & embedder, int limit) {
    auto turns = store.vectors().turns_without_vector(who, limit);
    if (!turns) return turns.error();
    int done = 0;
    for (const auto & t : *turns) {
        auto v = embedder.embed(t.text);
        if (!v) return v.error();
        if (auto st = store.vectors().put_vector(who, t.id, *v); !st) return st;
        ++done;
    }
    return done;
}

}  // namespace os1::companion
