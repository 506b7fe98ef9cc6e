// What this build of OS1 is: its version, the llama.cpp release it links, the flags.
#pragma once

#include <string>

namespace os1 {

const char * version();            // "0.1.0"
const char * llama_release();      // "v0.4.0", from deps/llama.cpp.pin
std::string build_description();   // one line: compiler, build type, sanitizers, CUDA

}  // namespace os1
