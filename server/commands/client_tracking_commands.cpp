// CLIENT TRACKING, CACHING, GETREDIR, TRACKINGINFO (client-side caching; the machinery is
// server/tracking.h). Option parsing and every error follow Redis 7.0's clientCommand.
#include <algorithm>
#include <optional>

#include "server/ascii.h"
#include "server/command_context.h"
#include "server/commands/arguments.h"
#include "server/commands/families.h"
#include "server/connection.h"
#include "server/server.h"
#include "server/shard.h"

namespace shardcache::server {
namespace {

std::string overlap_error(std::string_view prefix, std::string_view other, bool existing) {
  return "ERR Prefix '" + std::string(prefix) + "' overlaps with " +
         (existing ? "an existing prefix '" : "another provided prefix '") + std::string(other) +
         "'. Prefixes for a single client must not overlap.";
}

bool overlaps(std::string_view a, std::string_view b) {
  return a.starts_with(b) || b.starts_with(a);
}

// Redis's checkPrefixCollisionsOrReply: no new prefix may be a prefix of another one, old or new.
bool prefixes_collide(CommandContext& ctx, const std::vector<std::string>& existing,
                      const std::vector<std::string>& added) {
  for (std::size_t i = 0; i < added.size(); ++i) {
    for (const std::string& old : existing) {
      if (overlaps(added[i], old)) {
        ctx.reply.error(overlap_error(added[i], old, true));
        return true;
      }
    }
    for (std::size_t j = i + 1; j < added.size(); ++j) {
      if (overlaps(added[i], added[j])) {
        ctx.reply.error(overlap_error(added[i], added[j], false));
        return true;
      }
    }
  }
  return false;
}

void client_tracking(CommandContext& ctx) {
  Connection& conn = *ctx.conn;
  TrackingHub& hub = ctx.shard.server().tracking();
  TrackingSettings requested;
  std::vector<std::string> prefixes;
  for (std::size_t i = 3; i < ctx.args.size(); ++i) {
    const std::string_view option = ctx.args[i];
    const bool has_value = i + 1 < ctx.args.size();
    if (iequals(option, "redirect") && has_value) {
      const auto id = parse_int64(ctx.args[++i]);
      if (!id) {
        ctx.reply.error(kErrNotInteger);
        return;
      }
      if (*id <= 0 || !hub.connected(static_cast<std::uint64_t>(*id))) {
        ctx.reply.error("ERR The client ID you want redirect to does not exist");
        return;
      }
      if (requested.redirect != 0) {
        ctx.reply.error("ERR A client can only redirect to a single other client");
        return;
      }
      requested.redirect = static_cast<std::uint64_t>(*id);
    } else if (iequals(option, "bcast")) {
      requested.bcast = true;
    } else if (iequals(option, "optin")) {
      requested.optin = true;
    } else if (iequals(option, "optout")) {
      requested.optout = true;
    } else if (iequals(option, "noloop")) {
      requested.noloop = true;
    } else if (iequals(option, "prefix") && has_value) {
      prefixes.emplace_back(ctx.args[++i]);
    } else {
      ctx.reply.error(kErrSyntax);
      return;
    }
  }
  TrackingSettings& current = conn.tracking();
  if (iequals(ctx.args[2], "off")) {
    current = TrackingSettings{};
    hub.disable(conn.state().id);
    ctx.reply.ok();
    return;
  }
  if (!iequals(ctx.args[2], "on")) {
    ctx.reply.error(kErrSyntax);
    return;
  }
  if (!requested.bcast && !prefixes.empty()) {
    ctx.reply.error("ERR PREFIX option requires BCAST mode to be enabled");
    return;
  }
  if (current.on && current.bcast != requested.bcast) {
    ctx.reply.error(
        "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and "
        "then re-enabling it with a different mode.");
    return;
  }
  if (requested.bcast && (requested.optin || requested.optout)) {
    ctx.reply.error("ERR OPTIN and OPTOUT are not compatible with BCAST");
    return;
  }
  if (requested.optin && requested.optout) {
    ctx.reply.error("ERR You can't specify both OPTIN mode and OPTOUT mode");
    return;
  }
  if ((requested.optin && current.optout) || (requested.optout && current.optin)) {
    ctx.reply.error(
        "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and "
        "then re-enabling it with a different mode.");
    return;
  }
  if (requested.bcast && prefixes_collide(ctx, current.prefixes, prefixes)) return;
  // As Redis's enableTracking: modes add up, the redirection is replaced, prefixes accumulate.
  current.on = true;
  current.bcast |= requested.bcast;
  current.optin |= requested.optin;
  current.optout |= requested.optout;
  current.noloop |= requested.noloop;
  current.redirect = requested.redirect;
  current.prefixes.insert(current.prefixes.end(), prefixes.begin(), prefixes.end());
  hub.enable(conn.state().id, current);
  ctx.reply.ok();
}

void client_caching(CommandContext& ctx) {
  const TrackingSettings& tracking = ctx.conn->tracking();
  if (!tracking.on) {
    ctx.reply.error(
        "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or "
        "OPTOUT mode enabled");
    return;
  }
  const std::string_view answer = ctx.args[2];
  if (iequals(answer, "yes")) {
    if (!tracking.optin) {
      ctx.reply.error("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
      return;
    }
    ctx.conn->set_caching(true);
  } else if (iequals(answer, "no")) {
    if (!tracking.optout) {
      ctx.reply.error("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
      return;
    }
    ctx.conn->set_caching(false);
  } else {
    ctx.reply.error(kErrSyntax);
    return;
  }
  ctx.reply.ok();
}

void client_getredir(CommandContext& ctx) {
  const TrackingSettings& tracking = ctx.conn->tracking();
  ctx.reply.integer(tracking.on ? static_cast<std::int64_t>(tracking.redirect) : -1);
}

void client_trackinginfo(CommandContext& ctx) {
  const TrackingSettings& tracking = ctx.conn->tracking();
  std::vector<const char*> flags;
  if (!tracking.on) {
    flags.push_back("off");
  } else {
    flags.push_back("on");
    if (tracking.bcast) flags.push_back("bcast");
    if (tracking.optin) flags.push_back("optin");
    if (tracking.optout) flags.push_back("optout");
    if (ctx.conn->caching_yes()) flags.push_back("caching-yes");
    if (ctx.conn->caching_no()) flags.push_back("caching-no");
    if (tracking.noloop) flags.push_back("noloop");
  }
  ctx.reply.map(3);
  ctx.reply.bulk("flags");
  ctx.reply.set(flags.size());
  for (const char* flag : flags) ctx.reply.bulk(flag);
  ctx.reply.bulk("redirect");
  ctx.reply.integer(tracking.on ? static_cast<std::int64_t>(tracking.redirect) : -1);
  ctx.reply.bulk("prefixes");
  ctx.reply.array(tracking.prefixes.size());
  for (const std::string& prefix : tracking.prefixes) ctx.reply.bulk(prefix);
}

}  // namespace

std::vector<CommandBinding> client_tracking_bindings() {
  return {
      {"client|tracking", client_tracking, Route::kHome},
      {"client|caching", client_caching, Route::kHome},
      {"client|getredir", client_getredir, Route::kHome},
      {"client|trackinginfo", client_trackinginfo, Route::kHome},
  };
}

}  // namespace shardcache::server
