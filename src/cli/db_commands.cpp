#include "cli/db_commands.hpp"

#include <pwd.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <iostream>
#include <stdexcept>

#include "cli/text_table.hpp"
#include "core/problem.hpp"
#include "io/timeline_files.hpp"
#include "io/timeline_json.hpp"
#include "store/store.hpp"

namespace crsguard {

namespace {

std::string login_name() {
  if (const passwd* entry = getpwuid(getuid()); entry != nullptr && entry->pw_name != nullptr) return entry->pw_name;
  return fmt::format("uid {}", getuid());
}

int import_files(Store& store, const DbOptions& options, const std::string& actor) {
  // Every file is read and checked before the store is touched: one bad file, nothing imported.
  std::vector<Timeline> timelines;
  std::string sources;
  for (const std::string& file : options.files) {
    for (auto& loaded : load_timelines(file)) timelines.push_back(std::move(loaded.timeline));
    sources += (sources.empty() ? "" : ", ") + file;
  }
  const ImportSummary summary = store.import_timelines(timelines, actor, sources);
  std::cout << fmt::format("imported {} patient{} ({} new), {} new event{}, {} already present\n", timelines.size(),
                           timelines.size() == 1 ? "" : "s", summary.patients_created, summary.events_added,
                           summary.events_added == 1 ? "" : "s", summary.events_already_present);
  return 0;
}

int show_events(Store& store, const DbOptions& options) {
  const auto events = store.events(options.patient);
  if (events.empty()) throw std::invalid_argument(fmt::format("no patient \"{}\" in the store", options.patient));
  if (options.as_json) {
    nlohmann::json out = nlohmann::json::array();
    for (const StoredEvent& e : events) {
      out.push_back({{"event", e.event_uid}, {"version", e.version}, {"retracted", e.retracted},
                     {"body", e.retracted ? nlohmann::json(nullptr) : nlohmann::json::parse(e.body_json)},
                     {"recorded_at", e.recorded_at}, {"recorded_by", e.recorded_by}, {"reason", e.reason}});
    }
    std::cout << out.dump(2) << '\n';
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const StoredEvent& e : events) {
    rows.push_back({e.event_uid.substr(0, 12), std::to_string(e.version), e.retracted ? "(retracted)" : e.body_json,
                    e.recorded_by, e.reason});
  }
  std::cout << format_text_table({"event", "version", "current", "by", "reason"}, rows, 0);
  return 0;
}

// An event given by the first characters of its identity, as `db show` prints it.
std::string full_event_uid(Store& store, const DbOptions& options) {
  std::string found;
  for (const StoredEvent& e : store.events(options.patient)) {
    if (e.event_uid.rfind(options.event_uid, 0) != 0) continue;
    if (!found.empty()) throw std::invalid_argument(fmt::format("event \"{}\" is ambiguous: give more characters", options.event_uid));
    found = e.event_uid;
  }
  if (found.empty()) throw std::invalid_argument(fmt::format("no event \"{}\" for patient \"{}\"", options.event_uid, options.patient));
  return found;
}

}  // namespace

CLI::App* add_db_command(CLI::App& app, DbOptions& options) {
  auto* db = app.add_subcommand("db", "The patient store: init, import, export, list, show, history, amend, retract, verify");
  db->require_subcommand(1);
  const auto common = [&](CLI::App* command) {
    command->add_option("--db", options.url, "store URL: a file path or sqlite:PATH")->required();
    command->add_option("--actor", options.actor, "who is acting, for the audit trail (default: the login name)");
    command->final_callback([&options, command] { options.action = command->get_name(); });
    return command;
  };
  common(db->add_subcommand("init", "Create or upgrade the store"));
  common(db->add_subcommand("import", "Import timeline files or cohort folders, all or nothing"))
      ->add_option("FILE", options.files, "timeline file, cohort file or folder")->required();
  auto* exported = common(db->add_subcommand("export", "Write a patient's timeline (amendments applied) as JSON"));
  exported->add_option("PATIENT", options.patient, "patient id")->required();
  exported->add_option("--as-of", options.as_of, "as the store held it at this UTC time (2026-11-23T08:00:00.000Z)");
  auto* listed = common(db->add_subcommand("list", "List the patients"));
  listed->add_flag("--json", options.as_json, "print JSON");
  auto* shown = common(db->add_subcommand("show", "A patient's events with their identities and versions"));
  shown->add_option("PATIENT", options.patient, "patient id")->required();
  shown->add_flag("--json", options.as_json, "print JSON");
  common(db->add_subcommand("history", "A patient's audit trail"))->add_option("PATIENT", options.patient, "patient id")->required();
  auto* amend = common(db->add_subcommand("amend", "Replace an event by a new version, with a reason"));
  amend->add_option("PATIENT", options.patient, "patient id")->required();
  amend->add_option("EVENT", options.event_uid, "event identity (or its first characters, as `db show` prints it)")->required();
  amend->add_option("--event", options.event_json, "the new event, as JSON in the timeline format")->required();
  amend->add_option("--reason", options.reason, "why")->required();
  auto* retract = common(db->add_subcommand("retract", "Retract an event (it stays readable in the history), with a reason"));
  retract->add_option("PATIENT", options.patient, "patient id")->required();
  retract->add_option("EVENT", options.event_uid, "event identity (or its first characters)")->required();
  retract->add_option("--reason", options.reason, "why")->required();
  common(db->add_subcommand("verify", "Check the audit trail's hash chain: any edited or deleted entry is reported"));
  return db;
}

int run_db_command(const DbOptions& options) {
  const std::string actor = options.actor.empty() ? login_name() : options.actor;
  try {
    auto store = open_store(options.url);
    if (options.action == "init") {
      std::cout << fmt::format("{}: ready\n", options.url);
      return 0;
    }
    if (options.action == "import") return import_files(*store, options, actor);
    if (options.action == "export") {
      const auto timeline = store->read_timeline(options.patient, options.as_of.empty() ? std::nullopt
                                                                                         : std::optional<std::string>(options.as_of));
      if (!timeline) throw std::invalid_argument(fmt::format("no patient \"{}\" in the store", options.patient));
      std::cout << write_timeline_json(*timeline);
      return 0;
    }
    if (options.action == "list") {
      const auto patients = store->list_patients();
      if (options.as_json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& p : patients) out.push_back({{"patient", p.patient_id}, {"created_at", p.created_at}, {"events", p.events}});
        std::cout << out.dump(2) << '\n';
      } else {
        std::vector<std::vector<std::string>> rows;
        for (const auto& p : patients) rows.push_back({p.patient_id, std::to_string(p.events), p.created_at});
        std::cout << format_text_table({"patient", "events", "created"}, rows, 0);
      }
      return 0;
    }
    if (options.action == "show") return show_events(*store, options);
    if (options.action == "history") {
      std::vector<std::vector<std::string>> rows;
      for (const AuditEntry& e : store->history(options.patient)) {
        rows.push_back({std::to_string(e.seq), e.at, e.actor, e.action, e.record.substr(0, 14), e.detail_json});
      }
      std::cout << format_text_table({"seq", "at", "actor", "action", "record", "detail"}, rows, 1);
      return 0;
    }
    if (options.action == "amend") {
      store->amend_event(options.patient, full_event_uid(*store, options), options.event_json, actor, options.reason);
      std::cout << "amended\n";
      return 0;
    }
    if (options.action == "retract") {
      store->retract_event(options.patient, full_event_uid(*store, options), actor, options.reason);
      std::cout << "retracted\n";
      return 0;
    }
    if (options.action == "verify") {
      const AuditVerification result = store->verify_audit();
      for (const std::string& problem : result.problems) std::cerr << options.url << ": " << problem << '\n';
      if (!result.problems.empty()) return 3;
      std::cout << fmt::format("{}: audit trail intact ({} entries)\n", options.url, result.entries);
      return 0;
    }
  } catch (const InputError& error) {
    for (const auto& line : error.lines()) std::cerr << line << '\n';
    return 2;
  } catch (const std::invalid_argument& error) {
    std::cerr << "crsguard db " << options.action << ": " << error.what() << '\n';
    return 2;
  } catch (const nlohmann::json::exception& error) {
    std::cerr << "crsguard db " << options.action << ": not JSON: " << error.what() << '\n';
    return 2;
  }
  return 2;
}

}  // namespace crsguard
