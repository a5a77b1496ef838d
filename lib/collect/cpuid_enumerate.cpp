#include "collect/cpuid_enumerate.hpp"

#include <algorithm>

namespace preflight {
namespace {

constexpr uint32_t kExtBase = 0x80000000u;
constexpr uint32_t kMaxBasicLeaves = 0x100;  // beyond this leaf 0 EAX is garbage
constexpr uint32_t kMaxExtLeaves = 0x100;
constexpr uint32_t kMaxSubleaves = 64;

uint32_t bits(uint32_t v, unsigned lo, unsigned width) { return (v >> lo) & ((1u << width) - 1u); }

class Walker {
 public:
  explicit Walker(const CpuidQuery& q) : query_(q) {}

  // Sub-leaf 0 of `leaf`, kept; nullopt when unavailable.
  std::optional<CpuidLeaf> first(uint32_t leaf) {
    auto r = query_(leaf, 0);
    if (r) keep(*r, leaf, 0);
    return r;
  }
  // Keeps `leaf.sub` when available and `valid` accepts it; false to stop.
  template <class Valid>
  bool try_sub(uint32_t leaf, uint32_t sub, Valid valid) {
    auto r = query_(leaf, sub);
    if (!r || !valid(*r)) return false;
    keep(*r, leaf, sub);
    return true;
  }
  // Keeps and returns `leaf.s` when available.
  std::optional<CpuidLeaf> sub(uint32_t leaf, uint32_t s) {
    auto r = query_(leaf, s);
    if (r) keep(*r, leaf, s);
    return r;
  }
  void range(uint32_t leaf, uint32_t last) {
    for (uint32_t s = 1; s <= std::min(last, kMaxSubleaves - 1); ++s)
      if (!sub(leaf, s)) break;
  }
  void mask(uint32_t leaf, uint64_t set, unsigned from, unsigned to) {
    for (unsigned s = from; s <= to; ++s)
      if (set >> s & 1u) sub(leaf, s);
  }
  template <class Valid>
  void while_valid(uint32_t leaf, uint32_t from, Valid valid) {
    for (uint32_t s = from; s < kMaxSubleaves; ++s)
      if (!try_sub(leaf, s, valid)) break;
  }
  std::vector<CpuidLeaf> take() {
    std::sort(out_.begin(), out_.end(), [](const CpuidLeaf& a, const CpuidLeaf& b) {
      return a.leaf != b.leaf ? a.leaf < b.leaf : a.subleaf < b.subleaf;
    });
    return std::move(out_);
  }

 private:
  void keep(CpuidLeaf r, uint32_t leaf, uint32_t sub) {
    r.leaf = leaf;
    r.subleaf = sub;
    out_.push_back(r);
  }
  const CpuidQuery& query_;
  std::vector<CpuidLeaf> out_;
};

void walk_leaf(Walker& w, uint32_t leaf) {
  const auto l0 = w.first(leaf);
  if (!l0) return;
  auto cache_type = [](const CpuidLeaf& r) { return bits(r.eax, 0, 5) != 0; };
  auto level_type = [](const CpuidLeaf& r) { return bits(r.ecx, 8, 8) != 0; };
  switch (leaf) {
    case 0x4:
    case 0x8000001D:
      if (cache_type(*l0)) w.while_valid(leaf, 1, cache_type);
      break;
    case 0xB:
    case 0x1F:
    case 0x80000026:
      if (level_type(*l0)) w.while_valid(leaf, 1, level_type);
      break;
    case 0x7:
    case 0x14:
    case 0x17:
    case 0x18:
    case 0x1D:
    case 0x1E:
    case 0x20:
    case 0x24:
      w.range(leaf, l0->eax);
      break;
    case 0xD: {
      uint64_t set = (uint64_t{l0->edx} << 32) | l0->eax;
      auto l1 = w.sub(leaf, 1);
      if (l1) set |= (uint64_t{l1->edx} << 32) | l1->ecx;
      w.mask(leaf, set, 2, 63);
      break;
    }
    case 0xF:
      w.mask(leaf, l0->edx, 1, 31);
      break;
    case 0x10:
      w.mask(leaf, l0->ebx, 1, 31);
      break;
    case 0x12:
      w.sub(leaf, 1);
      w.while_valid(leaf, 2, [](const CpuidLeaf& r) { return bits(r.eax, 0, 4) != 0; });
      break;
    case 0x23:
      w.mask(leaf, l0->eax, 1, 31);
      break;
    case 0x80000020:
      w.mask(leaf, l0->ebx, 1, 31);
      break;
    default:
      break;
  }
}

}  // namespace

std::vector<CpuidLeaf> enumerate_cpuid(const CpuidQuery& query) {
  Walker w(query);
  const auto l0 = w.first(0);
  if (!l0) return {};
  const uint32_t max_basic = std::min(l0->eax, kMaxBasicLeaves);
  for (uint32_t leaf = 1; leaf <= max_basic; ++leaf) walk_leaf(w, leaf);
  if (const auto e0 = w.first(kExtBase)) {
    if (e0->eax > kExtBase && e0->eax < kExtBase + kMaxExtLeaves)
      for (uint32_t leaf = kExtBase + 1; leaf <= e0->eax; ++leaf) walk_leaf(w, leaf);
  }
  return w.take();
}

const CpuidLeaf* find_cpuid_leaf(const std::vector<CpuidLeaf>& leaves, uint32_t leaf, uint32_t subleaf) {
  for (const CpuidLeaf& l : leaves)
    if (l.leaf == leaf && l.subleaf == subleaf) return &l;
  return nullptr;
}

std::optional<bool> cpuid_bit(const std::vector<CpuidLeaf>& leaves, uint32_t leaf, uint32_t subleaf, CpuidReg reg,
                              unsigned bit) {
  const CpuidLeaf* l = find_cpuid_leaf(leaves, leaf, subleaf);
  if (!l) return std::nullopt;
  uint32_t v = reg == CpuidReg::eax ? l->eax : reg == CpuidReg::ebx ? l->ebx : reg == CpuidReg::ecx ? l->ecx : l->edx;
  return (v >> bit & 1u) != 0;
}

}  // namespace preflight
