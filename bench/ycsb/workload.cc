// The YCSB core workloads (workload.h), with YCSB's proportions from workloads/workload[a-f].
#include "bench/ycsb/workload.h"

#include <cctype>
#include <iterator>
#include <utility>

namespace docdb::ycsb {

const std::vector<WorkloadSpec>& AllWorkloads() {
  using D = RequestDistribution;
  static const std::vector<WorkloadSpec> kWorkloads = {
      {"A", "update heavy: 50% read, 50% update", 0.5, 0.5, 0, 0, 0, D::kZipfian},
      {"B", "read mostly: 95% read, 5% update", 0.95, 0.05, 0, 0, 0, D::kZipfian},
      {"C", "read only: 100% read", 1.0, 0, 0, 0, 0, D::kZipfian},
      {"D", "read latest: 95% read, 5% insert", 0.95, 0, 0.05, 0, 0, D::kLatest},
      {"E", "short ranges: 95% scan (1-100), 5% insert", 0, 0, 0.05, 0.95, 0, D::kZipfian},
      {"F", "read-modify-write: 50% read, 50% RMW", 0.5, 0, 0, 0, 0.5, D::kZipfian},
      {"W", "insert only: 100% insert", 0, 0, 1.0, 0, 0, D::kZipfian},
  };
  return kWorkloads;
}

Result<WorkloadSpec> FindWorkload(std::string_view name) {
  for (const WorkloadSpec& spec : AllWorkloads()) {
    if (name.size() == 1 && std::toupper(static_cast<unsigned char>(name[0])) == spec.name[0]) {
      return spec;
    }
  }
  return Status::InvalidArgument("unknown workload '" + std::string(name) +
                                 "' (expected A, B, C, D, E, F or W)");
}

Operation ChooseOperation(const WorkloadSpec& spec, double u) {
  // Same order and cumulative comparison as CoreWorkload's operation chooser.
  const std::pair<double, Operation> choices[] = {
      {spec.read_proportion, Operation::kRead},
      {spec.update_proportion, Operation::kUpdate},
      {spec.insert_proportion, Operation::kInsert},
      {spec.scan_proportion, Operation::kScan},
      {spec.read_modify_write_proportion, Operation::kReadModifyWrite},
  };
  double sum = 0;
  for (const auto& [weight, op] : choices) {
    sum += weight;
    if (u < sum) return op;
  }
  // Rounding can leave u just above the total: YCSB then takes the last non-zero one.
  for (auto it = std::rbegin(choices); it != std::rend(choices); ++it) {
    if (it->first > 0) return it->second;
  }
  return Operation::kRead;
}

}  // namespace docdb::ycsb
