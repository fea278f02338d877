#include "server/reply_attachments.h"

#include <algorithm>
#include <iterator>

namespace shardcache::server {

void attach_string_entry(protocol::ReplyWriter& reply, ReplyAttachments& attachments,
                         const storage::Entry& entry) {
  storage::ValueBuffer* buffer = entry.value_buffer();
  reply.bulk_header(buffer->size());
  attachments.push_back({reply.buffer().size(), storage::ValueRef::retained(buffer)});
  reply.raw("\r\n");
}

std::size_t attached_bytes(const ReplyAttachments& attachments) {
  std::size_t bytes = 0;
  for (const ReplyAttachment& attachment : attachments) bytes += attachment.buffer->size();
  return bytes;
}

void drop_attachments_from(ReplyAttachments& attachments, std::size_t mark) {
  // An attachment sits between its bulk header and the "\r\n" after it, never at a reply
  // boundary such as `mark`: those at or after it belong to the replies being cut.
  while (!attachments.empty() && attachments.back().offset >= mark) attachments.pop_back();
}

void inline_attachments_from(std::string& out, ReplyAttachments& attachments, std::size_t mark) {
  auto first = attachments.end();
  while (first != attachments.begin() && std::prev(first)->offset >= mark) --first;
  if (first == attachments.end()) return;
  std::string tail;
  std::size_t from = mark;
  for (auto it = first; it != attachments.end(); ++it) {
    tail.append(out, from, it->offset - from);
    tail.append(it->buffer->view());
    from = it->offset;
  }
  tail.append(out, from, std::string::npos);
  out.resize(mark);
  out.append(tail);
  attachments.erase(first, attachments.end());
}

std::vector<boost::asio::const_buffer> gather_output(const std::string& out,
                                                     const ReplyAttachments& attachments,
                                                     std::size_t skip, std::size_t limit) {
  std::vector<boost::asio::const_buffer> buffers;
  buffers.reserve(2 * attachments.size() + 1);
  const auto add = [&](const char* bytes, std::size_t n) {
    const std::size_t skipped = std::min(skip, n);
    skip -= skipped;
    n = std::min(n - skipped, limit);
    if (n == 0) return;
    buffers.emplace_back(bytes + skipped, n);
    limit -= n;
  };
  std::size_t from = 0;
  for (const ReplyAttachment& attachment : attachments) {
    add(out.data() + from, attachment.offset - from);
    add(attachment.buffer->data(), attachment.buffer->size());
    from = attachment.offset;
  }
  add(out.data() + from, out.size() - from);
  return buffers;
}

}  // namespace shardcache::server
