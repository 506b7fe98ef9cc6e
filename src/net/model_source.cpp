#include "net/model_source.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <regex>
#include <vector>

#include "net/http_client.h"
#include "net/model_catalog.h"

namespace os1::net {
namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

bool ends_with(const std::string & s, const std::string & suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

struct repo_file {
    std::string path;
    uint64_t size = 0;
    std::string sha256;
};

result<std::vector<repo_file>> list_repo_files(const std::string & repo, const source_options & opts) {
    http_options h;
    if (!opts.hf_token.empty()) h.headers["Authorization"] = "Bearer " + opts.hf_token;
    const std::string url = opts.hf_endpoint + "/api/models/" + repo + "/tree/main";
    auto resp = http_get(url, h);
    if (!resp) return resp.error();
    if (resp->status == 404 || resp->status == 401) {
        return status(status_code::not_found, "no Hugging Face repository '" + repo + "' (or it is gated: set HF_TOKEN)");
    }
    if (resp->status != 200) {
        return status(status_code::network_error, url + " answered HTTP " + std::to_string(resp->status));
    }
    std::vector<repo_file> files;
    try {
        const auto doc = nlohmann::json::parse(resp->body);
        for (const auto & item : doc) {
            if (item.value("type", "") != "file") continue;
            repo_file f;
            f.path = item.value("path", "");
            f.size = item.value("size", uint64_t{0});
            if (item.contains("lfs") && item["lfs"].is_object()) {
                f.sha256 = lower(item["lfs"].value("oid", ""));
                f.size = item["lfs"].value("size", f.size);
            }
            files.push_back(std::move(f));
        }
    } catch (const std::exception & e) {
        return status(status_code::network_error, url + " returned a file list OS1 cannot read: " + e.what());
    }
    return files;
}

result<model_source> resolve_repo(const std::string & repo, const std::string & quant_in, const std::string & local_name,
                                  const source_options & opts) {
    auto files = list_repo_files(repo, opts);
    if (!files) return files.error();
    const std::string quant = lower(quant_in.empty() ? "Q4_K_M" : quant_in);
    std::vector<const repo_file *> ggufs, matches;
    for (const auto & f : *files) {
        const std::string name = lower(f.path);
        if (!ends_with(name, ".gguf") || name.find("mmproj") != std::string::npos) continue;
        ggufs.push_back(&f);
        // The quantization appears in the name as "-q4_k_m." or ".Q8_0." and the like.
        const std::string stem = name.substr(0, name.size() - 5);
        if (ends_with(stem, "-" + quant) || ends_with(stem, "." + quant) || ends_with(stem, "_" + quant)) {
            matches.push_back(&f);
        }
    }
    if (matches.empty()) {
        std::string have;
        for (const auto * f : ggufs) have += (have.empty() ? "" : ", ") + f->path;
        return status(status_code::invalid_argument,
                      "repository '" + repo + "' has no GGUF file for quantization " + quant_in +
                          (have.empty() ? " (it has no GGUF files at all)" : "; it has: " + have));
    }
    const repo_file & f = *matches.front();
    if (f.path.find("-00001-of-") != std::string::npos) {
        return status(status_code::unsupported, "'" + f.path + "' is split into several files; OS1 pulls single-file GGUFs");
    }
    model_source src;
    src.url = opts.hf_endpoint + "/" + repo + "/resolve/main/" + f.path;
    const auto slash = f.path.rfind('/');
    src.file_name = local_name.empty() ? f.path.substr(slash == std::string::npos ? 0 : slash + 1) : local_name;
    src.sha256 = f.sha256;
    src.size_bytes = f.size;
    src.described = repo + ": " + f.path;
    return src;
}

}  // namespace

result<model_source> resolve_model_source(const std::string & spec, const source_options & opts) {
    if (const catalog_entry * e = find_catalog_entry(spec)) {
        return resolve_repo(e->repo, e->quant, std::string(e->name) + ".gguf", opts);
    }
    if (spec.rfind("http://", 0) == 0 || spec.rfind("https://", 0) == 0) {
        model_source src;
        src.url = spec;
        static const std::regex sha_fragment("#sha256=([0-9a-fA-F]{64})$");
        std::smatch m;
        if (std::regex_search(spec, m, sha_fragment)) {
            src.sha256 = lower(m[1].str());
            src.url = spec.substr(0, static_cast<size_t>(m.position(0)));
        }
        std::string path = src.url.substr(0, src.url.find_first_of("?#"));
        src.file_name = path.substr(path.rfind('/') + 1);
        if (src.file_name.empty() || !ends_with(lower(src.file_name), ".gguf")) {
            return status(status_code::invalid_argument, "the URL '" + spec + "' does not name a .gguf file");
        }
        src.described = src.url;
        return src;
    }
    static const std::regex repo_spec(R"(^([A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*)(?::([A-Za-z0-9_.-]+))?$)");
    std::smatch m;
    if (std::regex_match(spec, m, repo_spec)) return resolve_repo(m[1].str(), m[2].str(), "", opts);

    std::string names;
    for (const auto & e : model_catalog()) names += (names.empty() ? "" : ", ") + std::string(e.name);
    return status(status_code::invalid_argument, "'" + spec + "' is not a model name (" + names +
                                                     "), a Hugging Face USER/REPO[:QUANT], or an http(s) URL");
}

}  // namespace os1::net
