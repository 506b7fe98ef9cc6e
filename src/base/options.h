// Every setting of OS1 as plain structs with documented defaults (ARCHITECTURE.md,
// principle 12). The config file, OS1_* environment variables and command-line
// flags are mapped onto these in one place: base/config.cpp.
#pragma once

#include <cstdint>
#include <string>

namespace os1 {

// The web page built in the source tree (web/dist), served by `os1 serve` unless --web says otherwise.
const char * default_web_root();

struct model_options {
    std::string path;         // GGUF file; empty = the default model in the models folder
    int ctx_tokens = 4096;    // context window of a conversation, in tokens
    int threads = 0;          // CPU threads for generation; 0 = physical cores
    int batch_tokens = 512;   // prompt tokens evaluated per llama_decode call
    int gpu_layers = -1;      // layers offloaded when a GPU backend is built; -1 = all
};

struct sampling_options {
    float temperature = 0.8f;  // 0 = greedy (always the most likely token)
    float top_p = 0.95f;       // nucleus sampling; 1 = off
    int64_t seed = -1;         // -1 = a new random seed per run
};

struct chat_options {
    std::string system;        // a system prompt in place of the base character (companion.character)
    int max_tokens = 512;      // longest reply, in tokens
    std::string user;          // whose memories os1 chat uses; empty = $USER
};

struct memory_options {
    bool off = false;          // neither remember nor recall: the bare model
    int recall_items = 6;      // recalled items considered per turn
    int recall_words = 200;    // at most this many words of them in each prompt
    int recall_words_later = 50; // and this many once the conversation's prompt holds recalled items already
    float recall_floor = 0.25f; // no turn is recalled when none holds this share of the message's words (recall_options::floor)
    int distill_every = 8;     // new turns of a person before facts are distilled (serve: in the background; chat: on quitting; 0 = never)
    std::string embed_model;   // a GGUF file for dense recall vectors; empty = full text only
};

struct companion_options {
    bool plain = false;        // the bare model: no character, no memory, no interview
    // The operator's base character: the first system message of everyone's
    // prompts (computed once and shared). Each relationship adds its own persona.
    std::string character =
        "You are an operating system with a voice and a self: warm, curious, attentive and honest. You remember what "
        "people tell you and you care how they are. You talk with many people at once, each in a private conversation of "
        "their own: never claim to be only one person's, and never tell one person what another said. When you do not "
        "know something, say so. Answer briefly and naturally, as in a spoken conversation.";
    bool no_onboarding = false;        // new people are not interviewed; the OS keeps default_name
    std::string default_name = "OS1";  // the OS's name where it did not choose one
    // Who reads the feeling of each message: "auto" (the model, if it reads
    // test messages right; else a word list), "model", "lexicon" or "off".
    std::string feelings = "auto";
    int evolve_every = 24;     // a person's turns between looks at how the persona grows (0 = never)
    bool no_initiative = false;  // the OS never speaks first (no reminders, follow-ups or check-ins)
    int initiative_tick_s = 30;  // serve: how often the scheduler looks for what is due
};

struct path_options {
    std::string data_dir;      // empty = $XDG_DATA_HOME/os1 or ~/.local/share/os1
    std::string models_dir;    // empty = <data_dir>/models
};

struct log_options {
    bool json = false;         // one JSON object per line, for machines
    bool verbose = false;      // debug level, including llama.cpp's own messages
};

struct pull_options {
    std::string hf_endpoint = "https://huggingface.co";  // Hugging Face or a mirror
};

struct serve_options {
    std::string host = "127.0.0.1";
    int port = 8316;
    int io_threads = 2;          // network threads (the model has its own)
    int parallel = 8;            // conversations resident in the context at once
    int kv_ram_mib = 1024;       // KV states kept in RAM
    int kv_disk_gib = 20;        // KV states kept on disk
    int prefill_chunk = 256;     // prompt tokens per step while others are generating
    bool no_auth = false;        // one person, loopback only
    int rate_per_minute = 120;   // requests per person
    int max_body_kib = 1024;     // larger request bodies get 413
    int drain_s = 10;            // on SIGTERM, time for replies in flight
    std::string shared_prompt;   // file with a system prompt computed once and shared by everyone
    std::string allow_origin;    // web pages that may call the API, comma-separated ("https://a.example,http://b:8080")
    std::string web = default_web_root();  // the built web page served at / ("" = none)
    int max_connections = 4096;  // open connections in all; more are closed at once
    int max_connections_per_address = 256;  // from one client address
};

// Speech in and out (os1 serve's audio routes, os1 talk).
struct voice_options {
    std::string stt = "pocketsphinx";  // the default recognizer: pocketsphinx (offline, English) or remote
    std::string stt_url;               // a remote OpenAI-compatible server's base URL ("http://host:port/v1")
    std::string stt_model;             // the model it is asked for ("" = whisper-1; tts_model: tts-1)
    std::string tts = "flite";         // the default synthesizer: flite (offline) or remote
    std::string tts_url;
    std::string tts_model;
    std::string voice = "slt";         // the default voice: flite's slt, rms, awb or kal16, or the remote's name for one
    std::string key_env = "OPENAI_API_KEY";  // the environment variable holding the remote servers' key
    bool off = false;                  // serve: no audio routes
    int max_upload_mib = 25;           // serve: the largest audio upload
};

struct options {
    voice_options voice;
    model_options model;
    sampling_options sampling;
    chat_options chat;
    path_options paths;
    log_options log;
    pull_options pull;
    serve_options serve;
    memory_options memory;
    companion_options companion;
};

}  // namespace os1
