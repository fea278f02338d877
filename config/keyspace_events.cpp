#include "config/keyspace_events.h"

namespace shardcache::config {
namespace {

struct Letter {
  char letter;
  std::uint32_t flag;
};

// The class letters in the order Redis prints them.
constexpr Letter kClassLetters[] = {
    {'g', kEventGeneric}, {'$', kEventString},  {'l', kEventList},    {'s', kEventSet},
    {'h', kEventHash},    {'z', kEventZset},    {'x', kEventExpired}, {'e', kEventEvicted},
    {'t', kEventStream},  {'d', kEventModule},  {'n', kEventNewKey},
};

}  // namespace

std::optional<std::uint32_t> parse_keyspace_events(std::string_view text) {
  std::uint32_t flags = 0;
  for (char c : text) {
    if (c == 'A') {
      flags |= kEventAll;
    } else if (c == 'K') {
      flags |= kEventKeyspace;
    } else if (c == 'E') {
      flags |= kEventKeyevent;
    } else if (c == 'm') {
      flags |= kEventKeyMiss;
    } else {
      bool known = false;
      for (const Letter& l : kClassLetters) {
        if (l.letter == c) {
          flags |= l.flag;
          known = true;
        }
      }
      if (!known) return std::nullopt;
    }
  }
  return flags;
}

std::string format_keyspace_events(std::uint32_t flags) {
  std::string text;
  if ((flags & kEventAll) == kEventAll) {
    text += 'A';
  } else {
    for (const Letter& l : kClassLetters) {
      if (flags & l.flag) text += l.letter;
    }
  }
  if (flags & kEventKeyspace) text += 'K';
  if (flags & kEventKeyevent) text += 'E';
  if (flags & kEventKeyMiss) text += 'm';
  return text;
}

std::optional<std::string> normalize_keyspace_events(std::string_view text) {
  const auto flags = parse_keyspace_events(text);
  if (!flags) return std::nullopt;
  return format_keyspace_events(*flags);
}

}  // namespace shardcache::config
