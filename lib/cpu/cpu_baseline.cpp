#include "cpu/cpu_baseline.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "core/error.hpp"
#include "core/text.hpp"
#include "cpu/cpu_level.hpp"

namespace preflight {

namespace {

constexpr const char* kWhere = "baseline";

std::string vendor_name(int v, const CpuCatalog& c) {
  return v >= 0 ? c.vendors()[static_cast<size_t>(v)].name : std::string("unknown vendor");
}

int model_vendor(const BaselineCpu& in, const CpuCatalog& c) {
  if (in.model.empty()) return -1;
  return c.model(in.model).vendor;
}

// The vendor of each kind as libvirt sees it (stated, else its model's; -1 when
// neither), checked in input order: an input stating an unknown vendor, or one its
// model contradicts, is refused by name; vendors that differ are refused naming
// the hosts of each vendor.
std::vector<int> check_vendors(const BaselineInputs& inputs, const CpuCatalog& c) {
  constexpr int kUnseen = -2;
  std::vector<int> vendor_of(inputs.kinds.size(), kUnseen);
  constexpr size_t kNamed = 8;  // per vendor; an error line stays readable at 10,000 hosts
  struct Hosts {
    size_t count = 0;
    std::vector<size_t> first;  // up to kNamed inputs
  };
  std::vector<Hosts> by_vendor(c.vendors().size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    int& v = vendor_of[inputs.kind_of[i]];
    if (v == kUnseen) {  // the kind's first input: its errors are this input's
      const BaselineCpu& in = inputs.cpu(i);
      if (in.vendor_explicit && in.vendor < 0) {
        throw Error(fmt::format("{}: host '{}': unknown CPU vendor", kWhere, inputs.names.name(i)),
                    fmt::format("vendors are those of {}/x86_vendors.xml", c.dir()));
      }
      const int mv = model_vendor(in, c);
      if (in.vendor_explicit && mv >= 0 && mv != in.vendor) {
        throw Error(fmt::format("{}: host '{}': CPU vendor {} of model {} differs from vendor {}", kWhere,
                                inputs.names.name(i), vendor_name(mv, c), in.model, vendor_name(in.vendor, c)),
                    "fix the CPU description");
      }
      v = in.vendor_explicit ? in.vendor : mv;
    }
    if (v < 0) continue;
    Hosts& h = by_vendor[static_cast<size_t>(v)];
    if (h.count++ < kNamed) h.first.push_back(i);
  }
  std::map<std::string, const Hosts*> named;  // by vendor name, as the message lists them
  for (size_t v = 0; v < by_vendor.size(); ++v)
    if (by_vendor[v].count) named[vendor_name(static_cast<int>(v), c)] = &by_vendor[v];
  if (named.size() > 1) {
    std::vector<std::string> parts;
    for (const auto& [vendor, hosts] : named) {
      std::vector<std::string> shown;
      for (size_t i : hosts->first) shown.push_back(inputs.names.name(i));
      parts.push_back(fmt::format("{} ({}{})", vendor, join(shown, ", "),
                                  hosts->count > kNamed ? fmt::format(", +{} more", hosts->count - kNamed) : ""));
    }
    throw Error(fmt::format("{}: mixed CPU vendors: {}", kWhere, join(parts, " vs ")),
                "a guest cannot move between CPU vendors; compute one baseline per vendor");
  }
  return vendor_of;
}

}  // namespace

BaselineInput baseline_input(const HostCpu& cpu) {
  return {cpu.host, cpu.features, cpu.vendor, cpu.vendor_explicit, cpu.model};
}

void InputNames::add_run(std::string name, size_t count, bool numbered) {
  if (count == 0) return;
  runs_.push_back({std::move(name), size_, count, numbered});
  size_ += count;
}

void InputNames::append(const InputNames& other) {
  for (const Run& r : other.runs_) add_run(r.name, r.count, r.numbered);
}

std::string InputNames::name(size_t i) const {
  const auto run = std::upper_bound(runs_.begin(), runs_.end(), i, [](size_t at, const Run& r) { return at < r.first; });
  const Run& r = *(run - 1);
  return r.numbered ? r.name + "#" + std::to_string(i - r.first + 1) : r.name;
}

BaselineInputs::BaselineInputs(const std::vector<BaselineInput>& each) {
  kinds.reserve(each.size());
  kind_of.reserve(each.size());
  for (const BaselineInput& in : each) add(in);
}

void BaselineInputs::add(const BaselineInput& in) {
  kind_of.push_back(static_cast<uint32_t>(kinds.size()));
  kinds.push_back({in.features, in.vendor, in.vendor_explicit, in.model});
  names.add_one(in.host);
}

void BaselineInputs::append(const BaselineInputs& other) {
  const auto offset = static_cast<uint32_t>(kinds.size());
  kinds.insert(kinds.end(), other.kinds.begin(), other.kinds.end());
  for (uint32_t k : other.kind_of) kind_of.push_back(offset + k);
  names.append(other.names);
}

Baseline compute_baseline(const BaselineInputs& inputs, const CpuCatalog& catalog, bool migratable) {
  if (inputs.size() == 0) throw Error(std::string(kWhere) + ": no CPUs given", "name at least one host or CPU file");
  const std::vector<int> vendor_of = check_vendors(inputs, catalog);

  // libvirt: the vendor comes from the first input's statement, later inputs add
  // their stated or model vendor; <vendor> is printed only if every input stated one.
  // The models the inputs name, distinct, in input order, are preferred.
  const BaselineCpu& first = inputs.cpu(0);
  int vendor = first.vendor_explicit ? first.vendor : -1;
  bool show_vendor = first.vendor_explicit;
  std::vector<std::string> preferred;
  CpuFeatureSet common = first.features;
  std::vector<char> seen(inputs.kinds.size(), 0), seen_later(inputs.kinds.size(), 0);
  for (size_t i = 0; i < inputs.size(); ++i) {
    const uint32_t k = inputs.kind_of[i];
    if (i > 0 && !seen_later[k]) {  // a kind's inputs after the first add the same
      seen_later[k] = 1;
      const BaselineCpu& in = inputs.kinds[k];
      if (!in.vendor_explicit) show_vendor = false;
      if (vendor < 0) vendor = vendor_of[k];  // known vendors are one (check_vendors)
    }
    if (seen[k]) continue;
    seen[k] = 1;
    const BaselineCpu& in = inputs.kinds[k];
    common &= in.features;
    if (!in.model.empty() && std::find(preferred.begin(), preferred.end(), in.model) == preferred.end()) {
      preferred.push_back(in.model);
    }
  }
  if (common.empty()) {
    throw Error(fmt::format("{}: the CPUs have no feature in common", kWhere), "check the inputs");
  }

  Baseline b;
  DecodeOptions opt;
  opt.vendor = vendor;
  opt.preferred = preferred;
  opt.guest = true;
  opt.migratable = migratable;
  b.cpu = decode_model(common, opt, catalog);
  b.show_vendor = show_vendor && vendor >= 0;
  b.features = common;
  if (migratable) b.features -= catalog.non_migratable();
  b.level = x86_64_level(b.features, catalog);
  b.given_up.names = inputs.names;
  b.given_up.kind_of = inputs.kind_of;
  b.given_up.by_kind.reserve(inputs.kinds.size());
  for (const BaselineCpu& k : inputs.kinds) b.given_up.by_kind.push_back(k.features - b.features);
  return b;
}

Baseline compute_baseline(const std::vector<BaselineInput>& inputs, const CpuCatalog& catalog, bool migratable) {
  return compute_baseline(BaselineInputs(inputs), catalog, migratable);
}

Mask compute_mask(const GuestCpu& guest, const std::string& vm, const std::vector<BaselineInput>& hosts,
                  const CpuCatalog& catalog, bool migratable) {
  std::vector<BaselineInput> inputs;
  inputs.push_back({"VM " + vm, guest.features, guest.vendor, guest.vendor >= 0, guest.model});
  inputs.insert(inputs.end(), hosts.begin(), hosts.end());
  Mask m;
  m.baseline = compute_baseline(inputs, catalog, migratable);
  m.guest = guest.features;
  m.given_up = guest.features - m.baseline.features;
  return m;
}

}  // namespace preflight
