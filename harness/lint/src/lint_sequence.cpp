// Lint: what only the order of entries shows. Pages follow the nextLink they were offered, poll
// loops end in the state they waited for, and the service's clock does not run backwards.
#include <algorithm>
#include <map>
#include <stdexcept>

#include "kv/url.hpp"
#include "lint_trace.hpp"

namespace kv::harness::detail {

namespace {

// A page link as the service means it: path and query, without host, port (nextLinks carry
// ":443") and api-version (clients may rewrite it).
struct PageLink {
  std::string path;
  std::vector<Url::QueryParam> query;
  bool operator==(const PageLink&) const = default;
};

std::optional<PageLink> page_link(const std::string& text) {
  Url url;
  try {
    url = Url(text.rfind('/', 0) == 0 ? "https://relative" + text : text);
  } catch (const std::invalid_argument&) {
    return std::nullopt;
  }
  PageLink link;
  link.path = to_lower(url.path());
  while (link.path.size() > 1 && link.path.back() == '/') link.path.pop_back();
  for (const auto& param : url.query()) {
    if (param.first != "api-version") link.query.push_back(param);
  }
  std::sort(link.query.begin(), link.query.end());
  return link;
}

std::string show(const PageLink& link) {
  std::string text = link.path;
  for (std::size_t i = 0; i < link.query.size(); ++i)
    text += (i == 0 ? "?" : "&") + link.query[i].first + "=" + link.query[i].second;
  if (text.size() > 90) text = text.substr(0, 87) + "...";
  return text;
}

// The nextLink the latest page of one list offered.
struct Offer {
  std::optional<PageLink> link;  // empty: the last page (nextLink null or absent)
  bool readable = true;          // false: a nextLink lint cannot parse; judge nothing
  std::string where;
};

void check_paging(const std::vector<TraceStep>& trace, LintReport& report) {
  std::map<std::string, Offer> offers;
  for (const auto& step : trace) {
    if (step.collection.empty() || !informative(step.status)) continue;
    auto offer = offers.find(step.collection);
    if (step.next_page && offer != offers.end() && offer->second.readable) {
      const auto requested = page_link(step.entry->request_uri);
      if (requested && !offer->second.link) {
        report.add(step.index, report.uri(step.index), "next-link-not-offered",
                   "no further page: the page at " + offer->second.where + " had no nextLink",
                   show(*requested));
      } else if (requested && *requested != *offer->second.link) {
        report.add(
            step.index, report.uri(step.index), "next-link-not-offered",
            "the nextLink of the page at " + offer->second.where + ": " + show(*offer->second.link),
            show(*requested));
      }
    }
    if (!step.success() || step.response == nullptr) continue;
    Offer next;
    next.where = report.response(step.index, "/nextLink").where;
    if (auto link = step.response->find("nextLink");
        link != step.response->end() && link->is_string()) {
      next.link = page_link(link->get<std::string>());
      next.readable = next.link.has_value();
    }
    offers[step.collection] = next;
  }
}

// After a delete the client polls the deleted secret, after a recover the secret, until 200 or
// 403. Two polls or more that stop at 404 waited for something the fixture never shows.
void check_polls(const std::vector<TraceStep>& trace, LintReport& report) {
  for (std::size_t i = 0; i < trace.size(); ++i) {
    const TraceStep& start = trace[i];
    if (!start.success() || start.key.empty()) continue;
    std::string_view poll;
    if (start.op == "DeleteSecret" && start.response != nullptr &&
        start.response->contains("recoveryId"))
      poll = "GetDeletedSecret";
    else if (start.op == "RecoverDeletedSecret")
      poll = "GetSecret";
    else
      continue;
    std::size_t polls = 0;
    std::size_t last = i;
    std::size_t j = i + 1;
    bool done = false;
    for (; j < trace.size() && !done; ++j) {
      const TraceStep& s = trace[j];
      if (!informative(s.status)) continue;  // a challenge or a retried 429/5xx
      if (s.op != poll || s.key != start.key || !s.version.empty()) break;
      ++polls;
      last = j;
      done = s.status != 404;
    }
    if (done || polls < 2) continue;
    const std::string then =
        j < trace.size() ? "then " + describe_step(trace[j]) + " at " + report.status(j).where
                         : "then the fixture ends";
    report.add(last, report.status(last), "poll-unfinished",
               "polls after " + std::string(start.op) + " at " + report.status(i).where +
                   " that end in 200 or 403",
               std::to_string(polls) + " polls (" + std::string(poll) + ") ending in 404; " + then,
               "was the last poll removed from the fixture?");
  }
}

const Json* attributes_of(const Json& bundle) {
  auto it = bundle.find("attributes");
  return it != bundle.end() && it->is_object() ? &*it : nullptr;
}

void check_clock(const std::vector<TraceStep>& trace, LintReport& report) {
  std::optional<std::int64_t> latest;
  std::string latest_where;
  std::map<std::string, std::pair<std::int64_t, std::string>> created_of;  // version -> created
  auto remember_created = [&](const TraceStep& step, const Json& bundle, const std::string& base) {
    auto id = bundle.find("id");
    const Json* attributes = attributes_of(bundle);
    if (id == bundle.end() || attributes == nullptr) return;
    const IdParts parts = parse_id(*id);
    const auto created = seconds_at(*attributes, "created");
    if (!parts.valid || parts.version.empty() || !created) return;
    const std::string key = to_lower(parts.name) + "/" + to_lower(parts.version);
    const Place place = report.response(step.index, base + "/attributes/created");
    auto [it, inserted] = created_of.try_emplace(key, *created, place.where);
    if (!inserted && it->second.first != *created) {
      report.add(step.index, place, "version-created-changed",
                 std::to_string(it->second.first) + ", as at " + it->second.second,
                 std::to_string(*created));
    }
  };
  for (const auto& step : trace) {
    if (!step.success() || step.response == nullptr) continue;
    const Json& body = *step.response;
    if (step.op == "GetPropertiesOfSecretVersions") {
      if (auto items = body.find("value"); items != body.end() && items->is_array()) {
        for (std::size_t k = 0; k < items->size(); ++k) {
          if ((*items)[k].is_object())
            remember_created(step, (*items)[k], "/value/" + std::to_string(k));
        }
      }
      continue;
    }
    if (step.op == "GetPropertiesOfSecrets" || step.op == "GetDeletedSecrets") continue;
    remember_created(step, body, "");

    // Only new events carry the service's current time; a get or a restore shows old dates.
    std::optional<std::int64_t> now;
    std::string pointer;
    if (step.op == "SetSecret") {
      if (const Json* attributes = attributes_of(body)) now = seconds_at(*attributes, "created");
      pointer = "/attributes/created";
    } else if (step.op == "DeleteSecret") {
      now = seconds_at(body, "deletedDate");
      pointer = "/deletedDate";
    }
    if (!now) continue;
    const Place place = report.response(step.index, pointer);
    if (latest && *now < *latest) {
      report.add(step.index, place, "date-went-backwards",
                 "a time >= " + std::to_string(*latest) + " (the event at " + latest_where + ")",
                 std::to_string(*now));
      continue;
    }
    latest = now;
    latest_where = place.where;
  }
}

}  // namespace

void check_sequences(const std::vector<TraceStep>& trace, LintReport& report) {
  check_paging(trace, report);
  check_polls(trace, report);
  check_clock(trace, report);
}

}  // namespace kv::harness::detail
