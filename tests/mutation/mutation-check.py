#!/usr/bin/python3
"""mutation-check.py: do the tests catch real bugs?

Each record of tests/mutation/mutations.txt is one small, deliberate bug:
a file, its exact original text, the replacement, and the tests that must
fail because of it. Every mutation is applied to a scratch copy of the
source tree (the real tree is never written), built incrementally in a
scratch build directory configured like the caller's, and only the tests it
names are run. Two scratch trees (--workers) take the mutations in turn, so
that one builds while the other's tests run. A mutation whose tests all pass has SURVIVED: the tests
missed a real bug, and the check fails.

The check also fails loudly when a mutation's original text does not occur
exactly once in its file (a refactor moved it: the record must be updated,
never silently skipped), when a mutation does not build, and when a test a
mutation names does not pass on the unmutated code (a test that always
fails would "catch" everything).

  mutation-check.py --srcdir DIR --builddir DIR [--only NAME]... [--list]
                    [--keep] [--workers N] [--jobs N]

`make mutation-check` runs it with the build directory it is called in.
docs/testing.md tells how to add a mutation.
"""

import argparse
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PRINT = threading.Lock()  # one line at a time from the workers


def say(line):
    with PRINT:
        print(line, flush=True)
LIST = os.path.join(HERE, "mutations.txt")

# Per test run: the test bed's own limit is shorter (--timeout below), this
# one catches a hang outside it.
RUN_LIMIT = 240


class Mutation:
    def __init__(self, name, line):
        self.name = name
        self.line = line
        self.what = ""
        self.file = ""
        self.tests = []
        self.original = None
        self.replacement = None


def parse(path):
    """The records of mutations.txt (format in its head comment)."""
    muts, cur, block, buf = [], None, None, []
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for n, line in enumerate(lines, 1):
        if block is not None:
            if line == "===" and block == "original":
                cur.original = "\n".join(buf)
                block, buf = "replacement", []
            elif line == ">>>" and block == "replacement":
                cur.replacement = "\n".join(buf)
                block, buf = None, []
            else:
                buf.append(line)
            continue
        if not line.strip() or line.startswith("#"):
            continue
        m = re.fullmatch(r"\[([a-z0-9][a-z0-9.-]*)\]", line)
        if m:
            cur = Mutation(m.group(1), n)
            muts.append(cur)
            continue
        if cur is None:
            raise SystemExit(f"{path}:{n}: text before the first [name]")
        if line == "<<<":
            block, buf = "original", []
            continue
        m = re.fullmatch(r"(what|file|test):\s*(.*)", line)
        if not m:
            raise SystemExit(f"{path}:{n}: not a field: {line!r}")
        key, val = m.groups()
        if key == "test":
            cur.tests.append(val)
        else:
            setattr(cur, key, val)
    if block is not None:
        raise SystemExit(f"{path}: the last record's text block is not closed")
    names = set()
    for m in muts:
        where = f"{path}:{m.line}: [{m.name}]"
        if m.name in names:
            raise SystemExit(f"{where}: the name is used twice")
        names.add(m.name)
        if not (m.what and m.file and m.tests) or m.original is None or m.replacement is None:
            raise SystemExit(f"{where}: needs what, file, at least one test and a <<< === >>> block")
        if not m.original.strip() or m.original == m.replacement:
            raise SystemExit(f"{where}: the original text is empty or equals the replacement")
    return muts


def stale(muts, src):
    """Mutations whose original text is not exactly once in their file."""
    bad = []
    for m in muts:
        p = os.path.join(src, m.file)
        if not os.path.isfile(p):
            bad.append((m, "the file does not exist"))
            continue
        with open(p, encoding="utf-8") as f:
            n = f.read().count(m.original)
        if n != 1:
            bad.append((m, f"the original text occurs {n} times (must be exactly once)"))
    return bad


# ---- the tests a mutation names ------------------------------------------------

def test_command(spec, build, src):
    """A test spec of mutations.txt as (argv, extra environment).

    module ROUND [SUITE[/CASE]]   tests/module/test-module.sh's round ROUND,
                                  Check's CK_RUN_SUITE / CK_RUN_CASE
    check PROGRAM [SUITE[/CASE]]  a Check program of the build tree
    script PATH                   a test script of the source tree
    """
    words = shlex.split(spec)
    env = {}
    if len(words) >= 2 and words[0] in ("module", "check") and len(words) <= 3:
        if len(words) == 3:
            suite, _, case = words[2].partition("/")
            env["CK_RUN_SUITE"] = suite
            if case:
                env["CK_RUN_CASE"] = case
        if words[0] == "module":
            return ["bash", os.path.join(src, "tests/module/test-module.sh"), words[1]], env
        return [os.path.join(build, words[1])], env
    if len(words) == 2 and words[0] == "script":
        return ["bash", os.path.join(src, words[1])], env
    raise SystemExit(f"unknown test spec: {spec!r}")


def run_test(spec, build, src, log):
    argv, extra = test_command(spec, build, src)
    env = dict(os.environ)
    env.update(extra)
    env.update(
        top_srcdir=src,
        top_builddir=build,
        EIMZA_STRICT="1",
        CK_DEFAULT_TIMEOUT="120",
        EIMZA_TB_TIMEOUT="180",
    )
    start = time.monotonic()
    log.write(f"\n==== {spec}\n")
    log.flush()
    proc = subprocess.Popen(argv, cwd=build, env=env, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        rc = proc.wait(timeout=RUN_LIMIT)
    except subprocess.TimeoutExpired:
        # Its own session: the test and what it started. SIGTERM first: the
        # test bed tears its pcscd and cards down on it.
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        rc = "timeout"
    log.write(f"==== {spec}: {rc} ({time.monotonic() - start:.0f} s)\n")
    log.flush()
    return rc


# ---- the scratch tree ------------------------------------------------------------

def is_build_dir(path):
    return os.path.isfile(os.path.join(path, "config.status"))


def copy_source(src, dst, skip):
    """The source tree without .git and build directories (configure and
    the Makefile.in files are copied with their times, so make does not
    regenerate them)."""
    os.makedirs(dst)
    for name in os.listdir(src):
        p = os.path.join(src, name)
        if name in (".git",) or os.path.realpath(p) in skip or (os.path.isdir(p) and is_build_dir(p)):
            continue
        if os.path.isdir(p) and not os.path.islink(p):
            shutil.copytree(p, os.path.join(dst, name), symlinks=True)
        else:
            shutil.copy2(p, os.path.join(dst, name), follow_symlinks=False)


def configure_args(build):
    out = subprocess.run([os.path.join(build, "config.status"), "--config"], capture_output=True,
                         text=True, check=True).stdout
    return shlex.split(out)


def make(build, jobs, log):
    """Everything the tests use: the programs, the module, the check programs."""
    for target in (["all"], ["check", "TESTS="]):
        log.write(f"\n==== make {' '.join(target)}\n")
        log.flush()
        if subprocess.run(["make", f"-j{jobs}"] + target, cwd=build, stdout=log,
                          stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL).returncode != 0:
            return False
    return True


class Worker:
    """One scratch tree (source copy and build directory) and its log. The
    trees are independent: workers build and test side by side."""

    def __init__(self, n, scratch, src, build, jobs):
        self.n = n
        self.src = os.path.join(scratch, f"src{n}")
        self.build = os.path.join(scratch, f"build{n}")
        self.jobs = jobs
        self.logpath = os.path.join(build, f"mutation-check.{n}.log")
        self.log = open(self.logpath, "w", encoding="utf-8")
        self.ok = False
        self.origin = (src, build, scratch)

    def setup(self):
        src, build, scratch = self.origin
        copy_source(src, self.src, {os.path.realpath(build), os.path.realpath(scratch)})
        os.makedirs(self.build)
        args = configure_args(build)
        self.log.write("==== configure " + " ".join(args) + "\n")
        self.log.flush()
        self.ok = subprocess.run([os.path.join(self.src, "configure")] + args, cwd=self.build,
                                 stdout=self.log, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL).returncode == 0 and make(self.build, self.jobs, self.log)

    def baseline(self, spec):
        return run_test(spec, self.build, self.src, self.log)

    def mutate(self, m):
        """SURVIVED, caught or NOBUILD; the tree is restored after."""
        path = os.path.join(self.src, m.file)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        with open(path, "w", encoding="utf-8") as f:
            f.write(text.replace(m.original, m.replacement, 1))
        self.log.write(f"\n######## [{m.name}] {m.file}\n")
        try:
            if not make(self.build, self.jobs, self.log):
                return "NOBUILD"
            for spec in m.tests:
                if run_test(spec, self.build, self.src, self.log) != 0:
                    return "caught"
            return "SURVIVED"
        finally:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)


def in_parallel(workers, items, fn):
    """fn(worker, item) for every item, each worker taking the next item
    when it is free; results in the items' order."""
    lock = threading.Lock()
    todo = list(enumerate(items))
    results = [None] * len(items)

    def loop(w):
        while True:
            with lock:
                if not todo:
                    return
                i, item = todo.pop(0)
            results[i] = fn(w, item)

    threads = [threading.Thread(target=loop, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--srcdir", required=True)
    ap.add_argument("--builddir", required=True, help="a configured build tree (for its configure arguments)")
    ap.add_argument("--only", action="append", default=[], help="run only this mutation (repeatable)")
    ap.add_argument("--list", action="store_true", help="list the mutations and check they apply")
    ap.add_argument("--keep", action="store_true", help="keep the scratch trees")
    ap.add_argument("--workers", type=int, default=2, help="scratch trees building and testing side by side")
    ap.add_argument("--jobs", type=int, default=2, help="make -j per worker")
    a = ap.parse_args()
    src = os.path.realpath(a.srcdir)
    build = os.path.realpath(a.builddir)

    muts = parse(LIST)
    for name in a.only:
        if name not in {m.name for m in muts}:
            raise SystemExit(f"mutation-check: no mutation named {name!r}")
    bad = stale(muts, src)
    for m, why in bad:
        print(f"STALE  [{m.name}] {m.file}: {why}: update tests/mutation/mutations.txt:{m.line}")
    if a.list:
        for m in muts:
            print(f"[{m.name}] {m.file}: {m.what}")
            for t in m.tests:
                print(f"    test: {t}")
    if bad:
        print(f"mutation-check: {len(bad)} mutation(s) no longer apply", file=sys.stderr)
        return 1
    if a.list:
        return 0
    if a.only:
        muts = [m for m in muts if m.name in a.only]

    started = time.monotonic()
    scratch = tempfile.mkdtemp(prefix="mutation-check.", dir=build)
    workers = [Worker(n, scratch, src, build, a.jobs) for n in range(max(1, min(a.workers, len(muts))))]
    print(f"mutation-check: {len(muts)} mutation(s), {len(workers)} scratch tree(s) in {scratch}; "
          f"logs {build}/mutation-check.N.log", flush=True)
    failed = []
    try:
        in_parallel(workers, [None] * len(workers), lambda w, _: w.setup())
        if not all(w.ok for w in workers):
            print("mutation-check: the unmutated scratch tree does not configure or build", file=sys.stderr)
            return 1

        # Every test a mutation names passes on the real code.
        def baseline(w, spec):
            rc = w.baseline(spec)
            say(f"{'ok' if rc == 0 else 'FAILS':8} baseline: {spec}" + ("" if rc == 0 else f" (exit {rc})"))
            return rc
        specs = sorted({t for m in muts for t in m.tests})
        for spec, rc in zip(specs, in_parallel(workers, specs, baseline)):
            if rc != 0:
                failed.append(f"baseline {spec}")
        if failed:
            print("mutation-check: tests fail without any mutation; see the logs", file=sys.stderr)
            return 1

        def one(w, m):
            t0 = time.monotonic()
            verdict = w.mutate(m)
            say(f"{verdict:8} [{m.name}] {m.what} ({time.monotonic() - t0:.0f} s)")
            return verdict
        for m, verdict in zip(muts, in_parallel(workers, muts, one)):
            if verdict != "caught":
                failed.append(f"{verdict} [{m.name}]")
    finally:
        for w in workers:
            w.log.close()
        if not a.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    total = time.monotonic() - started
    if failed:
        print(f"mutation-check: FAILED in {total:.0f} s: " + ", ".join(failed), file=sys.stderr)
        print("  SURVIVED: no named test failed with the bug in place; NOBUILD: the mutation does not "
              "compile (fix the record); see docs/testing.md", file=sys.stderr)
        return 1
    print(f"mutation-check: all {len(muts)} mutation(s) caught in {total:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
