#include "protocol/reply_writer.h"

#include <charconv>
#include <cmath>

namespace shardcache::protocol {
namespace {

constexpr std::string_view kCrlf = "\r\n";

// Appends "<type><number>\r\n" in one append.
template <typename Int>
void append_number_line(std::string& out, char type, Int number) {
  char line[1 + 20 + 2];  // type, up to 20 characters of a 64-bit number, CRLF
  line[0] = type;
  char* end = std::to_chars(line + 1, line + sizeof(line) - 2, number).ptr;
  *end++ = '\r';
  *end++ = '\n';
  out.append(line, static_cast<std::size_t>(end - line));
}

}  // namespace

void ReplyWriter::header(char type, std::size_t n) { append_number_line(*out_, type, n); }

void ReplyWriter::simple(std::string_view text) {
  out_->push_back('+');
  out_->append(text);
  out_->append(kCrlf);
}

void ReplyWriter::error(std::string_view message) {
  out_->push_back('-');
  const std::size_t start = out_->size();
  out_->append(message);
  // A line break inside would end the error early and desynchronise the client.
  for (std::size_t i = start; i < out_->size(); ++i) {
    char& c = (*out_)[i];
    if (c == '\r' || c == '\n') c = ' ';
  }
  out_->append(kCrlf);
}

void ReplyWriter::integer(std::int64_t value) { append_number_line(*out_, ':', value); }

void ReplyWriter::bulk(std::string_view value) {
  header('$', value.size());
  out_->append(value);
  out_->append(kCrlf);
}

void ReplyWriter::null() { out_->append(resp_ == 2 ? "$-1\r\n" : "_\r\n"); }

void ReplyWriter::null_array() { out_->append(resp_ == 2 ? "*-1\r\n" : "_\r\n"); }

void ReplyWriter::array(std::size_t count) { header('*', count); }

void ReplyWriter::map(std::size_t pairs) {
  if (resp_ == 2) {
    header('*', 2 * pairs);
  } else {
    header('%', pairs);
  }
}

void ReplyWriter::set(std::size_t count) { header(resp_ == 2 ? '*' : '~', count); }

void ReplyWriter::push(std::size_t count) { header(resp_ == 2 ? '*' : '>', count); }

void ReplyWriter::dbl(double value) {
  // Spelled out as RESP3 names them: printf's spelling varies between C libraries (glibc writes
  // "-nan" for a NaN with its sign bit set).
  char digits[32];
  std::string_view text;
  if (std::isnan(value)) {
    text = "nan";
  } else if (std::isinf(value)) {
    text = value > 0 ? "inf" : "-inf";
  } else {
    // to_chars with a precision is specified as printf's "%.17g", which Redis uses.
    const auto result = std::to_chars(digits, digits + sizeof(digits), value,
                                      std::chars_format::general, 17);
    text = std::string_view(digits, static_cast<std::size_t>(result.ptr - digits));
  }
  if (resp_ == 2) {
    bulk(text);
  } else {
    out_->push_back(',');
    out_->append(text);
    out_->append(kCrlf);
  }
}

void ReplyWriter::boolean(bool value) {
  if (resp_ == 2) {
    out_->append(value ? ":1\r\n" : ":0\r\n");
  } else {
    out_->append(value ? "#t\r\n" : "#f\r\n");
  }
}

void ReplyWriter::verbatim(std::string_view text, std::string_view format) {
  if (resp_ == 2) {
    bulk(text);
    return;
  }
  header('=', format.size() + 1 + text.size());
  out_->append(format);
  out_->push_back(':');
  out_->append(text);
  out_->append(kCrlf);
}

void ReplyWriter::big_number(std::string_view digits) {
  if (resp_ == 2) {
    bulk(digits);
    return;
  }
  out_->push_back('(');
  out_->append(digits);
  out_->append(kCrlf);
}

}  // namespace shardcache::protocol
