#pragma once
// CpuFeatureSet: a set of CPU features as bits indexed by CpuCatalog feature id.
// Every cpu_map feature is exactly one CPUID or MSR bit, so set algebra on ids is
// exact set algebra on the bits libvirt compares. Fixed capacity, no allocation:
// a catalog with more than kCapacity features is refused when it is loaded.
#include <array>
#include <compare>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace preflight {

class CpuFeatureSet {
 public:
  static constexpr size_t kCapacity = 512;
  static constexpr size_t kWords = kCapacity / 64;

  // Bits 64*i .. 64*i+63 (i < kWords): for loops that fuse several set operations.
  uint64_t word(size_t i) const { return words_[i]; }

  void set(size_t id) { words_[id / 64] |= uint64_t{1} << (id % 64); }
  void reset(size_t id) { words_[id / 64] &= ~(uint64_t{1} << (id % 64)); }
  bool test(size_t id) const { return (words_[id / 64] >> (id % 64)) & 1U; }

  size_t count() const {
    size_t n = 0;
    for (uint64_t w : words_) n += static_cast<size_t>(std::popcount(w));
    return n;
  }
  bool empty() const {
    for (uint64_t w : words_)
      if (w) return false;
    return true;
  }
  // True when the sets share a feature.
  bool intersects(const CpuFeatureSet& other) const {
    for (size_t i = 0; i < kWords; ++i)
      if (words_[i] & other.words_[i]) return true;
    return false;
  }
  // True when every feature of this set is also in `other`.
  bool subset_of(const CpuFeatureSet& other) const {
    for (size_t i = 0; i < kWords; ++i)
      if (words_[i] & ~other.words_[i]) return false;
    return true;
  }

  CpuFeatureSet& operator&=(const CpuFeatureSet& o) {
    for (size_t i = 0; i < kWords; ++i) words_[i] &= o.words_[i];
    return *this;
  }
  CpuFeatureSet& operator|=(const CpuFeatureSet& o) {
    for (size_t i = 0; i < kWords; ++i) words_[i] |= o.words_[i];
    return *this;
  }
  // Set difference: removes every feature of `o`.
  CpuFeatureSet& operator-=(const CpuFeatureSet& o) {
    for (size_t i = 0; i < kWords; ++i) words_[i] &= ~o.words_[i];
    return *this;
  }
  friend CpuFeatureSet operator&(CpuFeatureSet a, const CpuFeatureSet& b) { return a &= b; }
  friend CpuFeatureSet operator|(CpuFeatureSet a, const CpuFeatureSet& b) { return a |= b; }
  friend CpuFeatureSet operator-(CpuFeatureSet a, const CpuFeatureSet& b) { return a -= b; }
  bool operator==(const CpuFeatureSet&) const = default;
  auto operator<=>(const CpuFeatureSet&) const = default;  // an order for maps; no meaning beyond that

  // (*this - o).count() without building the difference: the matrix's inner loop.
  size_t count_minus(const CpuFeatureSet& o) const {
    size_t n = 0;
    for (size_t i = 0; i < kWords; ++i) n += static_cast<size_t>(std::popcount(words_[i] & ~o.words_[i]));
    return n;
  }

  // Calls fn(id) for each member in ascending id order.
  template <class Fn>
  void for_each(Fn&& fn) const {
    for (size_t i = 0; i < kWords; ++i) {
      uint64_t w = words_[i];
      while (w) {
        const int b = std::countr_zero(w);
        fn(i * 64 + static_cast<size_t>(b));
        w &= w - 1;
      }
    }
  }

 private:
  std::array<uint64_t, kWords> words_{};
};

}  // namespace preflight
