#pragma once
// Fact<T>: a value that a collector either read, or could not read for a stated
// reason. A missing fact is never a zero or an empty string.
#include <optional>
#include <string>
#include <utility>

#include "core/error.hpp"

namespace preflight {

template <class T>
class Fact {
 public:
  // Default: unknown because nothing collected it.
  Fact() : reason_("not collected") {}
  Fact(T value) : value_(std::move(value)) {}  // NOLINT: implicit on purpose
  static Fact unknown(std::string reason) {
    Fact f;
    f.reason_ = std::move(reason);
    return f;
  }

  bool known() const { return value_.has_value(); }
  explicit operator bool() const { return known(); }
  // Throws Error naming the reason when unknown.
  const T& value() const {
    if (!value_) throw Error("fact not known: " + reason_);
    return *value_;
  }
  T& value() {
    if (!value_) throw Error("fact not known: " + reason_);
    return *value_;
  }
  const T* get() const { return value_ ? &*value_ : nullptr; }
  T value_or(T fallback) const { return value_ ? *value_ : std::move(fallback); }
  // Empty when known.
  const std::string& reason() const { return reason_; }

  bool operator==(const Fact& o) const { return value_ == o.value_ && (value_ || reason_ == o.reason_); }

 private:
  std::optional<T> value_;
  std::string reason_;
};

}  // namespace preflight
