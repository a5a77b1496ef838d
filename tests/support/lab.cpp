#include "support/lab.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/run_process.hpp"

namespace preflight::test {
namespace {

const std::string kLabScript = PREFLIGHT_LAB_SCRIPT;

std::string lab_dir() {
  const char* dir = std::getenv("PREFLIGHT_LAB_DIR");
  return dir && *dir ? dir : "/tmp/preflight-lab-test";
}

bool on_path(const std::string& program) {
  return run_process({"sh", "-c", "command -v " + program}).exit_code == 0;
}

}  // namespace

std::optional<std::string> Lab::unavailable_reason() {
  if (geteuid() != 0) return "the lab needs root (namespaces, mounts, libvirtd)";
  for (const char* program : {"unshare", "nsenter", "ip", "libvirtd", "virtlogd", "virsh", "qemu-system-x86_64",
                              "qemu-img", "qemu-io", "as", "ld"})
    if (!on_path(program)) return std::string("the lab needs ") + program + ", not found on PATH";
  if (run_process({"unshare", "--net", "--mount", "--pid", "--fork", "true"}).exit_code != 0)
    return "the lab needs namespaces; unshare --net --mount --pid failed here";
  return std::nullopt;
}

Lab::MachineLock::MachineLock() {
  fd = ::open("/tmp/preflight-lab.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0 || ::flock(fd, LOCK_EX) != 0) throw std::runtime_error("cannot lock /tmp/preflight-lab.lock");
}

Lab::MachineLock::~MachineLock() {
  if (fd >= 0) ::close(fd);  // releases the lock
}

Lab::Lab() {
  std::istringstream lines(run({"up"}));
  std::string tag, address, peer, control;
  while (lines >> tag >> address >> peer >> control) hosts_.push_back({address, peer, control});
  if (hosts_.size() != 2) throw std::runtime_error("lab.sh up did not print two hosts");
  std::ifstream accel(lab_dir() + "/accel");
  accel >> accel_;
}

Lab::~Lab() {
  const char* keep = std::getenv("PREFLIGHT_LAB_KEEP");
  if (keep && std::string(keep) == "1") return;
  try {
    run({"down"});
  } catch (...) {
  }
}

std::string Lab::run(const std::vector<std::string>& args) const {
  std::vector<std::string> argv{kLabScript};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessResult r = run_process(argv, {"PREFLIGHT_LAB_DIR=" + lab_dir()});
  if (r.exit_code != 0) throw std::runtime_error("lab.sh " + args.front() + " failed: " + r.out + r.err);
  return r.out;
}

std::string Lab::inventory_yaml() const {
  std::string y = "hosts:\n";
  for (int n : {1, 2})
    y += "  lab" + std::to_string(n) + ":\n    libvirt: " + host(n).control_uri + "\n    migrate_uri: " +
         host(n).peer_uri + "\n";
  return y;
}

std::string Lab::guest_xml(const std::string& name, bool dirty, const std::string& disk) const {
  std::vector<std::string> args{"guest-xml", name, dirty ? "dirty" : "plain"};
  if (!disk.empty()) args.push_back(disk);
  return run(args);
}

std::string Lab::make_qcow2(int n, const std::string& name, int mib) const {
  std::string path = run({"qcow2", std::to_string(n), name, std::to_string(mib)});
  while (!path.empty() && path.back() == '\n') path.pop_back();
  return path;
}

bool Lab::qcow2_has_pattern(int n, const std::string& path) const {
  // -U: no lock (the guest holds it); qemu-io prints "Pattern verification failed" on a mismatch.
  Result r = exec(n, {"qemu-io", "-r", "-U", "-f", "qcow2", "-c", "read -P 0x5a 0 1M", path});
  return r.exit_code == 0 && r.out.find("read 1048576/1048576 bytes") != std::string::npos &&
         r.out.find("Pattern verification failed") == std::string::npos;
}

void Lab::set_link(bool up) const { run({"link", up ? "up" : "down"}); }

Lab::Result Lab::exec(int n, const std::vector<std::string>& argv) const {
  std::vector<std::string> args{kLabScript, "exec", std::to_string(n)};
  args.insert(args.end(), argv.begin(), argv.end());
  ProcessResult r = run_process(args, {"PREFLIGHT_LAB_DIR=" + lab_dir()});
  return {r.exit_code, r.out + r.err};
}

std::vector<long> Lab::serial_counter(int n, const std::string& name) const {
  std::string path = run({"serial", std::to_string(n), name});
  while (!path.empty() && path.back() == '\n') path.pop_back();
  std::ifstream in(path);
  std::vector<long> values;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    try {
      values.push_back(std::stol(line));
    } catch (const std::exception&) {
      // a line being written right now
    }
  }
  return values;
}

bool Lab::wait_counter_above(int n, const std::string& name, long above, double timeout_s) const {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (std::chrono::steady_clock::now() < deadline) {
    auto values = serial_counter(n, name);
    if (!values.empty() && values.back() > above) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

void Lab::kill_libvirtd(int n) const { run({"kill-libvirtd", std::to_string(n)}); }
void Lab::start_libvirtd(int n) const { run({"start-libvirtd", std::to_string(n)}); }
void Lab::set_destination_cpu_off(const std::string& feature) const {
  run({"dest-cpu-off", feature.empty() ? "none" : feature});
}

Lab* shared_lab() {
  static std::unique_ptr<Lab> lab = []() -> std::unique_ptr<Lab> {
    if (Lab::unavailable_reason()) return nullptr;
    return std::make_unique<Lab>();
  }();
  return lab.get();
}

}  // namespace preflight::test
