#!/usr/bin/env python3
"""Redis memory per bitmap, as segstream keeps them (docs/scaling.md, "Memory").

For N contact numbers (10,000, 100,000 and 1,000,000 by default) and a density (every contact, 10 %,
1 %, one contact), builds one bitmap the way the projection does (SETBIT per member, bit offset = contact
number) and reports MEMORY USAGE (SAMPLES 0) and STRLEN:
  - "raw": the bitmap only as long as its highest member needs;
  - "SETBIT-padded": then padded with SETBIT at the last bit to a multiple of 8,192 bytes reached by
    doubling from 8,192 (how segstream padded every bitmap of a tenant to the tenant's length before:
    Redis then allocates about twice the length, its strings grow greedily below 1 MB);
  - "SET 8192k": created at that length at once with SET of zero bytes, then the members set;
  - "SET 8192k-64": the same at 64 bytes under the multiple (the string's header fits in the allocator's
    size class);
  - "now": 64 bytes under the smallest power of two from 128 bytes up to 8,192 that holds the members,
    above that as "SET 8192k-64" (how Projection.SIZE sizes bitmaps: no 8 KiB floor for small tenants).
With --growth, also times what a tenant's length doubling costs: one script growing 200 bitmaps from L
to 2L bytes by SETBIT at the last bit (before), and by SETBIT then COPY to a scratch key and RENAME back
(Projection.FIT, now: the copy is allocated at the string's length), at L = 131,008 bytes (1,000,000 contact numbers) and 1,048,512 bytes.
Only the Python standard library; talks RESP over a socket, pipelined. Keys live under
"segstream-memprobe:" and are deleted at the end.

  python3 load-tests/memory/bitmap-memory.py [--host 127.0.0.1] [--port 6379] [--sizes 10000,100000,1000000] [--growth]
"""
import time
import argparse
import random
import socket


class Redis:
    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=60)
        self.buf = b""

    @staticmethod
    def encode(*args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        return b"".join(out)

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise ConnectionError("Redis closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"-":
            raise RuntimeError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"+":
            return rest.decode()
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                self.buf += self.sock.recv(1 << 16)
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data
        if kind == b"*":
            return [self._reply() for _ in range(int(rest))]
        raise RuntimeError("unexpected reply %r" % line)

    def pipeline(self, commands, batch=10000):
        replies = []
        for i in range(0, len(commands), batch):
            part = commands[i:i + batch]
            self.sock.sendall(b"".join(self.encode(*c) for c in part))
            replies.extend(self._reply() for _ in part)
        return replies

    def call(self, *args):
        return self.pipeline([args])[0]


def padded_length(contacts, slack, smallest=8192):
    """The byte length of a tenant's bitmaps once contact numbers reach `contacts`, grown by doubling from
    an allocation of `smallest` bytes (powers of two up to 8,192, multiples of 8,192 above)."""
    need = contacts // 8 + 1
    length = smallest - slack
    while length < need:
        grown = length * 2 + slack
        unit = smallest
        while unit < 8192 and unit < grown:
            unit *= 2
        length = (unit if unit >= grown else (grown + 8191) // 8192 * 8192) - slack
    return length


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=6379)
    p.add_argument("--sizes", default="1000,5000,10000,100000,1000000")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--growth", action="store_true")
    args = p.parse_args()
    r = Redis(args.host, args.port)
    info = r.call("INFO", "server").decode()
    version = next(l.split(":")[1] for l in info.splitlines() if l.startswith("redis_version"))
    allocator = next(l.split(":")[1] for l in r.call("INFO", "memory").decode().splitlines() if l.startswith("mem_allocator"))
    print("Redis %s (%s) at %s:%d" % (version, allocator, args.host, args.port))
    print("%9s %7s %8s | %8s %8s %7s | %8s %8s %7s | %8s %8s %7s | %8s %8s %7s | %8s %8s %7s" % (
        "contacts", "density", "members", "raw len", "memory", "B/cont", "len", "SETBIT", "B/cont",
        "len", "SET", "B/cont", "len", "SET-64", "B/cont", "len", "now", "B/cont"))
    rnd = random.Random(args.seed)
    keys = []
    for n in [int(s) for s in args.sizes.split(",")]:
        for label, fraction in (("100%", 1.0), ("10%", 0.1), ("1%", 0.01), ("1", None)):
            members = [n - 1] if fraction is None else sorted(rnd.sample(range(n), max(1, int(n * fraction))))
            key = "segstream-memprobe:{m}:%d:%s" % (n, label)
            keys.append(key)
            r.call("DEL", key)
            r.pipeline([("SETBIT", key, no, 1) for no in members])
            raw = r.call("MEMORY", "USAGE", key, "SAMPLES", "0")
            raw_len = r.call("STRLEN", key)
            row = [n, label, len(members), raw_len, raw, raw / n]
            length = padded_length(n, 0)
            if raw_len < length:
                r.call("SETBIT", key, length * 8 - 1, 0)
            row += [r.call("STRLEN", key), r.call("MEMORY", "USAGE", key, "SAMPLES", "0")]
            row.append(row[-1] / n)
            for suffix, slack, smallest in ((":set", 0, 8192), (":set-64", 64, 8192), (":now", 64, 128)):
                k = key + suffix
                keys.append(k)
                length = padded_length(n, slack, smallest)
                r.call("SET", k, bytes(length))
                r.pipeline([("SETBIT", k, no, 1) for no in members])
                usage = r.call("MEMORY", "USAGE", k, "SAMPLES", "0")
                row += [r.call("STRLEN", k), usage, usage / n]
            print("%9d %7s %8d | %8d %8d %7.4f | %8d %8d %7.4f | %8d %8d %7.4f | %8d %8d %7.4f | %8d %8d %7.4f" % tuple(row))
    r.call("DEL", *keys)
    if args.growth:
        growth(r)


SETBIT_GROW = "for i = 1, #KEYS do redis.call('SETBIT', KEYS[i], tonumber(ARGV[1]) * 8 - 1, 0) end return 1"
COPY_GROW = """
local scratch = 'segstream-memprobe:{g}:scratch'
for i = 1, #KEYS do
  redis.call('SETBIT', KEYS[i], tonumber(ARGV[1]) * 8 - 1, 0)
  redis.call('COPY', KEYS[i], scratch, 'REPLACE')
  redis.call('RENAME', scratch, KEYS[i])
end
return 1"""


def growth(r, bitmaps=200):
    print("\ngrowing %d bitmaps in one script" % bitmaps)
    for old in (131072 - 64, 1048576 - 64):
        new = old * 2 + 64
        for name, script in (("SETBIT (before)", SETBIT_GROW), ("SETBIT, COPY (now)", COPY_GROW)):
            keys = ["segstream-memprobe:{g}:%d" % i for i in range(bitmaps)]
            r.call("DEL", *keys)
            # Each bitmap as the projection leaves it: SETBIT-padded before, allocated at its length now.
            for k in keys:
                if script is SETBIT_GROW:
                    r.call("SETBIT", k, old * 8 - 1, 0)
                else:
                    r.call("SET", k, bytes(old))
            start = time.perf_counter()
            r.call("EVAL", script, len(keys), *keys, new)
            took = time.perf_counter() - start
            usage = r.call("MEMORY", "USAGE", keys[0], "SAMPLES", "0")
            print("  %-22s %9d -> %9d bytes: %7.0f ms, then %9d bytes of memory per bitmap" % (name, old, new, took * 1000, usage))
            r.call("DEL", *keys)


if __name__ == "__main__":
    main()
