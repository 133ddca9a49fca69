"""A test peer on REAL liblsl (through ctypes): resolves, reads and publishes LSL streams, printing JSON lines.

Used by test/lsl/liblsl-interop.test.ts to check the bridge's pure-TypeScript LSL against the
reference library. The library is the one named by the environment variable MW75_LIBLSL (a
liblsl.so built from source: liblsl is in neither npm nor Debian). Run it with /usr/bin/python3,
inside the loopback-only namespace (bash test/netns.sh ...), since it opens LSL sockets:

    resolve --query Q [--timeout S]: a "stream" line per stream matching Q
    read --query Q --samples N [--timeout S] [--fullinfo]: "open", "fullinfo", N "sample", "time_correction"
    markers --name N --source-id S --labels a,b,c [--interval-ms M]: a "marker" line per push,
        then "done"; the outlet stays until stdin closes (at most --linger-ms)
    outlet --name N [--type EEG --channels 14 --rate 500] --seconds S: a float32 outlet pushing chunks

Every line is one JSON object with a "kind"; non-finite numbers are printed as null (JSON has no
NaN). Lines holding `local_clock` (liblsl's clock) and `unix` (time.time()) read them back to back,
so a reader can convert. A failure prints {"kind":"error","message":...} and exits non-zero.
"""
import argparse
import ctypes
import json
import math
import os
import select
import sys
import time

import numpy as np

# Values of lsl_channel_format_t and lsl_error_code_t (include/lsl/common.h).
CFT_FLOAT32, CFT_STRING = 1, 3
ERRORS = {-1: "timeout", -2: "stream lost", -3: "argument error", -4: "internal error"}

P = ctypes.c_void_p  # lsl_streaminfo, lsl_inlet, lsl_outlet: opaque pointers
I32, U32, DBL, STR = ctypes.c_int32, ctypes.c_uint32, ctypes.c_double, ctypes.c_char_p
I32P, ULONG = ctypes.POINTER(ctypes.c_int32), ctypes.c_ulong
CHARPP = ctypes.POINTER(ctypes.c_char_p)
FLOATP, CHARP = ctypes.POINTER(ctypes.c_float), ctypes.POINTER(ctypes.c_char)

# name: (restype, argtypes), as declared in include/lsl/{common,streaminfo,resolver,inlet,outlet}.h.
# Functions returning a string the caller must free return a raw char* (CHARP), not c_char_p,
# so the pointer can be handed back to lsl_destroy_string.
SIGNATURES = {
    "lsl_library_version": (I32, []),
    "lsl_local_clock": (DBL, []),
    "lsl_destroy_string": (None, [CHARP]),
    "lsl_create_streaminfo": (P, [STR, STR, I32, DBL, I32, STR]),
    "lsl_destroy_streaminfo": (None, [P]),
    "lsl_get_name": (STR, [P]),
    "lsl_get_type": (STR, [P]),
    "lsl_get_source_id": (STR, [P]),
    "lsl_get_uid": (STR, [P]),
    "lsl_get_hostname": (STR, [P]),
    "lsl_get_channel_count": (I32, [P]),
    "lsl_get_nominal_srate": (DBL, [P]),
    "lsl_get_channel_format": (I32, [P]),
    "lsl_get_xml": (CHARP, [P]),
    "lsl_resolve_bypred": (I32, [ctypes.POINTER(P), U32, STR, I32, DBL]),
    "lsl_create_inlet": (P, [P, I32, I32, I32]),
    "lsl_destroy_inlet": (None, [P]),
    "lsl_open_stream": (None, [P, DBL, I32P]),
    "lsl_get_fullinfo": (P, [P, DBL, I32P]),
    "lsl_time_correction": (DBL, [P, DBL, I32P]),
    "lsl_pull_sample_f": (DBL, [P, FLOATP, I32, DBL, I32P]),
    "lsl_pull_sample_str": (DBL, [P, ctypes.POINTER(CHARP), I32, DBL, I32P]),
    "lsl_create_outlet": (P, [P, I32, I32]),
    "lsl_destroy_outlet": (None, [P]),
    "lsl_have_consumers": (I32, [P]),
    "lsl_wait_for_consumers": (I32, [P, DBL]),
    "lsl_push_sample_strt": (I32, [P, CHARPP, DBL]),
    "lsl_push_chunk_ft": (I32, [P, FLOATP, ULONG, DBL]),
}


class PeerError(Exception):
    """A failure reported as an "error" line."""


def load():
    path = os.environ.get("MW75_LIBLSL")
    if not path:
        raise PeerError("MW75_LIBLSL is not set (the path of liblsl.so)")
    lib = ctypes.CDLL(path)
    for name, (restype, argtypes) in SIGNATURES.items():
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = restype, argtypes
    return lib


def emit(kind, **fields):
    print(json.dumps({"kind": kind, **fields}), flush=True)


def check(ec, what):
    if ec.value != 0:
        raise PeerError(f"{what} failed: {ERRORS.get(ec.value, ec.value)}")


def clocks(lib):
    """liblsl's clock and the Unix clock, read back to back (the Unix read between two LSL reads)."""
    a = lib.lsl_local_clock()
    u = time.time()
    b = lib.lsl_local_clock()
    return {"local_clock": (a + b) / 2, "unix": u}


def describe(lib, info):
    dec = lambda s: s.decode("utf-8", "replace") if s is not None else None
    return {
        "name": dec(lib.lsl_get_name(info)),
        "type": dec(lib.lsl_get_type(info)),
        "source_id": dec(lib.lsl_get_source_id(info)),
        "uid": dec(lib.lsl_get_uid(info)),
        "hostname": dec(lib.lsl_get_hostname(info)),
        "channel_count": lib.lsl_get_channel_count(info),
        "nominal_srate": lib.lsl_get_nominal_srate(info),
        "channel_format": lib.lsl_get_channel_format(info),
    }


def take_string(lib, ptr):
    """Copies a char* that liblsl allocated for us, then frees it with lsl_destroy_string."""
    if not ptr:
        return None
    text = ctypes.string_at(ptr).decode("utf-8", "replace")
    lib.lsl_destroy_string(ptr)
    return text


def resolve(lib, query, timeout, slots=64):
    buf = (P * slots)()
    # minimum = slots: wait the whole timeout and collect everything that answers
    n = lib.lsl_resolve_bypred(buf, slots, query.encode(), slots, timeout)
    if n < 0:
        raise PeerError(f"lsl_resolve_bypred failed: {ERRORS.get(n, n)}")
    return [buf[i] for i in range(n)]


def cmd_resolve(lib, args):
    infos = resolve(lib, args.query, args.timeout)
    for info in infos:
        emit("stream", **describe(lib, info))
        lib.lsl_destroy_streaminfo(info)
    emit("done", count=len(infos))


def pull(lib, inlet, fmt, channels, timeout):
    """One sample as (timestamp, values); timestamp 0.0 when none came within `timeout`."""
    ec = I32(0)
    if fmt == CFT_STRING:
        buf = (CHARP * channels)()
        ts = lib.lsl_pull_sample_str(inlet, buf, channels, timeout, ctypes.byref(ec))
        check(ec, "lsl_pull_sample_str")
        return ts, [take_string(lib, buf[i]) for i in range(channels)] if ts else []
    buf = (ctypes.c_float * channels)()
    ts = lib.lsl_pull_sample_f(inlet, buf, channels, timeout, ctypes.byref(ec))
    check(ec, "lsl_pull_sample_f")
    return ts, [v if math.isfinite(v) else None for v in buf]


def cmd_read(lib, args):
    deadline = time.monotonic() + args.timeout
    infos = resolve(lib, args.query, min(args.timeout, args.resolve_timeout), slots=1)
    if not infos:
        raise PeerError(f"no stream matches {args.query!r}")
    info = infos[0]
    desc = describe(lib, info)
    # buffer 360 s (liblsl's default), chunks as the sender makes them, recover lost streams
    inlet = lib.lsl_create_inlet(info, 360, 0, 1)
    lib.lsl_destroy_streaminfo(info)  # the inlet keeps its own copy
    if not inlet:
        raise PeerError("lsl_create_inlet returned NULL")
    try:
        ec = I32(0)
        lib.lsl_open_stream(inlet, max(0.1, deadline - time.monotonic()), ctypes.byref(ec))
        check(ec, "lsl_open_stream")
        emit("open", stream=desc, **clocks(lib))
        if args.fullinfo:
            full = lib.lsl_get_fullinfo(inlet, max(0.1, deadline - time.monotonic()), ctypes.byref(ec))
            check(ec, "lsl_get_fullinfo")
            emit("fullinfo", xml=take_string(lib, lib.lsl_get_xml(full)))
            lib.lsl_destroy_streaminfo(full)
        got = 0
        while got < args.samples:
            left = deadline - time.monotonic()
            if left <= 0:
                raise PeerError(f"only {got} of {args.samples} samples within {args.timeout} s")
            ts, values = pull(lib, inlet, desc["channel_format"], desc["channel_count"], left)
            if ts:
                got += 1
                emit("sample", timestamp=ts, values=values)
        tc = lib.lsl_time_correction(inlet, max(0.5, deadline - time.monotonic()), ctypes.byref(ec))
        check(ec, "lsl_time_correction")
        emit("time_correction", time_correction=tc, **clocks(lib))
    finally:
        lib.lsl_destroy_inlet(inlet)


def make_outlet(lib, name, type_, channels, rate, fmt, source_id):
    info = lib.lsl_create_streaminfo(name.encode(), type_.encode(), channels, rate, fmt, source_id.encode())
    if not info:
        raise PeerError("lsl_create_streaminfo returned NULL")
    # chunk size 0 (the pusher's), buffer 360 s (liblsl's default)
    outlet = lib.lsl_create_outlet(info, 0, 360)
    lib.lsl_destroy_streaminfo(info)  # the outlet keeps its own copy
    if not outlet:
        raise PeerError("lsl_create_outlet returned NULL")
    return outlet


def cmd_markers(lib, args):
    labels = [s for s in args.labels.split(",") if s]
    outlet = make_outlet(lib, args.name, args.type, 1, 0.0, CFT_STRING, args.source_id)
    try:
        emit("outlet", name=args.name, source_id=args.source_id, **clocks(lib))
        if not lib.lsl_wait_for_consumers(outlet, args.consumer_timeout):
            raise PeerError(f"no consumer within {args.consumer_timeout} s")
        emit("consumer", **clocks(lib))
        for i, label in enumerate(labels):
            if i > 0:
                time.sleep(args.interval_ms / 1000)
            sample = (ctypes.c_char_p * 1)(label.encode())
            a = lib.lsl_local_clock()
            u = time.time()
            rc = lib.lsl_push_sample_strt(outlet, sample, a)
            if rc != 0:
                raise PeerError(f"lsl_push_sample_strt failed: {ERRORS.get(rc, rc)}")
            emit("marker", label=label, timestamp=a, unix=u, consumers=lib.lsl_have_consumers(outlet))
        emit("done", count=len(labels))
        # destroying the outlet at once could cut the last sample off the consumer's socket: held
        # until the caller closes stdin (it saw the markers arrive), at most --linger-ms
        select.select([sys.stdin], [], [], args.linger_ms / 1000)
    finally:
        lib.lsl_destroy_outlet(outlet)


def cmd_outlet(lib, args):
    source_id = args.source_id or f"{args.name}-liblsl-peer"
    outlet = make_outlet(lib, args.name, args.type, args.channels, args.rate, CFT_FLOAT32, source_id)
    try:
        emit("outlet", name=args.name, source_id=source_id, **clocks(lib))
        per_chunk = max(1, round(args.rate * args.chunk_ms / 1000))
        total = round(args.rate * args.seconds)
        t0 = lib.lsl_local_clock()
        pushed = 0
        while pushed < total:
            n = min(per_chunk, total - pushed)
            due = t0 + (pushed + n) / args.rate
            wait = due - lib.lsl_local_clock()
            if wait > 0:
                time.sleep(wait)
            # sample i, channel c holds (i mod 10000) + c/4: exact in float32, so a reader can check it
            idx = np.arange(pushed, pushed + n, dtype=np.float64)[:, None] % 10000
            chunk = np.ascontiguousarray(idx + np.arange(args.channels)[None, :] / 4, dtype=np.float32)
            last = t0 + (pushed + n - 1) / args.rate  # push_chunk_ft stamps the chunk's LAST sample
            rc = lib.lsl_push_chunk_ft(outlet, chunk.ctypes.data_as(FLOATP), chunk.size, last)
            if rc != 0:
                raise PeerError(f"lsl_push_chunk_ft failed: {ERRORS.get(rc, rc)}")
            pushed += n
        emit("done", samples=pushed, first_timestamp=t0, consumers=lib.lsl_have_consumers(outlet))
    finally:
        lib.lsl_destroy_outlet(outlet)


def parse(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    # (flag, type, default); default None = required
    options = {
        "resolve": [("--query", str, None), ("--timeout", float, 2.0)],
        "read": [("--query", str, None), ("--samples", int, 1), ("--timeout", float, 10.0),
                 ("--resolve-timeout", float, 5.0)],
        "markers": [("--name", str, None), ("--type", str, "Markers"), ("--source-id", str, None),
                    ("--labels", str, None), ("--interval-ms", float, 200),
                    ("--consumer-timeout", float, 15.0),
                    ("--linger-ms", float, 30000)],
        "outlet": [("--name", str, None), ("--type", str, "EEG"), ("--channels", int, 14),
                   ("--rate", float, 500), ("--seconds", float, None), ("--source-id", str, ""),
                   ("--chunk-ms", float, 20)],
    }
    for cmd, flags in options.items():
        p = sub.add_parser(cmd)
        for flag, kind, default in flags:
            p.add_argument(flag, type=kind, default=default, required=default is None)
        if cmd == "read":
            p.add_argument("--fullinfo", action="store_true")
    return ap.parse_args(argv)


def main(argv):
    args = parse(argv)
    try:
        lib = load()
        {"resolve": cmd_resolve, "read": cmd_read, "markers": cmd_markers, "outlet": cmd_outlet}[args.cmd](lib, args)
    except PeerError as e:
        emit("error", message=str(e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
