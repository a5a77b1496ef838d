#pragma once
// NameIndex: exact feature or model names (and aliases) to catalog ids, an
// open-addressing table hashed on the length and a few characters. Baselines look
// up one name per <feature> or <model> element (hundreds of thousands for a
// 10,000-CPU file); this is their fast path, without an allocation.
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace preflight {

class NameIndex {
 public:
  // Adds `name` unless present (the first id given for a name stays).
  void insert(std::string_view name, uint32_t id) {
    if ((count_ + 1) * 2 > slots_.size()) grow();
    if (place(name, id)) ++count_;
  }

  // Adds `name`, or gives it `id` when present (the last id given stays).
  void assign(std::string_view name, uint32_t id) {
    if ((count_ + 1) * 2 > slots_.size()) grow();
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash(name) & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.used && s.name == name) {
        s.id = id;
        return;
      }
      if (!s.used) {
        place(name, id);
        ++count_;
        return;
      }
    }
  }

  std::optional<uint32_t> find(std::string_view name) const {
    if (slots_.empty()) return std::nullopt;
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash(name) & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (!s.used) return std::nullopt;
      if (s.name.size() == name.size() && std::memcmp(s.name.data(), name.data(), name.size()) == 0) return s.id;
    }
  }

 private:
  struct Slot {
    std::string name;
    uint32_t id = 0;
    bool used = false;
  };

  // Feature names are short and differ early or late: length and three
  // characters spread them well, in a few instructions.
  static size_t hash(std::string_view s) {
    const size_t n = s.size();
    if (n == 0) return 0;
    const auto at = [&](size_t i) { return static_cast<size_t>(static_cast<unsigned char>(s[i])); };
    size_t h = n * 0x9E3779B1u;
    h ^= at(0) * 0x85EBCA77u;
    h ^= at(n - 1) * 0xC2B2AE3Du;
    h ^= at(n / 2) * 0x27D4EB2Fu;
    if (n > 3) h ^= at(n - 2) * 0x165667B1u;
    return h ^ (h >> 15);
  }

  // False when the name was already there.
  bool place(std::string_view name, uint32_t id) {
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash(name) & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (!s.used) {
        s.name.assign(name);
        s.id = id;
        s.used = true;
        return true;
      }
      if (s.name == name) return false;
    }
  }

  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 64 : old.size() * 2, Slot{});
    for (const Slot& s : old)
      if (s.used) place(s.name, s.id);
  }

  std::vector<Slot> slots_;
  size_t count_ = 0;
};

}  // namespace preflight
