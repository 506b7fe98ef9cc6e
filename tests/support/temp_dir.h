// A fresh folder per test, removed afterwards; and the tiny test model, made
// once per test program.
#pragma once

#include <string>

namespace os1::test {

class temp_dir {
public:
    temp_dir();
    ~temp_dir();
    temp_dir(const temp_dir &) = delete;
    temp_dir & operator=(const temp_dir &) = delete;
    const std::string & path() const { return path_; }
    std::string file(const std::string & name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

// The tiny model with seed 42, written on first use into a folder that lives
// as long as the test program.
const std::string & tiny_model_path();

}  // namespace os1::test
