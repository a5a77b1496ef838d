#include "collect/pool_xml.hpp"

#include "collect/libvirt_xml.hpp"
#include "core/error.hpp"

namespace preflight {

namespace {

using xml::attr;
using xml::text;

Fact<uint64_t> size_of(const pugi::xml_node& parent, const char* name, const std::string& origin) {
  const auto n = parent.child(name);
  if (!n) return Fact<uint64_t>::unknown(std::string("no <") + name + "> in the XML");
  return xml::scaled_bytes(n, 1, origin);
}

}  // namespace

PoolFacts parse_pool_xml(std::string_view xml_text, const std::string& origin) {
  const auto doc = xml::load(xml_text, origin);
  const auto pool = xml::root(doc, "pool", origin);
  PoolFacts out;
  out.name = text(pool.child("name"));
  out.type = attr(pool, "type");
  const auto src = pool.child("source");
  for (auto h : src.children("host")) {
    const std::string port = attr(h, "port");
    out.source.hosts.push_back(port.empty() ? attr(h, "name") : attr(h, "name") + ":" + port);
  }
  out.source.dir = attr(src.child("dir"), "path");
  for (auto d : src.children("device")) out.source.devices.push_back(attr(d, "path"));
  out.source.name = text(src.child("name"));
  if (auto a = src.child("adapter")) {
    if (attr(a, "type") == "fc_host") {
      out.source.adapter = attr(a, "wwnn") + ":" + attr(a, "wwpn");
    } else {
      out.source.adapter = attr(a, "name");
    }
  }
  out.source.format = attr(src.child("format"), "type");
  out.target_path = text(pool.child("target").child("path"));
  out.capacity_bytes = size_of(pool, "capacity", origin);
  out.available_bytes = size_of(pool, "available", origin);
  return out;
}

VolumeFacts parse_volume_xml(std::string_view xml_text, const std::string& origin) {
  const auto doc = xml::load(xml_text, origin);
  const auto vol = xml::root(doc, "volume", origin);
  VolumeFacts out;
  out.name = text(vol.child("name"));
  out.type = attr(vol, "type");
  if (out.type.empty()) out.type = "file";
  out.path = text(vol.child("target").child("path"));
  out.format = attr(vol.child("target").child("format"), "type");
  out.capacity_bytes = size_of(vol, "capacity", origin);
  out.allocation_bytes = size_of(vol, "allocation", origin);
  return out;
}

}  // namespace preflight
