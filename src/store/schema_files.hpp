#pragma once
// The store's schema migrations (src/store/schema/NNN-*.sql), compiled in, in order.
#include <span>

#include "io/embedded_file.hpp"

namespace crsguard {

std::span<const EmbeddedFile> store_schema_files();

}  // namespace crsguard
