// docdbd's HTTP listener (docs/observability.md): /metrics served by prometheus-cpp's
// exposer, and /healthz and /readyz answered beside it on the same port. Thread-safety:
// requests are answered on the exposer's threads; `ready` is called from them.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "docdb/status.h"

namespace prometheus {
class Collectable;
class Exposer;
}  // namespace prometheus

namespace docdb::ipc {

// Why the server is not ready for requests, or empty when it is.
using NotReadyReason = std::function<std::string()>;

class HttpEndpoint {
 public:
  // Listens on `address` ("host:port"; port 0 takes a free one). /metrics answers the
  // collectable's families; /healthz answers 200 while the process runs; /readyz 200
  // when `not_ready` is empty, else 503 with the reason. IoError naming the address when
  // it cannot listen. Both must outlive the endpoint.
  static Result<std::unique_ptr<HttpEndpoint>> Start(
      const std::string& address, const std::shared_ptr<prometheus::Collectable>& metrics,
      NotReadyReason not_ready);
  ~HttpEndpoint();

  uint16_t port() const { return port_; }

 private:
  HttpEndpoint() = default;

  std::unique_ptr<prometheus::Exposer> exposer_;
  uint16_t port_ = 0;
};

}  // namespace docdb::ipc
