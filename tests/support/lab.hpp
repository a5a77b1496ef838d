#pragma once
// The two-host lab (tests/lab/lab.sh) for Boost tests: real libvirtd + QEMU in two
// namespaces joined by a veth pair. One Lab per test program: up in the
// constructor, down in the destructor (unless PREFLIGHT_LAB_KEEP=1).
#include <optional>
#include <string>
#include <vector>

namespace preflight::test {

struct LabHost {
  std::string address;      // its veth address
  std::string peer_uri;     // qemu+tcp://ADDRESS/system, as the other host reaches it
  std::string control_uri;  // a unix socket reachable from the test's namespace
};

class Lab {
 public:
  // Why the lab cannot run here (not root, no unshare/libvirtd/QEMU/as), or empty.
  static std::optional<std::string> unavailable_reason();

  // Brings both hosts up; throws std::runtime_error with lab.sh's output.
  Lab();
  ~Lab();
  Lab(const Lab&) = delete;
  Lab& operator=(const Lab&) = delete;

  const LabHost& host(int n) const { return hosts_.at(n - 1); }
  std::string accel() const { return accel_; }  // "kvm" | "tcg"

  // An inventory naming the two hosts lab1 and lab2 (control URI, migration URI).
  std::string inventory_yaml() const;

  // The counter guest's domain XML; dirty: it also rewrites 32 MiB continuously;
  // disk: a qcow2 path it gets as an (unused) IDE disk.
  std::string guest_xml(const std::string& name, bool dirty = false, const std::string& disk = "") const;
  // A `mib` MiB qcow2 volume `name` in host n's pool 'images', its first MiB all
  // 0x5a; returns its path (the same on both hosts, each in its own /var).
  std::string make_qcow2(int n, const std::string& name, int mib) const;
  // Whether host n's file at `path` is a qcow2 whose first MiB is all 0x5a (read
  // without a lock, so while a guest uses it).
  bool qcow2_has_pattern(int n, const std::string& path) const;
  // The counter values the guest printed on host n, in order (empty if none yet).
  std::vector<long> serial_counter(int n, const std::string& name) const;
  // Polls until the guest on host n printed a value above `above`; bounded.
  bool wait_counter_above(int n, const std::string& name, long above, double timeout_s) const;

  void kill_libvirtd(int n) const;
  void start_libvirtd(int n) const;
  // Takes the veth link between the hosts down (false) or up (true).
  void set_link(bool up) const;
  // Runs `argv` inside host n; its exit code and output (stdout, then stderr).
  struct Result {
    int exit_code;
    std::string out;
  };
  Result exec(int n, const std::vector<std::string>& argv) const;
  // Host 2's QEMUs started from now on lack `feature` ("" : none).
  void set_destination_cpu_off(const std::string& feature) const;

 private:
  // An exclusive lock on /tmp/preflight-lab.lock for the lab's lifetime: the lab's
  // addresses and veth names are fixed, so labs of two checkouts (or two ctest runs)
  // take turns instead of tearing each other down. Taken before `up`.
  struct MachineLock {
    int fd = -1;
    MachineLock();
    ~MachineLock();
  } machine_lock_;
  std::string run(const std::vector<std::string>& args) const;
  std::vector<LabHost> hosts_;
  std::string accel_;
};

// The process-wide lab, brought up on first use; null when unavailable_reason().
Lab* shared_lab();

}  // namespace preflight::test
