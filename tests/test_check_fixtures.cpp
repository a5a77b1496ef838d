// End to end: for each rule without a pair in the demo lab, a fixture folder in
// fixtures/rules/<rule-id>/ (inventory + test-driver hosts or facts files) with a
// move where the rule fires and one where it passes, run through the real binary.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/run_process.hpp"
#include "support/verdict_formats.hpp"

using preflight::test::expect_rule_in_every_format;
using preflight::test::finding;
using preflight::test::fixture;
using preflight::test::ProcessResult;
using preflight::test::run_preflight;

namespace {

const std::vector<std::string> kEnv = {"XDG_CONFIG_HOME=/nonexistent", "NO_COLOR=1"};

ProcessResult check_json(const std::string& inventory, const std::string& vm, const std::string& dest) {
  return run_preflight({"--inventory", inventory, "check", vm, dest, "-o", "json"}, kEnv);
}

std::string status_of(const nlohmann::json& verdict, const std::string& rule) {
  for (const auto& r : verdict["results"])
    if (r["rule"] == rule) return r["status"];
  return "(absent)";
}

// Runs the check and asserts the rule's status and the exit code.
// The rule's status agrees in JSON, text and JUnit (support/verdict_formats.hpp).
void expect(const std::string& inventory, const std::string& vm, const std::string& dest, const std::string& rule,
            const std::string& status, int exit_code) {
  BOOST_TEST_CONTEXT(vm << " -> " << dest << ": " << rule << " (" << inventory << ")") {
    const auto r = check_json(inventory, vm, dest);
    BOOST_TEST(r.exit_code == exit_code, r.err);
    nlohmann::json j;
    BOOST_REQUIRE_NO_THROW(j = nlohmann::json::parse(r.out));
    expect_rule_in_every_format({"--inventory", inventory, "check", vm, dest}, kEnv, rule, status);
    BOOST_TEST(status_of(j, rule) == status);
    BOOST_TEST(j["vm"] == vm);
    BOOST_TEST(j["destination"] == dest);
    const std::string verdict = exit_code == 1 ? "no-go" : status == "warn" ? "warn" : "go";
    BOOST_TEST(j["verdict"] == verdict);
  }
}

// A TCP socket on 127.0.0.1, ephemeral port; listening or only bound (connect is refused).
class LocalPort {
 public:
  explicit LocalPort(bool listening) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    BOOST_REQUIRE(fd_ >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    BOOST_REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    if (listening) BOOST_REQUIRE(::listen(fd_, 8) == 0);
    socklen_t len = sizeof a;
    BOOST_REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    port_ = ntohs(a.sin_port);
  }
  ~LocalPort() { ::close(fd_); }
  LocalPort(const LocalPort&) = delete;
  LocalPort& operator=(const LocalPort&) = delete;
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

std::filesystem::path temp_dir() {
  return std::filesystem::temp_directory_path() / ("preflight-fixtures-" + std::to_string(::getpid()));
}

// An inventory over fixtures/rules/network.migration-link/ with hostB's migration address.
std::string migration_inventory(const std::string& name, int port) {
  const std::filesystem::path dir = temp_dir();
  std::filesystem::create_directories(dir);
  const std::string here = fixture("rules/network.migration-link");
  const std::string cpu = fixture("lab/hostB-cpu.xml");
  const std::filesystem::path path = dir / name;
  std::ofstream(path) << "hosts:\n"
                      << "  hostA:\n    libvirt: test://" << here << "/hostA.xml\n    cpu: " << cpu << "\n"
                      << "  hostB:\n    libvirt: test://" << here << "/hostB.xml\n    cpu: " << cpu << "\n"
                      << "    migration: 127.0.0.1:" << port << "\n";
  return path.string();
}

}  // namespace

BOOST_AUTO_TEST_CASE(storage_lun_visible_fires_when_the_destination_is_not_zoned_to_the_lun) {
  const auto inv = fixture("rules/storage.lun-visible/preflight.yaml");
  expect(inv, "sql1", "hostC", "storage.lun-visible", "block", 1);
  expect(inv, "sql1", "hostB", "storage.lun-visible", "pass", 0);
}

BOOST_AUTO_TEST_CASE(storage_cache_mode_fires_for_writeback_on_storage_that_must_be_copied) {
  const auto inv = fixture("rules/storage.cache-mode/preflight.yaml");
  expect(inv, "app1", "hostC", "storage.cache-mode", "warn", 0);
  expect(inv, "app1", "hostB", "storage.cache-mode", "pass", 0);
  const auto strict = run_preflight({"--inventory", inv, "check", "app1", "hostC", "--strict", "-o", "json"}, kEnv);
  BOOST_TEST(strict.exit_code == 1, strict.err);
}

BOOST_AUTO_TEST_CASE(network_same_segment_fires_when_the_bridge_is_in_another_subnet) {
  const auto inv = fixture("rules/network.same-segment/preflight.yaml");
  expect(inv, "web2", "hostC", "network.same-segment", "warn", 0);
  expect(inv, "web2", "hostB", "network.same-segment", "pass", 0);
  // web3 is on network 'lan', which forwards onto br0: the bridge's subnet counts.
  expect(inv, "web3", "hostC", "network.same-segment", "warn", 0);
  expect(inv, "web3", "hostB", "network.same-segment", "pass", 0);
}

BOOST_AUTO_TEST_CASE(network_migration_link_connects_for_real_on_127_0_0_1) {
  {
    const LocalPort closed(false);  // bound, not listening: connection refused
    const auto r = check_json(migration_inventory("closed.yaml", closed.port()), "mig1", "hostB");
    BOOST_TEST(r.exit_code == 1, r.err);
    const auto j = nlohmann::json::parse(r.out);
    BOOST_TEST(status_of(j, "network.migration-link") == "block");
    BOOST_TEST(finding(j, "network.migration-link")["message"].get<std::string>().find(
                   "127.0.0.1:" + std::to_string(closed.port())) != std::string::npos);
  }
  {
    const LocalPort open(true);  // the kernel completes the handshake from the backlog
    const auto r = check_json(migration_inventory("open.yaml", open.port()), "mig1", "hostB");
    BOOST_TEST(r.exit_code == 0, r.err);
    BOOST_TEST(status_of(nlohmann::json::parse(r.out), "network.migration-link") == "pass");
  }
  std::filesystem::remove_all(temp_dir());
  // Without a migration address the rule is skipped, with the reason.
  const auto none = check_json(fixture("rules/host.pool/preflight.yaml"), "app3", "hostB");
  BOOST_TEST(status_of(nlohmann::json::parse(none.out), "network.migration-link") == "skip");
}

BOOST_AUTO_TEST_CASE(hypervisor_compat_fires_for_an_older_destination_without_the_machine_type) {
  const auto inv = fixture("rules/hypervisor.compat/preflight.yaml");
  expect(inv, "svc1", "hostC", "hypervisor.compat", "block", 1);
  expect(inv, "svc1", "hostB", "hypervisor.compat", "pass", 0);
  const auto j = nlohmann::json::parse(check_json(inv, "svc1", "hostC").out);
  BOOST_TEST(finding(j, "hypervisor.compat")["message"].get<std::string>().find(
                 "machine type pc-q35-7.2 is not offered by hostC") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(host_pool_fires_across_pools_when_the_policy_requires_one) {
  const auto inv = fixture("rules/host.pool/preflight.yaml");
  expect(inv, "app3", "hostC", "host.pool", "block", 1);
  expect(inv, "app3", "hostB", "host.pool", "pass", 0);
}

BOOST_AUTO_TEST_CASE(resources_cpu_fires_for_too_few_cpus_and_for_overcommit) {
  const auto inv = fixture("rules/resources.cpu/preflight.yaml");
  expect(inv, "big1", "hostC", "resources.cpu", "block", 1);  // 16 vCPUs, 8 CPUs
  expect(inv, "big1", "hostD", "resources.cpu", "block", 1);  // 72 vCPUs on 16 CPUs > 4:1
  expect(inv, "big1", "hostB", "resources.cpu", "pass", 0);
}

BOOST_AUTO_TEST_CASE(cpu_firmware_names_a_bios_switch_on_identical_cpus) {
  const auto inv = fixture("rules/cpu.firmware/preflight.yaml");
  expect(inv, "old1", "hostC", "cpu.firmware", "warn", 0);    // AES off in the BIOS, old1 does not use it
  expect(inv, "crypt1", "hostC", "cpu.firmware", "block", 1);  // ... and crypt1 does
  expect(inv, "old1", "hostB", "cpu.firmware", "pass", 0);
  expect(inv, "crypt1", "hostB", "cpu.firmware", "pass", 0);
  const auto j = nlohmann::json::parse(check_json(inv, "old1", "hostC").out);
  BOOST_TEST(finding(j, "cpu.firmware")["message"].get<std::string>().find("identical CPUs, different BIOS settings") !=
             std::string::npos);
}

// migrate.concurrency (R45) is informational in `check`: the limit is enforced by
// `preflight migrate`, which queues moves; check states the limit the rule file
// sets (rules are data: a catalog with other numbers says other numbers).
BOOST_AUTO_TEST_CASE(migrate_concurrency_states_the_limits_of_the_rule_file) {
  const auto inv = fixture("rules/host.pool/preflight.yaml");
  const auto j = nlohmann::json::parse(check_json(inv, "app3", "hostB").out);
  BOOST_TEST(finding(j, "migrate.concurrency")["message"] ==
             "at most 4 concurrent migrations per host (8 on 10 GbE); `preflight migrate` queues moves beyond that");
  const std::filesystem::path rules = temp_dir() / "rules";
  std::filesystem::create_directories(rules);
  for (const auto& f : std::filesystem::directory_iterator(fixture("../rules"))) {
    std::ifstream in(f.path());
    std::string text{std::istreambuf_iterator<char>(in), {}};
    for (const auto& [from, to] : {std::pair{"per_host: 4", "per_host: 2"}, {"per_host_10gbe: 8", "per_host_10gbe: 3"}})
      if (const size_t at = text.find(from); at != std::string::npos) text.replace(at, std::string(from).size(), to);
    std::ofstream(rules / f.path().filename()) << text;
  }
  const auto r = run_preflight({"--inventory", inv, "--rules", rules.string(), "check", "app3", "hostB", "-o", "json"}, kEnv);
  BOOST_TEST(finding(nlohmann::json::parse(r.out), "migrate.concurrency")["message"] ==
             "at most 2 concurrent migrations per host (3 on 10 GbE); `preflight migrate` queues moves beyond that");
  std::filesystem::remove_all(temp_dir());
}
