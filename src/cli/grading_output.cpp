#include "cli/grading_output.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "cli/day_summary_output.hpp"
#include "cli/text_table.hpp"
#include "clinical/cres.hpp"
#include "core/time.hpp"
#include "io/timeline_json.hpp"

namespace crsguard {

using nlohmann::json;

namespace {

constexpr std::string_view kLegend =
    "Day 0 is the infusion day. ≥N: at least grade N, an input that could raise it was not recorded; "
    "n/a: not assessable (nothing recorded to grade); 0: no CRS / no ICANS.\n";

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

// An input's name as a clinician reads it: "systolic blood pressure", "neuro assessment".
std::string readable(std::string name) {
  if (const auto code = find_observation_code(name)) return std::string(observation_info(*code).display);
  std::replace(name.begin(), name.end(), '_', ' ');
  return name;
}

std::string reason_text(const Timeline& timeline, const Reason& reason) {
  std::string text = reason.statement;
  if (!reason.evidence.empty()) {
    const Evidence& first = reason.evidence.front();
    text += ", " + describe_time(timeline, first.seconds_since_infusion, first.form);
  }
  return text + " [" + std::string(reason.rule.id) + "]";
}

void add_rule_sources(std::vector<RuleRef>& sources, const GradeResult& result) {
  for (const Reason& reason : result.reasons) {
    if (std::find(sources.begin(), sources.end(), reason.rule) == sources.end()) sources.push_back(reason.rule);
  }
}

std::string sources_text(std::vector<RuleRef> sources) {
  std::sort(sources.begin(), sources.end(), [](const RuleRef& a, const RuleRef& b) { return a.id < b.id; });
  std::string out;
  for (const RuleRef& rule : sources) out += fmt::format("  {}: {}\n", rule.id, rule.source);
  return out;
}

// One block per row: the grades, then the rationale lines indented under them.
std::string grade_block(const std::string& when, const GradeResult& crs, const GradeResult* icans,
                        const Timeline& timeline, std::size_t when_width, std::string_view neuro = "ICANS") {
  const std::string indent(when_width + 2 + 4 + 2 + 5 + 2, ' ');
  std::string head = std::string(when_width > display_width(when) ? when_width - display_width(when) : 0, ' ') +
                     when + fmt::format("  {:<4}  ", grade_cell(crs));
  head += icans != nullptr ? fmt::format("{:<5}", grade_cell(*icans)) : std::string(5, ' ');
  std::vector<std::string> lines;
  std::vector<std::string> crs_reasons;
  for (const Reason& reason : crs.reasons) crs_reasons.push_back(reason_text(timeline, reason));
  if (!crs_reasons.empty()) lines.push_back("CRS: " + join(crs_reasons, "; "));
  if (icans != nullptr && !icans->reasons.empty()) {
    std::vector<std::string> icans_reasons;
    for (const Reason& reason : icans->reasons) icans_reasons.push_back(reason_text(timeline, reason));
    lines.push_back(std::string(neuro) + ": " + join(icans_reasons, "; "));
  }
  std::vector<std::string> missing;
  for (const auto& item : crs.missing) missing.push_back(readable(item) + " (CRS)");
  if (icans != nullptr) {
    for (const auto& item : icans->missing) missing.push_back(readable(item) + " (" + std::string(neuro) + ")");
  }
  if (!missing.empty()) lines.push_back("not recorded: " + join(missing, ", "));
  for (const auto& flag : crs.review) lines.push_back("review (CRS): " + flag);
  if (icans != nullptr) {
    for (const auto& flag : icans->review) lines.push_back("review (" + std::string(neuro) + "): " + flag);
  }
  std::string out = head;
  for (std::size_t i = 0; i < lines.size(); ++i) out += (i == 0 ? "  " : "\n" + indent) + lines[i];
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out + "\n";
}

bool is_event_time(const Timeline& timeline, std::int64_t t) {
  const auto& events = timeline.events();
  const auto at = std::lower_bound(events.begin(), events.end(), t, [](const Event& event, std::int64_t time) {
    return event.time.seconds_since_infusion < time;
  });
  if (at != events.end() && at->time.seconds_since_infusion == t) return true;
  const auto& doses = timeline.doses();  // in time order
  const auto dose = std::lower_bound(doses.begin(), doses.end(), t, [](const DoseGiven& given, std::int64_t time) {
    return given.seconds_since_infusion < time;
  });
  return dose != doses.end() && dose->seconds_since_infusion == t;
}

// How a moment's time was recorded: by day only when the events at it carry no clock (or, with no
// event at it, when it is a midnight), with a clock otherwise.
TimeForm form_at(const Timeline& timeline, std::int64_t t) {
  const auto& events = timeline.events();
  const auto at = std::lower_bound(events.begin(), events.end(), t, [](const Event& event, std::int64_t time) {
    return event.time.seconds_since_infusion < time;
  });
  const bool day_only = at != events.end() && at->time.seconds_since_infusion == t
                            ? at->time.form == TimeForm::study_day
                            : t == timeline.day_start(timeline.study_day(t));
  return day_only ? TimeForm::study_day : TimeForm::study_day_clock;
}

// "day 6" when the moment is a day recorded without clock times, "day 6 14:00" otherwise.
std::string moment_label(const Timeline& timeline, std::int64_t t) {
  return describe_time(timeline, t, form_at(timeline, t));
}

const GradeResult* icans_at_event(const CourseGrades& grades, std::int64_t t) {
  for (const auto& grade : grades.icans) {
    if (grade.t == t) return &grade.result;
  }
  return nullptr;
}

std::string episode_status(const CrsEpisode& episode) {
  if (episode.ended_by_death) return "ended by death";
  if (episode.ongoing_at_end_of_record) return "not resolved by the end of the record";
  return episode.resolution_confirmed ? "resolved" : "resolved (no later temperature recorded)";
}

std::string days_at_grade_text(const CrsEpisode& episode) {
  std::vector<std::string> parts;
  for (std::size_t g = 1; g < episode.days_at_grade.size(); ++g) {
    if (episode.days_at_grade[g] > 0) parts.push_back(fmt::format("grade {}: {}", g, episode.days_at_grade[g]));
  }
  return parts.empty() ? "none graded" : join(parts, ", ");
}

std::string optional_number(const std::optional<int>& value) { return value ? std::to_string(*value) : ""; }

}  // namespace

json evidence_json(const Timeline& timeline, const Evidence& evidence) {
  json out{{"item", evidence.item}, {"time", time_json(timeline, evidence.seconds_since_infusion, evidence.form)}};
  if (evidence.value) out["value"] = canonical_number(*evidence.value);
  if (evidence.comparator != Comparator::equal) out["comparator"] = to_name(evidence.comparator);
  if (!evidence.unit.empty()) out["unit"] = evidence.unit;
  if (!evidence.detail.empty()) out["detail"] = evidence.detail;
  if (evidence.event_index) out["event"] = *evidence.event_index;
  return out;
}

std::string grade_cell(const GradeResult& result) {
  if (!result.grade) return "n/a";
  return (result.assessment == Assessment::incomplete ? "≥" : "") + std::to_string(*result.grade);
}

json time_json(const Timeline& timeline, std::int64_t seconds_since_infusion, std::optional<TimeForm> form) {
  const int day = timeline.study_day(seconds_since_infusion);
  const auto clock = static_cast<std::int32_t>(seconds_since_infusion - timeline.day_start(day));
  json out{{"day", day},
           {"hours_since_infusion", canonical_number(static_cast<double>(seconds_since_infusion) / 3600.0)}};
  if (form.value_or(form_at(timeline, seconds_since_infusion)) != TimeForm::study_day) out["clock"] = format_clock(clock);
  return out;
}

json grade_result_json(const Timeline& timeline, const GradeResult& result) {
  json out{{"grade", result.grade ? json(*result.grade) : json(nullptr)},
           {"assessment", to_name(result.assessment)},
           {"missing", result.missing},
           {"review", result.review}};
  if (result.set_at) out["set_at"] = time_json(timeline, *result.set_at);
  json reasons = json::array();
  for (const Reason& reason : result.reasons) {
    json evidence = json::array();
    for (const Evidence& item : reason.evidence) evidence.push_back(evidence_json(timeline, item));
    reasons.push_back({{"rule", reason.rule.id},
                       {"source", reason.rule.source},
                       {"statement", reason.statement},
                       {"evidence", std::move(evidence)}});
  }
  out["reasons"] = std::move(reasons);
  return out;
}

std::string grades_text(const GradedPatient& patient, const GradingRules& rules, GradeGranularity granularity) {
  const Timeline& timeline = *patient.timeline;
  const CourseGrades& grades = patient.grades;
  std::string out = timeline_headline(timeline) + "\n";
  out += "ASTCT 2019 consensus grades of CRS and ICANS";
  out += granularity == GradeGranularity::day ? " by study day (the day's most severe moment).\n"
                                              : " after every event.\n";
  out += kLegend;
  out += "\n";
  std::vector<RuleRef> sources;
  if (granularity == GradeGranularity::day) {
    out += fmt::format("{:>7}  {:<4}  {:<5}  {}\n", "day", "CRS", "ICANS", "rationale");
    const auto& days = grades.crs.days;
    for (std::size_t i = 0; i < days.size();) {
      const GradeResult crs = explain_crs_day(timeline, rules.crs, days[i]);
      const GradeResult& icans = grades.icans_days.at(i).result;
      add_rule_sources(sources, crs);
      add_rule_sources(sources, icans);
      // A run of days with nothing to grade reads as one row.
      std::size_t last = i;
      while (!crs.assessable() && !icans.assessable() && last + 1 < days.size() &&
             days[last + 1].worst.grade < 0 && days[last + 1].worst.missing == days[i].worst.missing &&
             !grades.icans_days.at(last + 1).result.assessable()) {
        ++last;
      }
      const std::string when = last == i ? std::to_string(days[i].day)
                                         : fmt::format("{}–{}", days[i].day, days[last].day);
      out += grade_block(when, crs, &icans, timeline, 7);
      i = last + 1;
    }
  } else {
    out += fmt::format("{:>12}  {:<4}  {:<5}  {}\n", "time", "CRS", "ICANS", "rationale");
    for (const CrsMoment& moment : grades.crs.moments) {
      if (!is_event_time(timeline, moment.t)) continue;
      const GradeResult crs = explain_crs_moment(timeline, rules.crs, moment);
      const GradeResult* icans = icans_at_event(grades, moment.t);
      add_rule_sources(sources, crs);
      if (icans != nullptr) add_rule_sources(sources, *icans);
      out += grade_block(moment_label(timeline, moment.t), crs, icans, timeline, 12);
    }
  }
  out += "\n" + episodes_text(patient, rules);
  if (!sources.empty()) out += "\nRules applied:\n" + sources_text(sources);
  return out;
}

json grades_json(const GradedPatient& patient, const GradingRules& rules, GradeGranularity granularity) {
  const Timeline& timeline = *patient.timeline;
  const CourseGrades& grades = patient.grades;
  json out{{"patient", timeline.patient().id}, {"scale", "astct2019"}};
  if (granularity == GradeGranularity::day) {
    json days = json::array();
    for (std::size_t i = 0; i < grades.crs.days.size(); ++i) {
      const CrsDayGrade& day = grades.crs.days[i];
      days.push_back({{"day", day.day},
                      {"crs", grade_result_json(timeline, explain_crs_day(timeline, rules.crs, day))},
                      {"icans", grade_result_json(timeline, grades.icans_days.at(i).result)}});
    }
    out["days"] = std::move(days);
  } else {
    json moments = json::array();
    for (const CrsMoment& moment : grades.crs.moments) {
      if (!is_event_time(timeline, moment.t)) continue;
      json row{{"time", time_json(timeline, moment.t)},
               {"crs", grade_result_json(timeline, explain_crs_moment(timeline, rules.crs, moment))}};
      if (const GradeResult* icans = icans_at_event(grades, moment.t)) row["icans"] = grade_result_json(timeline, *icans);
      moments.push_back(std::move(row));
    }
    out["moments"] = std::move(moments);
  }
  out["episodes"] = episodes_json(patient, rules)["episodes"];
  const auto max_crs = grades.max_crs_grade();
  const auto max_icans = grades.max_icans_grade();
  out["max_crs_grade"] = max_crs ? json(*max_crs) : json(nullptr);
  out["max_icans_grade"] = max_icans ? json(*max_icans) : json(nullptr);
  return out;
}

std::string episodes_text(const GradedPatient& patient, const GradingRules& rules) {
  const Timeline& timeline = *patient.timeline;
  const auto& episodes = patient.grades.crs.episodes;
  if (episodes.empty()) return "CRS episodes: none (no fever of 38 °C or more recorded after infusion).\n";
  std::string out = fmt::format("CRS episodes: {}\n", episodes.size());
  for (const CrsEpisode& episode : episodes) {
    const GradeResult worst = explain_crs_episode(timeline, rules.crs, episode);
    out += fmt::format("  episode {}: onset {} ({}), maximum grade {} at {}", episode.number,
                       describe_time(timeline, episode.onset, timeline.events()[episode.onset_event].time.form),
                       "first fever of 38 °C or more", grade_cell(worst),
                       moment_label(timeline, episode.worst.t));
    if (episode.resolution) {
      out += fmt::format(", resolution {}, duration {:.1f} days",
                         describe_time(timeline, *episode.resolution,
                                       timeline.events()[episode.resolution_event].time.form),
                         *episode.duration_days());
    }
    out += fmt::format("; {}\n", episode_status(episode));
    out += fmt::format("    days at each grade: {}\n", days_at_grade_text(episode));
    if (!episode.therapies.empty()) out += "    treatment during the episode: " + join(episode.therapies, ", ") + "\n";
  }
  return out;
}

json episodes_json(const GradedPatient& patient, const GradingRules& rules) {
  const Timeline& timeline = *patient.timeline;
  json list = json::array();
  for (const CrsEpisode& episode : patient.grades.crs.episodes) {
    json row{{"number", episode.number},
             {"onset", time_json(timeline, episode.onset)},
             {"onset_rule", crs_rules::kOnset.id},
             {"max", grade_result_json(timeline, explain_crs_episode(timeline, rules.crs, episode))},
             {"status", episode.ended_by_death ? "ended_by_death"
                        : episode.ongoing_at_end_of_record ? "ongoing_at_end_of_record"
                                                           : "resolved"},
             {"days_at_grade", episode.days_at_grade},
             {"therapies", episode.therapies}};
    if (episode.resolution) {
      row["resolution"] = time_json(timeline, *episode.resolution);
      row["resolution_rule"] = crs_rules::kResolution.id;
      row["resolution_confirmed"] = episode.resolution_confirmed;
      row["duration_days"] = canonical_number(*episode.duration_days());
    } else {
      row["resolution"] = nullptr;
      row["duration_days"] = nullptr;
    }
    list.push_back(std::move(row));
  }
  return json{{"patient", timeline.patient().id}, {"episodes", std::move(list)}};
}

std::string cohort_grades_text(const std::vector<GradedPatient>& patients) {
  const std::vector<std::string> headers{"patient", "CRS max", "reported", "onset day", "duration d", "episodes",
                                         "ICANS max", "reported", "note"};
  std::vector<std::vector<std::string>> rows;
  for (const GradedPatient& patient : patients) {
    const Timeline& timeline = *patient.timeline;
    const CourseGrades& grades = patient.grades;
    const ReportedCourse& reported = timeline.record().reported;
    std::string onset;
    std::string duration;
    if (!grades.crs.episodes.empty()) {
      const CrsEpisode& first = grades.crs.episodes.front();
      onset = std::to_string(timeline.study_day(first.onset));
      if (const auto days = first.duration_days()) duration = fmt::format("{:.1f}", *days);
    }
    const auto max_crs = grades.max_crs_grade();
    const bool lower_bound = std::any_of(grades.crs.days.begin(), grades.crs.days.end(), [&](const CrsDayGrade& day) {
      return day.worst.grade == max_crs.value_or(-2) && (day.worst.missing | day.missing) != 0;
    });
    std::string note;
    if (!max_crs) note = "no temperatures recorded: CRS not assessable";
    rows.push_back({timeline.patient().id,
                    max_crs ? (lower_bound ? "≥" : "") + std::to_string(*max_crs) : "n/a",
                    optional_number(reported.crs_max_grade), onset, duration,
                    max_crs ? std::to_string(grades.crs.episodes.size()) : "",
                    grades.max_icans_grade() ? std::to_string(*grades.max_icans_grade()) : "n/a",
                    optional_number(reported.icans_max_grade), note});
  }
  std::string out = fmt::format("Cohort of {} patients: ASTCT 2019 maximum grades computed from each timeline, beside "
                                "the maximum grades the source reported.\n",
                                patients.size());
  out += "n/a: not assessable from the recorded data; ≥N: lower bound; onset: study day of the first episode.\n\n";
  out += format_text_table(headers, rows, 0);
  return out;
}

json cohort_grades_json(const std::vector<GradedPatient>& patients, const GradingRules& rules) {
  json rows = json::array();
  for (const GradedPatient& patient : patients) {
    const Timeline& timeline = *patient.timeline;
    const ReportedCourse& reported = timeline.record().reported;
    const auto max_crs = patient.grades.max_crs_grade();
    const auto max_icans = patient.grades.max_icans_grade();
    json row{{"patient", timeline.patient().id},
             {"max_crs_grade", max_crs ? json(*max_crs) : json(nullptr)},
             {"max_icans_grade", max_icans ? json(*max_icans) : json(nullptr)},
             {"reported_crs_max_grade", reported.crs_max_grade ? json(*reported.crs_max_grade) : json(nullptr)},
             {"reported_icans_max_grade", reported.icans_max_grade ? json(*reported.icans_max_grade) : json(nullptr)},
             {"episodes", episodes_json(patient, rules)["episodes"]}};
    rows.push_back(std::move(row));
  }
  return json{{"scale", "astct2019"}, {"patients", std::move(rows)}};
}

json rule_overrides_json(const RuleSet& rules) {
  json out = json::array();
  for (const RuleParameter& parameter : rules.parameters()) {
    if (parameter.status != SourceStatus::local_choice) continue;
    out.push_back({{"key", parameter.key},
                   {"value", canonical_number(parameter.value)},
                   {"unit", parameter.unit},
                   {"source", parameter.source},
                   {"file", parameter.file}});
  }
  return out;
}

std::string rule_parameters_text(const RuleSet& rules) {
  std::vector<std::vector<std::string>> rows;
  for (const RuleParameter& parameter : rules.parameters()) {
    const std::string value = parameter.unit == "boolean" ? (parameter.value != 0.0 ? "true" : "false")
                                                          : fmt::format("{:g}", parameter.value);
    rows.push_back({parameter.key, value, parameter.unit, std::string(to_name(parameter.status)), parameter.source});
  }
  std::string out = fmt::format("{} clinical rule parameters (docs/grading.md). status: confirmed, secondary (seen only in a "
                                "secondary source), unconfirmed (verify before clinical use), local_choice (site override).\n\n",
                                rows.size());
  return out + format_text_table({"key", "value", "unit", "status", "source"}, rows, 0);
}

json rule_parameters_json(const RuleSet& rules) {
  json out = json::array();
  for (const RuleParameter& parameter : rules.parameters()) {
    json row{{"key", parameter.key},
             {"value", parameter.unit == "boolean" ? json(parameter.value != 0.0) : canonical_number(parameter.value)},
             {"unit", parameter.unit},
             {"status", to_name(parameter.status)},
             {"source", parameter.source},
             {"file", parameter.file}};
    if (!parameter.note.empty()) row["note"] = parameter.note;
    out.push_back(std::move(row));
  }
  return json{{"parameters", std::move(out)}};
}

namespace {

struct ScaleCourse {
  std::string key;    // "lee2014", "cres2018"
  std::string title;  // column header / heading
  std::vector<ScaleDayGrade> days;
};

// Every requested scale over the same study days as the ASTCT grades; CARTOX brings CRES.
std::vector<ScaleCourse> scale_courses(const GradedPatient& patient, std::span<const CrsScale> scales,
                                       const RuleSet& rules) {
  std::vector<ScaleCourse> out;
  const auto& days = patient.grades.crs.days;
  if (days.empty()) return out;
  const int first = days.front().day;
  const int last = days.back().day;
  for (const CrsScale scale : scales) {
    out.push_back({std::string(to_name(scale)), std::string(crs_scale_title(scale)),
                   grade_crs_scale_by_day(*patient.timeline, scale, rules, first, last)});
    if (scale == CrsScale::cartox2018) {
      const auto assessments = grade_cres_assessments(*patient.timeline, rules);
      out.push_back({"cres2018", "CRES, Neelapu 2018 (CARTOX-10)", cres_by_day(*patient.timeline, assessments, first, last)});
    }
  }
  return out;
}

std::string max_cell(const std::vector<ScaleDayGrade>& days) {
  std::optional<int> best;
  bool lower_bound = false;
  for (const ScaleDayGrade& day : days) {
    if (!day.result.grade) continue;
    if (!best || *day.result.grade > *best) {
      best = day.result.grade;
      lower_bound = day.result.assessment == Assessment::incomplete;
    } else if (*day.result.grade == *best && day.result.assessment == Assessment::complete) {
      lower_bound = false;
    }
  }
  if (!best) return "n/a";
  return (lower_bound ? "≥" : "") + std::to_string(*best);
}

GradeResult astct_day(const GradedPatient& patient, std::size_t i, const CrsRules& rules) {
  return explain_crs_day(*patient.timeline, rules, patient.grades.crs.days.at(i));
}

}  // namespace

std::string scales_text(const GradedPatient& patient, std::span<const CrsScale> scales, const RuleSet& rules) {
  const Timeline& timeline = *patient.timeline;
  const CrsRules crs_rules = CrsRules::from(rules);
  const std::vector<ScaleCourse> courses = scale_courses(patient, scales, rules);
  std::string out = timeline_headline(timeline) + "\n";
  out += std::string(kLegend) + "\n";
  std::vector<RuleRef> sources;
  if (scales.size() == 1) {
    out += courses.front().title + ": CRS grade by study day, with the rationale";
    out += courses.size() > 1 ? " (ICANS column: CRES, from CARTOX-10).\n\n" : ".\n\n";
    out += fmt::format("{:>7}  {:<4}  {:<5}  {}\n", "day", "CRS", courses.size() > 1 ? "CRES" : "", "rationale");
    const auto& days = courses.front().days;
    for (std::size_t i = 0; i < days.size(); ++i) {
      const GradeResult* neuro = courses.size() > 1 ? &courses[1].days.at(i).result : nullptr;
      add_rule_sources(sources, days[i].result);
      if (neuro != nullptr) add_rule_sources(sources, *neuro);
      out += grade_block(std::to_string(days[i].day), days[i].result, neuro, timeline, 7, "CRES");
    }
  } else {
    out += "CRS grades by study day on each scale (the day's most severe state); use --scale NAME for the rationale "
           "of one scale.\n\n";
    std::vector<std::string> headers{"day", "ASTCT 2019", "ICANS"};
    for (const ScaleCourse& course : courses) headers.push_back(course.key);
    std::vector<std::vector<std::string>> rows;
    for (std::size_t i = 0; i < patient.grades.crs.days.size(); ++i) {
      std::vector<std::string> row{std::to_string(patient.grades.crs.days[i].day),
                                   grade_cell(astct_day(patient, i, crs_rules)),
                                   grade_cell(patient.grades.icans_days.at(i).result)};
      for (const ScaleCourse& course : courses) {
        row.push_back(grade_cell(course.days.at(i).result));
        add_rule_sources(sources, course.days.at(i).result);
      }
      rows.push_back(std::move(row));
    }
    out += format_text_table(headers, rows, headers.size());
    out += "\nScales: ASTCT 2019 (Lee et al., BBMT 2019;25:625)";
    for (const ScaleCourse& course : courses) out += "; " + course.key + ": " + course.title;
    out += "\n";
  }
  if (!sources.empty()) out += "\nRules applied:\n" + sources_text(sources);
  return out;
}

json scales_json(const GradedPatient& patient, std::span<const CrsScale> scales, const RuleSet& rules) {
  const Timeline& timeline = *patient.timeline;
  const CrsRules crs_rules = CrsRules::from(rules);
  const std::vector<ScaleCourse> courses = scale_courses(patient, scales, rules);
  json days = json::array();
  for (std::size_t i = 0; i < patient.grades.crs.days.size(); ++i) {
    json row{{"day", patient.grades.crs.days[i].day}};
    if (scales.size() > 1) {
      row["astct2019"] = grade_result_json(timeline, astct_day(patient, i, crs_rules));
      row["icans"] = grade_result_json(timeline, patient.grades.icans_days.at(i).result);
    }
    for (const ScaleCourse& course : courses) row[course.key] = grade_result_json(timeline, course.days.at(i).result);
    days.push_back(std::move(row));
  }
  json names_used = json::array();
  for (const ScaleCourse& course : courses) names_used.push_back({{"scale", course.key}, {"title", course.title}});
  return json{{"patient", timeline.patient().id}, {"scales", std::move(names_used)}, {"days", std::move(days)}};
}

std::string cohort_scales_text(const std::vector<GradedPatient>& patients, std::span<const CrsScale> scales,
                               const RuleSet& rules) {
  std::vector<std::string> headers{"patient", "ASTCT 2019", "reported"};
  std::vector<std::vector<std::string>> rows;
  for (const GradedPatient& patient : patients) {
    const auto courses = scale_courses(patient, scales, rules);
    if (rows.empty()) {
      for (const ScaleCourse& course : courses) headers.push_back(course.key);
    }
    const auto max_crs = patient.grades.max_crs_grade();
    std::vector<std::string> row{patient.timeline->patient().id, max_crs ? std::to_string(*max_crs) : "n/a",
                                 optional_number(patient.timeline->record().reported.crs_max_grade)};
    for (const ScaleCourse& course : courses) row.push_back(max_cell(course.days));
    row.resize(headers.size());
    rows.push_back(std::move(row));
  }
  std::string out = fmt::format("Cohort of {} patients: maximum CRS grade on each scale, computed from each timeline.\n",
                                patients.size());
  out += "n/a: not assessable from the recorded data; ≥N: lower bound.\n\n";
  return out + format_text_table(headers, rows, 0);
}

json cohort_scales_json(const std::vector<GradedPatient>& patients, std::span<const CrsScale> scales,
                        const RuleSet& rules) {
  json rows = json::array();
  for (const GradedPatient& patient : patients) {
    const auto max_crs = patient.grades.max_crs_grade();
    json maxima{{"astct2019", max_crs ? json(*max_crs) : json(nullptr)}};
    for (const ScaleCourse& course : scale_courses(patient, scales, rules)) maxima[course.key] = max_cell(course.days);
    rows.push_back({{"patient", patient.timeline->patient().id}, {"max_grades", std::move(maxima)}});
  }
  return json{{"patients", std::move(rows)}};
}

}  // namespace crsguard
