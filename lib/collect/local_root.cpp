#include "collect/local_root.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "core/error.hpp"
#include "core/text.hpp"

namespace preflight {
namespace {

[[noreturn]] void fail(const std::string& path, int err) { throw Error(path + ": " + std::strerror(err)); }

}  // namespace

LocalRoot::LocalRoot(std::string root) : root_(std::move(root)) {
  if (root_.empty()) root_ = "/";
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
}

std::string LocalRoot::path(std::string_view rel) const {
  std::string r(rel);
  if (r.empty() || r.front() != '/') r.insert(r.begin(), '/');
  return root_ == "/" ? r : root_ + r;
}

std::string LocalRoot::read(std::string_view rel) const {
  const std::string p = path(rel);
  errno = 0;
  std::ifstream in(p, std::ios::binary);
  if (!in) fail(p, errno ? errno : ENOENT);
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) fail(p, errno ? errno : EIO);
  return s.str();
}

std::string LocalRoot::read_value(std::string_view rel) const { return trim(read(rel)); }

std::vector<std::string> LocalRoot::list(std::string_view rel) const {
  const std::string p = path(rel);
  std::unique_ptr<DIR, int (*)(DIR*)> dir(opendir(p.c_str()), closedir);
  if (!dir) fail(p, errno);
  std::vector<std::string> names;
  while (const dirent* e = readdir(dir.get())) {
    const std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  std::sort(names.begin(), names.end());
  return names;
}

bool LocalRoot::exists(std::string_view rel) const {
  struct stat st;
  const std::string p = path(rel);
  return stat(p.c_str(), &st) == 0 || lstat(p.c_str(), &st) == 0;
}

uint64_t LocalRoot::fs_magic(std::string_view mountpoint) const {
  struct statfs st;
  const std::string p = path(mountpoint);
  if (statfs(p.c_str(), &st) != 0) fail(p, errno);
  return static_cast<uint64_t>(static_cast<uint32_t>(st.f_type));
}

}  // namespace preflight
