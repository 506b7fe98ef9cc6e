#include "support/temp_dir.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "llm/test_model.h"

namespace os1::test {

temp_dir::temp_dir() {
    const char * base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/os1-test-XXXXXX";
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
}

temp_dir::~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

const std::string & tiny_model_path() {
    static temp_dir dir;
    static const std::string path = [] {
        const std::string p = dir.file("tiny-42.gguf");
        auto shape = llm::find_test_model_shape("tiny");
        if (!shape || !llm::make_test_model(p, *shape, 42)) throw std::runtime_error("cannot write the tiny model");
        return p;
    }();
    return path;
}

}  // namespace os1::test
