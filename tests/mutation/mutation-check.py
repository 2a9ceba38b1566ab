#!/usr/bin/python3
"""mutation-check.py: do the tests catch real bugs?

Each record of tests/mutation/mutations.txt is one small, deliberate bug:
a file, its exact original text, the replacement, and the tests that must
fail because of it. Every mutation is applied to a scratch copy of the
source tree (the real tree is never written), built incrementally in a
scratch build directory configured like the caller's, and only the tests it
names are run. A mutation whose tests all pass has SURVIVED: the tests
missed a real bug, and the check fails.

The check also fails loudly when a mutation's original text does not occur
exactly once in its file (a refactor moved it: the record must be updated,
never silently skipped), when a mutation does not build, and when a test a
mutation names does not pass on the unmutated code (a test that always
fails would "catch" everything).

  mutation-check.py --srcdir DIR --builddir DIR [--only NAME]... [--list]
                    [--keep] [--jobs N]

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
import time

HERE = os.path.dirname(os.path.abspath(__file__))
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


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--srcdir", required=True)
    ap.add_argument("--builddir", required=True, help="a configured build tree (for its configure arguments)")
    ap.add_argument("--only", action="append", default=[], help="run only this mutation (repeatable)")
    ap.add_argument("--list", action="store_true", help="list the mutations and check they apply")
    ap.add_argument("--keep", action="store_true", help="keep the scratch tree")
    ap.add_argument("--jobs", type=int, default=2)
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
    ssrc, sbuild = os.path.join(scratch, "src"), os.path.join(scratch, "build")
    logpath = os.path.join(build, "mutation-check.log")
    print(f"mutation-check: {len(muts)} mutation(s); scratch tree {scratch}; log {logpath}")
    failed = []
    with open(logpath, "w", encoding="utf-8") as log:
        try:
            copy_source(src, ssrc, {os.path.realpath(build), os.path.realpath(scratch)})
            os.makedirs(sbuild)
            log.write("==== configure " + " ".join(configure_args(build)) + "\n")
            log.flush()
            if subprocess.run([os.path.join(ssrc, "configure")] + configure_args(build), cwd=sbuild,
                              stdout=log, stderr=subprocess.STDOUT).returncode != 0 or not make(sbuild, a.jobs, log):
                print("mutation-check: the unmutated scratch tree does not configure or build", file=sys.stderr)
                return 1

            # Every test a mutation names passes on the real code.
            specs = sorted({t for m in muts for t in m.tests})
            for spec in specs:
                rc = run_test(spec, sbuild, ssrc, log)
                print(f"{'ok' if rc == 0 else 'FAILS'}     baseline: {spec}" + ("" if rc == 0 else f" (exit {rc})"))
                if rc != 0:
                    failed.append(f"baseline {spec}")
            if failed:
                print("mutation-check: tests fail without any mutation; see the log", file=sys.stderr)
                return 1

            for m in muts:
                path = os.path.join(ssrc, m.file)
                with open(path, encoding="utf-8") as f:
                    text = f.read()
                t0 = time.monotonic()
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text.replace(m.original, m.replacement, 1))
                log.write(f"\n######## [{m.name}] {m.file}\n")
                try:
                    if not make(sbuild, a.jobs, log):
                        verdict = "NOBUILD"
                    else:
                        verdict = "SURVIVED"
                        for spec in m.tests:
                            if run_test(spec, sbuild, ssrc, log) != 0:
                                verdict = "caught"
                                break
                finally:
                    with open(path, "w", encoding="utf-8") as f:
                        f.write(text)
                print(f"{verdict:8} [{m.name}] {m.what} ({time.monotonic() - t0:.0f} s)", flush=True)
                if verdict != "caught":
                    failed.append(f"{verdict} [{m.name}]")
            make(sbuild, a.jobs, log)  # the scratch tree as it was, for --keep
        finally:
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
