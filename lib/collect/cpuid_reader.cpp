#include "collect/cpuid_reader.hpp"

#include <cpuid.h>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include "collect/cpuid_enumerate.hpp"
#include "core/error.hpp"

namespace preflight {
namespace {

CpuidLeaf instruction(uint32_t leaf, uint32_t subleaf) {
  CpuidLeaf r{leaf, subleaf};
  __cpuid_count(leaf, subleaf, r.eax, r.ebx, r.ecx, r.edx);
  return r;
}

// Pins the calling thread to one CPU for its lifetime, then restores the old mask.
class Pin {
 public:
  explicit Pin(unsigned cpu) {
    CPU_ZERO(&old_);
    if (sched_getaffinity(0, sizeof old_, &old_) != 0) {
      error_ = std::string("sched_getaffinity: ") + std::strerror(errno);
      return;
    }
    cpu_set_t one;
    CPU_ZERO(&one);
    if (cpu >= CPU_SETSIZE) {
      error_ = "sched_setaffinity: CPU id beyond CPU_SETSIZE";
      return;
    }
    CPU_SET(cpu, &one);
    if (sched_setaffinity(0, sizeof one, &one) != 0) {
      error_ = std::string("sched_setaffinity: ") + std::strerror(errno);
      return;
    }
    pinned_ = true;
    const int now = sched_getcpu();
    if (now != static_cast<int>(cpu)) error_ = "still running on CPU " + std::to_string(now) + " after pinning";
  }
  ~Pin() {
    if (pinned_) sched_setaffinity(0, sizeof old_, &old_);
  }
  Pin(const Pin&) = delete;
  Pin& operator=(const Pin&) = delete;
  // Empty when the thread runs on the CPU.
  const std::string& error() const { return error_; }

 private:
  cpu_set_t old_;
  bool pinned_ = false;
  std::string error_;
};

std::vector<CpuidLeaf> read_pinned(unsigned cpu, std::string& error) {
  Pin pin(cpu);
  if (!pin.error().empty()) {
    error = pin.error();
    return {};
  }
  return enumerate_cpuid([](uint32_t leaf, uint32_t sub) -> std::optional<CpuidLeaf> {
    return instruction(leaf, sub);
  });
}

std::vector<CpuidLeaf> read_device(unsigned cpu, std::string& error) {
  const std::string path = "/dev/cpu/" + std::to_string(cpu) + "/cpuid";
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = path + ": " + std::strerror(errno);
    return {};
  }
  std::unique_ptr<int, void (*)(int*)> guard(new int(fd), [](int* f) {
    close(*f);
    delete f;
  });
  std::string read_error;
  auto leaves = enumerate_cpuid([&](uint32_t leaf, uint32_t sub) -> std::optional<CpuidLeaf> {
    uint32_t regs[4] = {};
    const off_t offset = static_cast<off_t>((uint64_t{sub} << 32) | leaf);
    if (pread(fd, regs, sizeof regs, offset) != static_cast<ssize_t>(sizeof regs)) {
      if (read_error.empty()) read_error = path + ": " + std::strerror(errno ? errno : EIO);
      return std::nullopt;
    }
    return CpuidLeaf{leaf, sub, regs[0], regs[1], regs[2], regs[3]};
  });
  if (!read_error.empty()) {
    error = read_error;
    return {};
  }
  return leaves;
}

}  // namespace

const char* cpuid_method_name(CpuidMethod method) {
  return method == CpuidMethod::pinned_instruction ? "instruction" : "dev-cpuid";
}

CpuidRead read_cpuid_on_cpu(unsigned cpu) {
  std::string pin_error, dev_error;
  auto leaves = read_pinned(cpu, pin_error);
  if (!leaves.empty()) return {std::move(leaves), CpuidMethod::pinned_instruction};
  leaves = read_device(cpu, dev_error);
  if (!leaves.empty()) return {std::move(leaves), CpuidMethod::dev_cpuid};
  throw Error("cpu " + std::to_string(cpu) + ": cannot read CPUID: pinning failed (" + pin_error + "), " + dev_error,
              "run as a user allowed on every CPU, or load the cpuid module (modprobe cpuid)");
}

std::vector<CpuidLeaf> read_cpuid_leaves_on_cpu(unsigned cpu) { return read_cpuid_on_cpu(cpu).leaves; }

std::vector<CpuidLeaf> read_cpuid_leaves_on_cpu(unsigned cpu, CpuidMethod method) {
  std::string error;
  auto leaves = method == CpuidMethod::pinned_instruction ? read_pinned(cpu, error) : read_device(cpu, error);
  if (leaves.empty()) throw Error("cpu " + std::to_string(cpu) + ": cannot read CPUID: " + error);
  return leaves;
}

}  // namespace preflight
