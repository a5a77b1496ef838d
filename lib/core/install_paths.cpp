#include "core/install_paths.hpp"

#include <filesystem>
#include <system_error>

#include "core/error.hpp"

namespace preflight {

std::string executable_dir() {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) throw Error("cannot find the running program (/proc/self/exe: " + ec.message() + ")", "give --rules DIR");
  return exe.parent_path().string();
}

std::string data_dir() {
  return (std::filesystem::path(executable_dir()) / ".." / "share" / "preflight").lexically_normal().string();
}

}  // namespace preflight
