#pragma once
// Baselines (the common CPU of several hosts, as `virsh cpu-baseline` computes it)
// and masks (the guest CPU that lets one VM run on every host of a set).
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

struct GivenUp {
  std::string host;
  CpuFeatureSet features;  // the host has them, the baseline does not
};

struct Baseline {
  DecodedCpu cpu;
  bool show_vendor = false;  // libvirt prints <vendor> only when every input stated one
  CpuFeatureSet features;    // what a guest with this CPU sees
  int level = 0;             // x86-64 microarchitecture level, 0..4
  std::vector<GivenUp> given_up;  // per input, in input order
};

// libvirt's algorithm (virCPUx86Baseline + x86Decode): intersect the inputs'
// features, then name the closest guest model, preferring the model every input
// names. `migratable` drops non-migratable features. Throws Error when there is no
// input, when the vendors differ (naming the hosts of each vendor), or when no
// feature is common.
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
