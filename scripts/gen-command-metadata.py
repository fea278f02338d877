#!/usr/bin/python3
"""Generates server/command_metadata.inc from a running Redis 7 (the reference).

Redis 7 describes each command declaratively (arity, flags, key positions and key specs, ACL
categories, docs). shardcache answers COMMAND INFO / COMMAND DOCS with the same data, so this
script copies it for the commands shardcache implements, from Debian's redis-server:

    redis-server --port 7399 --save '' --appendonly no &
    scripts/gen-command-metadata.py 7399 > server/command_metadata.inc

Nested parts (key specs, doc arguments) are kept as RESP3 bytes; the server lowers them to
RESP2 for RESP2 clients.
"""
import socket
import sys

# Every command (and container command) shardcache implements or is implementing; only those a
# command family binds a handler to are served. Subcommands of a container are
# taken whole from Redis and filtered by SUBCOMMANDS below.
COMMANDS = [
    "ping", "echo", "quit", "reset", "hello", "auth", "select",
    "client", "info", "time", "dbsize", "flushdb", "flushall", "lastsave", "shutdown", "debug",
    "slowlog", "latency", "config", "command", "memory",
    # strings
    "get", "set", "setnx", "setex", "psetex", "getset", "getdel", "getex", "mget", "mset",
    "msetnx", "incr", "decr", "incrby", "decrby", "incrbyfloat", "append", "strlen", "getrange",
    "setrange", "substr", "lcs",
    # keys
    "del", "unlink", "exists", "type", "touch", "rename", "renamenx", "copy", "move",
    "randomkey", "keys", "scan", "expire", "pexpire", "expireat", "pexpireat", "expiretime",
    "pexpiretime", "ttl", "pttl", "persist", "object", "swapdb",
    # hashes
    "hset", "hsetnx", "hmset", "hget", "hmget", "hgetall", "hdel", "hexists", "hlen", "hstrlen",
    "hkeys", "hvals", "hincrby", "hincrbyfloat", "hrandfield", "hscan",
    # lists
    "lpush", "rpush", "lpushx", "rpushx", "lpop", "rpop", "llen", "lrange", "lindex", "lset",
    "linsert", "lrem", "ltrim", "lpos", "lmove", "rpoplpush", "lmpop", "blpop", "brpop", "blmove",
    "brpoplpush", "blmpop",
    # sets
    "sadd", "srem", "smembers", "sismember", "smismember", "scard", "spop", "srandmember",
    "smove", "sinter", "sintercard", "sunion", "sdiff", "sinterstore", "sunionstore",
    "sdiffstore", "sscan",
    # sorted sets
    "zadd", "zincrby", "zrem", "zcard", "zscore", "zmscore", "zrank", "zrevrank", "zcount",
    "zlexcount", "zrange", "zrangestore", "zrangebyscore", "zrevrangebyscore", "zrangebylex",
    "zrevrangebylex", "zrevrange", "zremrangebyrank", "zremrangebyscore", "zremrangebylex",
    "zpopmin", "zpopmax", "bzpopmin", "bzpopmax", "zmpop", "bzmpop", "zrandmember", "zunion",
    "zinter", "zdiff", "zunionstore", "zinterstore", "zdiffstore", "zintercard", "zscan",
    # transactions
    "multi", "exec", "discard", "watch", "unwatch",
    # pub/sub
    "subscribe", "unsubscribe", "psubscribe", "punsubscribe", "publish", "pubsub",
    "ssubscribe", "sunsubscribe", "spublish",
]
SUBCOMMANDS = {
    "client": ["id", "setname", "getname", "list", "info", "kill", "setinfo", "reply", "no-evict",
               "no-touch", "pause", "unpause", "help", "unblock", "tracking", "caching", "getredir",
               "trackinginfo"],
    "config": ["get", "set", "resetstat", "help"],
    "command": ["count", "info", "docs", "list", "getkeys", "help"],
    "slowlog": ["get", "len", "reset", "help"],
    "latency": ["latest", "reset", "help"],
    "memory": ["usage", "help"],
    "object": ["encoding", "freq", "idletime", "refcount", "help"],
    "pubsub": ["channels", "numsub", "numpat", "shardchannels", "shardnumsub", "help"],
}

# Subcommands newer than the reference server that current clients send (ioredis and node-redis
# send CLIENT SETINFO on connect), described as Redis 7.2 describes them.
NEWER_SUBCOMMANDS = {
    "client": [
        ("client|setinfo", 4, "noscript loading stale", "@slow @connection",
         "Sets information specific to the client or connection.", "7.2.0", "O(1)"),
        ("client|no-touch", 3, "noscript loading stale", "@slow @connection",
         "Controls whether commands sent by the client affect the LRU/LFU of accessed keys.",
         "7.2.0", "O(1)"),
    ],
}


# COMMAND DOCS fields after "complexity" and before "arguments", in Redis's order.
DOC_EXTRA_FIELDS = ["doc_flags", "deprecated_since", "replaced_by", "history"]


class Reader:
    def __init__(self, sock):
        self.f = sock.makefile("rb")

    def line(self):
        return self.f.readline()[:-2]

    def read(self):
        """Returns (type_char, value); aggregates hold lists of (type, value)."""
        line = self.line()
        t, rest = chr(line[0]), line[1:]
        if t in "+-(,#":
            return t, rest.decode()
        if t == ":":
            return t, int(rest)
        if t in "$=!":
            n = int(rest)
            data = self.f.read(n + 2)[:-2]
            return t, data
        if t == "_":
            return t, None
        n = int(rest)
        if t == "%":
            return t, [(self.read(), self.read()) for _ in range(n)]
        if t in "*~>":
            return t, [self.read() for _ in range(n)]
        raise ValueError(f"unexpected RESP type {t!r}")


def encode(value):
    t, v = value
    if t in "+-(,#":
        return f"{t}{v}\r\n".encode()
    if t == ":":
        return f":{v}\r\n".encode()
    if t in "$=!":
        return f"{t}{len(v)}\r\n".encode() + v + b"\r\n"
    if t == "_":
        return b"_\r\n"
    if t == "%":
        return f"%{len(v)}\r\n".encode() + b"".join(encode(k) + encode(x) for k, x in v)
    return f"{t}{len(v)}\r\n".encode() + b"".join(encode(x) for x in v)


def text(value):
    t, v = value
    return v.decode() if isinstance(v, bytes) else str(v)


def cxx_string(data):
    out = []
    for b in data:
        c = chr(b)
        if c in '"\\':
            out.append("\\" + c)
        elif c == "\r":
            out.append("\\r")
        elif c == "\n":
            out.append("\\n")
        elif 32 <= b < 127:
            out.append(c)
        else:
            out.append(f"\\x{b:02x}\"\"")
    return '"' + "".join(out) + '"'


def query(sock, reader, *args):
    req = f"*{len(args)}\r\n".encode() + b"".join(
        f"${len(a)}\r\n{a}\r\n".encode() for a in args)
    sock.sendall(req)
    return reader.read()


def as_map(value):
    return {text(k): v for k, v in value[1]}


def emit(info, docs, parent, indent):
    """Prints one CommandMetadata initializer."""
    name, arity, flags, first, last, step, acl, tips, keyspecs, subs = info[1]
    full = text(name)
    doc = as_map(docs.get(full, ("%", [])))
    sub_names = SUBCOMMANDS.get(full)
    children = []
    if sub_names is not None:
        for sub in subs[1]:
            if text(sub[1][0]).split("|")[1] in sub_names:
                children.append(sub)
        sub_docs = as_map(doc["subcommands"]) if "subcommands" in doc else {}
    pad = " " * indent
    print(f"{pad}{{{cxx_string(full.encode())}, {arity[1]}, "
          f"{cxx_string(' '.join(text(f) for f in flags[1]).encode())}, "
          f"{first[1]}, {last[1]}, {step[1]},")
    print(f"{pad} {cxx_string(' '.join(text(a) for a in acl[1]).encode())}, "
          f"{cxx_string(' '.join(text(t) for t in tips[1]).encode())},")
    print(f"{pad} {cxx_string(encode(keyspecs))},")
    print(f"{pad} {cxx_string(text(doc.get('summary', ('$', b''))).encode())}, "
          f"{cxx_string(text(doc.get('since', ('$', b''))).encode())}, "
          f"{cxx_string(text(doc.get('group', ('$', b''))).encode())}, "
          f"{cxx_string(text(doc.get('complexity', ('$', b''))).encode())},")
    # The optional doc fields Redis places between complexity and arguments, as RESP3 pairs.
    extra = [name for name in DOC_EXTRA_FIELDS if name in doc]
    extra_bytes = b"".join(encode(("$", n.encode())) + encode(doc[n]) for n in extra)
    print(f"{pad} {cxx_string(extra_bytes)}, {len(extra)},")
    print(f"{pad} {cxx_string(encode(doc['arguments']) if 'arguments' in doc else b'')},")
    newer = NEWER_SUBCOMMANDS.get(full, [])
    if children or newer:
        print(f"{pad} {{")
        for child in children:
            emit(child, sub_docs, full, indent + 2)
        for name, arity, flags, acl, summary, since, complexity in newer:
            print(f"{pad}  {{{cxx_string(name.encode())}, {arity}, {cxx_string(flags.encode())}, 0, 0, 0,")
            print(f"{pad}   {cxx_string(acl.encode())}, \"\", \"~0\\r\\n\",")
            print(f"{pad}   {cxx_string(summary.encode())}, \"{since}\", \"connection\", \"{complexity}\",")
            print(f"{pad}   \"\", 0,")
            print(f"{pad}   \"\", {{}}}},")
        print(f"{pad} }}}},")
    else:
        print(f"{pad} {{}}}},")


def main():
    port = int(sys.argv[1])
    sock = socket.create_connection(("127.0.0.1", port))
    reader = Reader(sock)
    query(sock, reader, "HELLO", "3")
    print("// Generated by scripts/gen-command-metadata.py from redis-server "
          f"{text(as_map(query(sock, reader, 'HELLO', '3'))['version'])}. Do not edit by hand.")
    for name in COMMANDS:
        info = query(sock, reader, "COMMAND", "INFO", name)[1][0]
        docs = as_map(query(sock, reader, "COMMAND", "DOCS", name))
        emit(info, docs, None, 0)


if __name__ == "__main__":
    main()
