#!/usr/bin/env python3
"""docs/USING.md cannot rot: every code block in it is compiled or run here.

- A ```cpp or ```cmake block starts with a comment naming a file of the repository
  (`// examples/line_protocol/line_server.h`, `# examples/line_protocol/CMakeLists.txt`); the rest
  of the block must appear in that file, line for line. Those files are built by the sh blocks.
- A ```sh block is run with bash -e in one work folder shared by all blocks, in order, with
  LOOPCHECK_SOURCE set to the checkout and LOOPCHECK_BUILD to its build folder. A command
  followed by `# exits N` must exit with N; every other command must succeed.
- A ```text block right after an sh block is output that block must print: each of its lines
  must appear in that output, with every run of digits standing for any number.
Any other block is an error: a block this script does not check is a block that can rot.

usage: using_test.py USING.md --source DIR --build DIR --work DIR
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

EXITS = re.compile(r"^(?P<command>.*?)\s+# exits (?P<code>\d+)\s*$")


def blocks(text):
    """Yields (language, first line number, lines) for every fenced block."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        fence = re.match(r"^```(\w*)\s*$", lines[i])
        if not fence:
            i += 1
            continue
        start = i + 1
        j = start
        while j < len(lines) and lines[j].rstrip() != "```":
            j += 1
        if j == len(lines):
            raise SystemExit(f"USING.md:{i + 1}: a code block is never closed")
        yield fence.group(1), start, lines[start:j]
        i = j + 1


def check_excerpt(source, language, line_no, body):
    comment = "//" if language == "cpp" else "#"
    if not body or not body[0].startswith(comment + " "):
        return f"USING.md:{line_no}: a {language} block must start with '{comment} <file>'"
    path = os.path.join(source, body[0][len(comment) + 1:].strip())
    if not os.path.isfile(path):
        return f"USING.md:{line_no}: {body[0]} names no file of the repository"
    with open(path, encoding="utf-8") as f:
        file_lines = f.read().split("\n")
    excerpt = body[1:]
    if not excerpt:
        return f"USING.md:{line_no}: the block shows nothing of {body[0]}"
    n = len(excerpt)
    if not any(file_lines[k:k + n] == excerpt for k in range(len(file_lines) - n + 1)):
        return f"USING.md:{line_no}: this excerpt is not in {body[0][len(comment) + 1:].strip()} as shown"
    return None


def shell_script(body):
    """bash for an sh block: `# exits N` lines check their exit code instead of stopping."""
    out = ["set -euo pipefail"]
    for line in body:
        m = EXITS.match(line)
        if m:
            code = m.group("code")
            command = m.group("command")
            out.append(f"set +e; {command}; rc=$?; set -e")
            out.append(f'if [ "$rc" -ne {code} ]; then echo "USING.md: exit $rc, expected {code}: '
                       f'{command.replace(chr(39), "")}" >&2; exit 1; fi')
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def normalise(text):
    """Numbers and the widths of table columns vary from run to run; words do not."""
    text = re.sub(r"\d+(\.\d+)?", "#", text)
    return re.sub(r"[ \t]+", " ", text).strip()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("using_md")
    parser.add_argument("--source", required=True)
    parser.add_argument("--build", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    with open(args.using_md, encoding="utf-8") as f:
        text = f.read()
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    env = dict(os.environ, LOOPCHECK_SOURCE=os.path.abspath(args.source),
               LOOPCHECK_BUILD=os.path.abspath(args.build))
    failures = []
    last_output = None
    counts = {"excerpts": 0, "sh": 0, "text": 0}
    for language, line_no, body in blocks(text):
        if language in ("cpp", "cmake"):
            counts["excerpts"] += 1
            problem = check_excerpt(args.source, language, line_no, body)
            if problem:
                failures.append(problem)
            last_output = None
        elif language == "sh":
            counts["sh"] += 1
            run = subprocess.run(["bash", "-c", shell_script(body)], cwd=args.work, env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            print(f"--- USING.md:{line_no} (sh) exit {run.returncode}\n{run.stdout}", end="")
            if run.returncode != 0:
                failures.append(f"USING.md:{line_no}: the sh block failed (exit {run.returncode})")
                break  # later blocks build on this one
            last_output = run.stdout
        elif language == "text":
            counts["text"] += 1
            if last_output is None:
                failures.append(f"USING.md:{line_no}: a text block must follow the sh block that prints it")
                continue
            printed = normalise(last_output)
            for offset, line in enumerate(body):
                if line.strip() and normalise(line) not in printed:
                    failures.append(f"USING.md:{line_no + offset}: not printed: {line.strip()}")
        else:
            failures.append(f"USING.md:{line_no}: a ```{language or '(no language)'} block is "
                            "neither compiled nor run; use cpp, cmake, sh or text")
    for failure in failures:
        print("FAIL", failure)
    print(f"{counts['excerpts']} excerpts, {counts['sh']} sh blocks, {counts['text']} outputs checked; "
          f"{len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
