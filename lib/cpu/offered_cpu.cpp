#include "cpu/offered_cpu.hpp"

#include <fmt/format.h>

namespace preflight {

namespace {

Fact<bool> offer_flag(const HostFacts& host, const GuestOffer* offer, bool GuestOffer::*flag) {
  if (offer) return offer->*flag;
  return Fact<bool>::unknown(host.offers.known() ? "no offer for this domain type" : host.offers.reason());
}

}  // namespace

std::string guest_virt_type(const VmFacts& vm, std::string* note) {
  if (vm.virt_type == "test") {  // libvirt's test driver names every domain so
    if (note) *note = "the libvirt test driver's domain type 'test' is read as kvm";
    return "kvm";
  }
  if (!vm.virt_type.empty()) return vm.virt_type;
  if (note) *note = fmt::format("the facts of '{}' do not say its domain type: kvm assumed", vm.name);
  return "kvm";
}

Fact<OfferedCpu> offered_cpu(const HostFacts& host, const std::string& virt_type, const CpuCatalog& catalog) {
  const GuestOffer* offer = host.offers.known() ? find_offer(host.offers.value(), virt_type) : nullptr;
  OfferedCpu o;
  o.virt_type = virt_type;
  o.host_passthrough = offer_flag(host, offer, &GuestOffer::host_passthrough);
  o.maximum = offer_flag(host, offer, &GuestOffer::maximum);
  const std::string where = fmt::format("host '{}' ({})", host.name, host.source);
  if (!host.cpu.stated_by.empty()) {
    o.basis = OfferBasis::stated;
    o.cpu = resolve_host_cpu(host, catalog);
    o.assumed = fmt::format("the CPU stated by {} is what '{}' offers {} guests (it overrides what libvirt reports)",
                            host.cpu.stated_by, host.name, virt_type);
    return o;
  }
  if (offer && offer->host_model.known()) {
    o.basis = OfferBasis::offer;
    o.cpu = resolve_cpu_definition(offer->host_model.value(), host.name,
                                   fmt::format("{} host-model for {} guests", where, virt_type), catalog);
    // A host-model definition carries policies (require/disable): read them.
    o.cpu.features = o.cpu.silicon =
        expand_definition(offer->host_model.value(), catalog, true, nullptr, where + " host-model");
    return o;
  }
  const std::string why = offer ? offer->host_model.reason()
                                : (host.offers.known() ? fmt::format("'{}' offers no {} domain type", host.name, virt_type)
                                                       : host.offers.reason());
  if (virt_type == "kvm" && host.cpu.cpuid.known()) {
    o.basis = OfferBasis::silicon;
    o.cpu = resolve_host_cpu(host, catalog);
    o.assumed = fmt::format("what '{}' offers kvm guests is unknown ({}): its raw CPUID is an upper bound (KVM "
                            "cannot give what the CPU lacks, except what KVM synthesises)",
                            host.name, why);
    return o;
  }
  return Fact<OfferedCpu>::unknown(fmt::format("what '{}' offers {} guests is unknown: {}", host.name, virt_type, why));
}

}  // namespace preflight
