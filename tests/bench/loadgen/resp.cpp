#include "resp.h"

#include <charconv>
#include <cstring>
#include <stdexcept>

namespace shardcache::loadgen {

namespace {

constexpr std::string_view kRandPlaceholder = "__rand_int__";
constexpr std::string_view kDataPlaceholder = "__data__";
constexpr std::size_t kMaxLine = 1 << 20;
constexpr std::size_t kMaxErrorText = 200;

void append_count_line(std::string& out, char type, std::size_t count) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, count).ptr;
  out += type;
  out.append(digits, end);
  out += "\r\n";
}

std::int64_t parse_count(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || value < -1) {
    throw std::runtime_error("bad RESP length '" + std::string(text) + "'");
  }
  return value;
}

}  // namespace

void append_array_header(std::string& out, std::size_t count) {
  append_count_line(out, '*', count);
}

void append_bulk_header(std::string& out, std::size_t length) {
  append_count_line(out, '$', length);
}

void append_bulk(std::string& out, std::string_view bytes) {
  append_bulk_header(out, bytes.size());
  out += bytes;
  out += "\r\n";
}

CommandTemplate::CommandTemplate(const std::vector<std::string>& words, std::size_t data_size) {
  if (words.empty()) throw std::invalid_argument("empty command template");
  name_ = words.front();
  append_array_header(encoded_, words.size());
  for (const std::string& word : words) {
    if (word == kDataPlaceholder) {
      append_bulk(encoded_, std::string(data_size, 'x'));
      continue;
    }
    // Each placeholder becomes exactly kRandDigits bytes, so the length is known now.
    std::string expanded;
    std::vector<std::size_t> offsets;  // within `expanded`
    for (std::size_t at = 0;;) {
      const std::size_t found = word.find(kRandPlaceholder, at);
      expanded.append(word, at, found == std::string::npos ? std::string::npos : found - at);
      if (found == std::string::npos) break;
      offsets.push_back(expanded.size());
      expanded.append(kRandDigits, '0');
      at = found + kRandPlaceholder.size();
    }
    append_bulk_header(encoded_, expanded.size());
    for (std::size_t offset : offsets) digit_offsets_.push_back(encoded_.size() + offset);
    encoded_ += expanded;
    encoded_ += "\r\n";
  }
}

std::vector<std::string> CommandTemplate::split(std::string_view line) {
  std::vector<std::string> words;
  for (std::size_t at = 0; at < line.size();) {
    const std::size_t end = std::min(line.find(' ', at), line.size());
    if (end > at) words.emplace_back(line.substr(at, end - at));
    at = end + 1;
  }
  return words;
}

void CommandTemplate::render(std::string& out, Random& random, std::uint64_t keyspace) const {
  out.assign(encoded_);
  for (std::size_t offset : digit_offsets_) {
    std::uint64_t value = random.below(keyspace);
    for (std::size_t i = kRandDigits; i-- > 0; value /= 10) out[offset + i] = '0' + value % 10;
  }
}

std::size_t ReplyScanner::scan(std::string_view data) {
  std::size_t used = 0;
  while (!ready_ && used < data.size()) {
    if (skip_ > 0) {
      const std::size_t take = std::min<std::uint64_t>(skip_, data.size() - used);
      used += take;
      skip_ -= take;
      if (skip_ == 0) finish_value();
      continue;
    }
    const char* start = data.data() + used;
    const auto* newline = static_cast<const char*>(std::memchr(start, '\n', data.size() - used));
    if (newline == nullptr) {
      line_.append(start, data.size() - used);
      if (line_.size() > kMaxLine) throw std::runtime_error("RESP line longer than 1 MiB");
      return data.size();
    }
    used = newline + 1 - data.data();
    if (line_.empty()) {
      on_line(std::string_view(start, newline - start));
    } else {
      line_.append(start, newline - start);
      on_line(line_);
      line_.clear();
    }
  }
  return used;
}

Reply ReplyScanner::take() {
  ready_ = false;
  started_ = false;
  Reply reply = std::move(reply_);
  reply_ = Reply{};
  return reply;
}

void ReplyScanner::on_line(std::string_view line) {
  if (line.size() < 2 || line.back() != '\r') {
    throw std::runtime_error("RESP line without CRLF or type: '" + std::string(line.substr(0, 80)) +
                             "'");
  }
  const char type = line.front();
  const std::string_view body = line.substr(1, line.size() - 2);
  const bool top = !started_;
  if (top) {
    started_ = true;
    reply_.type = type;
  }
  switch (type) {
    case '+':
    case ':':
      finish_value();
      return;
    case '-':
      if (top) reply_.error.assign(body.substr(0, kMaxErrorText));
      finish_value();
      return;
    case '$': {
      const std::int64_t length = parse_count(body);
      if (top) reply_.length = length;
      if (length < 0) {
        finish_value();
      } else {
        skip_ = static_cast<std::uint64_t>(length) + 2;
      }
      return;
    }
    case '*': {
      const std::int64_t count = parse_count(body);
      if (top) reply_.length = count;
      if (count <= 0) {
        finish_value();
      } else {
        pending_.push_back(count);
      }
      return;
    }
    default:
      throw std::runtime_error("not a RESP2 reply: '" + std::string(line.substr(0, 80)) + "'");
  }
}

// One value (scalar, bulk or whole array) has ended: it counts against its enclosing array,
// which may end in turn; the reply is complete when no array is left open.
void ReplyScanner::finish_value() {
  while (!pending_.empty()) {
    if (--pending_.back() > 0) return;
    pending_.pop_back();
  }
  ready_ = true;
}

}  // namespace shardcache::loadgen
