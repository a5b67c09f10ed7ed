// docdbsh as a user runs it: the documented session, exit codes, JSON arguments kept as
// typed, multi-line input, and the same commands through docdbd (docs/shell.md).
#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>

#include "tests/ipc/server_test.h"
#include "tests/support/damage.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace docdb {
namespace {

using testing::CommandResult;
using testing::RunCommand;

// The text of the first ```<tag> block of docs/shell.md.
std::string DocBlock(const std::string& tag) {
  const std::string doc = testing::ReadFileOrDie(std::string(DOCDB_SOURCE_DIR) + "/docs/shell.md");
  const std::string open = "```" + tag + "\n";
  const size_t start = doc.find(open);
  EXPECT_NE(start, std::string::npos) << tag;
  const size_t end = doc.find("```", start + open.size());
  return doc.substr(start + open.size(), end - start - open.size());
}

class DocdbshTest : public ::testing::Test {
 protected:
  CommandResult Shell(const std::string& args) {
    return RunCommand(DOCDBSH_PATH, "--data-dir " + dir_.Join("data") + " " + args);
  }
  // Runs the ```docdbsh<suffix> block of docs/shell.md as a script.
  CommandResult RunDocumentedSession(const std::string& suffix) {
    const std::string script = dir_.Join("session" + suffix + ".docdbsh");
    testing::WriteFileOrDie(script, DocBlock("docdbsh" + suffix));
    return Shell("-f " + script);
  }
  testing::TempDir dir_;
};

TEST_F(DocdbshTest, TheDocumentedSessionPrintsWhatTheDocsSay) {
  const CommandResult run = RunDocumentedSession("");
  EXPECT_EQ(run.out, DocBlock("output"));
  EXPECT_EQ(run.exit_code, 1) << "its last command fails";
}

TEST_F(DocdbshTest, TheDocumentedPatchSetsDeletesInsertsAndFailsAsAWhole) {
  const CommandResult run = RunDocumentedSession("-patch");
  EXPECT_EQ(run.out, DocBlock("output-patch"));
  EXPECT_EQ(run.exit_code, 1) << "its second patch fails";
}

TEST_F(DocdbshTest, ExitCodesSaySuccessFailureUsageAndExit) {
  EXPECT_EQ(Shell("-c .count").exit_code, 0);
  const CommandResult bail = Shell("--bail -c '.get nobody' -c '.put x 1'");
  EXPECT_EQ(bail.exit_code, 1);
  EXPECT_EQ(Shell("-c '.get x'").exit_code, 1) << "--bail stopped before the put";
  const CommandResult goes_on = Shell("-c '.get nobody' -c '.put x 1' -c '.get x'");
  EXPECT_EQ(goes_on.exit_code, 1);
  EXPECT_NE(goes_on.out.find(R"("doc":1})"), std::string::npos) << goes_on.out;
  EXPECT_EQ(Shell("-c '.exit 5' -c '.put y 1'").exit_code, 5);
  EXPECT_EQ(Shell("--no-such-flag").exit_code, 2);
  const CommandResult unknown = Shell("-c '.frobnicate'");
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.out.find("unknown command '.frobnicate'"), std::string::npos);
}

TEST_F(DocdbshTest, JsonArgumentsAreTakenAsTypedOrFromAFile) {
  testing::WriteFileOrDie(dir_.Join("doc.json"), R"({"from" : "a  file"})");
  const CommandResult run =
      Shell(R"(-c '.put spaced {"name":   "two  spaces",  "n": 10.50}' -c '.get spaced' )"
            "-c '.put filed @" +
            dir_.Join("doc.json") + "' -c '.get filed' -c '.insert {\"generated\": 1}'");
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find(R"({"name":"two  spaces","n":10.50})"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find(R"({"from":"a  file"})"), std::string::npos) << run.out;
  EXPECT_TRUE(std::regex_search(run.out, std::regex(R"(\{"id":"[0-9A-Z]{26}","version":\d+\})")))
      << run.out;
}

TEST_F(DocdbshTest, StandardInputRunsWithoutAPromptAndJoinsOpenBrackets) {
  testing::WriteFileOrDie(dir_.Join("in"),
                          ".put m {\n  \"list\": [1,\n    2],\n  \"s\": \"a }\"\n}\n.get m\n");
  const CommandResult run = Shell("< " + dir_.Join("in"));
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_EQ(
      run.out,
      "{\"version\":1}\n{\"id\":\"m\",\"version\":1,\"doc\":{\"list\":[1,2],\"s\":\"a }\"}}\n");
}

TEST_F(DocdbshTest, OutputModesAndBatches) {
  const CommandResult run = Shell(
      "-c '.begin' -c '.put a {\"x\":1}' -c '.put b [2]' -c '.abort' -c '.count' "
      "-c '.begin' -c '.put a {\"x\":1}' -c '.put b [2]' -c '.commit' "
      "-c '.mode table' -c '.scan' -c '.mode jsonl' -c '.scan' -c '.mode pretty' -c '.get a'");
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find(R"({"count":0})"), std::string::npos) << "an aborted batch writes nothing";
  EXPECT_NE(run.out.find("id  version  document\na   1        {\"x\":1}\nb   1        [2]\n"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("{\"id\":\"a\",\"version\":1,\"doc\":{\"x\":1}}\n{\"id\":\"b\""),
            std::string::npos)
      << run.out;
  EXPECT_NE(
      run.out.find("{\n  \"id\": \"a\",\n  \"version\": 1,\n  \"doc\": {\n    \"x\": 1\n  }\n}\n"),
      std::string::npos)
      << run.out;
}

TEST_F(DocdbshTest, WithJsonEveryCommandPrintsExactlyOneObject) {
  const CommandResult run = Shell(
      "--json -c '.put a {\"x\": 1}' -c '.get a' -c '.get b' -c '.use default' -c '.count' "
      "-c '.frobnicate' -c '.scan --limit 1'");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.out,
            "{\"ok\":true,\"version\":1}\n"
            "{\"ok\":true,\"id\":\"a\",\"version\":1,\"doc\":{\"x\":1}}\n"
            "{\"ok\":false,\"code\":\"not_found\",\"message\":\"document 'default/b' does not "
            "exist\"}\n"
            "{\"ok\":true}\n"
            "{\"ok\":true,\"count\":1}\n"
            "{\"ok\":false,\"code\":\"invalid_argument\",\"message\":\"unknown command "
            "'.frobnicate' (.help lists them)\"}\n"
            "{\"ok\":true,\"documents\":[{\"id\":\"a\",\"version\":1,\"doc\":{\"x\":1}}]}\n");
}

// Runs docdbsh on a pseudo-terminal, typing `keys`; returns what the terminal showed
// once the shell exits.
std::string RunOnTerminal(const std::string& data_dir, const std::string& history,
                          const std::string& keys) {
  const CommandResult run = testing::RunOnTerminal(
      {DOCDBSH_PATH, "--data-dir", data_dir},
      {{"DOCDBSH_HISTORY", history}, {"NO_COLOR", "1"}, {"TERM", "dumb"}}, keys);
  EXPECT_EQ(run.exit_code, 0) << run.out;
  return run.out;
}

TEST_F(DocdbshTest, OnATerminalItEditsCompletesJoinsLinesAndKeepsHistoryAcrossRuns) {
  const std::string history = dir_.Join("history");
  // A JSON argument over two lines; ".us" completed by Tab.
  const std::string first = RunOnTerminal(dir_.Join("data"), history,
                                          ".put a {\"x\":\r 1}\r.us\t default\r.get a\r.exit\r");
  EXPECT_NE(first.find("docdbsh "), std::string::npos) << "a banner on a terminal";
  EXPECT_NE(first.find("default/default> "), std::string::npos) << first;
  EXPECT_NE(first.find("...> "), std::string::npos) << "the continuation prompt: " << first;
  EXPECT_NE(first.find("\"version\": 1"), std::string::npos) << first;
  EXPECT_EQ(first.find("unknown command"), std::string::npos) << "Tab made .us .use: " << first;
  EXPECT_NE(first.find("\"x\": 1"), std::string::npos) << first;
  EXPECT_NE(testing::ReadFileOrDie(history).find(".get"), std::string::npos);
  // The next run starts with that history: Ctrl-P twice brings back ".get a".
  const std::string second = RunOnTerminal(dir_.Join("data"), history, "\x10\x10\r.exit\r");
  EXPECT_NE(second.find("\"x\": 1"), std::string::npos) << second;
}

TEST_F(DocdbshTest, HealCommandsRebuildADamagedDocumentAndReportIt) {
  ASSERT_EQ(Shell(R"(-c '.put x {"marker":"xxxx-one"}' -c '.put y 2')").exit_code, 0);
  ASSERT_EQ(testing::DamageDataSegments(dir_.Join("data") + "/default", "xxxx-one"), 1);
  const CommandResult run =
      Shell("--json -c '.heal x' -c '.heal y' -c '.heal-all' -c '.heal-stats'");
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find(R"({"ok":true,"id":"x","healed":true})"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find(R"({"ok":true,"id":"y","healed":false})"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find(R"("documents_checked":2,"healed":[],"unrecoverable":[])"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find(R"("total_scans":1,"documents_healed":1,"documents_corrupted":1)"),
            std::string::npos)
      << run.out;
  const CommandResult missing = Shell("-c '.heal nobody'");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.out.find("error: not_found"), std::string::npos) << missing.out;
}

TEST_F(DocdbshTest, MetricsMemAndWalReportTheDatabase) {
  const CommandResult run =
      Shell(R"(-c '.put a {"x":1}' -c '.get a' -c '.metrics' -c '.mem' -c '.wal')");
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find(R"(docdb_operations_total{db="default",operation="put",status="ok"} 1)"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find(R"(docdb_documents{db="default"} 1)"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find(R"("memory_bytes":)"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find(R"("wal_segments":1)"), std::string::npos) << run.out;
}

class DocdbshServerTest : public testing::ServerFixture {
 protected:
  void SetUp() override { StartServer(); }
  CommandResult Shell(const std::string& args) {
    return RunCommand(DOCDBSH_PATH, "--socket " + options_.socket_path + " " + args);
  }
};

TEST_F(DocdbshServerTest, TheSameCommandsWorkThroughDocdbd) {
  const CommandResult run = Shell(
      "-c '.open app' -c '.create-collection c' -c '.use c' -c '.put k {\"v\": 1}' "
      "-c '.merge k {\"w\": 2}' -c '.get k' -c '.list-dbs'");
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find(R"({"v":1,"w":2})"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find(R"({"name":"app","open":true})"), std::string::npos) << run.out;
  auto client = Connect();
  auto db = OpenDb(*client, "app");
  EXPECT_EQ(db->Get("c", "k")->json, R"({"v":1,"w":2})");
}

TEST_F(DocdbshServerTest, NoServerMeansExitCodeThree) {
  StopServer();
  const CommandResult run = Shell("-c .count");
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_NE(run.out.find("cannot connect to docdbd"), std::string::npos) << run.out;
}

}  // namespace
}  // namespace docdb
