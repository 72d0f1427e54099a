// The protocol reader (io/protocol_yaml.hpp): every shipped protocol reads, the adult protocol
// reads to the values its file states, and each kind of bad input is rejected with the file,
// line, key and reason a pharmacist needs to fix it. The bad inputs are one small valid protocol
// (kValid) with one edit each, so a second problem would be a spurious report.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/problem.hpp"
#include "io/protocol_yaml.hpp"
#include "test_files.hpp"

namespace crsguard {
namespace {

constexpr const char* kValid = R"(format: crsguard.protocol/1
name: reader-test
title: A small protocol for the reader's tests
sources: [the test itself]
steroid_refractory:
  after_hours: 24
  source: test
steps:
  - id: tocilizumab
    title: Tocilizumab for grade 2 CRS
    when:
      crs_grade_min: 2
    action: give
    drug: tocilizumab
    schedule:
      - dose: label
        every_hours: 8
    source: test
  - id: ruxolitinib
    title: Ruxolitinib for steroid-refractory CRS
    when:
      steroid_refractory: true
    action: give
    drug: ruxolitinib
    schedule:
      - dose: {mg: 10}
        every_hours: 12
        for_days: 11
    off_label: true
    note: one case report
    source: test
checks:
  - id: ruxolitinib-platelets
    drug: ruxolitinib
    kind: platelets_below
    threshold: 50
    severity: warn
    advice: transfuse platelets
    source: test
)";

// kValid with lines first..last (1-based) replaced by `text` (which may hold several lines, or none).
std::string edited(int first, int last, const std::string& text) {
  std::istringstream in(kValid);
  std::string out;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (number == first && !text.empty()) out += text + "\n";
    if (number < first || number > last) out += line + "\n";
  }
  return out;
}

std::vector<std::string> problem_lines(const InputError& error) { return error.lines(); }

TEST(ProtocolYaml, TheTestProtocolIsValid) {
  const Protocol protocol = read_protocol_yaml(kValid, "valid.yaml");
  EXPECT_EQ(protocol.steps.size(), 2u);
  EXPECT_EQ(protocol.checks.size(), 1u);
  EXPECT_EQ(protocol.file, "valid.yaml");
}

TEST(ProtocolYaml, EveryShippedProtocolReads) {
  ASSERT_FALSE(shipped_protocol_files().empty());
  for (const EmbeddedFile& file : shipped_protocol_files()) {
    SCOPED_TRACE(std::string(file.name));
    try {
      const Protocol protocol = read_protocol_yaml(file.text, std::string(file.name));
      EXPECT_EQ("protocols/" + protocol.name + ".yaml", file.name);
      EXPECT_FALSE(protocol.steps.empty());
      EXPECT_FALSE(protocol.sources.empty());
    } catch (const InputError& error) {
      ADD_FAILURE() << ::testing::PrintToString(problem_lines(error));
    }
  }
  EXPECT_EQ(shipped_protocols().size(), shipped_protocol_files().size());
}

TEST(ProtocolYaml, ShippedFilesAreTheFilesInProtocols) {
  const auto files = testing::files_under("protocols", ".yaml");
  ASSERT_EQ(files.size(), shipped_protocol_files().size()) << "re-run cmake after adding a protocol";
  for (std::size_t i = 0; i < files.size(); ++i) {
    EXPECT_EQ(shipped_protocol_files()[i].text, testing::read_text(files[i])) << files[i];
  }
}

const ProtocolStep* find_step(const Protocol& protocol, const std::string& id) {
  for (const ProtocolStep& step : protocol.steps) {
    if (step.id == id) return &step;
  }
  return nullptr;
}

TEST(ProtocolYaml, AdultProtocolReadsAsWritten) {
  const Protocol protocol = load_protocol("zi2021-adult");
  EXPECT_EQ(protocol.name, "zi2021-adult");
  EXPECT_EQ(protocol.file, "protocols/zi2021-adult.yaml");
  EXPECT_EQ(protocol.version, "1");
  EXPECT_EQ(protocol.population, Population::adult);
  ASSERT_EQ(protocol.sources.size(), 2u);
  EXPECT_NE(protocol.sources[0].find("doi:10.1097/MD.0000000000025786"), std::string::npos);
  EXPECT_EQ(protocol.on_therapy_hours, 24);
  EXPECT_EQ(protocol.stale_after_hours, 24);

  ASSERT_TRUE(protocol.steroid_refractory.has_value());
  const SteroidRefractoryDefinition& refractory = *protocol.steroid_refractory;
  EXPECT_GT(refractory.line, 0);
  EXPECT_EQ(refractory.after_hours, 24);
  EXPECT_EQ(refractory.is, (std::vector<ResponseState>{ResponseState::unchanged, ResponseState::worse}));
  EXPECT_EQ(refractory.requires_given, std::vector<std::string>{"tocilizumab"});
  EXPECT_FALSE(refractory.methylprednisolone_mg_per_kg_per_day.has_value());
  EXPECT_NE(refractory.source.find("Zi 2021"), std::string::npos);

  ASSERT_EQ(protocol.steps.size(), 3u);
  const ProtocolStep* tocilizumab = find_step(protocol, "tocilizumab");
  ASSERT_NE(tocilizumab, nullptr);
  EXPECT_GT(tocilizumab->line, refractory.line);
  ASSERT_EQ(tocilizumab->when.any_of.size(), 2u);
  EXPECT_EQ(tocilizumab->when.any_of[1].crs_grade_min, 1);
  EXPECT_EQ(tocilizumab->when.any_of[1].fever_hours_min, 72);
  EXPECT_EQ(tocilizumab->when.any_of[1].line, tocilizumab->when.any_of[0].line + 1);
  EXPECT_EQ(tocilizumab->schedule.at(0).dose.basis, DoseRule::Basis::tocilizumab_label);
  EXPECT_EQ(tocilizumab->schedule.at(0).every_hours, 8);

  const ProtocolStep* methylprednisolone = find_step(protocol, "methylprednisolone");
  ASSERT_NE(methylprednisolone, nullptr);
  ASSERT_TRUE(methylprednisolone->when.response.has_value());
  EXPECT_EQ(methylprednisolone->when.response->therapy, "tocilizumab");
  EXPECT_EQ(methylprednisolone->when.response->after_hours, 24);
  EXPECT_EQ(methylprednisolone->when.not_given, std::vector<std::string>{"corticosteroid"});
  EXPECT_EQ(methylprednisolone->schedule.at(0).dose.amount, 40);
  EXPECT_EQ(methylprednisolone->route, Route::iv);

  const ProtocolStep* ruxolitinib = find_step(protocol, "ruxolitinib");
  ASSERT_NE(ruxolitinib, nullptr);
  EXPECT_EQ(ruxolitinib->when.steroid_refractory, true);
  EXPECT_EQ(ruxolitinib->route, Route::po);
  EXPECT_TRUE(ruxolitinib->off_label);
  EXPECT_NE(ruxolitinib->note.find("Off-label"), std::string::npos);
  ASSERT_EQ(ruxolitinib->schedule.size(), 2u);
  const DosePhase& first = ruxolitinib->schedule[0];
  EXPECT_EQ(first.dose.basis, DoseRule::Basis::mg);
  EXPECT_FALSE(first.dose.per_day);
  EXPECT_EQ(first.dose.amount, 10);
  EXPECT_EQ(first.every_hours, 12);
  EXPECT_EQ(first.for_days, 11);
  EXPECT_GT(first.line, ruxolitinib->line);
  const DosePhase& second = ruxolitinib->schedule[1];
  EXPECT_EQ(second.dose.amount, 5);
  EXPECT_EQ(second.every_hours, 12);
  EXPECT_EQ(second.for_days, 11);

  ASSERT_EQ(protocol.checks.size(), 6u);
  const SafetyCheck& limits = protocol.checks[0];
  EXPECT_EQ(limits.kind, SafetyCheckKind::dose_limits);
  EXPECT_EQ(limits.severity, Severity::block);
  EXPECT_EQ(limits.min_interval_hours, 8);
  EXPECT_EQ(limits.max_per_24h, 3);
  EXPECT_EQ(limits.max_per_episode, 4);
  EXPECT_FALSE(limits.threshold.has_value());
  const SafetyCheck& platelets = protocol.checks[1];
  EXPECT_EQ(platelets.id, "ruxolitinib-platelets");
  EXPECT_EQ(platelets.kind, SafetyCheckKind::platelets_below);
  EXPECT_EQ(platelets.threshold, 50);
  EXPECT_EQ(platelets.within_hours, 48);
  EXPECT_EQ(protocol.checks[2].threshold, 0.5);
  EXPECT_EQ(protocol.checks[5].kind, SafetyCheckKind::haemorrhage);
  EXPECT_EQ(protocol.checks[5].within_hours, 72);  // the default
  for (const SafetyCheck& check : protocol.checks) EXPECT_GT(check.line, 0) << check.id;
}

TEST(ProtocolYaml, DosesPerDayAndRanges) {
  const Protocol protocol = read_protocol_yaml(
      edited(26, 26, "      - dose: {mg_per_kg_per_day: 0.3, up_to: 0.6, max_mg: 20, round_to_mg: 5}"), "per-day.yaml");
  const DoseRule& dose = protocol.steps[1].schedule[0].dose;
  EXPECT_EQ(dose.basis, DoseRule::Basis::mg_per_kg);
  EXPECT_TRUE(dose.per_day);
  EXPECT_EQ(dose.amount, 0.3);
  EXPECT_EQ(dose.amount_up_to, 0.6);
  EXPECT_EQ(dose.max_mg, 20);
  EXPECT_EQ(dose.round_to_mg, 5);
}

TEST(ProtocolYaml, LinesAreThoseOfTheFile) {
  const Protocol protocol = read_protocol_yaml(kValid, "valid.yaml");
  EXPECT_EQ(protocol.steroid_refractory->line, 6);  // a mapping's line is that of its first key
  EXPECT_EQ(protocol.steps[0].line, 9);
  EXPECT_EQ(protocol.steps[0].when.line, 12);
  EXPECT_EQ(protocol.steps[0].schedule[0].line, 16);
  EXPECT_EQ(protocol.steps[1].line, 19);
  EXPECT_EQ(protocol.steps[1].schedule[0].line, 26);
  EXPECT_EQ(protocol.checks[0].line, 33);
}

TEST(ProtocolYaml, RepeatRuleReads) {
  const Protocol protocol = read_protocol_yaml(
      edited(17, 17, "        every_hours: 8\n    repeat: {after_hours: 8, while_response: [unchanged, worse]}"),
      "repeat.yaml");
  ASSERT_TRUE(protocol.steps[0].repeat.has_value());
  EXPECT_EQ(protocol.steps[0].repeat->after_hours, 8);
  EXPECT_EQ(protocol.steps[0].repeat->while_response,
            (std::vector<ResponseState>{ResponseState::unchanged, ResponseState::worse}));
}

TEST(ProtocolYaml, DrugClassesAreReferencedByTheirIdentifiers) {
  const Protocol protocol = read_protocol_yaml(edited(22, 22, "      given: [anti_il6, jak_inhibitor]"), "classes.yaml");
  EXPECT_EQ(protocol.steps[1].when.given, (std::vector<std::string>{"anti_il6", "jak_inhibitor"}));
}

TEST(ProtocolYaml, AReductionMayBeGivenInWords) {
  // A source may say "taper" without giving the steps (Pan 2021).
  const Protocol protocol =
      read_protocol_yaml(edited(13, 17, "    action: reduce\n    drug: tocilizumab\n    instruction: taper"), "taper.yaml");
  EXPECT_EQ(protocol.steps[0].action, ActionKind::reduce);
  EXPECT_TRUE(protocol.steps[0].schedule.empty());
  EXPECT_EQ(protocol.steps[0].instruction, "taper");
}

// One row per kind of bad input: an edit of kValid and the problem it must produce.
struct BadProtocol {
  const char* name;
  int first;  // lines of kValid replaced
  int last;
  const char* replacement;
  int line;  // expected problem
  const char* field;
  const char* reason;
};

const BadProtocol kBadProtocols[] = {
    // YAML itself.
    {"bad indentation", 13, 13, "     action: give", 13, "", "YAML syntax error"},
    {"unclosed flow list", 4, 4, "sources: [the test itself", 5, "", "YAML syntax error"},
    {"tab indentation", 13, 13, "    action:\n\t- give", 14, "", "YAML syntax error"},
    {"duplicate key", 10, 10, "    title: Tocilizumab\n    title: Tocilizumab again", 11, "title",
     "key \"title\" appears twice in this mapping (first at line 10)"},
    {"alias", 20, 20, "    title: &title Ruxolitinib\n    instruction: *title", 21, "", "YAML aliases (*name) are not supported"},
    {"tag", 12, 12, "      crs_grade_min: !!int 2", 12, "", "YAML tags (tag:yaml.org,2002:int) are not supported"},
    {"list as key", 12, 12, "      [crs_grade_min]: 2", 12, "", "a key must be plain text"},
    {"second document", 39, 39, "    source: test\n---\nname: another", 40, "", "second YAML document"},
    // Keys and types.
    {"unknown key", 13, 13, "    action: give\n    dosage: 10", 14, "dosage",
     "unknown key \"dosage\" in a step; the accepted keys are: id, title, when, action, drug"},
    {"text for a number", 17, 17, "        every_hours: 8 h", 17, "every_hours", "expected a number, found text \"8 h\""},
    {"unit in a dose", 26, 26, "      - dose: {mg: 10 mg}", 26, "mg", "expected a number, found text \"10 mg\""},
    {"quoted number", 17, 17, "        every_hours: \"8\"", 17, "every_hours", "write numbers without quotes"},
    {"octal-looking number", 17, 17, "        every_hours: 08", 17, "every_hours", "leading zero"},
    {"yes for a boolean", 29, 29, "    off_label: yes", 29, "off_label", "expected true or false, found text \"yes\""},
    {"fractional grade", 12, 12, "      crs_grade_min: 2.5", 12, "crs_grade_min", "expected a whole number, found 2.5"},
    {"list for text", 10, 10, "    title: [a, b]", 10, "title", "expected text, found a list"},
    {"document is a list", 1, 39, "- format: crsguard.protocol/1", 1, "", "expected a protocol (a mapping"},
    {"step that is text", 19, 31, "  - ruxolitinib", 19, "steps", "expected a step (a mapping of keys to values), found text"},
    {"wrong format", 1, 1, "format: crsguard.protocol/2", 1, "format", "unknown format \"crsguard.protocol/2\""},
    {"name not an identifier", 2, 2, "name: Reader Test", 2, "name", "is not a valid name"},
    {"empty sources", 4, 4, "sources: []", 4, "sources", "the list is empty"},
    {"unknown population", 4, 4, "sources: [test]\npopulation: adults", 5, "population",
     "unknown population \"adults\"; expected one of: any, adult, paediatric"},
    // Ranges.
    {"grade 7", 12, 12, "      crs_grade_min: 7", 12, "crs_grade_min", "7 is out of range: it must be from 0 to 5"},
    {"grade max below min", 12, 12, "      crs_grade_min: 2\n      crs_grade_max: 1", 13, "crs_grade_max",
     "crs_grade_max 1 is below crs_grade_min 2"},
    {"interval of zero hours", 17, 17, "        every_hours: 0", 17, "every_hours",
     "0 is out of range: it must be more than 0 and at most 168"},
    {"ruxolitinib 10 g", 26, 26, "      - dose: {mg: 10000}", 26, "mg",
     "10000 mg per dose is implausible for ruxolitinib: the drug table accepts 1 to 60 mg per dose"},
    {"per-day dose in the wrong unit", 26, 26, "      - dose: {mg_per_day: 20000}", 26, "mg_per_day",
     "20000 mg per day every 12 h is 10000 mg per dose, which is implausible for ruxolitinib"},
    {"range top below the dose", 26, 26, "      - dose: {mg: 10, up_to: 5}", 26, "up_to", "up_to 5 is below the dose 10"},
    {"two amounts", 26, 26, "      - dose: {mg: 10, mg_per_kg: 0.2}", 26, "mg_per_kg",
     "a dose has one amount: mg or mg_per_kg, not both"},
    {"dose without amount", 26, 26, "      - dose: {max_mg: 10}", 26, "dose", "a dose has exactly one amount"},
    {"rounding step above the maximum", 26, 26, "      - dose: {mg: 5, max_mg: 10, round_to_mg: 20}", 26, "round_to_mg",
     "no rounded dose would fit under the maximum"},
    {"label dose of another drug", 26, 26, "      - dose: label", 26, "dose",
     "the label dose is defined for tocilizumab only"},
    {"platelets threshold in the wrong unit", 36, 36, "    threshold: 50000", 36, "threshold",
     "threshold 50000 is implausible for platelets_below: at most 1000 × 10^9/L"},
    // Required keys, reported at the mapping that lacks them.
    {"missing source", 18, 18, "", 9, "source", "required key \"source\" is missing"},
    {"missing steps", 8, 31, "", 1, "steps", "required key \"steps\" is missing"},
    {"missing schedule", 15, 17, "", 9, "schedule", "a give step says how much to give"},
    {"missing drug", 14, 14, "", 9, "drug", "every step but a supportive one names its drug"},
    {"reduce step without doses or words", 13, 17, "    action: reduce\n    drug: tocilizumab", 9, "schedule",
     "a reduce step gives the reduced doses, or an instruction"},
    {"off-label without note", 30, 30, "", 19, "note", "an off-label step gives its evidence in note"},
    {"lab check without threshold", 36, 36, "", 33, "threshold", "a platelets_below check needs its threshold"},
    {"dose_limits without a limit", 35, 36, "    kind: dose_limits", 33, "max_per_24h",
     "a dose_limits check names at least one of"},
    // Keys that do not belong together.
    {"threshold on a haemorrhage check", 35, 35, "    kind: haemorrhage", 36, "threshold",
     "a haemorrhage check has no threshold"},
    {"count limit on a lab check", 36, 36, "    threshold: 50\n    max_per_24h: 3", 37, "max_per_24h",
     "only a dose_limits check has max_per_24h"},
    {"supportive step with a schedule", 13, 13, "    action: supportive\n    instruction: keep warm", 16, "schedule",
     "a supportive step gives no doses"},
    {"empty condition", 11, 12, "    when: {}", 11, "when", "an empty condition; name at least one of: crs_grade_min"},
    {"steroid_refractory without the definition", 5, 7, "", 19, "steroid_refractory",
     "the condition steroid_refractory needs the protocol's definition"},
    // Ids and drugs.
    {"duplicate step id", 19, 19, "  - id: tocilizumab", 19, "id",
     "step id \"tocilizumab\" is used twice (first at line 9)"},
    {"unknown drug", 14, 14, "    drug: tocilizumabb", 14, "drug", "unknown drug \"tocilizumabb\""},
    {"drug class as a step's drug", 14, 14, "    drug: anti_il6", 14, "drug", "a step gives one drug, not the class"},
    {"unknown drug reference", 22, 22, "      not_given: [steroids]", 22, "not_given",
     "unknown drug or drug class \"steroids\""},
    {"unknown response state", 6, 6, "  after_hours: 24\n  is: [unknown]", 7, "is", "unknown response state \"unknown\""},
};

void PrintTo(const BadProtocol& bad, std::ostream* out) { *out << bad.name; }

class BadProtocolInput : public ::testing::TestWithParam<BadProtocol> {};

TEST_P(BadProtocolInput, IsRejectedWithLineFieldAndReason) {
  const BadProtocol& bad = GetParam();
  const std::string text = edited(bad.first, bad.last, bad.replacement);
  try {
    read_protocol_yaml(text, "bad.yaml");
    FAIL() << bad.name << " was accepted:\n" << text;
  } catch (const InputError& error) {
    // Each input has exactly one thing wrong: a second problem is a spurious or repeated report.
    ASSERT_EQ(error.problems().size(), 1u) << ::testing::PrintToString(error.lines()) << "\n" << text;
    const Problem& problem = error.problems().front();
    EXPECT_EQ(problem.where.file, "bad.yaml");
    EXPECT_EQ(problem.where.line, bad.line) << problem.to_string() << "\n" << text;
    EXPECT_GT(problem.where.column, 0) << problem.to_string();
    EXPECT_EQ(problem.where.field, bad.field) << problem.to_string();
    EXPECT_NE(problem.reason.find(bad.reason), std::string::npos) << problem.to_string();
  }
}

INSTANTIATE_TEST_SUITE_P(EachFault, BadProtocolInput, ::testing::ValuesIn(kBadProtocols),
                         [](const ::testing::TestParamInfo<BadProtocol>& row) {
                           std::string name;
                           for (const char c : std::string(row.param.name)) name += std::isalnum(static_cast<unsigned char>(c)) != 0 ? c : '_';
                           return name;
                         });

// Rejects `text` with exactly one problem at `line` whose reason holds `reason`.
void expect_single_problem(const std::string& text, int line, const std::string& reason) {
  try {
    read_protocol_yaml(text, "bad.yaml");
    ADD_FAILURE() << "accepted";
  } catch (const InputError& error) {
    ASSERT_EQ(error.problems().size(), 1u) << ::testing::PrintToString(error.lines());
    EXPECT_EQ(error.problems()[0].where.line, line) << error.problems()[0].to_string();
    EXPECT_NE(error.problems()[0].reason.find(reason), std::string::npos) << error.problems()[0].to_string();
  }
}

TEST(ProtocolYaml, EmptyFileIsRejected) {
  expect_single_problem("", 1, "the file is empty");
  expect_single_problem("# only a comment\n", 1, "the file is empty");
}

TEST(ProtocolYaml, InvalidUtf8IsRejectedAtItsLine) {
  expect_single_problem(edited(3, 3, "title: caf\xE9"), 3, "not valid UTF-8");
}

TEST(ProtocolYaml, DeepNestingIsRefusedBeforeItCanExhaustTheStack) {
  // any_of inside any_of: the schema allows it, the depth guard stops it.
  std::string when = "    when:\n";
  std::string indent = "      ";
  for (int level = 0; level < 100; ++level) {
    when += indent + "any_of:\n" + indent + "  - ";
    indent += "    ";
    when += "\n";
  }
  try {
    read_protocol_yaml(edited(11, 12, when + indent + "crs_grade_min: 2"), "deep.yaml");
    FAIL() << "accepted";
  } catch (const InputError& error) {
    ASSERT_EQ(error.problems().size(), 1u);
    EXPECT_GT(error.problems()[0].where.line, 11);
    EXPECT_NE(error.problems()[0].reason.find("nested more than 64 levels deep"), std::string::npos);
  }
  expect_single_problem(std::string(100000, '[') + std::string(100000, ']'), 1, "nested more than 64 levels deep");
}

TEST(ProtocolYaml, OversizedFileIsRefusedBeforeParsing) {
  expect_single_problem(std::string(kValid) + "# " + std::string(2 * 1024 * 1024, 'x') + "\n", 1,
                        "a protocol file is at most 1048576 bytes");
}

TEST(ProtocolYaml, ManyKeysAreCheckedQuickly) {
  // 40 000 distinct keys in one mapping: duplicate detection must not be quadratic.
  std::string text = kValid;
  for (int i = 0; i < 40000; ++i) text += "k" + std::to_string(i) + ": 1\n";
  try {
    read_protocol_yaml(text, "wide.yaml");
    FAIL() << "accepted";
  } catch (const InputError& error) {
    EXPECT_EQ(error.problems().size(), ProblemLog::kDefaultLimit);
    EXPECT_EQ(error.problems().size() + error.dropped(), 40000u);
    EXPECT_NE(error.problems()[0].reason.find("unknown key \"k0\" in a protocol"), std::string::npos);
  }
}

TEST(ProtocolYaml, EveryProblemIsListed) {
  // Three independent faults in one file: all three are reported, in file order.
  std::string text = edited(12, 12, "      crs_grade_min: 9");
  text.replace(text.find("every_hours: 12"), 15, "every_hours: x");
  text.replace(text.find("advice: transfuse platelets"), 27, "advise: transfuse platelets");
  try {
    read_protocol_yaml(text, "three.yaml");
    FAIL() << "accepted";
  } catch (const InputError& error) {
    ASSERT_EQ(error.problems().size(), 4u) << ::testing::PrintToString(error.lines());  // advise: unknown, advice: missing
    EXPECT_EQ(error.problems()[0].where.line, 12);
    EXPECT_EQ(error.problems()[1].where.line, 27);
    EXPECT_EQ(error.problems()[0].to_string().rfind("three.yaml: line 12, column 7, at /steps/0/when/crs_grade_min", 0), 0u)
        << error.problems()[0].to_string();
  }
}

TEST(ProtocolYaml, LoadsAShippedProtocolByNameOrAFileByPath) {
  EXPECT_EQ(load_protocol("zi2021-adult").name, "zi2021-adult");
  const std::string path = testing::source_path("protocols/zi2021-adult.yaml").string();
  const Protocol by_path = load_protocol(path);
  EXPECT_EQ(by_path.name, "zi2021-adult");
  EXPECT_EQ(by_path.file, path);
}

TEST(ProtocolYaml, UnknownNameListsTheShippedProtocols) {
  try {
    load_protocol("zi2021");
    FAIL() << "accepted";
  } catch (const InputError& error) {
    ASSERT_EQ(error.problems().size(), 1u);
    EXPECT_EQ(error.problems()[0].where.file, "zi2021");
    EXPECT_NE(error.problems()[0].reason.find("unknown protocol \"zi2021\""), std::string::npos);
    EXPECT_NE(error.problems()[0].reason.find("zi2021-adult"), std::string::npos);
  }
}

TEST(ProtocolYaml, UnreadableFileSaysSo) {
  try {
    load_protocol("no/such/protocol.yaml");
    FAIL() << "accepted";
  } catch (const InputError& error) {
    ASSERT_EQ(error.problems().size(), 1u);
    EXPECT_EQ(error.problems()[0].where.file, "no/such/protocol.yaml");
    EXPECT_NE(error.problems()[0].reason.find("cannot read the file"), std::string::npos);
  }
}

TEST(ProtocolYaml, AFileIsReadWithItsOwnName) {
  const auto folder = std::filesystem::temp_directory_path() / "crsguard-protocol-test";
  std::filesystem::create_directories(folder);
  const auto path = folder / "site.yml";
  std::ofstream(path) << edited(12, 12, "      crs_grade_min: 6");
  try {
    load_protocol(path.string());
    FAIL() << "accepted";
  } catch (const InputError& error) {
    EXPECT_EQ(error.problems().at(0).where.file, path.string());
    EXPECT_EQ(error.problems().at(0).where.line, 12);
  }
  std::filesystem::remove_all(folder);
}

TEST(ProtocolYaml, DocumentationExampleReads) {
  const std::string doc = testing::read_text(testing::source_path("docs/protocols.md"));
  const auto section = doc.find("### Complete example");
  const auto start = doc.find("```yaml\n", section);
  const auto end = doc.find("\n```", start + 8);
  ASSERT_NE(section, std::string::npos) << "docs/protocols.md has no '### Complete example'";
  ASSERT_NE(start, std::string::npos);
  const Protocol protocol = read_protocol_yaml(doc.substr(start + 8, end - start - 7), "docs/protocols.md");
  EXPECT_FALSE(protocol.steps.empty());
}

}  // namespace
}  // namespace crsguard
