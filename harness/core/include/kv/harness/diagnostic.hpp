// The failure record. Problems in files a person wrote or recorded (fixtures, rules, scenarios,
// lint findings), a scenario step that failed, a playback miss and unused recorded entries all
// carry it: the place (file and JSON Pointer or line:column; for a request, the fixture and the
// request), a stable id, the two sides (expected/found, or recorded/actual), a hint, "did you
// mean" for a misspelled name, and related records (a miss's closest candidates). Every
// kvharness component reports failures in this one form, and every report renders it alike.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace kv::harness {

/// How serious a diagnostic is; errors fail a check, warnings and notes inform.
enum class Severity { Error, Warning, Info };

/// The severity's lower-case name: "error", "warning" or "info".
const char* to_string(Severity severity);

/// One field compared on two sides: "query api-version: recorded 7.5 | actual 7.4". The sides
/// are named by the labels of the record that holds the field.
struct FieldDiff {
  std::string field;     ///< "method", "path", "query api-version", "body /value", "header x-a"
  std::string expected;  ///< The expected (for a playback, the recorded) value, or "(absent)".
  std::string found;     ///< The value found (for a playback, the actual one), or "(absent)".
  friend bool operator==(const FieldDiff&, const FieldDiff&) = default;
};

/// Something a record points at, with its own place and fields: a recorded entry that came
/// close to a missed request, an entry no request used.
struct Related {
  /// Its place within the record's file: "/Entries/2" for a fixture entry.
  std::string where;
  /// The one-line description: "entry 2: GET /secrets/s1?api-version=7.5 -> 200 (GetSecret)".
  std::string summary;
  /// How it differs from what was asked (empty when it does not, or was not compared).
  std::vector<FieldDiff> fields;
  /// A remark under it: "matches, but was already used: ...".
  std::string note;
};

/// A titled list of related things: "closest recorded candidates", "unused entries (5 of 6)".
struct RelatedGroup {
  /// A stable name for tools ("candidates", "unused"); not shown.
  std::string name;
  /// The heading shown above the items; empty shows none.
  std::string title;
  std::vector<Related> items;
  /// Items left out of `items` (shown as "... and N more").
  std::size_t omitted = 0;
};

/// A labelled line under a record's first line: "attempts: attempt 1: 409 Conflict; ...".
struct Note {
  std::string label;
  std::string text;
};

/// One failure: a problem in a file, a failed step, a playback miss, unused entries.
struct Diagnostic {
  /// The file it is about (a scenario, a rules file, a fixture).
  std::string file;
  /// A JSON Pointer ("/steps/2/op"), or "line 3, column 7" for syntax errors; "" for the file.
  std::string where;
  /// A stable identifier ("unknown-operation", "wrong-type", "playback-miss", ...), listed in the
  /// docs.
  std::string id;
  std::string expected;
  std::string found;
  /// "did you mean ...?" and similar; may be empty.
  std::string hint;
  Severity severity = Severity::Error;

  /// For a failure that is a sentence rather than a mistake at a place ("kvharness playback: no
  /// recorded entry matches the request"): its first line. Empty: the first line is
  /// "file: error at WHERE [id]".
  std::string title{};
  /// Free text under the title, for a failure known only by its message (an exception that
  /// carries no record); shown as it is.
  std::string detail{};
  /// The request a playback failure is about: "PUT /secrets/s1?api-version=7.4 (SetSecret)".
  std::string request{};
  /// When set, the file is shown as a place line under the title ("fixture: recordings/x.json")
  /// instead of leading the first line.
  std::string file_label{};
  /// The names of the two sides: "expected"/"found" for a file, "expected"/"actual" for a step,
  /// "recorded"/"actual" for a playback miss's fields.
  std::string expected_label = "expected";
  std::string found_label = "found";
  /// The hint's name: "hint", or "to fix".
  std::string hint_label = "hint";
  /// The valid name nearest to a misspelled one in `found` ("did you mean" is in the hint too).
  std::string did_you_mean{};
  /// Fields compared on two sides (labelled like expected/found).
  std::vector<FieldDiff> fields{};
  /// Related things, in groups: a miss's closest candidates and unused entries.
  std::vector<RelatedGroup> related{};
  /// Labelled lines under the first line ("attempts: ...").
  std::vector<Note> notes{};
  /// The failures this one is made of: a step that failed on a playback miss holds the miss.
  std::vector<Diagnostic> causes{};

  /// The multi-line message. Without a title: "file: error at WHERE [id]", then "expected:",
  /// "found:" and "hint:" lines. With a title: "file: TITLE" (the title alone when the file has
  /// a label), place lines ("fixture: ...", "request: ..."), notes, the detail, "at:" and the
  /// two sides, the fields, the related groups, the hint, then each cause indented.
  std::string message() const;

  /// Sets `did_you_mean` and the hint "did you mean "NAME"?" when `name` is close to one of
  /// `names`; true when it is.
  bool suggest(std::string_view name, const std::vector<std::string>& names);
};

/// Calls `scrub` on every text of the record, the related groups' included (to remove
/// registered secrets before a record is reported).
void transform_texts(Diagnostic& diagnostic, const std::function<void(std::string&)>& scrub);

/// The diagnostic as a JSON object: file, where, id, severity, expected, found, hint, labels
/// (the names of the two sides), and when set: title, detail, request, didYouMean, fields,
/// related.
nlohmann::ordered_json to_json(const Diagnostic& diagnostic);

/// An exception that carries a failure record (RulesError, FixtureError, ScenarioFileError,
/// PlaybackMismatch, UnusedEntriesError). Find it with diagnostic_of().
class CarriesDiagnostic {
 public:
  virtual ~CarriesDiagnostic() = default;
  /// The record (the first, for an error that lists several).
  virtual const Diagnostic& diagnostic() const noexcept = 0;
};

/// A failure that is its record; what() is the record's message.
class DiagnosticError : public std::runtime_error, public CarriesDiagnostic {
 public:
  explicit DiagnosticError(Diagnostic diagnostic);
  const Diagnostic& diagnostic() const noexcept override { return diagnostic_; }

 private:
  Diagnostic diagnostic_;
};

/// The record `error` carries, or null.
const Diagnostic* diagnostic_of(const std::exception& error) noexcept;
/// The record `error` carries, or one made of its message: id `id`, the message's first line
/// as title, the rest as detail.
Diagnostic diagnostic_or_text(const std::exception& error, const std::string& id);
/// A record made of a message alone: id `id`, the first line as title, the rest as detail (so
/// that message() gives the text back unchanged).
Diagnostic text_diagnostic(const std::string& text, const std::string& id);

/// Joins the messages of `diagnostics`, one block per diagnostic.
std::string format_diagnostics(const std::vector<Diagnostic>& diagnostics);

/// `text` with `prefix` before each of its lines.
std::string indent_lines(const std::string& text, const std::string& prefix);

/// "line L, column C" (both 1-based) of the byte at `offset` in `text`.
std::string line_column(std::string_view text, std::size_t offset);

/// A JSON value as shown after "found:": strings quoted, other values compact with their type,
/// long renderings shortened; invalid UTF-8 is replaced, never passed on.
std::string describe_json(const nlohmann::json& value);
/// The same for key-order-preserving JSON.
std::string describe_json(const nlohmann::ordered_json& value);

}  // namespace kv::harness
