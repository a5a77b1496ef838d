#pragma once
// The check functions, by area (checks_*.cpp); check_registry.cpp names them.
#include "rules/check.hpp"

namespace preflight::checks {

CheckResult cpu_vendor(const CheckContext&, const nlohmann::json&);
CheckResult cpu_features(const CheckContext&, const nlohmann::json&);
CheckResult cpu_firmware(const CheckContext&, const nlohmann::json&);
CheckResult cpu_passthrough(const CheckContext&, const nlohmann::json&);

CheckResult storage_shared(const CheckContext&, const nlohmann::json&);
CheckResult storage_space(const CheckContext&, const nlohmann::json&);
CheckResult lun_visible(const CheckContext&, const nlohmann::json&);
CheckResult disk_shareable(const CheckContext&, const nlohmann::json&);
CheckResult host_media(const CheckContext&, const nlohmann::json&);
CheckResult media_visible(const CheckContext&, const nlohmann::json&);
CheckResult cache_mode(const CheckContext&, const nlohmann::json&);

CheckResult network_present(const CheckContext&, const nlohmann::json&);
CheckResult network_uplink(const CheckContext&, const nlohmann::json&);
CheckResult migration_link(const CheckContext&, const nlohmann::json&);
CheckResult same_segment(const CheckContext&, const nlohmann::json&);

CheckResult host_ports(const CheckContext&, const nlohmann::json&);
CheckResult hostdev(const CheckContext&, const nlohmann::json&);
CheckResult affinity(const CheckContext&, const nlohmann::json&);

CheckResult memory(const CheckContext&, const nlohmann::json&);
CheckResult vcpus(const CheckContext&, const nlohmann::json&);
CheckResult distinct_hosts(const CheckContext&, const nlohmann::json&);
CheckResult same_pool(const CheckContext&, const nlohmann::json&);
CheckResult hypervisor_compat(const CheckContext&, const nlohmann::json&);
CheckResult concurrency(const CheckContext&, const nlohmann::json&);

}  // namespace preflight::checks
