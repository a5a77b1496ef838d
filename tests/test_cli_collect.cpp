// preflight collect end to end: this machine, a libvirt test-driver host, the whole
// demo inventory in parallel. Output is read back through the facts YAML reader.
#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "facts/facts_yaml.hpp"
#include "support/run_process.hpp"

using namespace preflight;
using preflight::test::fixture;
using preflight::test::ProcessResult;
using preflight::test::run_preflight;

namespace fs = std::filesystem;

namespace {
const std::vector<std::string> kEnv = {"XDG_CONFIG_HOME=/nonexistent-preflight-config", "NO_COLOR=1"};

// A TCP port on 127.0.0.1 that takes connections (the kernel completes them into
// the listen queue) and never says a word: a libvirt daemon that hangs.
class SilentListener {
 public:
  SilentListener() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    BOOST_REQUIRE(fd_ >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    BOOST_REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    BOOST_REQUIRE(::listen(fd_, 16) == 0);
    socklen_t len = sizeof a;
    BOOST_REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    port_ = ntohs(a.sin_port);
  }
  ~SilentListener() { ::close(fd_); }
  int port() const { return port_; }

 private:
  int fd_;
  int port_ = 0;
};

}  // namespace

BOOST_AUTO_TEST_CASE(this_machine_shows_identity_raw_leaves_and_named_features) {
  const ProcessResult r = run_preflight({"collect"}, kEnv);
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  const HostFacts h = facts_from_yaml(r.out, "stdout");
  BOOST_TEST(h.source == "local");
  BOOST_TEST(h.cpu.vendor.known());
  BOOST_TEST(h.cpu.family.known());
  BOOST_TEST(h.cpu.model.known());
  BOOST_TEST(h.cpu.stepping.known());
  BOOST_TEST((h.cpu.microcode.known() || !h.cpu.microcode.reason().empty()));
  const auto& leaves = h.cpu.cpuid.value();
  BOOST_REQUIRE(!leaves.empty());
  BOOST_TEST(leaves.front().leaf == 0u);
  BOOST_TEST(leaves.size() > leaves.front().eax, "every basic leaf up to the maximum, plus extended ones");
  // Every x86-64 CPU has the x86-64-v1 set (fpu ... sse2, lm) and more.
  const auto& features = h.cpu.features.value();
  BOOST_TEST_MESSAGE("this machine: " << leaves.size() << " leaves, " << features.size() << " named features");
  BOOST_TEST(features.size() > 30u);
  for (const char* f : {"fpu", "sse2", "lm", "cx8", "fxsr"})
    BOOST_TEST((std::find(features.begin(), features.end(), f) != features.end()), f);
}

BOOST_AUTO_TEST_CASE(a_test_driver_host_shows_vms_networks_bridges_and_pools) {
  const std::string uri = "test://" + fixture("lab/hostA.xml");
  const ProcessResult r = run_preflight({"collect", "--libvirt", uri}, kEnv);
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  const HostFacts h = facts_from_yaml(r.out, "stdout");
  BOOST_TEST(h.source == uri);
  BOOST_TEST(h.vms.value().size() >= 5u);
  const VmFacts* web1 = find_vm(h, "web1");
  BOOST_REQUIRE(web1);
  BOOST_TEST(!web1->disks.empty());
  BOOST_TEST(!web1->interfaces.empty());
  bool portgroups = false, physical_member = false, nfs = false, volumes = false;
  for (const auto& n : h.networks.value()) portgroups |= !n.portgroups.empty();
  for (const auto& b : h.bridges.value())
    for (const auto& m : b.members) physical_member |= m.physical.value_or(false);
  for (const auto& p : h.pools.value()) {
    nfs |= p.type == "netfs" && !p.source.hosts.empty() && !p.source.dir.empty();
    volumes |= !p.volumes.empty();
  }
  BOOST_TEST(portgroups);
  BOOST_TEST(physical_member);
  BOOST_TEST(nfs);
  BOOST_TEST(volumes);
  BOOST_TEST(h.memory.free_kib.known());
  BOOST_TEST(h.memory.free_note.find("derived") != std::string::npos, h.memory.free_note);
}

BOOST_AUTO_TEST_CASE(the_whole_inventory_is_collected_into_a_folder) {
  const fs::path dir = fs::temp_directory_path() / ("preflight-test-collect-all." + std::to_string(::getpid()));
  fs::remove_all(dir);
  const ProcessResult r =
      run_preflight({"collect", "--inventory", fixture("lab/preflight.yaml"), "--all", "-w", dir.string()}, kEnv);
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  BOOST_TEST(r.err == "collected 3 hosts into " + dir.string() + "\n");
  for (const char* name : {"hostA", "hostB", "hostC"}) {
    const HostFacts h = load_facts_file((dir / (std::string(name) + ".yaml")).string());
    BOOST_TEST(h.name == name);
    BOOST_TEST(h.cpu.libvirt_cpu.known(), name << " has its CPU from the inventory's cpu file");
    BOOST_TEST(h.vms.known());
  }
  // A facts file is itself a host: collecting it again gives the same facts.
  const std::string a = (dir / "hostA.yaml").string();
  const ProcessResult again = run_preflight({"collect", a}, kEnv);
  BOOST_REQUIRE_MESSAGE(again.exit_code == 0, again.err);
  BOOST_TEST((facts_from_yaml(again.out, "stdout") == load_facts_file(a)));
  fs::remove_all(dir);
}

namespace {

// An inventory of two hosts in a fresh folder: `dead`, a libvirt URI whose server
// accepts and never answers, and `live`, the demo lab's hostA.
struct DeadAndLiveInventory {
  SilentListener dead;
  fs::path dir;
  std::string dead_uri = "qemu+tcp://127.0.0.1:" + std::to_string(dead.port()) + "/system";
  std::string inventory;
  explicit DeadAndLiveInventory(const std::string& name)
      : dir(fs::temp_directory_path() / (name + "." + std::to_string(::getpid()))) {
    fs::remove_all(dir);
    fs::create_directories(dir);
    inventory = (dir / "inventory.yaml").string();
    std::ofstream(inventory) << "hosts:\n  dead:\n    libvirt: " << dead_uri << "\n  live:\n    libvirt: test://"
                             << fixture("lab/hostA.xml") << "\n";
  }
  ~DeadAndLiveInventory() { fs::remove_all(dir); }
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_host_that_never_answers_is_reported_after_the_timeout_and_the_others_are_collected) {
  const DeadAndLiveInventory fleet("preflight-test-collect-dead-host");
  const std::string& dead_uri = fleet.dead_uri;
  const std::string& inventory = fleet.inventory;
  const fs::path out = fleet.dir / "facts";
  // One at a time, the dead host first: its slot must come free for the live one.
  // 10 s: the live host's child loads libvirt and reads its driver in far less,
  // even on a loaded machine.
  const ProcessResult r = run_preflight(
      {"collect", "--inventory", inventory, "--all", "-w", out.string(), "-j", "1", "--timeout", "10"}, kEnv);
  BOOST_TEST(r.exit_code == 2, r.err);
  BOOST_TEST(r.err.find("collected 1 of 2 hosts into " + out.string() + "; failed: dead: no answer from " + dead_uri +
                        " within 10 s; its collection was stopped (--timeout sets the limit per host)") !=
                 std::string::npos,
             r.err);
  BOOST_TEST(!fs::exists(out / "dead.yaml"));
  const HostFacts live = load_facts_file((out / "live.yaml").string());
  BOOST_TEST(live.name == "live");
  BOOST_TEST(live.vms.value().size() >= 5u);
}

BOOST_AUTO_TEST_CASE(one_host_that_never_answers_is_stopped_after_the_timeout) {
  const DeadAndLiveInventory fleet("preflight-test-collect-dead-one");
  const std::string& dead_uri = fleet.dead_uri;
  const std::string& inventory = fleet.inventory;
  // By inventory name and by --libvirt URI: both end with the host named, exit 2.
  const ProcessResult named = run_preflight({"collect", "--inventory", inventory, "dead", "--timeout", "2"}, kEnv);
  BOOST_TEST(named.exit_code == 2, named.err);
  BOOST_TEST(named.out.empty());
  BOOST_TEST(named.err.find("dead: no answer from " + dead_uri + " within 2 s") != std::string::npos, named.err);
  const ProcessResult by_uri = run_preflight({"collect", "--libvirt", dead_uri, "--timeout", "2"}, kEnv);
  BOOST_TEST(by_uri.exit_code == 2, by_uri.err);
  BOOST_TEST(by_uri.err.find(dead_uri + ": no answer from " + dead_uri + " within 2 s") != std::string::npos,
             by_uri.err);
  // A host that answers is collected through the same child, whole.
  const ProcessResult live = run_preflight({"collect", "--inventory", inventory, "live"}, kEnv);
  BOOST_REQUIRE_MESSAGE(live.exit_code == 0, live.err);
  const HostFacts h = facts_from_yaml(live.out, "stdout");
  BOOST_TEST(h.name == "live");
  BOOST_TEST(h.vms.value().size() >= 5u);
}
