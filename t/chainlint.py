#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Find broken && chains in the test bodies of t/*.sh.

A test body is a chain of commands joined by &&, and passes when the
chain does: a line that forgets its && lets the command before it fail
unseen, and the test proves nothing.  This reads every
test_expect_success body and reports each line that neither continues
the chain (&&, ||, |, a backslash, an opening ( { then do else in) nor
closes a block, before a line that is not the end of one.  Here-document
bodies are skipped.  Exit 1 when anything is found.

    t/chainlint.py t/*.sh
"""
import re
import sys

# A line may end the chain on purpose: with ";" (as in "cmd; code=$?",
# which keeps an exit code for a later check) or "&" (a job to wait for).
CONTINUES = ("&&", "||", "|", "\\", "(", "{", "then", "do", "else", " in",
             ";;", ";", "&")
CLOSES = ("done", "fi", "else", "elif", ")", "}", "esac", ";;", "do", "then")


def bodies(text):
    """Yield (line number, [lines]) of each single-quoted test body."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        # The title, then a quote alone opening the body on the next line.
        if re.match(r"\s*test_expect_success\b", lines[i]) and \
                re.search(r"\s'$", lines[i].rstrip()):
            start = i + 1
            j = start
            while j < len(lines) and lines[j].strip() != "'":
                j += 1
            yield start + 1, lines[start:j]
            i = j
        i += 1


def quotes(line):
    """How many unescaped double quotes the line has."""
    return len(re.findall(r'(?<!\\)"', line))


def significant(body):
    """The body's command lines; here-documents, comments and the inside
    of strings that run over several lines left out."""
    out = []
    heredoc = None
    in_string = False
    for n, line in enumerate(body):
        s = line.strip()
        if heredoc:
            if s == heredoc:
                heredoc = None
            continue
        if in_string:
            if quotes(line) % 2:
                in_string = False
                out.append((n, s))
            continue
        if quotes(line) % 2:
            in_string = True
            continue
        m = re.search(r"<<-?\s*\\?['\"]?([A-Za-z_]+)['\"]?", line)
        if m and "<<<" not in line:
            heredoc = m.group(1)
        if not s or s.startswith("#"):
            continue
        out.append((n, s))
    return out


def check(path):
    bad = 0
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for first, body in bodies(text):
        lines = significant(body)
        for k, (n, s) in enumerate(lines[:-1]):
            nxt = lines[k + 1][1]
            if s.endswith(CONTINUES) or nxt.startswith(CLOSES):
                continue
            # Inside a loop, "|| return 1" ends one link as git's tests do;
            # a status kept on the next line ("echo $? >code") was meant.
            if re.search(r"\|\| (return|exit) 1;?( \})?$", s) or \
                    re.match(r"^(echo \$\?|\w+=\$\?)", nxt):
                continue
            # A case pattern line such as "a|b)" opens its branch.
            if re.match(r"^[^()]*\)$", s):
                continue
            print("%s:%d: broken && chain: %s" % (path, first + n, s))
            bad += 1
    return bad


def main(paths):
    bad = sum(check(p) for p in paths)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
