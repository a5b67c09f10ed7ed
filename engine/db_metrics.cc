// The metrics of DBImpl (engine/db_impl.h, docs/observability.md): operation counts and
// durations recorded as operations run, the rest read from the database's state at each
// scrape, so that a scrape changes nothing.
#include <prometheus/metric_family.h>

#include "common/status_macros.h"
#include "docdb/metrics.h"
#include "engine/db_impl.h"
#include "engine/metric_families.h"
#include "io/file_system.h"

namespace docdb::engine {
namespace {

using prometheus::MetricType;

// Each series of one database, labelled with its name.
class DbFamilies {
 public:
  DbFamilies(std::vector<prometheus::MetricFamily>* families, std::string db)
      : families_(families), labels_{{"db", std::move(db)}} {}

  void Counter(std::string name, std::string help, uint64_t value) {
    AddSingle(families_, std::move(name), std::move(help), MetricType::Counter, labels_,
              static_cast<double>(value));
  }
  void Gauge(std::string name, std::string help, double value) {
    AddSingle(families_, std::move(name), std::move(help), MetricType::Gauge, labels_, value);
  }
  void Histogram(std::string name, std::string help, const AtomicHistogram& histogram,
                 double scale) {
    AddHistogram(&AddFamily(families_, std::move(name), std::move(help), MetricType::Histogram),
                 labels_, histogram, scale);
  }
  // A family with one series per value of a second label.
  prometheus::MetricFamily& Labelled(std::string name, std::string help, MetricType type) {
    return AddFamily(families_, std::move(name), std::move(help), type);
  }
  MetricLabels With(std::string label, std::string value) const {
    MetricLabels labels = labels_;
    labels.push_back({std::move(label), std::move(value)});
    return labels;
  }
  const MetricLabels& labels() const { return labels_; }

 private:
  std::vector<prometheus::MetricFamily>* const families_;
  const MetricLabels labels_;
};

constexpr double kNsToSeconds = 1e-9;
constexpr double kUsToSeconds = 1e-6;

}  // namespace

Result<std::string> DBImpl::Metrics() {
  std::vector<prometheus::MetricFamily> families;
  DOCDB_RETURN_IF_ERROR(CollectMetrics(&families));
  return MetricsText(families);
}

Status DBImpl::CollectMetrics(std::vector<prometheus::MetricFamily>* families) {
  DOCDB_ASSIGN_OR_RETURN(const Stats stats, GetStats());
  DOCDB_ASSIGN_OR_RETURN(const HealingStats healing, GetHealingStats());
  std::vector<prometheus::MetricFamily> out;
  DbFamilies db(&out,
                options_.metrics_db_label.empty() ? io::BaseName(dir_) : options_.metrics_db_label);
  operation_metrics_.Collect(db.labels().front().value, &out);

  // The product spec's name; a gauge may not end in _total (promtool's lint), so it is
  // untyped, and docdb_documents is the same value as a gauge.
  AddSingle(&out, "docdb_documents_total", "Live documents (the same as docdb_documents)",
            MetricType::Untyped, db.labels(), static_cast<double>(stats.documents));
  db.Gauge("docdb_documents", "Live documents", static_cast<double>(stats.documents));
  db.Gauge("docdb_collections", "Collections", static_cast<double>(stats.collections));
  db.Gauge("docdb_memory_bytes",
           "Memory held beyond the page cache: overlay, queued writes, WAL group buffer",
           static_cast<double>(stats.memory_bytes));
  prometheus::MetricFamily& errors = db.Labelled(
      "docdb_errors_total", "Failures returned to callers, by error class", MetricType::Counter);
  for (const auto& [error_class, count] :
       {std::pair{ErrorClass::kTransient, stats.errors_transient},
        std::pair{ErrorClass::kPermanent, stats.errors_permanent},
        std::pair{ErrorClass::kCritical, stats.errors_critical},
        std::pair{ErrorClass::kValidation, stats.errors_validation}}) {
    AddValue(&errors, db.With("category", std::string(ErrorClassName(error_class))),
             static_cast<double>(count));
  }
  db.Counter("docdb_retries_total", "Transient failures the database repeated on its own",
             stats.retries);
  db.Counter("docdb_writes_revoked_total",
             "Logged writes revoked by an abort record because they could not be applied",
             stats.writes_revoked);
  db.Gauge("docdb_read_only", "1 while the database refuses writes after a critical failure",
           stats.read_only ? 1 : 0);

  db.Gauge("docdb_wal_size_bytes", "WAL segment files on disk, preallocated space included",
           static_cast<double>(stats.wal_disk_bytes));
  db.Gauge("docdb_wal_segments", "WAL segment files on disk",
           static_cast<double>(stats.wal_segments));
  db.Gauge("docdb_wal_direct_io",
           "1 while the active WAL segment is written with direct I/O (RWF_DSYNC writes)",
           stats.wal_direct_io ? 1 : 0);
  db.Counter("docdb_wal_appended_bytes_total", "WAL bytes written", stats.wal_bytes);
  db.Counter("docdb_wal_group_commits_total", "WAL group writes", stats.wal_group_commits);
  db.Counter("docdb_wal_syncs_total", "WAL writes made durable, and fdatasyncs", stats.wal_syncs);
  db.Histogram("docdb_wal_sync_duration_seconds",
               "Duration of each durable WAL write (or fdatasync)", wal_->sync_durations_ns(),
               kNsToSeconds);
  db.Histogram("docdb_wal_group_commit_records", "WAL records written by each group commit",
               wal_->group_records(), 1);
  db.Counter("docdb_wal_segments_trimmed_total", "WAL segments deleted after checkpoints",
             stats.wal_segments_trimmed);
  db.Gauge("docdb_last_lsn", "The newest write's LSN", static_cast<double>(stats.last_lsn));

  db.Counter("docdb_checkpoints_total", "Checkpoints completed", stats.checkpoints);
  db.Counter("docdb_checkpoint_failures_total",
             "Checkpoints that failed (the previous one stayed in force)",
             stats.checkpoint_failures);
  db.Histogram("docdb_checkpoint_duration_seconds", "Duration of each completed checkpoint",
               checkpoint_durations_, kNsToSeconds);
  db.Gauge("docdb_checkpoint_last_success_timestamp_seconds",
           "When the last checkpoint completed (Unix time; 0: none since open)",
           static_cast<double>(stats.last_checkpoint_time_us) * kUsToSeconds);
  db.Gauge("docdb_checkpoint_lsn", "The LSN the index reflects",
           static_cast<double>(stats.checkpoint_lsn));
  db.Gauge("docdb_overlay_entries", "Documents written since the last checkpoint",
           static_cast<double>(stats.overlay_entries));

  db.Gauge("docdb_data_segments", "Data segment files", static_cast<double>(stats.data_segments));
  db.Gauge("docdb_data_bytes", "Bytes in data segments", static_cast<double>(stats.data_bytes));
  db.Gauge("docdb_data_live_bytes", "Bytes of the records the index names",
           static_cast<double>(stats.live_bytes));
  db.Gauge("docdb_data_dead_bytes", "Bytes compaction would reclaim",
           static_cast<double>(stats.dead_bytes));
  db.Counter("docdb_compactions_total", "Data segments compacted", stats.compactions);
  db.Counter("docdb_compaction_copied_bytes_total", "Live bytes compaction copied forward",
             stats.compaction_bytes_copied);
  db.Counter("docdb_compaction_reclaimed_bytes_total", "Data segment bytes compaction deleted",
             stats.compaction_bytes_reclaimed);

  db.Gauge("docdb_recovery_duration_seconds", "How long recovery took at the last open",
           static_cast<double>(stats.recovery.duration_us) * kUsToSeconds);
  db.Gauge("docdb_recovery_records_replayed", "WAL records replayed at the last open",
           static_cast<double>(stats.recovery.records_replayed));
  db.Gauge("docdb_recovery_dropped_bytes",
           "Bytes of a damaged final WAL write dropped at the last open",
           static_cast<double>(stats.recovery.dropped_bytes));

  db.Counter("docdb_healing_operations_total",
             "Healing requests: HealDocument calls and scans of every document (HealAll, "
             "background)",
             heal_document_calls_.load(std::memory_order_relaxed) + healing.total_scans);
  db.Counter("docdb_documents_healed_total", "Damaged documents rebuilt from the WAL",
             healing.documents_healed);
  db.Counter("docdb_documents_corrupted_total", "Damaged records found, each counted once",
             healing.documents_corrupted);
  db.Gauge("docdb_documents_unrecoverable",
           "Damaged documents the WAL no longer holds (reads of them fail with Corruption)",
           static_cast<double>(healing.documents_unrecoverable));
  MergeMetricFamilies(std::move(out), families);
  return Status::OK();
}

}  // namespace docdb::engine
