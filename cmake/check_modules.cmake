# Checks the direction of ../shared/ARCHITECTURE.md over every #include in
# SRC (a folder with one subfolder per module):
#   base <- llm, memory, net <- companion <- server, cli
# a module includes headers of itself, of the modules below it and of the
# public include/os1/, and a third-party library's headers only in the module
# that owns it. Fails listing each offending line.
#
#   cmake -DSRC=src -P cmake/check_modules.cmake
cmake_minimum_required(VERSION 3.25)
if(NOT SRC)
  message(FATAL_ERROR "check_modules: set -DSRC to the folder holding the modules")
endif()
get_filename_component(SRC "${SRC}" ABSOLUTE)

# Which modules each module may include (itself and os1/ always).
set(uses_base "")
set(uses_llm base)
set(uses_memory base)
set(uses_net base)
set(uses_companion base llm memory net)
set(uses_server base llm memory net companion)
set(uses_cli base llm memory net companion server)
set(modules base llm memory net companion server cli)

# A third-party header (its first path part, or its name when it has none)
# and the modules that may include it.
set(owner_openssl base)
set(owner_toml++ base)
set(owner_llama.h llm)
set(owner_llama-cpp.h llm)
set(owner_ggml.h llm)
set(owner_gguf.h llm)
set(owner_common.h llm)
set(owner_chat.h llm)
set(owner_sqlite3.h memory)
set(owner_archive.h memory)
set(owner_archive_entry.h memory)
set(owner_wn.h memory)
set(owner_curl net)
set(owner_boost server)
set(owner_sodium.h server)
set(owner_CLI cli)
set(owner_histedit.h cli)
# JSON is read and written at several edges (HTTP, the model's answers, exports).
set(owner_nlohmann net memory companion server cli)

set(problems "")
foreach(m IN LISTS modules)
  file(GLOB_RECURSE files "${SRC}/${m}/*.h" "${SRC}/${m}/*.cpp")
  foreach(f IN LISTS files)
    file(STRINGS "${f}" lines REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
    foreach(line IN LISTS lines)
      string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*([<\"])([^>\"]+)[>\"].*$" "\\1" delim "${line}")
      string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*([<\"])([^>\"]+)[>\"].*$" "\\2" path "${line}")
      string(FIND "${path}" "/" slash)
      if(slash GREATER 0)
        string(SUBSTRING "${path}" 0 ${slash} first)
      else()
        set(first "${path}")
      endif()
      set(ok TRUE)
      if(delim STREQUAL "\"" AND first IN_LIST modules)  # <memory> is the standard's
        if(NOT first STREQUAL m AND NOT first IN_LIST uses_${m})
          set(ok FALSE)
          set(why "module ${m} may not include ${first}/ (it is not below ${m})")
        endif()
      elseif(delim STREQUAL "<" AND DEFINED owner_${first})
        if(NOT m IN_LIST owner_${first})
          set(ok FALSE)
          set(why "${first} belongs to ${owner_${first}}, not ${m}")
        endif()
      endif()
      if(NOT ok)
        file(RELATIVE_PATH rel "${SRC}" "${f}")
        string(APPEND problems "  ${rel}: #include ${path}: ${why}\n")
      endif()
    endforeach()
  endforeach()
endforeach()

if(problems)
  message(FATAL_ERROR "check_modules: includes against the module direction (ARCHITECTURE.md):\n${problems}")
endif()
message(STATUS "check_modules: every include keeps the module direction")
