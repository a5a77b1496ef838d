#pragma once
// The local collector's only door to the machine's files: every /proc and /sys
// path is read below an injected root ("/" live, a fake tree in tests). Errors
// throw Error("<full path>: <strerror>").
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace preflight {

class LocalRoot {
 public:
  explicit LocalRoot(std::string root);

  // `rel` is an absolute-style path ("/proc/cpuinfo") joined below the root.
  std::string path(std::string_view rel) const;
  // The whole file.
  std::string read(std::string_view rel) const;
  // The file, trimmed of surrounding whitespace (sysfs values end with "\n").
  std::string read_value(std::string_view rel) const;
  // Entry names of a directory, sorted, without "." and "..".
  std::vector<std::string> list(std::string_view rel) const;
  // Whether the path exists (following symlinks; a dangling link counts as present).
  bool exists(std::string_view rel) const;
  // statfs(2) f_type of the mountpoint `mountpoint` below the root.
  uint64_t fs_magic(std::string_view mountpoint) const;
  bool is_live() const { return root_ == "/"; }

 private:
  std::string root_;
};

}  // namespace preflight
