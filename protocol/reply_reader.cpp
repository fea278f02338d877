#include "protocol/reply_reader.h"

#include <charconv>
#include <cstdint>

namespace shardcache::protocol {
namespace {

// Reads "<type><integer>\r\n"; returns the line size or 0.
std::size_t read_count_line(std::string_view data, std::int64_t& count) {
  const std::size_t cr = data.find("\r\n");
  if (cr == std::string_view::npos || cr < 2) return 0;
  const char* begin = data.data() + 1;
  const char* end = data.data() + cr;
  auto [ptr, ec] = std::from_chars(begin, end, count);
  if (ec != std::errc() || ptr != end) return 0;
  return cr + 2;
}

}  // namespace

bool resp_aggregate_header(std::string_view data, std::size_t& elements, std::size_t& header_size) {
  if (data.empty()) return false;
  const char type = data[0];
  if (type != '*' && type != '%' && type != '~' && type != '>') return false;
  std::int64_t count = 0;
  header_size = read_count_line(data, count);
  if (header_size == 0 || count < 0) return false;
  elements = static_cast<std::size_t>(count) * (type == '%' ? 2 : 1);
  return true;
}

std::size_t resp_value_size(std::string_view data) {
  if (data.empty()) return 0;
  switch (data[0]) {
    case '+': case '-': case ':': case ',': case '#': case '(': case '_': {
      const std::size_t cr = data.find("\r\n");
      return cr == std::string_view::npos ? 0 : cr + 2;
    }
    case '$': case '=': case '!': {
      std::int64_t length = 0;
      const std::size_t line = read_count_line(data, length);
      if (line == 0) return 0;
      if (length < 0) return line;  // null bulk "$-1"
      const std::size_t total = line + static_cast<std::size_t>(length) + 2;
      return total <= data.size() ? total : 0;
    }
    case '*': case '%': case '~': case '>': {
      if (data.size() >= 4 && data.substr(0, 4) == "*-1\r") return data.size() >= 5 ? 5 : 0;
      std::size_t elements = 0, offset = 0;
      if (!resp_aggregate_header(data, elements, offset)) return 0;
      for (std::size_t i = 0; i < elements; ++i) {
        const std::size_t n = resp_value_size(data.substr(offset));
        if (n == 0) return 0;
        offset += n;
      }
      return offset;
    }
    default:
      return 0;
  }
}

}  // namespace shardcache::protocol

namespace shardcache::protocol {

std::string resp3_to_resp2(std::string_view in) {
  // Aggregates are a header followed by their elements, so a flat scan of the values' header
  // lines (skipping bulk payloads) rewrites every level.
  std::string out;
  out.reserve(in.size());
  std::size_t pos = 0;
  while (pos < in.size()) {
    const std::size_t cr = in.find("\r\n", pos);
    if (cr == std::string_view::npos) break;
    const char type = in[pos];
    const std::string_view body = in.substr(pos + 1, cr - pos - 1);
    pos = cr + 2;
    switch (type) {
      case '%': {
        std::int64_t pairs = 0;
        std::from_chars(body.data(), body.data() + body.size(), pairs);
        out += '*';
        out += std::to_string(pairs * 2);
        out += "\r\n";
        break;
      }
      case '~': case '>':
        out += '*';
        out.append(body);
        out += "\r\n";
        break;
      case '_':
        out += "$-1\r\n";
        break;
      case '#':
        out += body == "t" ? ":1\r\n" : ":0\r\n";
        break;
      case ',':
        out += '$' + std::to_string(body.size()) + "\r\n";
        out.append(body);
        out += "\r\n";
        break;
      case '$': case '=': case '!': {
        std::int64_t length = 0;
        std::from_chars(body.data(), body.data() + body.size(), length);
        if (length < 0) {
          out += "$-1\r\n";
          break;
        }
        std::string_view payload = in.substr(pos, static_cast<std::size_t>(length));
        pos += static_cast<std::size_t>(length) + 2;
        if (type == '=') payload.remove_prefix(4);  // "txt:"
        out += (type == '!' ? '-' : '$');
        if (type == '!') {
          out.append(payload);
        } else {
          out += std::to_string(payload.size()) + "\r\n";
          out.append(payload);
        }
        out += "\r\n";
        break;
      }
      default:  // + - : * ( are the same in RESP2 ('(' big numbers do not occur in our fragments)
        out += type;
        out.append(body);
        out += "\r\n";
    }
  }
  return out;
}

}  // namespace shardcache::protocol
