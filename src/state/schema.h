// The state database schema as an append-only list of migrations.
#pragma once

#include <string_view>
#include <vector>

namespace berth::state {

// Migration i brings the schema from user_version i to i+1. Never edit a
// released entry; append a new one.
const std::vector<std::string_view>& schemaMigrations();

}  // namespace berth::state
