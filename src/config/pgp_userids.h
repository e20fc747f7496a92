// The user IDs of OpenPGP public keys (RFC 4880 packets), as `trust show` lists them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace berth::config {

// Caps on a hostile key file: its size, and the number of packets walked.
inline constexpr size_t kMaxPgpKeyBytes = 4 << 20;
inline constexpr size_t kMaxPgpPackets = 100000;

// The User ID packets (tag 13) of `data`: binary OpenPGP packets or ASCII armor (one or
// more "-----BEGIN PGP ...-----" blocks; the armor checksum is not verified). Each ID is
// escaped as gpg --with-colons prints it (':' and control bytes as \xNN), in file
// order. Errors (kInvalidArgument, naming `what`): bad armor or base64, a packet that
// runs past the end, an input over the caps.
Result<std::vector<std::string>> pgpUserIds(std::string_view data, std::string_view what);

// What `podman image trust show` shows for a user ID (pkg/trust parseUids): the e-mail
// address between the first '<' and the next '>' when the ID has both, else the ID.
std::string trustIdentity(std::string_view user_id);

}  // namespace berth::config
