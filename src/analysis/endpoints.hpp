#pragma once
// Time-to-event endpoints read from a patient's Timeline, each with the reason it was derived
// so (the event or the censoring and the record behind it), or the reason it could not be.
//
// Definitions (../shared/spec/clinical.md §10; ../shared/data/README.md for Pan 2021):
//   leukaemia-free survival (LFS): infusion → relapse or death from any cause; alive without
//     relapse: censored at the last follow-up. Pan 2021 counts from infusion (not from remission
//     onset as §10 suggests), so infusion is time zero here; a patient never recorded in remission
//     (CR/CRi) has no LFS and is listed as excluded. Deaths count as events unless told otherwise.
//   overall survival (OS): infusion → death from any cause; censored at the last follow-up.
//   time to CRS onset: infusion → onset of the first ASTCT CRS episode; censored at the end of
//     the record (or death) without CRS.
//   time to CRS resolution: onset → resolution of the first episode, among patients with CRS;
//     censored at the end of the record (or death) while unresolved.
// Times are in days since infusion (or since onset for resolution).
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/survival.hpp"
#include "clinical/crs_astct.hpp"
#include "core/enum_names.hpp"
#include "model/timeline.hpp"

namespace crsguard {

enum class Endpoint : unsigned char { leukaemia_free_survival, overall_survival, crs_onset, crs_resolution };
std::span<const EnumName<Endpoint>> names(Endpoint);   // "lfs", "os", "crs-onset", "crs-resolution"
std::string_view endpoint_title(Endpoint endpoint);     // "leukaemia-free survival", ...

// Months as the example conversion writes them (scripts/convert_reports.py: day = months × 30.4375).
inline constexpr double kDaysPerMonth = 30.4375;

struct EndpointOptions {
  // Censor LFS and OS at a consolidative HCT after CAR-T (a sensitivity analysis; clinical.md §10).
  bool censor_at_hct = false;
  // Count a death without relapse as an LFS event (Pan 2021, and the usual LFS); false censors it.
  bool death_is_lfs_event = true;
};

struct PatientEndpoint {
  std::string patient_id;
  std::optional<SurvivalSubject> subject;  // nullopt: excluded, see `reason`
  std::string reason;                      // "relapse on day 122", "censored at last follow-up on day 274", …
};

// `crs` is needed for the CRS endpoints (grade_crs_course of the same timeline); LFS and OS ignore it.
PatientEndpoint derive_endpoint(const Timeline& timeline, Endpoint endpoint, const EndpointOptions& options,
                                const CrsCourse* crs = nullptr);

}  // namespace crsguard
