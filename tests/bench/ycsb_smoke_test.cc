// docdb-bench run as a user would, at tiny sizes: every engine built in runs every
// workload and every read it checks is correct (docs/performance-ycsb.md). Never asserts
// a speed.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <set>
#include <string>

#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace docdb::ycsb {
namespace {

testing::CommandResult RunBench(const std::string& args) {
  return testing::RunCommand(DOCDB_BENCH_PATH, args);
}

class DocdbBenchTest : public ::testing::Test {
 protected:
  // Runs docdb-bench with `args` on stores under the test's directory, expects exit
  // code 0 and returns the JSON report.
  rapidjson::Document RunAndReadJson(const std::string& args) {
    const testing::CommandResult run =
        RunBench(args + " --data-dir " + dir_.Join("stores") + " --json-out " + JsonPath() +
                 " --svg-out " + dir_.Join("chart.svg"));
    EXPECT_EQ(run.exit_code, 0) << run.out;
    rapidjson::Document json;
    json.Parse(testing::ReadFileOrDie(JsonPath()).c_str());
    EXPECT_FALSE(json.HasParseError()) << run.out;
    return json;
  }

  std::string JsonPath() const { return dir_.Join("report.json"); }

  // Checks that every built-in engine has a successful row for each workload (and
  // "load") at each thread count and durability, and that reads were verified.
  static void ExpectEveryEngineRanCorrectly(const rapidjson::Document& json,
                                            const std::set<std::string>& workloads,
                                            const std::set<int>& threads,
                                            const std::string& durability) {
    ASSERT_TRUE(json.IsObject() && json["compiled_engines"].IsArray() && json["rows"].IsArray());
    EXPECT_TRUE(json["ok"].GetBool());
    std::set<std::string> seen;
    for (const auto& row : json["rows"].GetArray()) {
      const std::string where = std::string(row["workload"].GetString()) + "/" +
                                row["engine"].GetString() + "/" + row["durability"].GetString() +
                                "/" + std::to_string(row["threads"].GetInt());
      EXPECT_EQ(row["errors"].GetUint64(), 0u) << where << ": " << row["first_failure"].GetString();
      EXPECT_EQ(row["wrong_reads"].GetUint64(), 0u)
          << where << ": " << row["first_failure"].GetString();
      EXPECT_GT(row["operations"].GetUint64(), 0u) << where;
      const std::string workload = row["workload"].GetString();
      if (workload != "load" && workload != "W") {
        EXPECT_GT(row["reads_verified"].GetUint64(), 0u) << where;
      }
      seen.insert(where);
    }
    for (const auto& engine : json["compiled_engines"].GetArray()) {
      for (const std::string& workload : workloads) {
        for (const int t : threads) {
          const std::string where =
              workload + "/" + engine.GetString() + "/" + durability + "/" + std::to_string(t);
          EXPECT_TRUE(seen.count(where)) << "no row for " << where;
        }
      }
    }
  }

  testing::TempDir dir_;
};

TEST_F(DocdbBenchTest, EveryEngineRunsEveryWorkloadRelaxedWithCorrectReads) {
  const rapidjson::Document json = RunAndReadJson("-n 200 -o 300 -t 1,2 -w all -e all -d relaxed");
  ExpectEveryEngineRanCorrectly(json, {"load", "A", "B", "C", "D", "E", "F", "W"}, {1, 2},
                                "relaxed");
  EXPECT_EQ(testing::ReadFileOrDie(dir_.Join("chart.svg")).rfind("<svg", 0), 0u);
}

TEST_F(DocdbBenchTest, EveryEngineRunsDurableWithCorrectReads) {
  // Few operations: every durable write waits for an fsync.
  const rapidjson::Document json = RunAndReadJson("-n 40 -o 40 -t 2 -w A,C,E,W -e all -d durable");
  ExpectEveryEngineRanCorrectly(json, {"load", "A", "C", "E", "W"}, {2}, "durable");
}

TEST_F(DocdbBenchTest, ColdCacheRunsSayWhetherTheCacheWasDropped) {
  const rapidjson::Document json =
      RunAndReadJson("-n 50 -o 50 -w C -e docdb -d relaxed --cold-cache");
  bool refused = false;
  for (const auto& row : json["rows"].GetArray()) {
    if (std::string(row["workload"].GetString()) != "C") continue;
    const std::string cache = row["cache"].GetString();
    EXPECT_TRUE(cache == "cold" || cache == "warm-drop-refused") << cache;
    refused = refused || cache == "warm-drop-refused";
  }
  // A refused drop is never silent: the report carries a note saying so.
  EXPECT_EQ(refused, json["notes"].Size() > 0);
}

TEST_F(DocdbBenchTest, UnknownEngineIsAUsageError) {
  const testing::CommandResult run = RunBench("-e nosuchdb --data-dir " + dir_.Join("stores"));
  EXPECT_EQ(run.exit_code, 2) << run.out;
  EXPECT_NE(run.out.find("nosuchdb"), std::string::npos) << run.out;
}

TEST_F(DocdbBenchTest, UnknownWorkloadIsAUsageError) {
  const testing::CommandResult run = RunBench("-w Z --data-dir " + dir_.Join("stores"));
  EXPECT_EQ(run.exit_code, 2) << run.out;
}

TEST_F(DocdbBenchTest, HelpExitsZero) {
  const testing::CommandResult run = RunBench("--help");
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find("Exit codes"), std::string::npos) << run.out;
}

}  // namespace
}  // namespace docdb::ycsb
