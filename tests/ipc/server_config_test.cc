// docdbd's configuration (ipc/server_config.h, docs/configuration.md): the documented
// example and keys, round trips through --print-config, and errors that name the key.
#include "ipc/server_config.h"

#include <gtest/gtest.h>

#include <sstream>

#include "tests/support/temp_dir.h"

namespace docdb::ipc {
namespace {

std::string ConfigurationDoc() {
  return testing::ReadFileOrDie(std::string(DOCDB_SOURCE_DIR) + "/docs/configuration.md");
}

TEST(ServerConfigTest, TheDocumentedExampleIsValidAndMeansWhatItSays) {
  const std::string doc = ConfigurationDoc();
  const size_t start = doc.find("```toml\n");
  ASSERT_NE(start, std::string::npos);
  const size_t end = doc.find("```", start + 8);
  ServerConfig config;
  const Status applied =
      ApplyConfigToml(doc.substr(start + 8, end - start - 8), "docs/configuration.md", &config);
  ASSERT_TRUE(applied.ok()) << applied.ToString();
  EXPECT_EQ(config.server.data_dir, "/var/lib/docdb");
  EXPECT_EQ(config.server.socket_group, "docdb");
  EXPECT_EQ(config.server.db.checkpoint_interval_bytes, 134217728u);
  EXPECT_EQ(config.log_level, LogLevel::kWarning);
}

TEST(ServerConfigTest, EveryOptionIsDocumentedAndRoundTrips) {
  const std::string doc = ConfigurationDoc();
  ServerConfig changed;
  changed.server.io_threads = 7;
  changed.server.socket_path = "/tmp/it's.sock";
  changed.server.db.durability = Durability::kPeriodic;
  changed.server.db.recovery_mode = RecoveryMode::kSalvage;
  changed.server.db.checkpoint_on_close = false;
  changed.server.db.compaction_dead_ratio = 0.25;
  changed.server.db.wal_keep_segments = 5;
  changed.log_level = LogLevel::kError;
  const std::string printed = ConfigToToml(changed);
  std::string section;
  size_t keys = 0;
  std::istringstream lines(printed);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    if (line.front() == '[') {
      section = line.substr(1, line.size() - 2);
      continue;
    }
    const std::string key = section + "." + line.substr(0, line.find(' '));
    EXPECT_NE(doc.find("`" + key + "`"), std::string::npos) << key << " is not documented";
    ++keys;
  }
  EXPECT_GE(keys, 25u);
  ServerConfig back;
  const Status applied = ApplyConfigToml(printed, "printed", &back);
  ASSERT_TRUE(applied.ok()) << applied.ToString() << "\n" << printed;
  EXPECT_EQ(ConfigToToml(back), printed);
  EXPECT_EQ(back.server.socket_path, "/tmp/it's.sock");
  EXPECT_EQ(back.server.db.durability, Durability::kPeriodic);
  EXPECT_EQ(back.server.db.compaction_dead_ratio, 0.25);
  EXPECT_EQ(back.server.db.wal_keep_segments, 5u);
}

TEST(ServerConfigTest, ErrorsNameTheKeyTheLineAndWhatWasExpected) {
  ServerConfig config;
  Status s = ApplyConfigToml("[server]\nio_threads = 5\nio_thread = 3\n", "f.toml", &config);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("unknown configuration key 'server.io_thread' (f.toml line 3"),
            std::string::npos)
      << s.ToString();
  s = ApplyConfigToml("[server]\nmax_connections = 0\n", "f.toml", &config);
  EXPECT_NE(
      s.message().find("'server.max_connections' (f.toml line 2): expected an integer from 1"),
      std::string::npos)
      << s.ToString();
  for (const char* ratio : {"1.5", "0", "-0.5", "\"half\""}) {
    s = ApplyConfigToml(std::string("engine.compaction_dead_ratio = ") + ratio, "f.toml", &config);
    EXPECT_NE(s.message().find("'engine.compaction_dead_ratio' (f.toml line 1): expected a "
                               "number greater than 0 and at most 1"),
              std::string::npos)
        << ratio << ": " << s.ToString();
  }
  s = ApplyConfigToml("engine.durability = true", "f.toml", &config);
  EXPECT_NE(s.message().find("expected one of sync, periodic, none"), std::string::npos);
  s = ApplyConfigToml("[server\n", "f.toml", &config);
  EXPECT_NE(s.message().find("f.toml line 1: not valid TOML"), std::string::npos) << s.ToString();
  EXPECT_EQ(config.server.io_threads, 0u) << "a file with an error changes nothing";
}

TEST(ServerConfigTest, SettingsTakeTomlValuesOrBareWords) {
  ServerConfig config;
  ASSERT_TRUE(ApplyConfigSetting("server.io_threads=4", &config).ok());
  ASSERT_TRUE(ApplyConfigSetting("engine.durability=none", &config).ok());
  ASSERT_TRUE(ApplyConfigSetting("server.socket=/tmp/a b.sock", &config).ok());
  ASSERT_TRUE(ApplyConfigSetting("engine.checkpoint_on_close=false", &config).ok());
  EXPECT_EQ(config.server.io_threads, 4u);
  EXPECT_EQ(config.server.db.durability, Durability::kNone);
  EXPECT_EQ(config.server.socket_path, "/tmp/a b.sock");
  EXPECT_FALSE(config.server.db.checkpoint_on_close);
  EXPECT_EQ(ApplyConfigSetting("server.io_threads", &config).code(), StatusCode::kInvalidArgument);
  Status s = ApplyConfigSetting("server.nope=1", &config);
  EXPECT_NE(s.message().find("unknown configuration key 'server.nope'"), std::string::npos);
  s = ApplyConfigSetting("server.io_threads=many", &config);
  EXPECT_NE(s.message().find("expected an integer"), std::string::npos) << s.ToString();
  EXPECT_EQ(config.server.io_threads, 4u);
}

}  // namespace
}  // namespace docdb::ipc
