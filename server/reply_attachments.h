// ReplyAttachments: large string values that a connection's pending output refers to instead of
// holding copies of them (zero-copy GET). The output stays one string; each attachment says at
// which offset of it a ValueBuffer's bytes belong, and holds a reference that keeps those bytes
// alive (and unchanged: buffers are never written once shared) until they are sent.
//
// Only handlers run by the connection itself, on its thread, get attachments. Replies produced
// elsewhere as plain strings (on another shard, in EXEC, merged over shards, pub/sub) copy the
// value instead: correct, just not zero-copy.
#pragma once

#include <boost/asio/buffer.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/reply_writer.h"
#include "storage/entry.h"
#include "storage/value_buffer.h"

namespace shardcache::server {

struct ReplyAttachment {
  std::size_t offset;  // the buffer's bytes go before the output's byte at this offset
  storage::ValueRef buffer;
};
using ReplyAttachments = std::vector<ReplyAttachment>;

// Appends the bulk reply of `entry`'s string value to `reply`: "$<len>\r\n", the value, "\r\n".
// The value goes by reference when `attachments` is given and the value is held out of line,
// by copy otherwise.
void attach_string_entry(protocol::ReplyWriter& reply, ReplyAttachments& attachments,
                         const storage::Entry& entry);
inline void reply_string_entry(protocol::ReplyWriter& reply, ReplyAttachments* attachments,
                               const storage::Entry& entry) {
  if (entry.out_of_line() && attachments != nullptr) [[unlikely]] {
    attach_string_entry(reply, *attachments, entry);
  } else {
    reply.bulk(entry.value());
  }
}

// The bytes the attachments add to their output.
std::size_t attached_bytes(const ReplyAttachments& attachments);

// Forgets the attachments of output bytes from `mark` on (the output is being cut at `mark`).
void drop_attachments_from(ReplyAttachments& attachments, std::size_t mark);

// Copies the attached values of output bytes from `mark` on into `out` itself and forgets
// them: for callers that take those replies as plain bytes (EXEC collecting its replies).
void inline_attachments_from(std::string& out, ReplyAttachments& attachments, std::size_t mark);

// The output as one buffer sequence for a gathering write: slices of `out` with the attached
// buffers between them, leaving out the first `skip` bytes (already written) and anything past
// `limit` bytes. Views: `out` and the attachments must outlive the write.
std::vector<boost::asio::const_buffer> gather_output(const std::string& out,
                                                     const ReplyAttachments& attachments,
                                                     std::size_t skip = 0,
                                                     std::size_t limit = SIZE_MAX);

}  // namespace shardcache::server
