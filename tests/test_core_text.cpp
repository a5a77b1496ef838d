// core/text: fold_lines (what the drift and whatif text goes through before it
// reaches a terminal, or 80 columns), line_col and did_you_mean.
#include <boost/test/unit_test.hpp>

#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/text.hpp"

using namespace preflight;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::string without_spaces(const std::string& s) {
  std::string out;
  for (char c : s)
    if (c != ' ' && c != '\n') out += c;
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(short_lines_are_left_as_they_are) {
  const std::string text = "host hostA:\n  cpu       model: a -> b\n\n  kernel    flag hle removed\n";
  BOOST_TEST(fold_lines(text, 80) == text);
}

BOOST_AUTO_TEST_CASE(a_long_line_hangs_under_its_indent_and_keeps_its_columns) {
  const std::string line = "  cpu       cpu.libvirt_cpu.model: Cascadelake-Server -> Cascadelake-Server-noTSX";
  const std::vector<std::string> out = lines_of(fold_lines(line + "\n", 60));
  BOOST_TEST_REQUIRE(out.size() == 2u);
  BOOST_TEST(out[0] == "  cpu       cpu.libvirt_cpu.model: Cascadelake-Server ->");
  BOOST_TEST(out[1] == "    Cascadelake-Server-noTSX");
}

BOOST_AUTO_TEST_CASE(no_line_is_wider_than_asked_and_nothing_is_lost) {
  std::mt19937 rng(7);
  const std::vector<std::string> words = {"hle", "rtm", "removed", "by", "microcode", "or", "kernel,",
                                          "Skylake-Server-IBRS,", std::string(70, 'x'), "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o"};
  for (size_t width : {20u, 33u, 60u, 80u, 120u}) {
    std::string text;
    for (int l = 0; l < 200; ++l) {
      text += std::string(rng() % 12, ' ');
      const int n = static_cast<int>(rng() % 30);
      for (int w = 0; w < n; ++w) text += (w ? " " : "") + words[rng() % words.size()];
      text += "\n";
    }
    const std::string folded = fold_lines(text, width);
    for (const std::string& line : lines_of(folded)) BOOST_TEST(line.size() <= width, "width " << width << ": " << line);
    BOOST_TEST(without_spaces(folded) == without_spaces(text), "width " << width);
  }
}

// line_col and did_you_mean take shortcuts (memchr for newlines; candidates whose
// length alone puts them too far are not measured): each agrees with the plain
// definition on random texts and words.
BOOST_AUTO_TEST_CASE(line_col_counts_lines_and_columns_as_a_walk_over_every_byte_does) {
  std::mt19937 rng(11);
  for (int round = 0; round < 300; ++round) {
    std::string text;
    const size_t n = rng() % 200;
    for (size_t i = 0; i < n; ++i) text += "ab\n \n"[rng() % 5];
    const std::ptrdiff_t offset = static_cast<std::ptrdiff_t>(rng() % (n + 20)) - 5;
    int line = 1, col = 1;
    for (std::ptrdiff_t i = 0; i < offset && i < static_cast<std::ptrdiff_t>(text.size()); ++i) {
      if (text[static_cast<size_t>(i)] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    BOOST_TEST((line_col(text, offset) == std::pair{line, col}), "offset " << offset << " in '" << text << "'");
  }
}

BOOST_AUTO_TEST_CASE(did_you_mean_names_the_candidate_the_full_comparison_names) {
  std::mt19937 rng(13);
  const auto word = [&] {
    std::string w;
    for (size_t i = rng() % 14; i > 0; --i) w += static_cast<char>('a' + rng() % 4);
    return w;
  };
  for (int round = 0; round < 300; ++round) {
    std::vector<std::string> candidates;
    for (size_t i = rng() % 30; i > 0; --i) candidates.push_back(word());
    const std::string asked = word();
    const std::string* best = nullptr;
    size_t best_d = std::max<size_t>(2, asked.size() / 3) + 1;
    for (const auto& c : candidates)
      if (const size_t d = edit_distance(asked, c); d < best_d) best_d = d, best = &c;
    if (!best && asked.size() >= 3)
      for (const auto& c : candidates)
        if (c.rfind(asked, 0) == 0) {
          best = &c;
          break;
        }
    BOOST_TEST(did_you_mean(asked, candidates) == (best ? " (did you mean '" + *best + "'?)" : std::string()), asked);
  }
}
