#pragma once
// An SSH host key as people and OpenSSH write it: its fingerprint (`SHA256:...`, as `ssh-keygen -lf` prints it, so
// a person can compare it with the host's own) and its known_hosts line. Pure functions: no I/O.
#include <string>
#include <string_view>

namespace dli {

// Standard base64 (RFC 4648); `padded` adds the trailing '='s that OpenSSH leaves out of fingerprints.
std::string base64_encode(std::string_view bytes, bool padded = true);

// "SHA256:" + unpadded base64 of the SHA-256 of the key blob (the raw key, as the server sends it).
std::string ssh_fingerprint(std::string_view key_blob);

// How OpenSSH names a host in known_hosts: bare for port 22, "[address]:port" otherwise.
std::string known_hosts_name(const std::string& address, int port);

// "NAME TYPE BASE64\n", e.g. "[10.0.0.2]:2222 ssh-ed25519 AAAAC3Nz...\n".
std::string known_hosts_line(const std::string& address, int port, const std::string& key_type,
                             std::string_view key_blob);

// Whether two fingerprints are the same, ignoring a missing "SHA256:" prefix and trailing '='s (some tools pad).
bool same_fingerprint(std::string_view a, std::string_view b);

}  // namespace dli
