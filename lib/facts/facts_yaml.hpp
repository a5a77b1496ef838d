#pragma once
// HostFacts <-> YAML, lossless: facts_from_yaml(facts_to_yaml(h), o) == h for every h.
//
// The document is `schema_version: 1` and `host: {...}`. Keys are the struct
// members' names, in struct order. A known Fact<T> is its plain value; an unknown
// one is `{unknown: "the reason"}`. Empty strings, empty lists and unset
// optionals are left out and read back as empty. Raw CPUID leaves are flow
// sequences `[leaf, subleaf, eax, ebx, ecx, edx]` in hex; MSRs are in hex.
//
// Reading fails closed: malformed YAML, a missing or other schema_version, a
// value of the wrong type, an unknown or duplicate key each throw Error with
// "<origin>:<line>:<col>: ..." (1-based) naming the key path, e.g.
// "host.memory.total_kib". A Fact whose key is absent reads as unknown
// ("not in <origin>").
//
// What facts_to_yaml writes is read by a fast parser of just that YAML; other YAML
// goes through yaml-cpp, with the same checks and messages (facts_yaml_readers.hpp).
#include <string>

#include "facts/host_facts.hpp"

namespace preflight {

inline constexpr int kFactsSchemaVersion = 1;

// A whole YAML document, ending in a newline.
std::string facts_to_yaml(const HostFacts& host);

// `origin` names the text in error messages (a file path, "<stdin>").
HostFacts facts_from_yaml(const std::string& text, const std::string& origin);

// Reads and parses the file at `path`; a missing or unreadable file throws Error
// naming the path.
HostFacts load_facts_file(const std::string& path);

}  // namespace preflight
