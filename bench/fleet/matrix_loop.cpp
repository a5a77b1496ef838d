// The class matrix's throughput against a bare bitset loop (issue 11's worst case:
// 10,000 distinct CPUs). Reads a folder of facts files (bench/fleet/generate.py's),
// resolves every host and groups the CPU classes as `preflight matrix` does, then
// times, in turn, ROUNDS times each:
//   matrix  compute_class_cells: every ordered pair of classes, 2 bytes a pair
//           (missing count, undecided and vendor bits), and the per-class counts;
//   bare    for every ordered pair (A, B) of the same classes' guest feature sets:
//           out[A][B] = popcount(A AND NOT B), nothing else, into 2 bytes a pair.
// Both are single-threaded and built with the same flags and the same POPCNT
// dispatch. Prints each round's pairs per second and the paired ratio
// matrix / bare, then the median ratio.
// usage: bench_matrix_loop DIR [ROUNDS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/parallel.hpp"
#include "cpu/cpu_catalog.hpp"
#include "cpu/cpu_matrix.hpp"
#include "facts/facts_yaml.hpp"

using namespace preflight;

namespace {

[[gnu::always_inline]] inline void bare_loop(const std::vector<CpuFeatureSet>& sets, std::vector<uint16_t>& out) {
  const size_t n = sets.size();
  for (size_t a = 0; a < n; ++a) {
    uint16_t* row = out.data() + a * n;
    const CpuFeatureSet& s = sets[a];
    for (size_t b = 0; b < n; ++b) row[b] = static_cast<uint16_t>(s.count_minus(sets[b]));
  }
}

#if defined(__x86_64__) && defined(__GNUC__)
[[gnu::target("popcnt"), gnu::noinline]] void bare_popcnt(const std::vector<CpuFeatureSet>& sets,
                                                          std::vector<uint16_t>& out) {
  bare_loop(sets, out);
}
#endif
[[gnu::noinline]] void bare_generic(const std::vector<CpuFeatureSet>& sets, std::vector<uint16_t>& out) {
  bare_loop(sets, out);
}

void bare(const std::vector<CpuFeatureSet>& sets, std::vector<uint16_t>& out) {
#if defined(__x86_64__) && defined(__GNUC__)
  if (__builtin_cpu_supports("popcnt")) return bare_popcnt(sets, out);
#endif
  bare_generic(sets, out);
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DIR [ROUNDS]\n", argv[0]);
    return 2;
  }
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 5;
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(argv[1]))
    if (e.path().extension() == ".yaml" && e.path().filename() != "inventory.yaml") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  const CpuCatalog catalog = CpuCatalog::load("");
  std::vector<HostCpu> cpus(files.size());
  std::vector<std::shared_ptr<const HostFacts>> facts(files.size());
  const auto none = std::make_shared<const HostFacts>();
  parallel_for(files.size(), 2, [&](size_t i) {
    cpus[i] = resolve_host_cpu(load_facts_file(files[i]), catalog);
    facts[i] = none;
  });
  CpuMatrix m = compute_cpu_matrix(std::move(cpus), std::move(facts), catalog);
  const size_t n = m.classes.size();
  std::vector<CpuFeatureSet> sets;
  for (const CpuClass& c : m.classes) sets.push_back(c.features - m.hypervisor);
  std::vector<uint16_t> out(n * n);
  std::printf("%zu hosts, %zu classes; matrix: %zu ordered pairs, bare: %zu\n", m.hosts.size(), n, m.pair_count(),
              n * n);
  std::vector<double> ratios;
  for (int r = 0; r < rounds; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    compute_class_cells(m);
    const double tm = seconds_since(t0);
    t0 = std::chrono::steady_clock::now();
    bare(sets, out);
    const double tb = seconds_since(t0);
    const double pm = static_cast<double>(m.pair_count()) / tm, pb = static_cast<double>(n * n) / tb;
    ratios.push_back(pm / pb);
    std::printf("round %d: matrix %.3f s (%.0f M pairs/s), bare %.3f s (%.0f M pairs/s), ratio %.2f\n", r + 1, tm,
                pm / 1e6, tb, pb / 1e6, pm / pb);
  }
  std::sort(ratios.begin(), ratios.end());
  // The same answer: where TO's facts tell every feature, the matrix's missing count
  // is the bare loop's (else the bare loop counts the features TO cannot tell too).
  size_t differ = 0;
  for (size_t a = 0; a < n; ++a)
    for (size_t b = 0; b < n; ++b) {
      if (a == b || (m.cell(a, b) & CpuMatrix::kVendorBit)) continue;
      const size_t missing = m.cell(a, b) & CpuMatrix::kMissingMask, bare_count = out[a * n + b];
      if (m.representative(b).unknown.empty() ? bare_count != missing : bare_count < missing) ++differ;
    }
  std::printf("median ratio matrix/bare: %.2f (goal >= 0.5); pairs whose counts disagree: %zu (must be 0)\n",
              ratios[ratios.size() / 2], differ);
  return differ == 0 ? 0 : 1;
}
