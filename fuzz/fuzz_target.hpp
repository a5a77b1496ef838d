#pragma once
// What every harness of fuzz/ shares. The contract each one checks: a parser given
// any bytes returns, or refuses them with preflight::Error. Anything else -- another
// exception type, a crash, a sanitizer report, a hang, memory beyond libFuzzer's
// limit -- is a finding (libFuzzer stops and saves the input).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace preflight::fuzz {

inline std::string text_of(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

// Runs `parse`; an Error is the expected refusal of bad input.
template <class F>
void refused_with_error_only(F&& parse) {
  try {
    parse();
  } catch (const preflight::Error&) {
  }
}

// A folder of this process, made on first use and removed at exit; harnesses whose
// parser reads files write each input there. In memory (/dev/shm, a tmpfs) where the
// machine has it: writing and removing a file per input on a journaling disk made
// fuzz_cpu_map and fuzz_test_driver_xml spend most of their time waiting (3.5 to 6
// times the wall time of the same runs on tmpfs). Elsewhere the temp dir.
inline const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    std::error_code ec;
    const std::filesystem::path shm = "/dev/shm";
    const std::filesystem::path base =
        std::filesystem::is_directory(shm, ec) && ::access(shm.c_str(), W_OK) == 0 ? shm
                                                                                    : std::filesystem::temp_directory_path();
    std::filesystem::path p = base / ("preflight-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(p);
    static const std::string remove_at_exit = p.string();
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(remove_at_exit, ec);
    });
    return p;
  }();
  return dir;
}

inline void write_file(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace preflight::fuzz
