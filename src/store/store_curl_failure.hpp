#pragma once
// What a failed libcurl request of the ftp/ftps/sftp store means: retry it, report it, or read it as "not found";
// which refusal it is (no space, denied); and a sentence for people. Private to dli_store.
#include <string>

#include "dli/util/result.hpp"
#include "store_curl_transfer.hpp"

namespace dli::curl_store {

enum class Failure { kNone, kNotFound, kTransient, kPermanent };

// kNotFound: the object or one of its folders does not exist. kTransient: worth retrying (network, timeouts, FTP 4xx
// replies such as 421 "too many users", incomplete transfers). The rest is permanent (login, certificates, host
// keys, permissions, and a server out of space: it stays full for longer than retries wait).
Failure classify(const Outcome& outcome, Scheme scheme);

// kNoSpace when the server refused for lack of space or quota (FTP 452/552, SFTP no space or quota as libcurl
// reports them), kDenied when SFTP refused by permission; kOther otherwise. FTP's 550 and 553 are not decided here:
// on a write they also mean "no such folder", which only the caller can rule out (store_curl_ftp.hpp).
ErrorKind refusal_of(const Outcome& outcome, Scheme scheme);

// True when the request failed before it could touch any file: unreachable, refused login or identity check.
// (Cleaning up after it would only fail the same way, and slowly: servers delay failed logins.)
bool failed_before_login(const Outcome& outcome);

// A sentence for humans: what failed and what to do; never contains the password.
std::string explain(const Outcome& outcome, const ConnectionSettings& settings);

}  // namespace dli::curl_store
