// The store password a remote agent needs travels from the integrator's own lookup to the agent's work dir
// through the SSH channel (host_shell_ssh.cpp), never through YAML or a command line.
#include "dli/store/credentials.hpp"
#include "store_curl_url.hpp"

namespace dli {

Result<std::string> agent_credentials_netrc(const std::string& store_url) {
  if (store_url.rfind("file://", 0) == 0) return std::string();
  auto url = curl_store::parse_store_url(store_url);
  if (!url) return url.error();
  auto credentials = resolve_credentials(url.value().bare_host, url.value().user);
  if (!credentials) return credentials.error();
  if (credentials.value().password.empty()) return std::string();
  return render_netrc(url.value().bare_host, credentials.value());
}

}  // namespace dli
