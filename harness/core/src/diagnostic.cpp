// Formatting of diagnostics, and the two helpers every reader of JSON files needs for them.
#include "kv/harness/diagnostic.hpp"

#include <algorithm>

#include "kv/harness/internal/suggest.hpp"

namespace kv::harness {

const char* to_string(Severity severity) {
  switch (severity) {
    case Severity::Error:
      return "error";
    case Severity::Warning:
      return "warning";
    case Severity::Info:
      return "info";
  }
  return "error";
}

namespace {

// A labelled line of the two-sided block: labels padded so that values line up
// ("expected: ", "found:    ", "at:       ").
void add_aligned(std::string& out, const std::string& label, const std::string& value) {
  std::string head = label + ":";
  head.resize(std::max<std::size_t>(head.size() + 1, 10), ' ');
  out += "\n  " + head + value;
}

void add_field(std::string& out, const char* indent, const FieldDiff& field, const Diagnostic& d) {
  out += "\n";
  out += indent;
  out += field.field + ": " + d.expected_label + " " + field.expected + " | " + d.found_label +
         " " + field.found;
}

}  // namespace

std::string Diagnostic::message() const {
  std::string text;
  if (title.empty()) {
    text = file + ": " + to_string(severity);
    if (!where.empty()) text += " at " + where;
    text += " [" + id + "]";
  } else {
    if (file_label.empty() && !file.empty()) text = file + ": ";
    text += title;
    if (!causes.empty()) text += ":";
    if (!file_label.empty()) text += "\n  " + file_label + ": " + file;
    if (!where.empty() && expected.empty() && found.empty()) text += "\n  at: " + where;
  }
  if (!request.empty()) text += "\n  request: " + request;
  for (const auto& note : notes) text += "\n  " + note.label + ": " + note.text;
  if (!detail.empty()) text += "\n" + detail;
  if (!title.empty() && !where.empty() && (!expected.empty() || !found.empty()))
    add_aligned(text, "at", where);
  if (!expected.empty()) add_aligned(text, expected_label, expected);
  if (!found.empty()) add_aligned(text, found_label, found);
  for (const auto& field : fields) add_field(text, "  ", field, *this);
  if (!hint.empty() && related.empty()) add_aligned(text, hint_label, hint);
  for (const auto& group : related) {
    const bool listed = !group.items.empty() || group.omitted > 0;
    if (!group.title.empty()) text += "\n  " + group.title + (listed ? ":" : "");
    for (const auto& item : group.items) {
      text += "\n    " + item.summary;
      for (const auto& field : item.fields) add_field(text, "      ", field, *this);
      if (!item.note.empty()) text += "\n      " + item.note;
    }
    if (group.omitted > 0) text += "\n    ... and " + std::to_string(group.omitted) + " more";
  }
  if (!hint.empty() && !related.empty()) text += "\n  " + hint_label + ": " + hint;
  for (const auto& cause : causes) text += "\n" + indent_lines(cause.message(), "  ");
  return text;
}

bool Diagnostic::suggest(std::string_view name, const std::vector<std::string>& names) {
  auto near = nearest_name(name, names);
  if (!near) return false;
  did_you_mean = *near;
  hint = "did you mean \"" + *near + "\"?";
  return true;
}

void transform_texts(Diagnostic& d, const std::function<void(std::string&)>& scrub) {
  for (std::string* text : {&d.file, &d.where, &d.expected, &d.found, &d.hint, &d.title, &d.detail,
                            &d.request, &d.did_you_mean}) {
    scrub(*text);
  }
  const auto scrub_fields = [&scrub](std::vector<FieldDiff>& fields) {
    for (auto& field : fields) {
      for (std::string* text : {&field.field, &field.expected, &field.found}) scrub(*text);
    }
  };
  scrub_fields(d.fields);
  for (auto& group : d.related) {
    scrub(group.title);
    for (auto& item : group.items) {
      scrub(item.where);
      scrub(item.summary);
      scrub(item.note);
      scrub_fields(item.fields);
    }
  }
  for (auto& note : d.notes) scrub(note.text);
  for (auto& cause : d.causes) transform_texts(cause, scrub);
}

namespace {

nlohmann::ordered_json fields_json(const std::vector<FieldDiff>& fields) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& f : fields)
    out.push_back({{"field", f.field}, {"expected", f.expected}, {"found", f.found}});
  return out;
}

}  // namespace

nlohmann::ordered_json to_json(const Diagnostic& d) {
  nlohmann::ordered_json out = {
      {"file", d.file},
      {"where", d.where},
      {"id", d.id},
      {"severity", to_string(d.severity)},
      {"expected", d.expected},
      {"found", d.found},
      {"hint", d.hint},
      {"labels", {{"expected", d.expected_label}, {"found", d.found_label}}}};
  if (!d.title.empty()) out["title"] = d.title;
  if (!d.detail.empty()) out["detail"] = d.detail;
  if (!d.request.empty()) out["request"] = d.request;
  if (!d.did_you_mean.empty()) out["didYouMean"] = d.did_you_mean;
  if (!d.fields.empty()) out["fields"] = fields_json(d.fields);
  if (!d.related.empty()) {
    nlohmann::ordered_json groups = nlohmann::ordered_json::array();
    for (const auto& g : d.related) {
      nlohmann::ordered_json items = nlohmann::ordered_json::array();
      for (const auto& item : g.items) {
        nlohmann::ordered_json entry = {{"where", item.where}, {"summary", item.summary}};
        if (!item.fields.empty()) entry["fields"] = fields_json(item.fields);
        if (!item.note.empty()) entry["note"] = item.note;
        items.push_back(std::move(entry));
      }
      groups.push_back({{"name", g.name},
                        {"title", g.title},
                        {"items", std::move(items)},
                        {"omitted", g.omitted}});
    }
    out["related"] = std::move(groups);
  }
  if (!d.notes.empty()) {
    nlohmann::ordered_json notes = nlohmann::ordered_json::array();
    for (const auto& n : d.notes) notes.push_back({{"label", n.label}, {"text", n.text}});
    out["notes"] = std::move(notes);
  }
  if (!d.causes.empty()) {
    nlohmann::ordered_json causes = nlohmann::ordered_json::array();
    for (const auto& c : d.causes) causes.push_back(to_json(c));
    out["causes"] = std::move(causes);
  }
  return out;
}

DiagnosticError::DiagnosticError(Diagnostic diagnostic)
    : std::runtime_error(diagnostic.message()), diagnostic_(std::move(diagnostic)) {}

const Diagnostic* diagnostic_of(const std::exception& error) noexcept {
  const auto* carrier = dynamic_cast<const CarriesDiagnostic*>(&error);
  return carrier != nullptr ? &carrier->diagnostic() : nullptr;
}

Diagnostic diagnostic_or_text(const std::exception& error, const std::string& id) {
  if (const Diagnostic* d = diagnostic_of(error)) return *d;
  return text_diagnostic(error.what(), id);
}

Diagnostic text_diagnostic(const std::string& text, const std::string& id) {
  Diagnostic d;
  d.id = id;
  const std::size_t end = text.find('\n');
  d.title = text.substr(0, end);
  if (end != std::string::npos) d.detail = text.substr(end + 1);
  return d;
}

std::string indent_lines(const std::string& text, const std::string& prefix) {
  std::string out = prefix;
  for (char c : text) {
    out += c;
    if (c == '\n') out += prefix;
  }
  return out;
}

std::string format_diagnostics(const std::vector<Diagnostic>& diagnostics) {
  std::string text;
  for (const auto& d : diagnostics) {
    if (!text.empty()) text += '\n';
    text += d.message();
  }
  return text;
}

std::string line_column(std::string_view text, std::size_t offset) {
  std::size_t line = 1;
  std::size_t column = 1;
  const std::size_t end = offset < text.size() ? offset : text.size();
  for (std::size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

namespace {

template <class JsonType>
std::string describe(const JsonType& value) {
  std::string text = value.dump(-1, ' ', false, JsonType::error_handler_t::replace);
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  switch (value.type()) {
    case nlohmann::json::value_t::string:
      return text;
    case nlohmann::json::value_t::object:
      return text + " (an object)";
    case nlohmann::json::value_t::array:
      return text + " (an array)";
    case nlohmann::json::value_t::boolean:
      return text + " (a boolean)";
    case nlohmann::json::value_t::null:
      return "null";
    case nlohmann::json::value_t::number_float:
      return text + " (a number)";
    case nlohmann::json::value_t::binary:
      return "binary data";
    default:
      return text + " (an integer)";
  }
}

}  // namespace

std::string describe_json(const nlohmann::json& value) {
  return describe(value);
}

std::string describe_json(const nlohmann::ordered_json& value) {
  return describe(value);
}

}  // namespace kv::harness
