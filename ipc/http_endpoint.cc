// HttpEndpoint (ipc/http_endpoint.h). prometheus-cpp's exposer serves only collectables,
// always with 200; the health endpoints are answered by civetweb's begin_request
// callback (the HTTP server the exposer runs on) before the exposer sees them.
#include "ipc/http_endpoint.h"

#include <CivetServer.h>
#include <civetweb.h>
#include <prometheus/exposer.h>

#include <cstring>
#include <exception>
#include <map>
#include <mutex>

namespace docdb::ipc {
namespace {

// The callback has no user data of its own (the exposer's server keeps it), so it finds
// its endpoint's readiness by the port the request came in on.
std::mutex endpoints_mu;
std::map<int, NotReadyReason>& EndpointsByPort() {
  static std::map<int, NotReadyReason> endpoints;
  return endpoints;
}

int Answer(mg_connection* conn, int code, const std::string& body) {
  if (code == 200) {
    mg_send_http_ok(conn, "text/plain; charset=utf-8", static_cast<long long>(body.size()));
    mg_write(conn, body.data(), body.size());
  } else {
    mg_send_http_error(conn, code, "%s", body.c_str());
  }
  return code;
}

int BeginRequest(mg_connection* conn) {
  const mg_request_info* info = mg_get_request_info(conn);
  if (info == nullptr || info->local_uri == nullptr) return 0;
  if (std::strcmp(info->local_uri, "/healthz") == 0) return Answer(conn, 200, "ok\n");
  if (std::strcmp(info->local_uri, "/readyz") != 0) return 0;  // /metrics: the exposer's
  NotReadyReason not_ready;
  {
    std::lock_guard<std::mutex> lock(endpoints_mu);
    auto it = EndpointsByPort().find(info->server_port);
    if (it != EndpointsByPort().end()) not_ready = it->second;
  }
  const std::string reason = not_ready ? not_ready() : "starting";
  return reason.empty() ? Answer(conn, 200, "ready\n") : Answer(conn, 503, reason + "\n");
}

const CivetCallbacks& Callbacks() {
  static const CivetCallbacks callbacks = [] {
    CivetCallbacks c;
    c.begin_request = BeginRequest;
    return c;
  }();
  return callbacks;
}

}  // namespace

Result<std::unique_ptr<HttpEndpoint>> HttpEndpoint::Start(
    const std::string& address, const std::shared_ptr<prometheus::Collectable>& metrics,
    NotReadyReason not_ready) {
  std::unique_ptr<HttpEndpoint> endpoint(new HttpEndpoint());
  // The exposer throws when it cannot listen: the one exception DocDB catches, here.
  try {
    endpoint->exposer_ = std::make_unique<prometheus::Exposer>(
        std::vector<std::string>{"listening_ports", address, "num_threads", "2"}, &Callbacks());
  } catch (const std::exception& e) {
    return Status::IoError("cannot serve HTTP on " + address + ": " + e.what());
  }
  const std::vector<int> ports = endpoint->exposer_->GetListeningPorts();
  if (ports.empty()) return Status::IoError("cannot serve HTTP on " + address);
  endpoint->port_ = static_cast<uint16_t>(ports.front());
  endpoint->exposer_->RegisterCollectable(metrics);
  std::lock_guard<std::mutex> lock(endpoints_mu);
  EndpointsByPort()[endpoint->port_] = std::move(not_ready);
  return endpoint;
}

HttpEndpoint::~HttpEndpoint() {
  {
    std::lock_guard<std::mutex> lock(endpoints_mu);
    EndpointsByPort().erase(port_);
  }
  exposer_.reset();  // stops its threads: no request runs after this
}

}  // namespace docdb::ipc
