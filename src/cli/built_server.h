// The server that os1 serve runs, built from the options: the model and its
// engine, memory, voices and the people who may connect. os1 serve runs it for
// everyone; os1 talk --mic runs one on loopback for the person at this machine
// and calls it, so that a spoken turn is the server's turn.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "base/options.h"
#include "llm/embedder.h"
#include "llm/engine.h"
#include "os1/status.h"
#include "server/http_server.h"
#include "server/users.h"

namespace os1::cli {

// Members in the order they are made: the server goes first, the model last.
struct built_server {
    std::string model_path;
    int parallel = 1;
    std::shared_ptr<llm::model> model;
    std::unique_ptr<llm::engine> engine;
    std::unique_ptr<llm::embedder> embedder;  // used on the memory thread only
    std::unique_ptr<server::users_store> users;
    std::unique_ptr<server::http_server> http;  // listening, not yet run
};

// Where it listens when not where the options say.
struct serve_place {
    std::string host = "127.0.0.1";
    int port = 0;  // any free one
    std::string users_file;  // the people who may connect (not the data folder's list)
};

// Errors as each step gives them; a wrong setting is named before the model loads.
result<std::unique_ptr<built_server>> build_server(const options & o, const std::optional<serve_place> & place = std::nullopt);

}  // namespace os1::cli
