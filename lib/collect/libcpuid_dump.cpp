#include "collect/libcpuid_dump.hpp"

#include <array>
#include <charconv>
#include <iterator>
#include <map>
#include <optional>
#include <utility>

#include "collect/cpuid_enumerate.hpp"
#include "collect/cpuid_identify.hpp"
#include "collect/cpuid_variants.hpp"
#include "core/error.hpp"
#include "core/input_limits.hpp"
#include "core/number.hpp"
#include "core/text.hpp"

namespace preflight {
namespace {

struct Array {
  const char* name;
  uint32_t leaf;       // leaf of index 0 (basic/ext) or the fixed leaf (sub-leaf tables)
  bool index_is_leaf;  // true: index adds to the leaf; false: index is the subleaf
  uint32_t size;
};

// The arrays of libcpuid 0.6.2's struct cpu_raw_data_t.
constexpr Array kArrays[] = {
    {"basic_cpuid", 0x0, true, 32},         {"ext_cpuid", 0x80000000u, true, 32},
    {"intel_fn4", 0x4, false, 8},           {"intel_fn11", 0xB, false, 4},
    {"intel_fn12h", 0x12, false, 4},        {"intel_fn14h", 0x14, false, 4},
    {"amd_fn8000001dh", 0x8000001Du, false, 4},
};

using Key = std::pair<uint32_t, uint32_t>;

constexpr size_t kArrayCount = std::size(kArrays);

struct DumpCpu {
  unsigned id = 0;
  std::map<Key, CpuidLeaf> table;
  std::array<uint32_t, kArrayCount> seen{};  // per array of kArrays, a bit per index read (sizes are at most 32)
};

// Eight hex digits at most (the dump writes registers as %08x).
std::optional<uint32_t> parse_hex(std::string_view s) {
  if (s.empty() || s.size() > 8) return std::nullopt;
  uint32_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// A logical CPU number, up to kMaxCpuId.
std::optional<unsigned> parse_dec(std::string_view s) {
  const auto v = parse_unsigned(s, kMaxCpuId);
  return v ? std::optional<unsigned>(static_cast<unsigned>(*v)) : std::nullopt;
}

std::string_view trim_view(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// "Logical CPU #N" inside a line of underscores; nullopt when the line is not a header.
std::optional<unsigned> header_cpu(std::string_view line) {
  if (line.empty() || line.front() != '_') return std::nullopt;
  const auto at = line.find("Logical CPU #");
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = line.substr(at + 13);
  return parse_dec(rest.substr(0, rest.find_first_not_of("0123456789")));
}

// Reads the dump line by line over views of `text` (no copy of a line; the
// location of a line is only spelled out for an error).
std::vector<DumpCpu> read_dump(std::string_view text, const std::string& origin) {
  std::vector<DumpCpu> cpus;
  bool headers = false;
  size_t n = 0;  // 0-based line number
  for (size_t start = 0; start <= text.size(); ++n) {
    const size_t nl = text.find('\n', start);
    const std::string_view raw = text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    start = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    const auto where = [&] { return origin + ":" + std::to_string(n + 1); };
    const std::string_view line = trim_view(raw);
    if (line.empty() || line.starts_with("version=")) continue;
    if (line.front() == '_') {
      const auto id = header_cpu(line);
      if (!id)
        throw Error(where() + ": expected a '___ Logical CPU #N ___' header (N up to " + std::to_string(kMaxCpuId) +
                    "), got '" + quote_input(line) + "'");
      if (!headers && !cpus.empty())
        throw Error(where() + ": CPUID lines before the first 'Logical CPU' header",
                    "the dump is damaged; save it again");
      headers = true;
      cpus.push_back(DumpCpu{*id, {}, {}});
      continue;
    }
    const auto open = line.find('['), close = line.find("]="), space = line.find(' ');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open || space < close)
      throw Error(where() + ": expected 'name[index]=EAX EBX ECX EDX', got '" + quote_input(line) + "'",
                  "is this a libcpuid raw dump (cpuid_tool --save)?");
    const std::string_view name = line.substr(0, open);
    const auto index = parse_dec(line.substr(open + 1, close - open - 1));
    // The words after '=', split at single spaces with empty parts skipped; a fifth
    // word is enough to know the line is wrong.
    std::string_view words[5];
    size_t nwords = 0;
    for (std::string_view rest = line.substr(close + 2); nwords < 5;) {
      const size_t sp = rest.find(' ');
      const std::string_view w = rest.substr(0, sp);
      if (!w.empty()) words[nwords++] = w;
      if (sp == std::string_view::npos) break;
      rest.remove_prefix(sp + 1);
    }
    std::optional<uint32_t> regs[4];
    for (size_t i = 0; i < 4 && i < nwords; ++i) regs[i] = parse_hex(words[i]);
    if (!index || nwords != 4 || !regs[0] || !regs[1] || !regs[2] || !regs[3])
      throw Error(where() + ": expected 'name[index]=EAX EBX ECX EDX' (four hex words), got '" + quote_input(line) +
                      "'",
                  "is this a libcpuid raw dump (cpuid_tool --save)?");
    size_t a = 0;
    while (a < kArrayCount && name != kArrays[a].name) ++a;
    if (a == kArrayCount) continue;  // an array of a newer libcpuid
    const Array& array = kArrays[a];
    if (*index >= array.size)
      throw Error(where() + ": index " + std::to_string(*index) + " out of range for " + std::string(name) + " (0.." +
                  std::to_string(array.size - 1) + ")");
    if (cpus.empty()) cpus.push_back(DumpCpu{0, {}, {}});
    DumpCpu& cpu = cpus.back();
    const uint32_t bit = 1u << *index;
    if (cpu.seen[a] & bit)
      throw Error(where() + ": " + std::string(name) + "[" + std::to_string(*index) + "] given twice for logical CPU #" +
                  std::to_string(cpu.id));
    cpu.seen[a] |= bit;
    const Key key = array.index_is_leaf ? Key{array.leaf + *index, 0} : Key{array.leaf, *index};
    cpu.table[key] = CpuidLeaf{key.first, key.second, *regs[0], *regs[1], *regs[2], *regs[3]};
  }
  if (cpus.empty()) throw Error(origin + ": no CPUID data (no basic_cpuid[] lines)", "is this a libcpuid raw dump?");
  for (const DumpCpu& c : cpus)
    if (!c.table.count({0, 0}))
      throw Error(origin + ": logical CPU #" + std::to_string(c.id) + " has no basic_cpuid[0]",
                  "the dump is incomplete; save it again");
  return cpus;
}

std::vector<CpuidLeaf> leaves_of(const DumpCpu& cpu) {
  return enumerate_cpuid([&](uint32_t leaf, uint32_t sub) -> std::optional<CpuidLeaf> {
    auto it = cpu.table.find({leaf, sub});
    if (it == cpu.table.end()) return std::nullopt;
    return it->second;
  });
}

}  // namespace

bool looks_like_libcpuid_dump(std::string_view text) {
  size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return false;
  std::string_view first = text.substr(start, 64);
  first = first.substr(0, first.find('\n'));
  return first.starts_with("version=") || first.starts_with("basic_cpuid[") || first.starts_with("ext_cpuid[") ||
         (first.starts_with("_") && first.find("Logical CPU #") != std::string_view::npos);
}

std::vector<std::vector<CpuidLeaf>> parse_libcpuid_dump_cpus(std::string_view text, const std::string& origin) {
  std::vector<std::vector<CpuidLeaf>> out;
  for (const DumpCpu& c : read_dump(text, origin)) out.push_back(leaves_of(c));
  return out;
}

std::vector<CpuidLeaf> parse_libcpuid_dump(std::string_view text, const std::string& origin) {
  return leaves_of(read_dump(text, origin).front());
}

CpuFacts cpu_facts_from_libcpuid_dump(std::string_view text, const std::string& origin) {
  const std::vector<DumpCpu> cpus = read_dump(text, origin);
  CpuFacts cpu;
  const std::vector<CpuidLeaf> first = leaves_of(cpus.front());
  identify_cpu(first, cpu);
  std::vector<CpuidOfCpu> others;
  for (size_t i = 1; i < cpus.size(); ++i) others.push_back(CpuidOfCpu{cpus[i].id, leaves_of(cpus[i])});
  cpu.cpuid_variants = group_cpuid_variants(first, others);
  cpu.cpuid = first;
  cpu.cpuid_cpus_read = static_cast<uint32_t>(cpus.size());
  const std::string none = origin + " is a libcpuid raw CPUID dump, which does not record it";
  cpu.microcode = Fact<std::string>::unknown(none);
  cpu.kernel_flags = Fact<std::vector<std::string>>::unknown(none);
  cpu.msrs = Fact<std::vector<MsrValue>>::unknown(none);
  cpu.cpuid_source = std::string("libcpuid raw dump");
  cpu.cpuid_disagreement = Fact<std::vector<CpuidLeaf>>::unknown(origin + " holds one source");
  return cpu;
}

}  // namespace preflight
