#pragma once
// Reading treatment protocols (protocols/*.yaml, format "crsguard.protocol/1"; schema and
// validation rules in docs/protocols.md). A protocol is read whole or not at all: every problem
// is collected and thrown together, each naming file, line, column, key and reason.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "io/embedded_file.hpp"
#include "model/protocol.hpp"

namespace crsguard {

// Reads one protocol; throws InputError listing every problem found, each with file, line,
// column (1-based), field and reason. Nothing half-read is returned.
Protocol read_protocol_yaml(std::string_view text, const std::string& file);

// The protocols shipped in protocols/*.yaml, compiled into the binary (cmake/EmbedFiles.cmake).
std::span<const EmbeddedFile> shipped_protocol_files();

// Every shipped protocol, read and validated; a shipped protocol's name must be its file's stem.
std::vector<Protocol> shipped_protocols();

// A shipped protocol by name ("zi2021-adult"), or a protocol file by path (ending in .yaml or
// .yml). Throws InputError: an unknown name (the reason lists the shipped names), a file that
// cannot be read, or an invalid protocol.
Protocol load_protocol(const std::string& name_or_path);

}  // namespace crsguard
