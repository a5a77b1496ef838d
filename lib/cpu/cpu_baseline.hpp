#pragma once
// Baselines (the common CPU of several hosts, as `virsh cpu-baseline` computes it)
// and masks (the guest CPU that lets one VM run on every host of a set).
#include <cstdint>
#include <string>
#include <vector>

#include "cpu/cpu_decode.hpp"
#include "cpu/host_cpu.hpp"

namespace preflight {

struct BaselineInput {
  std::string host;
  CpuFeatureSet features;
  int vendor = -1;
  bool vendor_explicit = false;  // false: libvirt then prints no <vendor>
  std::string model;             // the model the input names; empty when none
};

BaselineInput baseline_input(const HostCpu& cpu);

// What a baseline reads of one CPU: a BaselineInput without its host.
struct BaselineCpu {
  CpuFeatureSet features;
  int vendor = -1;
  bool vendor_explicit = false;
  std::string model;
};

// The names of a baseline's inputs, made on demand: runs of inputs named NAME#1,
// NAME#2, ... (the CPUs of one file) and inputs named on their own.
class InputNames {
 public:
  // The next input, named `name`.
  void add_one(std::string name) { add_run(std::move(name), 1, false); }
  // The next `count` inputs, named NAME#1 ... NAME#count.
  void add_numbered(std::string name, size_t count) { add_run(std::move(name), count, true); }
  void append(const InputNames& other);
  size_t size() const { return size_; }
  std::string name(size_t i) const;  // i < size()

 private:
  struct Run {
    std::string name;
    size_t first = 0, count = 0;
    bool numbered = false;
  };
  void add_run(std::string name, size_t count, bool numbered);
  std::vector<Run> runs_;
  size_t size_ = 0;
};

// The inputs of a baseline, each distinct CPU kept once: thousands of CPUs of a
// few models cost an index and no string each. `kinds` are the CPUs, `kind_of`
// per input its index into them, `names` per input its name.
struct BaselineInputs {
  std::vector<BaselineCpu> kinds;
  std::vector<uint32_t> kind_of;
  InputNames names;

  BaselineInputs() = default;
  explicit BaselineInputs(const std::vector<BaselineInput>& each);  // a kind per input
  size_t size() const { return kind_of.size(); }
  const BaselineCpu& cpu(size_t i) const { return kinds[kind_of[i]]; }
  // One more input, of a kind of its own.
  void add(const BaselineInput& in);
  // The inputs of `other` after these.
  void append(const BaselineInputs& other);
};

// What each input of a baseline gives up (has, and the baseline has not); inputs
// of one kind give up the same.
struct GivenUp {
  InputNames names;
  std::vector<uint32_t> kind_of;
  std::vector<CpuFeatureSet> by_kind;
  size_t size() const { return kind_of.size(); }
  std::string host(size_t i) const { return names.name(i); }
  const CpuFeatureSet& features(size_t i) const { return by_kind[kind_of[i]]; }
};

struct Baseline {
  DecodedCpu cpu;
  bool show_vendor = false;  // libvirt prints <vendor> only when every input stated one
  CpuFeatureSet features;    // what a guest with this CPU sees
  int level = 0;             // x86-64 microarchitecture level, 0..4
  GivenUp given_up;          // per input, in input order
};

// libvirt's algorithm (virCPUx86Baseline + x86Decode): intersect the inputs'
// features, then name the closest guest model, preferring the model every input
// names. `migratable` drops non-migratable features. Throws Error when there is no
// input, when the vendors differ (naming the hosts of each vendor), or when no
// feature is common. Work per input is an index; the rest is per kind.
Baseline compute_baseline(const BaselineInputs& inputs, const CpuCatalog& catalog, bool migratable);
Baseline compute_baseline(const std::vector<BaselineInput>& inputs, const CpuCatalog& catalog, bool migratable);

struct Mask {
  Baseline baseline;       // the guest CPU definition to give the VM
  CpuFeatureSet guest;     // what the VM sees today
  CpuFeatureSet given_up;  // what it sees today and would no longer see
};

// The baseline of `hosts` and of what `guest` sees (`vm` names it in errors),
// preferring the guest's model name. Same errors as compute_baseline.
Mask compute_mask(const GuestCpu& guest, const std::string& vm, const std::vector<BaselineInput>& hosts,
                  const CpuCatalog& catalog, bool migratable);

}  // namespace preflight
