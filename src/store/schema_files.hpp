#pragma once
// The store's schema migrations (src/store/schema/DIALECT/NNN-*.sql), compiled in, in order.
#include <span>

#include "io/embedded_file.hpp"

namespace crsguard {

std::span<const EmbeddedFile> sqlite_schema_files();
std::span<const EmbeddedFile> postgresql_schema_files();

}  // namespace crsguard
