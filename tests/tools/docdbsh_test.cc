// docdbsh as a user runs it: the documented session, exit codes, JSON arguments kept as
// typed, multi-line input, and the same commands through docdbd (docs/docdbsh.md).
#include <gtest/gtest.h>

#include <regex>

#include "tests/ipc/server_test.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace docdb {
namespace {

using testing::CommandResult;
using testing::RunCommand;

// The text of the first ```<tag> block of docs/docdbsh.md.
std::string DocBlock(const std::string& tag) {
  const std::string doc =
      testing::ReadFileOrDie(std::string(DOCDB_SOURCE_DIR) + "/docs/docdbsh.md");
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
  testing::TempDir dir_;
};

TEST_F(DocdbshTest, TheDocumentedSessionPrintsWhatTheDocsSay) {
  const std::string script = dir_.Join("session.docdbsh");
  testing::WriteFileOrDie(script, DocBlock("docdbsh"));
  const CommandResult run = Shell("-f " + script);
  EXPECT_EQ(run.out, DocBlock("output"));
  EXPECT_EQ(run.exit_code, 1) << "its last command fails";
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

TEST_F(DocdbshTest, CommandsTheEngineLacksSayNotSupported) {
  for (const char* command : {".heal x", ".heal-all", ".heal-stats", ".metrics"}) {
    const CommandResult run = Shell(std::string("-c '") + command + "'");
    EXPECT_EQ(run.exit_code, 1) << command;
    EXPECT_NE(run.out.find("not_supported: this command is not supported"), std::string::npos)
        << run.out;
  }
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
