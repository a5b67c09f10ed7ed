// docdbctl as an operator runs it: through docdbd and offline, tables and --json, exit
// codes, and offline use refused while a server holds the database (docs/admin.md).
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "tests/ipc/server_test.h"
#include "tests/support/damage.h"
#include "tests/support/run_command.h"

namespace docdb {
namespace {

using testing::CommandResult;
using testing::RunCommand;

class DocdbctlTest : public testing::ServerFixture {
 protected:
  void SetUp() override { StartServer(); }
  CommandResult Ctl(const std::string& args) {
    return RunCommand(DOCDBCTL_PATH, "--socket " + options_.socket_path + " " + args);
  }
  CommandResult Offline(const std::string& args) {
    return RunCommand(DOCDBCTL_PATH, "--data-dir " + options_.data_dir + " " + args);
  }
};

TEST_F(DocdbctlTest, DatabasesAndCollectionsThroughTheServer) {
  CommandResult run = Ctl("dbs create app");
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find("app      yes"), std::string::npos) << run.out;
  run = Ctl("--db app --json collections create users");
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_EQ(run.out, R"({"ok":true,"collections":[{"name":"default","documents":0},)"
                     R"({"name":"users","documents":0}]})"
                     "\n");
  run = Ctl("--db app --json collections create users");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.out.find(R"({"ok":false,"code":"already_exists")"), std::string::npos) << run.out;
  run = Ctl("dbs drop app");
  EXPECT_EQ(run.exit_code, 2) << "dropping needs --yes";
  EXPECT_TRUE(std::filesystem::exists(options_.data_dir + "/app"));
  run = Ctl("--json dbs drop app --yes");
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_FALSE(std::filesystem::exists(options_.data_dir + "/app"));
}

TEST_F(DocdbctlTest, StatsAndCheckpointReportTheDatabase) {
  auto client = Connect();
  ASSERT_TRUE(OpenDb(*client)->Put("default", "a", "1").ok());
  CommandResult run = Ctl("--json checkpoint");
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find(R"("checkpoint_lsn":1)"), std::string::npos) << run.out;
  run = Ctl("stats");
  EXPECT_EQ(run.exit_code, 0) << run.out;
  // Aligned `name value` lines.
  EXPECT_TRUE(std::regex_search(run.out, std::regex("(^|\n)documents +1\n"))) << run.out;
  EXPECT_TRUE(std::regex_search(run.out, std::regex("(^|\n)dead_bytes +0\n"))) << run.out;
}

TEST_F(DocdbctlTest, OfflineUseOfADatabaseTheServerHoldsIsRefusedNamingIt) {
  const CommandResult run = Offline("stats");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.out.find("most likely the docdbd serving"), std::string::npos) << run.out;
  StopServer();
  const CommandResult offline = Offline("--json stats");
  EXPECT_EQ(offline.exit_code, 0) << offline.out;
  EXPECT_NE(offline.out.find(R"({"ok":true,"documents":0)"), std::string::npos) << offline.out;
}

TEST_F(DocdbctlTest, CompactAndTrimReportWhatIsLeftOnDisk) {
  const CommandResult compacted = Ctl("--json compact");
  EXPECT_EQ(compacted.exit_code, 0) << compacted.out;
  EXPECT_NE(compacted.out.find(R"({"ok":true,"data_segments":)"), std::string::npos)
      << compacted.out;
  const CommandResult trimmed = Ctl("trim");
  EXPECT_EQ(trimmed.exit_code, 0) << trimmed.out;
  EXPECT_NE(trimmed.out.find("wal_segments_trimmed"), std::string::npos) << trimmed.out;
}

TEST_F(DocdbctlTest, HealRebuildsDamagedDocumentsThroughTheServer) {
  auto client = Connect();
  {
    std::unique_ptr<DB> db = OpenDb(*client);
    ASSERT_TRUE(db->Put("default", "x", R"({"marker":"xxxx-one"})").ok());
    ASSERT_TRUE(db->Put("default", "y", R"({"marker":"yyyy-one"})").ok());
    ASSERT_TRUE(db->Checkpoint().ok());
  }
  ASSERT_EQ(testing::DamageDataSegments(options_.data_dir + "/default", "xxxx-one"), 1);
  ASSERT_EQ(testing::DamageDataSegments(options_.data_dir + "/default", "yyyy-one"), 1);
  CommandResult run = Ctl("--json heal default x");
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_EQ(run.out, R"({"ok":true,"collection":"default","id":"x","healed":true})"
                     "\n");
  run = Ctl("--json heal --all");
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find(R"("documents_checked":2,"healed":1,"unrecoverable":0)"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find(R"({"collection":"default","id":"y",)"), std::string::npos) << run.out;
  run = Ctl("heal-stats");
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_TRUE(std::regex_search(run.out, std::regex("(^|\n)documents_healed +2\n"))) << run.out;
  EXPECT_EQ(Ctl("heal default").exit_code, 2) << "a collection without an id";
  EXPECT_EQ(Ctl("heal default nobody").exit_code, 1);
}

TEST_F(DocdbctlTest, VerifyAndBackupThroughTheServer) {
  auto client = Connect();
  ASSERT_TRUE(OpenDb(*client)->Put("default", "x", R"({"marker":"xxxx-one"})").ok());
  CommandResult run = Ctl("--json verify");
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find(R"({"ok":true,"documents_checked":1,"segments_checked":1,)"
                         R"("damaged":0,"problems":0)"),
            std::string::npos)
      << run.out;
  const std::string copy = options_.data_dir + "/../backup-copy";
  run = Ctl("backup " + copy);
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_EQ(Ctl("backup " + copy).exit_code, 1) << "the destination is no longer empty";
  // The copy is a database directory: docdbctl opens it offline and finds the document.
  run = RunCommand(DOCDBCTL_PATH, "--data-dir " + options_.data_dir +
                                      "/.. --db backup-copy "
                                      "--json stats");
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find(R"("documents":1)"), std::string::npos) << run.out;

  ASSERT_TRUE(OpenDb(*client)->Checkpoint().ok());
  ASSERT_EQ(testing::DamageDataSegments(options_.data_dir + "/default", "xxxx-one"), 1);
  run = Ctl("verify");
  EXPECT_EQ(run.exit_code, 1) << "damage found: " << run.out;
  EXPECT_NE(run.out.find("damaged"), std::string::npos) << run.out;
}

TEST_F(DocdbctlTest, RebuildIndexWorksOfflineOnly) {
  {
    auto client = Connect();
    ASSERT_TRUE(OpenDb(*client)->Put("default", "x", "1").ok());
  }
  CommandResult run = Ctl("rebuild-index");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.out.find("offline only"), std::string::npos) << run.out;
  run = Offline("rebuild-index");
  EXPECT_EQ(run.exit_code, 1) << "the server holds it: " << run.out;
  StopServer();  // closing checkpoints: the checkpoint file names x
  std::filesystem::remove_all(options_.data_dir + "/default/index");
  run = Offline("--json rebuild-index");
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find(R"("documents":1)"), std::string::npos) << run.out;
  run = Offline("--json stats");
  EXPECT_NE(run.out.find(R"("documents":1)"), std::string::npos) << run.out;
}

TEST_F(DocdbctlTest, LongOperationsDrawAProgressBarOnATerminalOnly) {
  {
    auto client = Connect();
    for (int i = 0; i < 300; ++i) {
      ASSERT_TRUE(OpenDb(*client)->Put("default", "d" + std::to_string(i % 100), "[1]").ok());
    }
  }
  // Through the server the protocol reports no progress: the time taken, no bar.
  CommandResult run =
      testing::RunOnTerminal({DOCDBCTL_PATH, "--socket", options_.socket_path, "verify"}, {}, "");
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_TRUE(std::regex_search(run.out, std::regex(R"(\rverify \.\.\.  [0-9]+\.[0-9] s)")))
      << run.out;
  StopServer();
  for (const char* command : {"verify", "compact"}) {
    run = testing::RunOnTerminal({DOCDBCTL_PATH, "--data-dir", options_.data_dir, command}, {}, "");
    EXPECT_EQ(run.exit_code, 0) << run.out;
    EXPECT_TRUE(std::regex_search(
        run.out, std::regex(std::string(R"(\r)") + command + R"( \[#{30}\] 100%  [0-9.]+ s)")))
        << run.out;
  }
  run = Offline("verify");  // piped: no bar
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_EQ(run.out.find('\r'), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find("100%"), std::string::npos) << run.out;
}

TEST_F(DocdbctlTest, StatusSaysHowLongTheServerRunsAndWhetherADatabaseRefusesWrites) {
  CommandResult run = Ctl("--json status");
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find(R"("uptime_s":)"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find(R"("read_only":false,"databases":[{"name":"default","open":true,)"
                         R"("read_only":false,"reason":""}])"),
            std::string::npos)
      << run.out;
  StopServer();
  run = Offline("--json status");
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_EQ(run.out.find("uptime_s"), std::string::npos) << "no server: " << run.out;
}

TEST_F(DocdbctlTest, MetricsPrintsTheServersExpositionAndExitCodesAreDocumented) {
  ASSERT_EQ(Ctl("collections create things").exit_code, 0);
  CommandResult run = Ctl("metrics");
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find("# TYPE docdb_operations_total counter"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find(R"(docdb_operations_total{db="default",operation="create_collection",)"
                         R"(status="ok"} 1)"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("docdb_connections "), std::string::npos) << "the server's own";
  run = Ctl("--json metrics");
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_EQ(run.out.rfind(R"({"ok":true,"metrics":"# HELP )", 0), 0u) << run.out;
  EXPECT_EQ(Ctl("").exit_code, 2) << "a command is required";
  EXPECT_EQ(Ctl("frobnicate").exit_code, 2);
  StopServer();
  EXPECT_EQ(Ctl("status").exit_code, 3);
}

}  // namespace
}  // namespace docdb
