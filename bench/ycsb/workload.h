// The YCSB core workloads A-F plus W (100% insert), as operation mixes and a request
// distribution (docs/performance-ycsb.md, "Workloads"). Plain values; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "docdb/status.h"

namespace docdb::ycsb {

enum class Operation { kRead, kUpdate, kInsert, kScan, kReadModifyWrite };

enum class RequestDistribution {
  kZipfian,  // YCSB's scrambled zipfian over the existing records
  kLatest,   // YCSB's skewed-latest: the newest records are the most popular
};

struct WorkloadSpec {
  std::string name;  // "A" .. "F", "W"
  std::string description;
  double read_proportion = 0;
  double update_proportion = 0;
  double insert_proportion = 0;
  double scan_proportion = 0;
  double read_modify_write_proportion = 0;
  RequestDistribution distribution = RequestDistribution::kZipfian;
};

// Every workload, in the order a run executes them.
const std::vector<WorkloadSpec>& AllWorkloads();

// The workload named `name` (case-insensitive); InvalidArgument when there is none.
Result<WorkloadSpec> FindWorkload(std::string_view name);

// The operation a uniform draw `u` in [0, 1) selects, as YCSB's DiscreteGenerator does.
Operation ChooseOperation(const WorkloadSpec& spec, double u);

}  // namespace docdb::ycsb
