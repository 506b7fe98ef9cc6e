#include "base/config.h"

#include <toml++/toml.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "base/files.h"

namespace os1 {

const char * default_web_root() { return OS1_WEB_ROOT; }
namespace {

template <class T>
T * field(T & f) { return &f; }

const std::vector<option_entry> table = {
    {"model.path", "OS1_MODEL", "--model", "GGUF model file (default: the default model in the models folder)",
     [](options & o) -> option_target { return &o.model.path; }, 0, 0, true},
    {"model.ctx", "OS1_CTX", "--ctx", "context window in tokens",
     [](options & o) -> option_target { return &o.model.ctx_tokens; }, 256, 1 << 20},
    {"model.threads", "OS1_THREADS", "--threads", "CPU threads (0 = physical cores)",
     [](options & o) -> option_target { return &o.model.threads; }, 0, 1024},
    {"model.batch", "OS1_BATCH", "--batch", "prompt tokens per decode step",
     [](options & o) -> option_target { return &o.model.batch_tokens; }, 16, 1 << 16},
    {"model.gpu_layers", "OS1_GPU_LAYERS", "--gpu-layers", "layers on the GPU when one is built in (-1 = all)",
     [](options & o) -> option_target { return &o.model.gpu_layers; }, -1, 100000},
    {"sampling.temperature", "OS1_TEMP", "--temp", "sampling temperature (0 = greedy)",
     [](options & o) -> option_target { return &o.sampling.temperature; }, 0, 5},
    {"sampling.top_p", "OS1_TOP_P", "--top-p", "nucleus sampling threshold (1 = off)",
     [](options & o) -> option_target { return &o.sampling.top_p; }, 0, 1},
    {"sampling.seed", "OS1_SEED", "--seed", "random seed (-1 = random)",
     [](options & o) -> option_target { return &o.sampling.seed; }, -1, 4294967294.0},
    {"chat.system", "OS1_SYSTEM", "--system", "a system prompt in place of the base character",
     [](options & o) -> option_target { return &o.chat.system; }},
    {"chat.max_tokens", "OS1_MAX_TOKENS", "--max-tokens", "longest reply in tokens",
     [](options & o) -> option_target { return &o.chat.max_tokens; }, 1, 1 << 20},
    {"chat.user", "OS1_USER", "--user", "whose memories os1 chat uses (default: $USER)",
     [](options & o) -> option_target { return &o.chat.user; }},
    {"memory.off", "OS1_NO_MEMORY", "--no-memory", "neither remember nor recall: the bare model",
     [](options & o) -> option_target { return &o.memory.off; }},
    {"memory.recall_items", "OS1_RECALL_ITEMS", "--recall-items", "recalled memories considered per turn",
     [](options & o) -> option_target { return &o.memory.recall_items; }, 0, 100},
    {"memory.recall_words", "OS1_RECALL_WORDS", "--recall-words", "most words of recalled memories in a prompt",
     [](options & o) -> option_target { return &o.memory.recall_words; }, 0, 10000},
    {"memory.recall_words_later", "OS1_RECALL_WORDS_LATER", "--recall-words-later",
     "most words of newly recalled memories once the conversation already shows some",
     [](options & o) -> option_target { return &o.memory.recall_words_later; }, 0, 10000},
    {"memory.recall_floor", "OS1_RECALL_FLOOR", "--recall-floor",
     "recall no turn when none holds this share of the message's words (0 = off)",
     [](options & o) -> option_target { return &o.memory.recall_floor; }, 0, 1},
    {"memory.distill_every", "OS1_DISTILL_EVERY", "--distill-every", "new turns of a person before facts are distilled from them (0 = never)",
     [](options & o) -> option_target { return &o.memory.distill_every; }, 0, 100000},
    {"memory.embed_model", "OS1_EMBED_MODEL", "--embed-model", "GGUF model whose vectors join recall (a path; empty = full text only)",
     [](options & o) -> option_target { return &o.memory.embed_model; }, 0, 0, true},
    {"companion.plain", "OS1_PLAIN", "--plain", "the bare model: no character, no memory, no first-run interview",
     [](options & o) -> option_target { return &o.companion.plain; }},
    {"companion.character", "OS1_CHARACTER", "--character", "the base character, shared by everyone's prompts",
     [](options & o) -> option_target { return &o.companion.character; }},
    {"companion.no_onboarding", "OS1_NO_ONBOARDING", "--no-onboarding", "no first-run interview: the OS keeps the default name",
     [](options & o) -> option_target { return &o.companion.no_onboarding; }},
    {"companion.default_name", "OS1_DEFAULT_NAME", "--default-name", "the OS's name where it did not choose one",
     [](options & o) -> option_target { return &o.companion.default_name; }},
    {"companion.feelings", "OS1_FEELINGS", "--feelings", "who reads each message's feeling: auto, model, lexicon or off",
     [](options & o) -> option_target { return &o.companion.feelings; }},
    {"companion.evolve_every", "OS1_EVOLVE_EVERY", "--evolve-every", "a person's turns between looks at how the persona grows (0 = never)",
     [](options & o) -> option_target { return &o.companion.evolve_every; }, 0, 100000},
    {"companion.no_initiative", "OS1_NO_INITIATIVE", "--no-initiative", "the OS never speaks first: no reminders, follow-ups or check-ins",
     [](options & o) -> option_target { return &o.companion.no_initiative; }},
    {"companion.initiative_tick_s", "OS1_INITIATIVE_TICK_S", "--initiative-tick-s",
     "seconds between the server's looks for what it should say first (a reminder comes at most this late)",
     [](options & o) -> option_target { return &o.companion.initiative_tick_s; }, 1, 3600},
    {"paths.data", "OS1_DATA", "--data", "data folder (default ~/.local/share/os1)",
     [](options & o) -> option_target { return &o.paths.data_dir; }, 0, 0, true},
    {"paths.models", "OS1_MODELS", "--models", "models folder (default <data>/models)",
     [](options & o) -> option_target { return &o.paths.models_dir; }, 0, 0, true},
    {"log.json", "OS1_LOG_JSON", "--log-json", "log as JSON lines",
     [](options & o) -> option_target { return &o.log.json; }},
    {"log.verbose", "OS1_VERBOSE", "--verbose", "log debug messages, llama.cpp's included",
     [](options & o) -> option_target { return &o.log.verbose; }},
    {"pull.hf_endpoint", "OS1_HF_ENDPOINT", "--hf-endpoint", "Hugging Face endpoint or mirror",
     [](options & o) -> option_target { return &o.pull.hf_endpoint; }},
    {"serve.host", "OS1_HOST", "--host", "address to listen on",
     [](options & o) -> option_target { return &o.serve.host; }},
    {"serve.port", "OS1_PORT", "--port", "port to listen on (0 = any free port)",
     [](options & o) -> option_target { return &o.serve.port; }, 0, 65535},
    {"serve.io_threads", "OS1_IO_THREADS", "--io-threads", "network threads",
     [](options & o) -> option_target { return &o.serve.io_threads; }, 1, 64},
    {"serve.parallel", "OS1_PARALLEL", "--parallel", "conversations resident in the context at once",
     [](options & o) -> option_target { return &o.serve.parallel; }, 1, 240},
    {"serve.kv_ram_mib", "OS1_KV_RAM_MIB", "--kv-ram-mib", "MiB of RAM for KV states out of the context",
     [](options & o) -> option_target { return &o.serve.kv_ram_mib; }, 0, 1 << 20},
    {"serve.kv_disk_gib", "OS1_KV_DISK_GIB", "--kv-disk-gib", "GiB of disk for KV states",
     [](options & o) -> option_target { return &o.serve.kv_disk_gib; }, 0, 1 << 16},
    {"serve.prefill_chunk", "OS1_PREFILL_CHUNK", "--prefill-chunk", "prompt tokens per step while others stream",
     [](options & o) -> option_target { return &o.serve.prefill_chunk; }, 1, 1 << 16},
    {"serve.no_auth", "OS1_NO_AUTH", "--no-auth", "no tokens: one person, loopback only",
     [](options & o) -> option_target { return &o.serve.no_auth; }},
    {"serve.rate_per_minute", "OS1_RATE_PER_MINUTE", "--rate-per-minute", "requests per person per minute (0 = no limit)",
     [](options & o) -> option_target { return &o.serve.rate_per_minute; }, 0, 1000000},
    {"serve.max_body_kib", "OS1_MAX_BODY_KIB", "--max-body-kib", "largest request body in KiB",
     [](options & o) -> option_target { return &o.serve.max_body_kib; }, 1, 1 << 20},
    {"serve.drain_s", "OS1_DRAIN_S", "--drain-s", "seconds for replies in flight when stopping",
     [](options & o) -> option_target { return &o.serve.drain_s; }, 0, 3600},
    {"serve.shared_prompt", "OS1_SHARED_PROMPT", "--shared-prompt", "file with a system prompt shared by everyone",
     [](options & o) -> option_target { return &o.serve.shared_prompt; }, 0, 0, true},
    {"serve.allow_origin", "OS1_ALLOW_ORIGIN", "--allow-origin",
     "web pages that may call the API, comma-separated (scheme://host[:port]); others are refused",
     [](options & o) -> option_target { return &o.serve.allow_origin; }},
    {"serve.web", "OS1_WEB", "--web", "folder of the built web page served at / (\"\" for none)",
     [](options & o) -> option_target { return &o.serve.web; }, 0, 0, true},
    {"serve.max_connections", "OS1_MAX_CONNECTIONS", "--max-connections", "open connections in all; more are refused",
     [](options & o) -> option_target { return &o.serve.max_connections; }, 1, 1 << 20},
    {"serve.max_connections_per_address", "OS1_MAX_CONNECTIONS_PER_ADDRESS", "--max-connections-per-address",
     "open connections from one client address",
     [](options & o) -> option_target { return &o.serve.max_connections_per_address; }, 1, 1 << 20},
    {"voice.stt", "OS1_STT", "--stt", "who hears speech: pocketsphinx (offline, English) or remote (--stt-url)",
     [](options & o) -> option_target { return &o.voice.stt; }},
    {"voice.stt_url", "OS1_STT_URL", "--stt-url", "an OpenAI-compatible server that transcribes (http://host:port/v1)",
     [](options & o) -> option_target { return &o.voice.stt_url; }},
    {"voice.stt_model", "OS1_STT_MODEL", "--stt-model", "the model that server is asked for (\"\" = whisper-1)",
     [](options & o) -> option_target { return &o.voice.stt_model; }},
    {"voice.tts", "OS1_TTS", "--tts", "who speaks: flite (offline) or remote (--tts-url)",
     [](options & o) -> option_target { return &o.voice.tts; }},
    {"voice.tts_url", "OS1_TTS_URL", "--tts-url", "an OpenAI-compatible server that speaks (http://host:port/v1)",
     [](options & o) -> option_target { return &o.voice.tts_url; }},
    {"voice.tts_model", "OS1_TTS_MODEL", "--tts-model", "the model that server is asked for (\"\" = tts-1)",
     [](options & o) -> option_target { return &o.voice.tts_model; }},
    {"voice.voice", "OS1_VOICE", "--voice", "the OS's voice: slt, rms, awb or kal16 (flite), or the remote server's name for one",
     [](options & o) -> option_target { return &o.voice.voice; }},
    {"voice.key_env", "OS1_VOICE_KEY_ENV", "--voice-key-env", "the environment variable that holds the remote servers' API key",
     [](options & o) -> option_target { return &o.voice.key_env; }},
    {"voice.off", "OS1_NO_VOICE", "--no-voice", "serve: no audio routes",
     [](options & o) -> option_target { return &o.voice.off; }},
    {"voice.max_upload_mib", "OS1_MAX_UPLOAD_MIB", "--max-upload-mib", "serve: the largest audio upload in MiB",
     [](options & o) -> option_target { return &o.voice.max_upload_mib; }, 1, 1024},
};

status bad_value(std::string_view source, std::string_view text, const std::string & why) {
    return {status_code::invalid_argument,
            std::string(source) + ": invalid value '" + std::string(text) + "': " + why};
}

std::string range_text(const option_entry & e) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "from %.15g to %.15g", e.min, e.max);
    return buf;
}

template <class T>
status parse_integer(const option_entry & e, std::string_view text, std::string_view source, T & out) {
    long long v = 0;
    const auto * end = text.data() + text.size();
    const auto [p, ec] = std::from_chars(text.data(), end, v);
    if (ec != std::errc() || p != end) return bad_value(source, text, "expected a whole number");
    if (e.min != e.max && (static_cast<double>(v) < e.min || static_cast<double>(v) > e.max)) {
        return bad_value(source, text, "must be " + range_text(e));
    }
    out = static_cast<T>(v);
    return status::ok();
}

status parse_float(const option_entry & e, std::string_view text, std::string_view source, float & out) {
    const std::string s(text);
    char * end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(v)) {
        return bad_value(source, text, "expected a number");
    }
    if (e.min != e.max && (v < e.min || v > e.max)) return bad_value(source, text, "must be " + range_text(e));
    out = static_cast<float>(v);
    return status::ok();
}

status parse_bool(std::string_view text, std::string_view source, bool & out) {
    if (text == "1" || text == "true" || text == "yes" || text == "on") { out = true; return status::ok(); }
    if (text == "0" || text == "false" || text == "no" || text == "off") { out = false; return status::ok(); }
    return bad_value(source, text, "expected true or false");
}

// A TOML value as the text apply_option parses, after checking its TOML type.
result<std::string> toml_text(const option_entry & e, const toml::node & node, const std::string & source) {
    options scratch;
    const option_target t = e.target(scratch);
    if (std::holds_alternative<std::string *>(t)) {
        if (auto v = node.value<std::string>(); v && node.is_string()) return *v;
        return status(status_code::invalid_argument, source + ": must be a string");
    }
    if (std::holds_alternative<bool *>(t)) {
        if (node.is_boolean()) return std::string(*node.value<bool>() ? "true" : "false");
        return status(status_code::invalid_argument, source + ": must be true or false");
    }
    if (std::holds_alternative<float *>(t)) {
        if (node.is_number()) {
            std::ostringstream ss;
            ss << *node.value<double>();
            return ss.str();
        }
        return status(status_code::invalid_argument, source + ": must be a number");
    }
    if (node.is_integer()) return std::to_string(*node.value<int64_t>());
    return status(status_code::invalid_argument, source + ": must be a whole number");
}

std::string xdg_dir(const env_lookup & env, const char * var, const char * fallback) {
    if (auto v = env(var); v && !v->empty()) return *v;
    const auto home = env("HOME");
    return (home ? *home : std::string()) + "/" + fallback;
}

}  // namespace

const std::vector<option_entry> & option_table() { return table; }

const option_entry * find_option(std::string_view key_or_flag) {
    for (const auto & e : table) {
        if (key_or_flag == e.key || key_or_flag == e.flag || key_or_flag == e.env) return &e;
    }
    return nullptr;
}

status apply_option(options & opts, const option_entry & e, std::string_view text, std::string_view source) {
    return std::visit(
        [&](auto * p) -> status {
            using T = std::remove_pointer_t<decltype(p)>;
            if constexpr (std::is_same_v<T, std::string>) {
                *p = e.is_path ? expand_home(std::string(text)) : std::string(text);
                return status::ok();
            } else if constexpr (std::is_same_v<T, bool>) {
                return parse_bool(text, source, *p);
            } else if constexpr (std::is_same_v<T, float>) {
                return parse_float(e, text, source, *p);
            } else {
                return parse_integer(e, text, source, *p);
            }
        },
        e.target(opts));
}

std::optional<std::string> process_env(const char * name) {
    const char * v = std::getenv(name);
    if (!v) return std::nullopt;
    return std::string(v);
}

std::string default_config_path() {
    return xdg_dir(process_env, "XDG_CONFIG_HOME", ".config") + "/os1/os1.toml";
}

result<options> load_options(const std::string & config_path, const env_lookup & env) {
    options opts;
    std::string path = config_path;
    const bool named = !path.empty();
    if (!named) path = xdg_dir(env, "XDG_CONFIG_HOME", ".config") + "/os1/os1.toml";

    if (named || path_exists(path)) {
        auto text = read_file(path);
        if (!text) return status(status_code::invalid_argument, "config " + text.error().message());
        toml::table doc;
        try {
            doc = toml::parse(*text, path);
        } catch (const toml::parse_error & err) {
            const auto & where = err.source().begin;
            return status(status_code::invalid_argument,
                          "config file '" + path + "': line " + std::to_string(where.line) + ", column " +
                              std::to_string(where.column) + ": " + std::string(err.description()));
        }
        for (const auto & [section, node] : doc) {
            const auto * sub = node.as_table();
            if (!sub) {
                return status(status_code::invalid_argument, "config file '" + path + "': '" +
                                                                 std::string(section.str()) +
                                                                 "' must be a [table] (see `os1 config --defaults`)");
            }
            for (const auto & [name, value] : *sub) {
                const std::string key = std::string(section.str()) + "." + std::string(name.str());
                const std::string source = "config file '" + path + "': " + key;
                const option_entry * e = find_option(key);
                if (!e || key != e->key) {
                    return status(status_code::invalid_argument, "config file '" + path + "': unknown key '" + key + "'");
                }
                auto text_value = toml_text(*e, value, source);
                if (!text_value) return text_value.error();
                if (auto st = apply_option(opts, *e, *text_value, source); !st) return st;
            }
        }
    }
    for (const auto & e : table) {
        if (auto v = env(e.env)) {
            if (auto st = apply_option(opts, e, *v, std::string("environment variable ") + e.env); !st) return st;
        }
    }
    return opts;
}

void finalize_options(options & opts, const env_lookup & env) {
    if (opts.paths.data_dir.empty()) opts.paths.data_dir = xdg_dir(env, "XDG_DATA_HOME", ".local/share") + "/os1";
    if (opts.paths.models_dir.empty()) opts.paths.models_dir = opts.paths.data_dir + "/models";
    opts.paths.data_dir = expand_home(opts.paths.data_dir);
    opts.paths.models_dir = expand_home(opts.paths.models_dir);
    opts.model.path = expand_home(opts.model.path);
    if (opts.companion.plain) opts.memory.off = true;  // the bare model remembers nothing either
}

std::string default_config_text() {
    options defaults;
    std::ostringstream out;
    out << "# os1.toml: every setting at its default. Environment variables (OS1_*) and\n"
           "# command-line flags override what is written here.\n";
    std::string section;
    for (const auto & e : table) {
        const std::string key = e.key;
        const auto dot = key.find('.');
        if (key.substr(0, dot) != section) {
            section = key.substr(0, dot);
            out << "\n[" << section << "]\n";
        }
        out << "# " << e.help << " (" << e.env << ", " << e.flag << ")\n";
        std::visit(
            [&](auto * p) {
                using T = std::remove_pointer_t<decltype(p)>;
                const std::string name = key.substr(dot + 1);
                if constexpr (std::is_same_v<T, std::string>) {
                    if (p->empty()) {
                        out << "# " << name << " = \"\"\n";
                    } else {
                        out << name << " = " << toml::value<std::string>(*p) << "\n";
                    }
                } else if constexpr (std::is_same_v<T, bool>) {
                    out << name << " = " << (*p ? "true" : "false") << "\n";
                } else {
                    out << name << " = " << *p << "\n";
                }
            },
            e.target(defaults));
    }
    return out.str();
}

}  // namespace os1
