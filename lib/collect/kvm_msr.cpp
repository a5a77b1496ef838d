#include "collect/kvm_msr.hpp"

#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <cstdint>

#include "core/error.hpp"

namespace preflight {

namespace {

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

[[noreturn]] void fail(const std::string& device, const std::string& step) {
  throw Error(device + ": " + step + ": " + std::strerror(errno),
              "feature MSRs (arch capabilities) stay unknown; run as root on a host with KVM");
}

}  // namespace

// The two ioctls, with the sizes of the C structs they take: g++ sizes
// struct kvm_msr_list (a u32 and a flexible array) differently from C, and the
// size is part of the ioctl number, which the kernel then does not know (EINVAL).
constexpr unsigned long kGetMsrFeatureIndexList = _IOC(_IOC_READ | _IOC_WRITE, KVMIO, 0x0a, sizeof(std::uint32_t));
constexpr unsigned long kGetMsrs = _IOC(_IOC_READ | _IOC_WRITE, KVMIO, 0x88, 2 * sizeof(std::uint32_t));

// struct kvm_msrs with one struct kvm_msr_entry, laid out as the kernel reads it.
struct OneMsr {
  std::uint32_t nmsrs = 1;
  std::uint32_t pad = 0;
  std::uint32_t index = 0;
  std::uint32_t reserved = 0;
  std::uint64_t data = 0;
};
static_assert(sizeof(OneMsr) == 24);

std::vector<MsrValue> read_kvm_feature_msrs(const std::string& device) {
  const Fd kvm{::open(device.c_str(), O_RDONLY | O_CLOEXEC)};
  if (kvm.fd < 0) fail(device, "cannot open");

  // struct kvm_msr_list: the count, then room for that many indices.
  constexpr std::uint32_t kMax = 256;
  std::vector<std::uint32_t> list(1 + kMax, 0);
  list[0] = kMax;
  if (::ioctl(kvm.fd, kGetMsrFeatureIndexList, list.data()) < 0) fail(device, "KVM_GET_MSR_FEATURE_INDEX_LIST");

  std::vector<MsrValue> out;
  for (std::uint32_t i = 0; i < list[0] && i < kMax; ++i) {
    OneMsr query;
    query.index = list[1 + i];
    // Returns how many MSRs it read: 0 when KVM cannot give this one.
    const int got = ::ioctl(kvm.fd, kGetMsrs, &query);
    if (got < 0) fail(device, "KVM_GET_MSRS");
    if (got == 1) out.push_back({query.index, query.data});
  }
  return out;
}

}  // namespace preflight
