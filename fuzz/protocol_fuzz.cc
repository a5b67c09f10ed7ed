// libFuzzer target for the wire protocol's decoders (ipc/protocol.h). The input is what a
// client could send: it is cut into frames the way docdbd's I/O threads cut a
// connection's bytes, and every header, request and response body that decodes must
// encode back to bytes that decode to the same thing.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "ipc/protocol.h"

namespace docdb::ipc {
namespace {

std::string_view BodyOf(const std::string& frame) {
  return std::string_view(frame).substr(kFrameHeaderBytes);
}

void CheckRequest(const FrameHeader& header, std::string_view body) {
  Result<Request> request = DecodeRequest(header, body);
  if (!request.ok()) {
    DOCDB_FUZZ_CHECK(!request.status().message().empty());
    return;
  }
  const std::string again = EncodeRequest(*request);
  Result<FrameHeader> again_header = DecodeFrameHeader(again);
  DOCDB_FUZZ_CHECK(again_header.ok());
  DOCDB_FUZZ_CHECK(again_header->body_length == again.size() - kFrameHeaderBytes);
  Result<Request> round_trip = DecodeRequest(*again_header, BodyOf(again));
  DOCDB_FUZZ_CHECK(round_trip.ok());
  DOCDB_FUZZ_CHECK(*round_trip == *request);
}

// A response body, as the client decodes one: its re-encoding is stable.
void CheckResponse(const FrameHeader& header, std::string_view body) {
  if (header.command < 1 || header.command > kMaxCommand) return;
  const auto command = static_cast<Command>(header.command);
  Result<Response> response = DecodeResponse(command, body);
  if (!response.ok()) return;
  const std::string once = EncodeResponse(command, header.request_id, *response);
  Result<Response> again = DecodeResponse(command, BodyOf(once));
  DOCDB_FUZZ_CHECK(again.ok());
  DOCDB_FUZZ_CHECK(EncodeResponse(command, header.request_id, *again) == once);
}

}  // namespace
}  // namespace docdb::ipc

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace docdb::ipc;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  while (in.size() >= kFrameHeaderBytes) {
    docdb::Result<FrameHeader> header = DecodeFrameHeader(in);
    if (!header.ok()) break;
    const size_t frame_bytes = kFrameHeaderBytes + size_t{header->body_length};
    if (in.size() < frame_bytes) break;
    const std::string_view body = in.substr(kFrameHeaderBytes, header->body_length);
    CheckRequest(*header, body);
    CheckResponse(*header, body);
    in.remove_prefix(frame_bytes);
  }
  return 0;
}
