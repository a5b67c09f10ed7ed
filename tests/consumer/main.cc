// Uses only the installed public API: open, write, read back, reopen; and the client.
#include <docdb/client.h>
#include <docdb/db.h>

#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  for (int round = 0; round < 2; ++round) {
    docdb::Result<std::unique_ptr<docdb::DB>> db = docdb::DB::Open(argv[1]);
    if (!db.ok()) {
      std::fprintf(stderr, "open: %s\n", db.status().ToString().c_str());
      return 1;
    }
    if (round == 0 && !(*db)->Put("default", "hello", R"({"from": "consumer"})").ok()) return 1;
    docdb::Result<docdb::Document> doc = (*db)->Get("default", "hello");
    if (!doc.ok() || doc->json != R"({"from":"consumer"})") {
      std::fprintf(stderr, "get: %s\n",
                   doc.ok() ? doc->json.c_str() : doc.status().ToString().c_str());
      return 1;
    }
  }
  // The client library links too: nothing listens at this socket.
  docdb::ClientOptions nowhere;
  nowhere.socket_path = std::string(argv[1]) + "/no.sock";
  if (docdb::Client::Connect(nowhere).status().code() != docdb::StatusCode::kUnavailable) return 1;
  std::puts("consumer ok");
  return 0;
}
