# Warnings and sanitizers for OS1's own targets (never for llama.cpp's).
function(os1_target_defaults target)
  target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wshadow
    -Wnon-virtual-dtor -Wcast-align -Wunused -Woverloaded-virtual -Wnull-dereference
    -Wformat=2 -Wimplicit-fallthrough>)
  if(OS1_WERROR)
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-Werror>)
  endif()
  if(OS1_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer
      -fno-sanitize-recover=undefined)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
  if(OS1_FUZZ)
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/include)
endfunction()

# A module exposes only its own headers (ARCHITECTURE.md): its include root is
# a build-tree folder holding one link, MODULE -> src/MODULE, so "memory/recall.h"
# resolves only for targets that link os1_memory, and an upward include fails
# the build. cmake/check_modules.cmake checks the same, and third-party headers.
function(os1_module_headers target module)
  set(root ${CMAKE_BINARY_DIR}/module_include/${module})
  if(NOT EXISTS ${root}/${module})
    file(MAKE_DIRECTORY ${root})
    file(CREATE_LINK ${PROJECT_SOURCE_DIR}/src/${module} ${root}/${module} SYMBOLIC)
  endif()
  target_include_directories(${target} PUBLIC ${root})
endfunction()

# The sanitizer runtime must be linked into every executable, even ones whose own
# objects are not instrumented.
if(OS1_SANITIZE)
  add_link_options(-fsanitize=address,undefined)
endif()
