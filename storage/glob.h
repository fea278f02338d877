// Glob-style matching as Redis's stringmatchlen: '*', '?', '[abc]', '[^a-z]', '\' escapes.
// Used by KEYS, SCAN MATCH, CONFIG GET and pattern subscriptions.
#pragma once

#include <string_view>

namespace shardcache::storage {

bool glob_match(std::string_view pattern, std::string_view text, bool nocase = false);

}  // namespace shardcache::storage
