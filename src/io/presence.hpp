#pragma once
// Whether a field of an input file must be there (shared by the JSON and YAML field readers).

namespace crsguard {

enum class Presence { optional, required };

}  // namespace crsguard
