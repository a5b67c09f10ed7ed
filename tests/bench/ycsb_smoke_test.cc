// docdb-bench run as a user would, at tiny sizes: every engine built in runs every
// workload and every read it checks is correct (docs/performance-ycsb.md). Never asserts
// a speed.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <set>
#include <sstream>
#include <string>

#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace docdb::ycsb {
namespace {

testing::CommandResult RunBench(const std::string& args) {
  return testing::RunCommand(DOCDB_BENCH_PATH, args);
}

// How many lines of `text` start with `prefix`.
size_t LinesStartingWith(const std::string& text, const std::string& prefix) {
  std::istringstream lines(text);
  size_t count = 0;
  for (std::string line; std::getline(lines, line);) count += line.rfind(prefix, 0) == 0 ? 1 : 0;
  return count;
}

class DocdbBenchTest : public ::testing::Test {
 protected:
  // Runs docdb-bench with `args` on stores under the test's directory, expects exit
  // code 0 and returns the JSON report; what it printed goes to `output` when given.
  rapidjson::Document RunAndReadJson(const std::string& args, std::string* output = nullptr) {
    const testing::CommandResult run =
        RunBench(args + " --data-dir " + dir_.Join("stores") + " --json-out " + JsonPath() +
                 " --svg-out " + dir_.Join("chart.svg"));
    EXPECT_EQ(run.exit_code, 0) << run.out;
    if (output != nullptr) *output = run.out;
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

TEST_F(DocdbBenchTest, RoundsRepeatEveryEngineInAlternatingOrderAndReportMedians) {
  std::string output;
  const rapidjson::Document json =
      RunAndReadJson("-n 50 -o 50 -t 1 -w C -e docdb,lmdb -d relaxed --rounds 2", &output);
  EXPECT_TRUE(json["ok"].GetBool()) << output;
  EXPECT_NE(output.find("2 rounds"), std::string::npos) << output;
  EXPECT_NE(output.find("medians"), std::string::npos) << output;
  EXPECT_NE(output.find("min ops/s"), std::string::npos) << output;
  EXPECT_EQ(json["config"]["rounds"].GetInt(), 2);

  // Every round's rows, round 2 starting with the engine round 1 ended with.
  const auto& rows = json["rows"];
  ASSERT_EQ(rows.Size(), 8u);  // 2 rounds x 2 engines x (load, C)
  for (const auto& row : rows.GetArray()) {
    EXPECT_EQ(row["errors"].GetUint64() + row["wrong_reads"].GetUint64(), 0u)
        << row["first_failure"].GetString();
  }
  EXPECT_EQ(std::string(rows[0]["engine"].GetString()), "docdb");
  EXPECT_EQ(rows[0]["round"].GetInt(), 1);
  EXPECT_EQ(std::string(rows[4]["engine"].GetString()), "lmdb");
  EXPECT_EQ(rows[4]["round"].GetInt(), 2);

  // One summary per engine and workload, over both rounds.
  const auto& summary = json["summary"];
  ASSERT_EQ(summary.Size(), 4u);
  for (const auto& s : summary.GetArray()) {
    const std::string engine = s["engine"].GetString();
    EXPECT_EQ(s["rounds"].GetInt(), 2) << engine;
    EXPECT_LE(s["min_ops_per_s"].GetDouble(), s["ops_per_s"].GetDouble()) << engine;
    EXPECT_LE(s["ops_per_s"].GetDouble(), s["max_ops_per_s"].GetDouble()) << engine;
    EXPECT_GT(s["min_ops_per_s"].GetDouble(), 0) << engine;
    if (engine == "docdb") {
      EXPECT_DOUBLE_EQ(s["ratio_to_docdb"].GetDouble(), 1.0);
    }
  }
  // A table line per engine in the load table and in C's.
  EXPECT_EQ(LinesStartingWith(output, "docdb "), 2u) << output;
  EXPECT_EQ(LinesStartingWith(output, "lmdb "), 2u) << output;
}

TEST_F(DocdbBenchTest, FailureInAnyRoundFailsTheRunAndNamesTheRound) {
  // A data directory that is a file: no store can be created, in any round.
  testing::WriteFileOrDie(dir_.Join("not-a-dir"), "");
  const testing::CommandResult run = RunBench(
      "-n 10 -o 10 -w C -e lmdb -d relaxed --rounds 2 --data-dir " + dir_.Join("not-a-dir"));
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_NE(run.out.find("FAILED open lmdb relaxed threads 1 round 1:"), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("FAILED open lmdb relaxed threads 1 round 2:"), std::string::npos)
      << run.out;
}

TEST_F(DocdbBenchTest, ZeroRoundsIsAUsageError) {
  const testing::CommandResult run = RunBench("--rounds 0 --data-dir " + dir_.Join("stores"));
  EXPECT_EQ(run.exit_code, 2) << run.out;
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
