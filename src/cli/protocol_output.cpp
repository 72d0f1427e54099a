#include "cli/protocol_output.hpp"

#include <fmt/format.h>

#include "cli/day_summary_output.hpp"
#include "cli/grading_output.hpp"
#include "cli/text_table.hpp"
#include "io/timeline_json.hpp"

namespace crsguard {

using nlohmann::json;

namespace {

std::string at_text(const Timeline& timeline, std::int64_t t) {
  return describe_time(timeline, t, TimeForm::study_day_clock);
}

std::string grade_text(const CurrentGrade& grade, const Timeline& timeline) {
  if (!grade.grade) return "not assessable (no assessment in the stale window)";
  return fmt::format("grade {}{} at {}", grade.complete() ? "" : "≥", *grade.grade, at_text(timeline, *grade.assessed_at));
}

json grade_json(const Timeline& timeline, const CurrentGrade& grade) {
  if (!grade.grade) return json{{"grade", nullptr}};
  return json{{"grade", *grade.grade},
              {"highest_possible", grade.highest_possible},
              {"complete", grade.complete()},
              {"assessed_at", time_json(timeline, *grade.assessed_at, TimeForm::study_day_clock)}};
}

std::string therapies_text(const Timeline& timeline, const PatientState& state) {
  if (state.therapies.empty()) return "none in this course";
  std::string out;
  for (const TherapyLine& line : state.therapies) {
    if (!out.empty()) out += "; ";
    out += fmt::format("{} ×{} (first {}, last {}{})", line.drug, line.doses, at_text(timeline, line.first_dose),
                       at_text(timeline, line.last_dose), line.on ? ", on" : "");
  }
  return out;
}

std::string check_mark(const SafetyFinding& finding) {
  switch (finding.status) {
    case FindingStatus::passed: return "ok";
    case FindingStatus::unknown: return "CHECK";
    case FindingStatus::overridden: return "OVERRIDDEN";
    case FindingStatus::triggered: return finding.severity == Severity::block ? "BLOCK" : "WARN";
  }
  return "?";
}

std::string action_word(ActionKind action) {
  std::string word(to_name(action));
  for (char& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return word;
}

void append_recommendation(std::string& out, const Recommendation& rec, std::size_t number) {
  out += fmt::format("{}. {} {}{} — {}{}\n", number, action_word(rec.action), rec.drug.empty() ? rec.title : rec.drug,
                     rec.repeat_dose ? " (repeat dose)" : "", to_name(rec.status), rec.off_label ? ", OFF-LABEL" : "");
  out += fmt::format("   step {} (line {}): {}\n", rec.step_id, rec.line, rec.title);
  for (std::size_t i = 0; i < rec.schedule.size(); ++i) {
    const PhaseDose& phase = rec.schedule[i];
    out += fmt::format("   {} {}\n", i == 0 ? "dose:" : "then:", phase.summary);
    for (const std::string& step : phase.dose.steps) out += fmt::format("         {}\n", step);
  }
  if (!rec.instruction.empty()) out += fmt::format("   do: {}\n", rec.instruction);
  for (const std::string& reason : rec.because) out += fmt::format("   because: {}\n", reason);
  for (const SafetyFinding& finding : rec.findings) {
    out += fmt::format("   [{}] {}: {}", check_mark(finding), finding.check_id, finding.statement);
    if (finding.status == FindingStatus::triggered || finding.status == FindingStatus::unknown) {
      out += fmt::format(" → {}", finding.advice);
    }
    if (finding.status == FindingStatus::overridden) out += fmt::format(" (override: {})", finding.override_reason);
    out += '\n';
  }
  if (rec.status == RecommendationStatus::blocked) {
    out += "   blocked: lift only with --override CHECK_ID=REASON (the reason is recorded)\n";
  }
  if (!rec.note.empty()) out += fmt::format("   note: {}\n", rec.note);
  out += fmt::format("   source: {}\n", rec.source);
}

json finding_json(const Timeline& timeline, const SafetyFinding& finding) {
  json evidence = json::array();
  for (const Evidence& item : finding.evidence) evidence.push_back(evidence_json(timeline, item));
  json out{{"check", finding.check_id},      {"line", finding.line},
           {"kind", to_name(finding.kind)},  {"severity", to_name(finding.severity)},
           {"status", to_name(finding.status)}, {"statement", finding.statement},
           {"advice", finding.advice},       {"source", finding.source},
           {"evidence", std::move(evidence)}};
  if (finding.status == FindingStatus::overridden) out["override_reason"] = finding.override_reason;
  return out;
}

json phase_json(const PhaseDose& phase) {
  json out{{"mg", phase.dose.mg ? json(canonical_number(*phase.dose.mg)) : json(nullptr)},
           {"every_hours", canonical_number(phase.every_hours)},
           {"computation", phase.dose.steps},
           {"missing", phase.dose.missing},
           {"summary", phase.summary}};
  if (phase.for_days) out["for_days"] = canonical_number(*phase.for_days);
  if (!phase.until.empty()) out["until"] = phase.until;
  if (!phase.dose.vials_mg.empty()) out["vials_mg"] = phase.dose.vials_mg;
  return out;
}

json recommendation_json(const Timeline& timeline, const Recommendation& rec) {
  json schedule = json::array();
  for (const PhaseDose& phase : rec.schedule) schedule.push_back(phase_json(phase));
  json findings = json::array();
  for (const SafetyFinding& finding : rec.findings) findings.push_back(finding_json(timeline, finding));
  json evidence = json::array();
  for (const Evidence& item : rec.evidence) evidence.push_back(evidence_json(timeline, item));
  json out{{"step", rec.step_id},       {"line", rec.line},         {"title", rec.title},
           {"action", to_name(rec.action)}, {"status", to_name(rec.status)}, {"repeat_dose", rec.repeat_dose},
           {"schedule", std::move(schedule)}, {"because", rec.because}, {"evidence", std::move(evidence)},
           {"checks", std::move(findings)}, {"off_label", rec.off_label}, {"source", rec.source}};
  if (!rec.drug.empty()) out["drug"] = rec.drug;
  if (rec.route) out["route"] = to_name(*rec.route);
  if (!rec.instruction.empty()) out["instruction"] = rec.instruction;
  if (!rec.note.empty()) out["note"] = rec.note;
  return out;
}

json state_json(const Timeline& timeline, const PatientState& state) {
  json therapies = json::array();
  for (const TherapyLine& line : state.therapies) {
    therapies.push_back({{"drug", line.drug},
                         {"class", line.drug_class},
                         {"doses", line.doses},
                         {"first_dose", time_json(timeline, line.first_dose, TimeForm::study_day_clock)},
                         {"last_dose", time_json(timeline, line.last_dose, TimeForm::study_day_clock)},
                         {"on", line.on}});
  }
  json out{{"crs", grade_json(timeline, state.crs)},
           {"icans", grade_json(timeline, state.icans)},
           {"therapies", std::move(therapies)},
           {"steroid_refractory", {{"verdict", to_name(state.steroid_refractory.verdict)},
                                   {"statement", state.steroid_refractory.statement},
                                   {"missing", state.steroid_refractory.missing}}},
           {"steroid_exposure_dexamethasone_mg", canonical_number(state.steroids.dexamethasone_equivalent_mg)}};
  if (state.crs_episode) {
    out["crs_episode"] = {{"number", *state.crs_episode},
                          {"onset", time_json(timeline, *state.episode_onset)},
                          {"resolution", state.episode_resolution ? time_json(timeline, *state.episode_resolution) : json(nullptr)}};
  }
  if (state.steroid_refractory.high_dose_since) {
    out["steroid_refractory"]["high_dose_since"] = time_json(timeline, *state.steroid_refractory.high_dose_since);
  }
  if (state.response) {
    json possible = json::array();
    for (const ResponseState s : state.response->possible) possible.push_back(to_name(s));
    out["response"] = {{"since_therapy", state.response->therapy},
                       {"since", time_json(timeline, state.response->since)},
                       {"possible", std::move(possible)},
                       {"statement", state.response->statement}};
  }
  return out;
}

std::string hours_text(std::optional<double> hours) { return hours ? fmt::format("{:.1f}", *hours) : ""; }

}  // namespace

std::string advice_text(const Timeline& timeline, const Protocol& protocol, const Advice& advice) {
  const PatientState& s = advice.state;
  std::string out = timeline_headline(timeline) + '\n';
  out += fmt::format("Protocol {} — {} ({})\n", protocol.name, protocol.title, protocol.file);
  out += fmt::format("At {} ({:.1f} h after infusion). Decision support, not orders.\n\n", at_text(timeline, advice.t),
                     static_cast<double>(advice.t) / 3600.0);
  out += "State\n";
  out += fmt::format("  CRS: {}", grade_text(s.crs, timeline));
  if (s.crs_episode) {
    out += fmt::format(" (episode {} from {}{})", *s.crs_episode, at_text(timeline, *s.episode_onset),
                       s.episode_resolution ? ", resolved " + at_text(timeline, *s.episode_resolution) : "");
  }
  out += fmt::format("\n  ICANS: {}\n", grade_text(s.icans, timeline));
  out += fmt::format("  therapy: {}\n", therapies_text(timeline, s));
  if (s.response) out += fmt::format("  response since the last escalation: {}\n", s.response->statement);
  if (s.steroid_refractory.verdict != Verdict::not_defined) out += fmt::format("  {}\n", s.steroid_refractory.statement);
  if (!s.steroids.doses.empty()) {
    out += fmt::format("  corticosteroids this course: {:g} mg dexamethasone-equivalent{}\n",
                       s.steroids.dexamethasone_equivalent_mg,
                       s.steroids.doses_not_counted > 0 ? fmt::format(" ({} doses not countable)", s.steroids.doses_not_counted) : "");
  }
  for (const std::string& note : advice.notes) out += fmt::format("  note: {}\n", note);
  out += "\nRecommendations\n";
  if (advice.recommendations.empty()) out += "  none: no step of the protocol applies at this moment\n";
  for (std::size_t i = 0; i < advice.recommendations.size(); ++i) {
    append_recommendation(out, advice.recommendations[i], i + 1);
  }
  return out;
}

json advice_json(const Timeline& timeline, const Protocol& protocol, const Advice& advice) {
  json recommendations = json::array();
  for (const Recommendation& rec : advice.recommendations) recommendations.push_back(recommendation_json(timeline, rec));
  return json{{"patient", timeline.patient().id},
              {"protocol", {{"name", protocol.name}, {"version", protocol.version}, {"file", protocol.file}}},
              {"at", time_json(timeline, advice.t, TimeForm::study_day_clock)},
              {"state", state_json(timeline, advice.state)},
              {"recommendations", std::move(recommendations)},
              {"notes", advice.notes}};
}

std::string replay_text(const Timeline& timeline, const Protocol& protocol, const Replay& replay) {
  std::string out = timeline_headline(timeline) + '\n';
  out += fmt::format("Protocol {} replayed at {} moments (every event and every {:g} h): what it recommended, beside what was given.\n\n",
                     protocol.name, replay.moments, static_cast<double>(replay.step_s) / 3600.0);
  std::vector<std::vector<std::string>> rows;
  for (const ReplayRow& row : replay.rows) {
    const std::string action = row.step_id.empty() ? "—" : fmt::format("{} {}", to_name(row.action), row.drug.empty() ? row.step_id : row.drug);
    std::string window;
    if (row.recommended_from) {
      window = "from " + at_text(timeline, *row.recommended_from);
      if (!row.given_at) window += " to " + (row.recommended_until ? at_text(timeline, *row.recommended_until) : "the end");
    }
    rows.push_back({row.step_id.empty() ? "—" : row.step_id, action, window, row.recommended,
                    row.given_at ? at_text(timeline, *row.given_at) + ": " + row.given : "",
                    hours_text(row.delay_hours), std::string(to_name(row.concordance))});
  }
  out += format_text_table({"step", "recommended", "while", "dose", "given", "delay h", "concordance"}, rows, 0);
  return out;
}

json replay_json(const Timeline& timeline, const Protocol& protocol, const Replay& replay) {
  json rows = json::array();
  for (const ReplayRow& row : replay.rows) {
    json item{{"concordance", to_name(row.concordance)}};
    if (!row.step_id.empty()) {
      item["step"] = row.step_id;
      item["action"] = to_name(row.action);
      item["status_at_first"] = to_name(row.status);
      item["recommended"] = row.recommended;
      item["because"] = row.because;
    }
    if (!row.drug.empty()) item["drug"] = row.drug;
    if (row.recommended_from) item["recommended_from"] = time_json(timeline, *row.recommended_from, TimeForm::study_day_clock);
    if (row.recommended_until) item["recommended_until"] = time_json(timeline, *row.recommended_until, TimeForm::study_day_clock);
    if (row.given_at) {
      if (!row.step_id.empty()) item["status_when_given"] = to_name(row.status_now);
      item["given_at"] = time_json(timeline, *row.given_at);
      item["given"] = row.given;
      if (row.given_event) item["given_event"] = *row.given_event;
    }
    if (row.delay_hours) item["delay_hours"] = canonical_number(*row.delay_hours);
    rows.push_back(std::move(item));
  }
  return json{{"patient", timeline.patient().id},
              {"protocol", {{"name", protocol.name}, {"version", protocol.version}, {"file", protocol.file}}},
              {"moments", replay.moments},
              {"step_hours", canonical_number(static_cast<double>(replay.step_s) / 3600.0)},
              {"rows", std::move(rows)}};
}

std::string protocols_text(const std::vector<Protocol>& protocols) {
  std::string out;
  for (const Protocol& protocol : protocols) {
    out += fmt::format("{} ({}, {} steps, {} checks): {}\n", protocol.name, to_name(protocol.population),
                       protocol.steps.size(), protocol.checks.size(), protocol.title);
    for (const std::string& source : protocol.sources) out += fmt::format("  source: {}\n", source);
  }
  return out;
}

json protocols_json(const std::vector<Protocol>& protocols) {
  json out = json::array();
  for (const Protocol& protocol : protocols) {
    json steps = json::array();
    for (const ProtocolStep& step : protocol.steps) {
      steps.push_back({{"id", step.id}, {"action", to_name(step.action)}, {"drug", step.drug}, {"line", step.line},
                       {"title", step.title}, {"source", step.source}});
    }
    out.push_back({{"name", protocol.name},
                   {"title", protocol.title},
                   {"version", protocol.version},
                   {"population", to_name(protocol.population)},
                   {"sources", protocol.sources},
                   {"file", protocol.file},
                   {"steps", std::move(steps)}});
  }
  return json{{"protocols", std::move(out)}};
}

}  // namespace crsguard
