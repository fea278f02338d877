// ReplyWriter: appends RESP2 or RESP3 replies to an output buffer.
//
// Callers write the RESP3 shape Redis 7 uses (map, set, double, boolean, verbatim, push) and the
// writer lowers it to RESP2 the way Redis does when the client speaks RESP2: a map becomes a
// flat array of 2n items, a set and a push an array, a double a bulk string ("%.17g", "inf"),
// a boolean the integer 1 or 0, a verbatim string a bulk string, null "$-1" (or "*-1").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace shardcache::protocol {

class ReplyWriter {
 public:
  explicit ReplyWriter(std::string& out, int resp_version = 2) : out_(&out), resp_(resp_version) {}

  int resp() const { return resp_; }
  void set_resp(int version) { resp_ = version; }
  std::string& buffer() { return *out_; }

  void simple(std::string_view text);       // +text
  // -message. `message` starts with the error code ("ERR ...", "WRONGTYPE ..."); CR and LF
  // inside it are replaced by spaces as Redis does.
  void error(std::string_view message);
  void integer(std::int64_t value);          // :value
  void bulk(std::string_view value);         // $len value
  // Only the "$len\r\n" of a bulk string: the caller supplies its bytes and the "\r\n" after
  // them (a value sent by reference, server/reply_attachments.h).
  void bulk_header(std::size_t length) { header('$', length); }
  void null();                               // RESP2 $-1, RESP3 _
  void null_array();                         // RESP2 *-1, RESP3 _
  void array(std::size_t count);             // *count
  void map(std::size_t pairs);               // RESP3 %pairs, RESP2 *2*pairs
  void set(std::size_t count);               // RESP3 ~count, RESP2 *count
  void push(std::size_t count);              // RESP3 >count, RESP2 *count
  void dbl(double value);                    // RESP3 ,value, RESP2 bulk; "%.17g", inf, -inf
  void boolean(bool value);                  // RESP3 #t/#f, RESP2 :1/:0
  void verbatim(std::string_view text, std::string_view format = "txt");  // RESP3 =, RESP2 bulk
  void big_number(std::string_view digits);  // RESP3 (digits, RESP2 bulk
  void ok() { simple("OK"); }
  void raw(std::string_view bytes) { out_->append(bytes); }

 private:
  void header(char type, std::size_t n);

  std::string* out_;
  int resp_;
};

}  // namespace shardcache::protocol
