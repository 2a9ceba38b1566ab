#!/usr/bin/python3
"""tty-answer.py PROMPT_REGEX ANSWER_FILE INPUT_FILE -- COMMAND...

Run COMMAND in a pseudo-terminal, as a person at a terminal would: when
its output matches PROMPT_REGEX (a PIN prompt that a program reads from the
terminal, such as libp11's for an always-authenticate key), type the
contents of ANSWER_FILE and Enter; once the prompt was answered, type the
contents of INPUT_FILE. Prints what the program wrote (the answer is typed
after the prompt, when the program has turned echo off: it is not in the
output) and exits with the program's status; 124 when it runs longer than
60 s, 125 when the prompt never came.
"""

import os
import pty
import re
import select
import sys
import time


def main():
    if len(sys.argv) < 6 or sys.argv[4] != "--":
        sys.exit(__doc__)
    prompt = re.compile(sys.argv[1].encode())
    with open(sys.argv[2], "rb") as f:
        answer = f.read().strip() + b"\n"
    with open(sys.argv[3], "rb") as f:
        later = f.read()
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(sys.argv[5], sys.argv[5:])
    out, answered, deadline = b"", False, time.monotonic() + 60
    while time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break  # the program closed the terminal
            if not chunk:
                break
            out += chunk
        if not answered and prompt.search(out):
            time.sleep(0.2)  # the program turns echo off right after the prompt
            os.write(fd, answer)
            os.write(fd, later)
            answered = True
    else:
        os.kill(pid, 9)
        sys.stdout.buffer.write(out)
        sys.exit(124)
    _, status = os.waitpid(pid, 0)
    sys.stdout.buffer.write(out)
    if not answered:
        sys.exit(125)
    sys.exit(os.waitstatus_to_exitcode(status))


if __name__ == "__main__":
    main()
