// A fresh directory per test, removed afterwards, and small file helpers for tests.
#pragma once

#include <string>

namespace docdb::testing {

class TempDir {
 public:
  TempDir();  // under $TMPDIR (or /tmp), named after the running test
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string Join(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string ReadFileOrDie(const std::string& path);
void WriteFileOrDie(const std::string& path, const std::string& contents);

}  // namespace docdb::testing
