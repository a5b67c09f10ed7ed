// docdbctl: DocDB's administration tool (docs/admin.md). Runs one command against a
// docdbd or, offline, a data directory; tables for people, --json for scripts.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "tools/common/backend.h"
#include "tools/common/json_text.h"
#include "tools/common/progress_bar.h"
#include "tools/common/table.h"

namespace {

using docdb::Result;
using docdb::Status;
using docdb::tools::JsonQuote;

// Exit codes (docs/admin.md).
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
constexpr int kExitConnectionLost = 3;

// A command's result: rows of name/value pairs, or a table; printed as aligned text or
// as one JSON object.
struct Output {
  std::vector<std::pair<std::string, std::string>> fields;  // value as JSON
  std::string list_key;
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;  // cells as text
  std::vector<std::string> elements;           // the same rows as JSON objects
};

void Print(const Output& o, bool json) {
  if (json) {
    std::cout << R"({"ok":true)";
    for (const auto& [name, value] : o.fields) std::cout << "," << JsonQuote(name) << ":" << value;
    if (!o.list_key.empty()) {
      std::cout << "," << JsonQuote(o.list_key) << ":[";
      for (size_t i = 0; i < o.elements.size(); ++i) std::cout << (i ? "," : "") << o.elements[i];
      std::cout << "]";
    }
    std::cout << "}\n";
    return;
  }
  size_t width = 0;
  for (const auto& [name, value] : o.fields) width = std::max(width, name.size());
  for (const auto& [name, value] : o.fields) {
    std::string text = value;
    if (text.size() >= 2 && text.front() == '"') text = text.substr(1, text.size() - 2);
    std::cout << std::left << std::setw(static_cast<int>(width + 2)) << name << text << "\n";
  }
  if (!o.list_key.empty()) docdb::tools::PrintTable(std::cout, o.columns, o.rows);
}

// Runs `operation` (called with a ProgressCallback) under a progress bar on standard
// error, when that is a terminal.
template <typename Operation>
auto WithProgress(const std::string& label, Operation&& operation) {
  docdb::tools::ProgressBar bar(label, ::isatty(STDERR_FILENO) == 1);
  return operation(bar.Callback());
}

int Fail(const Status& status, bool json) {
  if (json) {
    std::cout << R"({"ok":false,"code":)" << JsonQuote(docdb::StatusCodeName(status.code()))
              << R"(,"message":)" << JsonQuote(status.message()) << "}\n";
  } else {
    std::cerr << "docdbctl: " << status.ToString() << "\n";
  }
  return status.code() == docdb::StatusCode::kUnavailable ? kExitConnectionLost : kExitFailed;
}

Output StatsOutput(const docdb::Stats& s) {
  const auto n = [](uint64_t v) { return std::to_string(v); };
  return {{{"documents", n(s.documents)},
           {"collections", n(s.collections)},
           {"last_lsn", n(s.last_lsn)},
           {"checkpoint_lsn", n(s.checkpoint_lsn)},
           {"checkpoints", n(s.checkpoints)},
           {"checkpoint_failures", n(s.checkpoint_failures)},
           {"last_checkpoint_error", JsonQuote(s.last_checkpoint_error)},
           {"overlay_entries", n(s.overlay_entries)},
           {"wal_bytes", n(s.wal_bytes)},
           {"wal_syncs", n(s.wal_syncs)},
           {"wal_group_commits", n(s.wal_group_commits)},
           {"wal_segments", n(s.wal_segments)},
           {"wal_disk_bytes", n(s.wal_disk_bytes)},
           {"wal_segments_trimmed", n(s.wal_segments_trimmed)},
           {"data_segments", n(s.data_segments)},
           {"data_bytes", n(s.data_bytes)},
           {"live_bytes", n(s.live_bytes)},
           {"dead_bytes", n(s.dead_bytes)},
           {"memory_bytes", n(s.memory_bytes)},
           {"compactions", n(s.compactions)},
           {"compaction_bytes_copied", n(s.compaction_bytes_copied)},
           {"compaction_bytes_reclaimed", n(s.compaction_bytes_reclaimed)},
           {"read_only", s.read_only ? "true" : "false"},
           {"read_only_reason", JsonQuote(s.read_only_reason)},
           {"writes_revoked", n(s.writes_revoked)},
           {"errors_transient", n(s.errors_transient)},
           {"errors_permanent", n(s.errors_permanent)},
           {"errors_critical", n(s.errors_critical)},
           {"errors_validation", n(s.errors_validation)},
           {"retries", n(s.retries)},
           {"io_backend", JsonQuote(s.io_backend)},
           {"wal_direct_io", s.wal_direct_io ? "true" : "false"},
           {"recovery_records_replayed", n(s.recovery.records_replayed)},
           {"recovery_dropped_bytes", n(s.recovery.dropped_bytes)},
           {"recovery_detail", JsonQuote(s.recovery.detail)}},
          "",
          {},
          {},
          {}};
}

// Appends damaged documents to the output's table, each with what happened to it.
void ListDamaged(Output* o, const std::vector<docdb::DamagedDocument>& documents,
                 const std::string& outcome) {
  o->list_key = "documents";
  o->columns = {"collection", "id", "version", "outcome", "problem"};
  for (const docdb::DamagedDocument& d : documents) {
    o->rows.push_back({d.collection, d.id, std::to_string(d.version), outcome, d.problem});
    o->elements.push_back(R"({"collection":)" + JsonQuote(d.collection) + R"(,"id":)" +
                          JsonQuote(d.id) + R"(,"version":)" + std::to_string(d.version) +
                          R"(,"outcome":)" + JsonQuote(outcome) + R"(,"problem":)" +
                          JsonQuote(d.problem) + "}");
  }
}

Output HealingStatsOutput(const docdb::HealingStats& h) {
  const auto n = [](auto v) { return std::to_string(v); };
  Output o{{{"total_scans", n(h.total_scans)},
            {"documents_healed", n(h.documents_healed)},
            {"documents_corrupted", n(h.documents_corrupted)},
            {"on_demand_healings", n(h.on_demand_healings)},
            {"background_healings", n(h.background_healings)},
            {"documents_unrecoverable", n(h.documents_unrecoverable)},
            {"last_scan_time_us", n(h.last_scan_time_us)},
            {"last_healing_time_us", n(h.last_healing_time_us)}},
           "",
           {},
           {},
           {}};
  ListDamaged(&o, h.unrecoverable, "unrecoverable");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"docdbctl: DocDB administration (docs/admin.md)"};
  app.set_version_flag("--version", "docdbctl " DOCDB_VERSION);
  app.require_subcommand(1);
  std::string socket;
  std::string data_dir;
  std::string db = "default";
  bool json = false;
  auto* socket_opt =
      app.add_option("--socket", socket, "docdbd's socket (default ./data/docdb.sock)");
  app.add_option("--data-dir", data_dir, "Work offline on the databases under DIR")
      ->excludes(socket_opt);
  app.add_option("--db", db, "The database (default: default)");
  app.add_flag("--json", json, "Print one JSON object: {\"ok\":true,...} or {\"ok\":false,...}");

  auto* status_cmd =
      app.add_subcommand("status", "Where the databases are, and the server's version");
  auto* stats_cmd = app.add_subcommand("stats", "The database's counters");
  auto* checkpoint_cmd = app.add_subcommand("checkpoint", "Make the index current");
  auto* trim_cmd =
      app.add_subcommand("trim", "Delete the WAL segments the last checkpoint made unnecessary");
  auto* compact_cmd = app.add_subcommand(
      "compact", "Reclaim the dead space of the data segments (checkpoints too)");
  auto* dbs_cmd = app.add_subcommand("dbs", "Databases: list, create, drop");
  std::string name;
  auto* dbs_list = dbs_cmd->add_subcommand("list", "The databases");
  auto* dbs_create = dbs_cmd->add_subcommand("create", "Create (or open) a database");
  dbs_create->add_option("name", name)->required();
  auto* dbs_drop = dbs_cmd->add_subcommand("drop", "Delete a database and its files");
  dbs_drop->add_option("name", name)->required();
  bool yes = false;
  dbs_drop->add_flag("--yes", yes, "Really delete it")->required();
  dbs_cmd->require_subcommand(1);
  auto* coll_cmd = app.add_subcommand("collections", "Collections: list, create, drop");
  coll_cmd->add_subcommand("list", "The collections and their documents");
  auto* coll_create = coll_cmd->add_subcommand("create", "Create a collection");
  coll_create->add_option("name", name)->required();
  auto* coll_drop = coll_cmd->add_subcommand("drop", "Drop a collection");
  coll_drop->add_option("name", name)->required();
  bool force = false;
  coll_drop->add_flag("--force", force, "Drop it with its documents");
  coll_cmd->require_subcommand(1);
  auto* heal_cmd = app.add_subcommand(
      "heal", "Rebuild a damaged document from the WAL: heal <collection> <id>, or heal --all");
  std::string heal_collection;
  std::string heal_id;
  bool heal_all = false;
  auto* heal_all_opt =
      heal_cmd->add_flag("--all", heal_all, "Check every document and heal each damaged one");
  heal_cmd->add_option("collection", heal_collection)->excludes(heal_all_opt);
  heal_cmd->add_option("id", heal_id)->excludes(heal_all_opt);
  auto* heal_stats_cmd = app.add_subcommand("heal-stats", "Healing counters and what is lost");
  // Named now, so that scripts can be written against them; the engine has them to come.
  auto* verify_cmd = app.add_subcommand(
      "verify", "Check every document and index entry against the data segments; change nothing");
  auto* backup_cmd = app.add_subcommand(
      "backup", "Write a consistent copy of the database to a new directory while it runs");
  std::string backup_dir;
  backup_cmd->add_option("dest-dir", backup_dir, "The new directory (absolute through a server)")
      ->required();
  auto* rebuild_cmd = app.add_subcommand(
      "rebuild-index", "Rebuild a lost or damaged index from the data segments (offline)");
  bool accept_damage = false;
  rebuild_cmd->add_flag("--accept-damage", accept_damage,
                        "Rebuild even when data segments are damaged (what was there is lost)");
  auto* metrics_cmd = app.add_subcommand(
      "metrics", "Print the metrics in the Prometheus text format (a server's: all of them)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  }
  if (heal_cmd->parsed() && !heal_all && heal_id.empty()) {
    std::cerr << "docdbctl: heal needs <collection> <id>, or --all\n";
    return kExitUsage;
  }

  if (rebuild_cmd->parsed()) {
    if (data_dir.empty()) {
      return Fail(Status::InvalidArgument("rebuild-index works offline only: stop docdbd and "
                                          "name the data directory with --data-dir"),
                  json);
    }
    Result<docdb::RebuildReport> report =
        WithProgress("rebuild-index", [&](const docdb::ProgressCallback& progress) {
          return docdb::DB::RebuildIndex(data_dir + "/" + db, accept_damage, progress);
        });
    if (!report.ok()) return Fail(report.status(), json);
    Output out{{{"checkpoint_lsn", std::to_string(report->checkpoint_lsn)},
                {"segments", std::to_string(report->segments)},
                {"records", std::to_string(report->records)},
                {"documents", std::to_string(report->documents)},
                {"damaged_bytes", std::to_string(report->damaged_bytes)},
                {"previous_index", JsonQuote(report->previous_index)}},
               "damage",
               {"damage"},
               {},
               {}};
    for (const std::string& d : report->damage) {
      out.rows.push_back({d});
      out.elements.push_back(JsonQuote(d));
    }
    Print(out, json);
    return 0;
  }

  Result<std::unique_ptr<docdb::tools::Backend>> opened_backend =
      docdb::tools::OpenBackend(socket, data_dir);
  if (!opened_backend.ok()) return Fail(opened_backend.status(), json);
  const std::unique_ptr<docdb::tools::Backend> backend = *std::move(opened_backend);

  Output out;
  if (status_cmd->parsed()) {
    Result<std::vector<docdb::DatabaseEntry>> dbs = backend->List();
    if (!dbs.ok()) return Fail(dbs.status(), json);
    out.fields = {{"server", JsonQuote(backend->Describe())},
                  {"version", JsonQuote(DOCDB_VERSION)},
                  {"databases", std::to_string(dbs->size())}};
    if (const std::optional<uint64_t> uptime = backend->UptimeMs()) {
      out.fields.emplace_back("uptime_s", std::to_string(*uptime / 1000));
    }
    // Each database the server has open, and whether it refuses writes after a critical
    // failure (docs/errors.md); one that is not open is neither healthy nor not.
    bool any_read_only = false;
    out.list_key = "databases";
    out.columns = {"name", "open", "read_only", "reason"};
    for (const docdb::DatabaseEntry& d : *dbs) {
      docdb::Stats stats;
      if (d.open) {
        Result<std::unique_ptr<docdb::DB>> opened = backend->Open(d.name);
        if (!opened.ok()) return Fail(opened.status(), json);
        Result<docdb::Stats> got = (*opened)->GetStats();
        if (!got.ok()) return Fail(got.status(), json);
        stats = *std::move(got);
      }
      any_read_only = any_read_only || stats.read_only;
      out.rows.push_back(
          {d.name, d.open ? "yes" : "no", stats.read_only ? "yes" : "no", stats.read_only_reason});
      out.elements.push_back(R"({"name":)" + JsonQuote(d.name) + R"(,"open":)" +
                             (d.open ? "true" : "false") + R"(,"read_only":)" +
                             (stats.read_only ? "true" : "false") + R"(,"reason":)" +
                             JsonQuote(stats.read_only_reason) + "}");
    }
    out.fields.emplace_back("read_only", any_read_only ? "true" : "false");
  } else if (dbs_cmd->parsed()) {
    if (dbs_create->parsed()) {
      Result<std::unique_ptr<docdb::DB>> opened = backend->Open(name);
      if (!opened.ok()) return Fail(opened.status(), json);
    } else if (dbs_drop->parsed()) {
      if (Status s = backend->Drop(name); !s.ok()) return Fail(s, json);
    }
    if (dbs_list->parsed() || dbs_create->parsed() || dbs_drop->parsed()) {
      Result<std::vector<docdb::DatabaseEntry>> dbs = backend->List();
      if (!dbs.ok()) return Fail(dbs.status(), json);
      out.list_key = "databases";
      out.columns = {"name", "open"};
      for (const docdb::DatabaseEntry& d : *dbs) {
        out.rows.push_back({d.name, d.open ? "yes" : "no"});
        out.elements.push_back(R"({"name":)" + JsonQuote(d.name) + R"(,"open":)" +
                               (d.open ? "true" : "false") + "}");
      }
    }
  } else {
    Result<std::unique_ptr<docdb::DB>> opened = backend->Open(db);
    if (!opened.ok()) return Fail(opened.status(), json);
    docdb::DB& database = **opened;
    if (metrics_cmd->parsed()) {
      Result<std::string> text = database.Metrics();
      if (!text.ok()) return Fail(text.status(), json);
      if (!json) {
        std::cout << *text;  // as a scraper would read it: no table
        return 0;
      }
      out.fields = {{"metrics", JsonQuote(*text)}};
    } else if (stats_cmd->parsed()) {
      Result<docdb::Stats> stats = database.GetStats();
      if (!stats.ok()) return Fail(stats.status(), json);
      out = StatsOutput(*stats);
    } else if (checkpoint_cmd->parsed()) {
      if (Status s = database.Checkpoint(); !s.ok()) return Fail(s, json);
      Result<docdb::Stats> stats = database.GetStats();
      if (!stats.ok()) return Fail(stats.status(), json);
      out.fields = {{"checkpoint_lsn", std::to_string(stats->checkpoint_lsn)}};
    } else if (trim_cmd->parsed() || compact_cmd->parsed()) {
      const bool trim = trim_cmd->parsed();
      const Status s = trim ? database.TrimWal()
                            : WithProgress("compact", [&](const docdb::ProgressCallback& progress) {
                                return database.Compact(progress);
                              });
      if (!s.ok()) return Fail(s, json);
      Result<docdb::Stats> stats = database.GetStats();
      if (!stats.ok()) return Fail(stats.status(), json);
      const auto n = [](uint64_t v) { return std::to_string(v); };
      if (trim) {
        out.fields = {{"wal_segments", n(stats->wal_segments)},
                      {"wal_disk_bytes", n(stats->wal_disk_bytes)},
                      {"wal_segments_trimmed", n(stats->wal_segments_trimmed)}};
      } else {
        out.fields = {{"data_segments", n(stats->data_segments)},
                      {"data_bytes", n(stats->data_bytes)},
                      {"live_bytes", n(stats->live_bytes)},
                      {"compaction_bytes_reclaimed", n(stats->compaction_bytes_reclaimed)}};
      }
    } else if (heal_cmd->parsed() && heal_all) {
      Result<docdb::HealReport> report = database.HealAll();
      if (!report.ok()) return Fail(report.status(), json);
      out.fields = {{"documents_checked", std::to_string(report->documents_checked)},
                    {"healed", std::to_string(report->healed.size())},
                    {"unrecoverable", std::to_string(report->unrecoverable.size())}};
      ListDamaged(&out, report->healed, "healed");
      ListDamaged(&out, report->unrecoverable, "unrecoverable");
    } else if (heal_cmd->parsed()) {
      Result<bool> healed = database.HealDocument(heal_collection, heal_id);
      if (!healed.ok()) return Fail(healed.status(), json);
      out.fields = {{"collection", JsonQuote(heal_collection)},
                    {"id", JsonQuote(heal_id)},
                    {"healed", *healed ? "true" : "false"}};
    } else if (verify_cmd->parsed()) {
      Result<docdb::VerifyReport> report = WithProgress(
          "verify",
          [&](const docdb::ProgressCallback& progress) { return database.Verify(progress); });
      if (!report.ok()) return Fail(report.status(), json);
      out.fields = {{"documents_checked", std::to_string(report->documents_checked)},
                    {"segments_checked", std::to_string(report->segments_checked)},
                    {"damaged", std::to_string(report->damaged.size())},
                    {"problems", std::to_string(report->problems.size())}};
      ListDamaged(&out, report->damaged, "damaged");
      for (const std::string& problem : report->problems) {
        out.rows.push_back({"", "", "", "problem", problem});
        out.elements.push_back(R"({"outcome":"problem","problem":)" + JsonQuote(problem) + "}");
      }
      if (!report->ok()) {
        Print(out, json);
        return kExitFailed;  // docs/admin.md: verify exits 1 when anything is wrong
      }
    } else if (backup_cmd->parsed()) {
      // Relative to where docdbctl runs, not to where a server does.
      backup_dir = std::filesystem::absolute(backup_dir).string();
      const Status s = WithProgress("backup", [&](const docdb::ProgressCallback& progress) {
        return database.Backup(backup_dir, progress);
      });
      if (!s.ok()) return Fail(s, json);
      Result<docdb::Stats> stats = database.GetStats();
      if (!stats.ok()) return Fail(stats.status(), json);
      out.fields = {{"destination", JsonQuote(backup_dir)},
                    {"checkpoint_lsn", std::to_string(stats->checkpoint_lsn)}};
    } else if (heal_stats_cmd->parsed()) {
      Result<docdb::HealingStats> healing = database.GetHealingStats();
      if (!healing.ok()) return Fail(healing.status(), json);
      out = HealingStatsOutput(*healing);
    } else if (coll_cmd->parsed()) {
      if (coll_create->parsed()) {
        if (Status s = database.CreateCollection(name); !s.ok()) return Fail(s, json);
      } else if (coll_drop->parsed()) {
        if (Status s = database.DropCollection(name, force); !s.ok()) return Fail(s, json);
      }
      Result<std::vector<docdb::CollectionInfo>> list = database.ListCollections();
      if (!list.ok()) return Fail(list.status(), json);
      out.list_key = "collections";
      out.columns = {"name", "documents"};
      for (const docdb::CollectionInfo& c : *list) {
        out.rows.push_back({c.name, std::to_string(c.document_count)});
        out.elements.push_back(R"({"name":)" + JsonQuote(c.name) + R"(,"documents":)" +
                               std::to_string(c.document_count) + "}");
      }
    }
  }
  Print(out, json);
  return 0;
}
