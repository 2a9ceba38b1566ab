#!/usr/bin/env python3
"""tb-dumpable.py PID STRING...: print each STRING found in what a core dump
of process PID would hold: every readable mapping but those marked
MADV_DONTDUMP ("dd" in /proc/PID/smaps), which the kernel leaves out of every
core file. Reads /proc/PID/mem (root, or the process's owner with ptrace
allowed); writes nothing. Exit 0 whatever it finds, 2 when it cannot read.

gcore is no substitute under AddressSanitizer: gdb dumps an instrumented
process's reserved shadow and allocator space, terabytes of zeros.
"""
import re
import sys

CHUNK = 1 << 20


def mappings(pid):
    """(start, end, name) of the readable mappings without VmFlags dd."""
    out, cur = [], None
    head = re.compile(r"^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$")
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            m = head.match(line)
            if m:
                cur = (int(m.group(1), 16), int(m.group(2), 16), m.group(3), m.group(4))
            elif line.startswith("VmFlags:") and cur:
                start, end, perms, name = cur
                if "r" in perms and "dd" not in line.split()[1:] and name != "[vsyscall]":
                    out.append((start, end, name))
                cur = None
    return out


def main():
    if len(sys.argv) < 3:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    pid, wanted = sys.argv[1], [s.encode() for s in sys.argv[2:]]
    keep = max(len(w) for w in wanted) - 1
    found = set()
    try:
        regions = mappings(pid)
        mem = open(f"/proc/{pid}/mem", "rb", buffering=0)
    except OSError as e:
        print(f"tb-dumpable: {e}", file=sys.stderr)
        return 2
    with mem:
        for start, end, _ in regions:
            tail, at = b"", start
            while at < end:
                n = min(CHUNK, end - at)
                try:
                    mem.seek(at)
                    block = mem.read(n)
                except OSError:
                    block = b""  # a page the kernel will not show (and not dump)
                at += n
                if not block:
                    tail = b""
                    continue
                data = tail + block
                for w in wanted:
                    if w in data:
                        found.add(w)
                tail = data[-keep:] if keep else b""
    for w in wanted:
        if w in found:
            print(w.decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
