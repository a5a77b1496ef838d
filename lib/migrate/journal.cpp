#include "migrate/journal.hpp"

#include <chrono>
#include <cstdlib>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "report/migration_json.hpp"

namespace preflight {

std::filesystem::path Journal::default_path() {
  std::filesystem::path state;
  if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg && *xdg) {
    state = xdg;
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    state = std::filesystem::path(home) / ".local" / "state";
  } else {
    throw Error("journal: neither XDG_STATE_HOME nor HOME is set", "set XDG_STATE_HOME to a writable folder");
  }
  return state / "preflight" / "journal.jsonl";
}

void Journal::append(const MigrationRequest& request, const MoveVerdict& verdict,
                     const MigrationOutcome& outcome) const {
  const auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  nlohmann::json line = outcome_json(request, verdict, outcome);
  line["time"] = fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", now);
  std::error_code ec;
  std::filesystem::create_directories(file_.parent_path(), ec);
  if (ec) throw Error(fmt::format("{}: cannot create the journal folder: {}", file_.parent_path().string(), ec.message()));
  // One write(2) of the whole line on an O_APPEND descriptor: moves running in
  // parallel (threads or processes) never interleave their lines.
  const std::string text = line.dump() + '\n';
  const int fd = ::open(file_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw Error(fmt::format("{}: cannot append to the journal: {}", file_.string(), std::strerror(errno)));
  ssize_t written = -1;
  do {
    written = ::write(fd, text.data(), text.size());
  } while (written < 0 && errno == EINTR);
  const int write_errno = errno;
  ::close(fd);
  if (written != static_cast<ssize_t>(text.size()))
    throw Error(fmt::format("{}: cannot append to the journal: {}", file_.string(),
                            written < 0 ? std::strerror(write_errno) : "short write"));
}

}  // namespace preflight
