// Measures RESP values in a reply buffer, so that replies computed on several shards can be
// split into their elements and reassembled without decoding them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace shardcache::protocol {

// The size in bytes of the first complete RESP2/RESP3 value in `data` (aggregates included), or
// 0 if `data` does not start with a complete, well-formed value.
std::size_t resp_value_size(std::string_view data);

// For an aggregate header ("*3\r\n", "%2\r\n", ...) at the front of `data`: its element count
// (pairs count twice for maps) and header size. Returns false if `data` is not an aggregate.
bool resp_aggregate_header(std::string_view data, std::size_t& elements, std::size_t& header_size);

}  // namespace shardcache::protocol

namespace shardcache::protocol {

// Rewrites well-formed RESP3 as the RESP2 Redis sends to RESP2 clients: maps become flat arrays,
// sets and pushes arrays, null "$-1", booleans integers, doubles and verbatim strings bulk
// strings. Used for stored RESP3 fragments (command docs and key specs).
std::string resp3_to_resp2(std::string_view resp3);

}  // namespace shardcache::protocol
