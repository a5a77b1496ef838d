#include "core/text.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "core/input_limits.hpp"

namespace preflight {

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const auto pos = s.find(sep, start);
    out.emplace_back(s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t sub = prev[j - 1] + (std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                                                std::tolower(static_cast<unsigned char>(b[j - 1]))
                                            ? 0
                                            : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  const std::string* best = nullptr;
  size_t best_d = std::max<size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    // The distance is at least the difference in length: a candidate that cannot
    // beat the best so far is not measured (a feature name checked against the
    // catalog's hundreds is refused in microseconds, not milliseconds).
    const size_t length_gap = c.size() > word.size() ? c.size() - word.size() : word.size() - c.size();
    if (length_gap >= best_d) continue;
    const size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = &c;
    }
  }
  if (!best && word.size() >= 3) {
    for (const auto& c : candidates)
      if (c.rfind(word, 0) == 0) {
        best = &c;
        break;
      }
  }
  return best ? " (did you mean '" + *best + "'?)" : std::string();
}

std::pair<int, int> line_col(std::string_view text, std::ptrdiff_t offset) {
  if (offset < 0) offset = 0;
  const auto end = std::min<std::size_t>(static_cast<std::size_t>(offset), text.size());
  // Newlines found with memchr: errors of big files are located without a loop over
  // every byte.
  int line = 1;
  std::size_t line_start = 0;
  while (line_start < end) {
    const void* nl = std::memchr(text.data() + line_start, '\n', end - line_start);
    if (!nl) break;
    ++line;
    line_start = static_cast<std::size_t>(static_cast<const char*>(nl) - text.data()) + 1;
  }
  return {line, static_cast<int>(end - line_start) + 1};
}

std::string text_location(std::string_view text, const std::string& origin, size_t offset) {
  const auto [line, col] = line_col(text, static_cast<std::ptrdiff_t>(offset));
  return origin + ":" + std::to_string(line) + ":" + std::to_string(col);
}

size_t utf8_error_offset(std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    // ASCII eight bytes at a time (a 10,000-CPU file is a megabyte of it).
    while (i + 8 <= n) {
      uint64_t word;
      std::memcpy(&word, s.data() + i, 8);
      if (word & 0x8080808080808080ull) break;
      i += 8;
    }
    if (i >= n) break;
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    uint32_t cp = 0;
    if (c >= 0xc2 && c <= 0xdf) len = 2, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef) len = 3, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4) len = 4, cp = c & 0x07;
    else return i;
    if (i + len > n) return i;
    for (size_t k = 1; k < len; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xc0) != 0x80) return i;
      cp = (cp << 6) | (d & 0x3f);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
      return i;
    i += len;
  }
  return std::string_view::npos;
}

void check_regular_file(const std::string& path, const std::string& hint) {
  // Refused before opening: a directory would read as garbage sizes, a FIFO or a
  // device would block or never end.
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) return;  // opening says so, with the path
    throw Error(path + ": cannot read: " + ec.message(), hint);  // a symlink loop, no permission on a folder
  }
  if (std::filesystem::is_directory(status)) throw Error(path + ": is a directory, not a file", hint);
  if (!std::filesystem::is_regular_file(status))
    throw Error(path + ": is not a regular file (a FIFO, socket or device): preflight reads files only", hint);
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > kMaxInputBytes)
    throw Error(path + ": " + std::to_string(size) + " bytes, above the limit of " + std::to_string(kMaxInputBytes) +
                    " bytes (256 MiB) for one input file: refused",
                hint);
}

std::string read_file(const std::string& path, const std::string& hint) {
  check_regular_file(path, hint);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot read: " + std::strerror(errno), hint);
  // One read of the whole file when its size is known (CPU files run to megabytes).
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size > 0) {
    std::string text(static_cast<size_t>(size), '\0');
    in.seekg(0);
    if (in.read(text.data(), size) && in.gcount() == size && in.peek() == std::char_traits<char>::eof()) return text;
    in.clear();
  }
  in.clear();
  in.seekg(0);
  std::stringstream buf;  // a pipe or a file that changed while read
  buf << in.rdbuf();
  if (buf.tellp() > static_cast<std::streamoff>(kMaxInputBytes))
    throw Error(path + ": above the limit of " + std::to_string(kMaxInputBytes) + " bytes (256 MiB) for one input file: refused", hint);
  if (in.bad()) throw Error(path + ": cannot read: " + std::strerror(errno), hint);
  return buf.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  if (!out || !(out << text) || !out.flush())
    throw Error(path + ": cannot write: " + std::strerror(errno), "check the folder exists and is writable");
}


// `word` cut into pieces of at most `room` columns, after a comma where there is one.
static std::vector<std::string> split_word(std::string word, size_t room) {
  if (room == 0) room = 1;
  std::vector<std::string> pieces;
  while (word.size() > room) {
    size_t cut = word.rfind(',', room - 1);
    cut = (cut == std::string::npos || cut == 0) ? room : cut + 1;
    pieces.push_back(word.substr(0, cut));
    word.erase(0, cut);
  }
  pieces.push_back(word);
  return pieces;
}

// `text` as lines of at most `room` columns, broken at spaces (a longer word is cut).
std::vector<std::string> wrap(const std::string& text, size_t room) {
  std::vector<std::string> lines(1);
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(start, end - start);
    start = end + 1;
    if (word.empty()) continue;
    for (const std::string& piece : split_word(word, room)) {
      std::string& line = lines.back();
      if (line.empty()) line = piece;
      else if (line.size() + 1 + piece.size() <= room) line += " " + piece;
      else lines.push_back(piece);
    }
  }
  return lines;
}


std::string fold_lines(const std::string& text, size_t width) {
  width = std::max<size_t>(width, 20);
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    const bool newline = end != std::string::npos;
    if (!newline) end = text.size();
    std::string rest = text.substr(start, end - start);
    start = end + 1;
    // Continuation lines hang two columns under the line's own indent; a line's own
    // spacing (aligned columns) is kept.
    const size_t indent = std::min(rest.find_first_not_of(' '), width / 2);
    const std::string pad(indent + 2, ' ');
    for (bool first = true;; first = false) {
      const std::string prefix = first ? "" : pad;
      const size_t room = width - prefix.size();
      if (rest.size() <= room) {
        out += prefix + rest;
        break;
      }
      const size_t floor = first ? indent : 0;  // never cut inside the first line's indent
      size_t cut = rest.rfind(' ', room);
      size_t next = cut;
      if (cut == std::string::npos || cut <= floor) {  // one word longer than the room
        cut = rest.rfind(',', room - 1);
        cut = (cut == std::string::npos || cut <= floor) ? room : cut + 1;
        next = cut;
      }
      std::string piece = rest.substr(0, cut);
      piece.erase(piece.find_last_not_of(' ') + 1);
      out += prefix + piece + "\n";
      rest.erase(0, next);
      rest.erase(0, std::min(rest.find_first_not_of(' '), rest.size()));
      if (rest.empty()) break;
    }
    if (newline) out += '\n';
  }
  return out;
}

}  // namespace preflight
