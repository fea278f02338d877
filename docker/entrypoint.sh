#!/bin/bash
# Entrypoint of the shardcache image: builds the server's command line, then `exec`s it, so the
# server itself is PID 1 and receives docker stop's SIGTERM (graceful stop).
#
#   shardcache-server --config "$SHARDCACHE_CONFIG" [--key value from SHARDCACHE_* ...] "$@"
#
# - SHARDCACHE_CONFIG: the YAML file (default /etc/shardcache/shardcache.yaml; mount yours
#   there). Set it empty to start from the built-in defaults only.
# - SHARDCACHE_HEALTHCHECK_PORT is read by the health check only (docker/healthcheck).
# - Every other SHARDCACHE_<KEY>=VALUE becomes `--<key> VALUE`: KEY lower-cased, `_` -> `-`
#   (SHARDCACHE_MAXMEMORY_POLICY=allkeys-lru -> --maxmemory-policy allkeys-lru). An empty
#   value is passed as an empty argument. Unknown keys stop the server with a clear error.
# - Arguments (the container command) come last, so they win over variables, which win over
#   the file: `docker run IMAGE --port 7000 --threads 2`.
# - A command that does not start with "-" is run instead of the server (`docker run -it
#   IMAGE bash`), as most official images do.
set -euo pipefail

if [ "$#" -gt 0 ] && [ "${1#-}" = "$1" ]; then
  exec "$@"
fi

args=()
config="${SHARDCACHE_CONFIG-/etc/shardcache/shardcache.yaml}"
if [ -n "$config" ]; then args+=(--config "$config"); fi

while IFS= read -r name; do
  case "$name" in
    SHARDCACHE_CONFIG | SHARDCACHE_HEALTHCHECK_PORT) continue ;;
    SHARDCACHE_?*) ;;
    *) continue ;;
  esac
  key="${name#SHARDCACHE_}"
  key="${key,,}"
  args+=("--${key//_/-}" "${!name}")
done < <(compgen -e | LC_ALL=C sort)

exec /usr/local/bin/shardcache-server "${args[@]}" "$@"
