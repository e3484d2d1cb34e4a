#!/usr/bin/env python3
"""Instructions (Ir) per object file in callgrind output files, self cost
only: how much of a process's work is libssl and libcrypto, libc, or the
program itself. Usage: callgrind-objects.py REQUESTS FILE...

Prints "object Ir share Ir-per-request" lines, largest first, then the total.
The format (name compression, `calls=` lines followed by the call's
inclusive cost, which is not the caller's self cost) is valgrind's
docs/callgrind-format."""
import collections
import os
import sys


def self_cost_by_object(path, totals):
    names = {}
    obj = "???"
    skip_next_cost = False
    with open(path, errors="replace") as f:
        for line in f:
            if not line or line[0] == "#":
                continue
            if line.startswith("ob="):
                value = line[3:].strip()
                if value.startswith("("):
                    ident, _, name = value.partition(")")
                    name = name.strip()
                    if name:
                        names[ident] = name
                    obj = names.get(ident, value)
                else:
                    obj = value
                continue
            if line.startswith("calls="):
                skip_next_cost = True
                continue
            first = line[0]
            if first.isdigit() or first in "+-*":
                if skip_next_cost:
                    skip_next_cost = False
                    continue
                fields = line.split()
                if len(fields) >= 2:
                    totals[obj] += int(fields[1])
                continue
            # cob=/cfi=/cfn= name the call's target only; fn=, fl= and the
            # header lines do not change the object.
            if line.startswith("cob=") and "(" in line:
                ident, _, name = line[4:].strip().partition(")")
                if name.strip():
                    names[ident] = name.strip()


def main():
    requests = int(sys.argv[1])
    totals = collections.Counter()
    for path in sys.argv[2:]:
        self_cost_by_object(path, totals)
    total = sum(totals.values())
    groups = collections.Counter()
    for obj, ir in totals.items():
        base = os.path.basename(obj)
        if base.startswith("libssl") or base.startswith("libcrypto"):
            groups["OpenSSL (libssl, libcrypto)"] += ir
        elif base.startswith("libc.so") or base.startswith("libc-"):
            groups["libc"] += ir
        elif base.startswith("ld-linux"):
            groups["dynamic loader"] += ir
        else:
            groups[base] += ir
    for name, ir in groups.most_common(8):
        print(f"{name}: {ir / requests:,.0f} Ir per request ({100 * ir / total:.1f}%)")
    print(f"total: {total / requests:,.0f} Ir per request over {requests} requests")


main()
