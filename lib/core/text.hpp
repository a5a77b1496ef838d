#pragma once
// Small text helpers shared by messages and parsers.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace preflight {

std::string join(const std::vector<std::string>& parts, std::string_view sep);
std::string trim(std::string_view s);
std::vector<std::string> split(std::string_view s, char sep);  // keeps empty parts
// Levenshtein distance, ignoring letter case.
size_t edit_distance(std::string_view a, std::string_view b);
// " (did you mean 'x'?)" for the closest candidate within edit distance
// max(2, length/3) (or else one that `word` is a prefix of), else "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);
// 1-based line and column of byte `offset` in `text` (clamped to the text).
std::pair<int, int> line_col(std::string_view text, std::ptrdiff_t offset);
// "<origin>:<line>:<col>" of a byte offset into `text` (1-based), as parse errors
// from pugixml (which report offsets) are shown.
std::string text_location(std::string_view text, const std::string& origin, size_t offset);
// The offset of the first byte where `text` stops being UTF-8 (an overlong form, a
// surrogate, a value above U+10FFFF, a cut sequence); npos when it is all UTF-8.
size_t utf8_error_offset(std::string_view text);
// Throws the Error of read_file when `path` is a directory, a FIFO, socket or
// device, a symlink loop, or above kMaxInputBytes (core/input_limits.hpp); a path
// that does not exist passes (opening it says so). Nothing is opened.
void check_regular_file(const std::string& path, const std::string& hint = {});
// Reads a whole regular file; throws Error "<path>: cannot read: <reason>" (or "is a
// directory", "is not a regular file", refused before opening) with `hint`.
std::string read_file(const std::string& path, const std::string& hint = {});
// `text` as lines of at most `room` columns, broken at spaces (a longer word is cut,
// after a comma where there is one).
std::vector<std::string> wrap(const std::string& text, size_t room);
// `text` with every line longer than `width` folded at spaces, its continuation
// lines two columns under the line's own indent; shorter lines unchanged.
std::string fold_lines(const std::string& text, size_t width);
// Writes `text` to `path`, replacing it; throws Error "<path>: cannot write".
void write_file(const std::string& path, const std::string& text);

}  // namespace preflight
