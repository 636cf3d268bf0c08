"""Diagnostics from the CLIs' machine-readable output.

`validate -json` prints one object with a "diagnostics" list; `plan -json`,
`apply -json` and friends stream one JSON object a line, diagnostics being
the lines with "type": "diagnostic". Both carry the same diagnostic shape:

    {"severity": "error", "summary": "...", "detail": "...", "address": "...",
     "range": {"filename": "main.tf", "start": {"line": 9, "column": 17, ...},
               "end": {...}},
     "snippet": {"context": "provider \\"talentbase\\"", "code": "...",
                 "start_line": 9, "highlight_start_offset": 16, ...}}

A diagnostic the provider attaches to an attribute path comes back with the
range of that attribute's expression; `Diagnostic.attribute()` turns the
range back into a path ("assume_role.role_arn") by reading the configuration
file, so a test can say which attribute an error must point at.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

_TOP_LEVEL = {"provider", "resource", "data", "module", "terraform", "variable", "output",
              "locals", "check", "import", "moved", "removed", "ephemeral"}
_NAME = r'[A-Za-z_][A-Za-z0-9_-]*'
_ATTR_BEFORE_VALUE = re.compile(r'(' + _NAME + r'|"[^"]*")\s*=\s*$')
_ASSIGN = re.compile(r'(' + _NAME + r'|"[^"]*")\s*=(?![=>])')
_BLOCK_HEADER = re.compile(r'^\s*(' + _NAME + r')((?:\s+(?:"[^"]*"|' + _NAME + r'))*)\s*$')
_ATTR_HEADER = re.compile(r'^\s*(' + _NAME + r'|"[^"]*")\s*=\s*\[?\s*$')


@dataclass
class Diagnostic:
    severity: str
    summary: str
    detail: str = ""
    address: str | None = None
    range: dict | None = None
    snippet: dict | None = None
    raw: dict = field(default_factory=dict, repr=False)

    @classmethod
    def from_json(cls, d: dict) -> "Diagnostic":
        return cls(severity=d.get("severity", ""), summary=d.get("summary", ""),
                   detail=d.get("detail", "") or "", address=d.get("address"),
                   range=d.get("range"), snippet=d.get("snippet"), raw=d)

    @property
    def filename(self) -> str | None:
        return self.range.get("filename") if self.range else None

    @property
    def line(self) -> int | None:
        return self.range["start"]["line"] if self.range else None

    def highlighted(self, workdir: Path | str | None = None) -> str | None:
        """The configuration text the range covers."""
        text = _read(workdir, self.filename)
        if text is not None and self.range:
            s, e = self.range["start"].get("byte"), self.range["end"].get("byte")
            if s is not None and e is not None:
                return text.encode()[s:e].decode(errors="replace")
        if self.snippet:
            code = self.snippet.get("code", "")
            return code[self.snippet.get("highlight_start_offset", 0):
                        self.snippet.get("highlight_end_offset", len(code))]
        return None

    def attribute(self, workdir: Path | str | None = None) -> str | None:
        """The attribute path the range points at, block names and attribute
        names joined by dots (list indexes left out): "environment",
        "assume_role.role_arn", "endpoints.ecs". "" when the range is a whole
        top-level block; None without a range."""
        if not self.range:
            return None
        text = _read(workdir, self.filename)
        line, col = self.range["start"]["line"], self.range["start"]["column"]
        if text is not None:
            return _path_at(text.splitlines(), line, col)
        if not self.snippet:
            return None
        code = self.snippet.get("code", "")
        first = code.splitlines()[0] if code else ""
        m = _ATTR_BEFORE_VALUE.search(first[: self.snippet.get("highlight_start_offset", 0)])
        return m.group(1).strip('"') if m else ""

    def top_block(self, workdir: Path | str | None = None) -> str | None:
        """Header of the top-level block the range is in, e.g.
        'provider "talentbase"' or 'resource "talentbase_service" "web"'."""
        text = _read(workdir, self.filename)
        if text is None or not self.range:
            return self.snippet.get("context") if self.snippet else None
        lines = text.splitlines()
        line, col = self.range["start"]["line"], self.range["start"]["column"]
        stack, _ = _locate(lines, line, col)
        if stack:
            return stack[0]
        # The range may start at the block header itself.
        return lines[line - 1].split("{", 1)[0].strip() if 0 < line <= len(lines) else None

    def describe(self, workdir: Path | str | None = None) -> str:
        where = ""
        if self.range:
            where = f" at {self.filename}:{self.line} (attribute {self.attribute(workdir)!r})"
        return f"[{self.severity}] {self.summary!r}{where}: {self.detail!r}"


def _read(workdir: Path | str | None, filename: str | None) -> str | None:
    if workdir is None or not filename:
        return None
    p = Path(workdir) / filename
    try:
        return p.read_text()
    except OSError:
        return None


def _strip_line(line: str, state: dict) -> str:
    """The structural characters of one line: string contents and comments
    blanked out (state carries an open /* comment across lines)."""
    out = []
    i = 0
    while i < len(line):
        c = line[i]
        if state.get("comment"):
            if line.startswith("*/", i):
                state["comment"] = False
                i += 2
                out.append("  ")
            else:
                i += 1
                out.append(" ")
            continue
        if c == "#" or line.startswith("//", i):
            break
        if line.startswith("/*", i):
            state["comment"] = True
            i += 2
            out.append("  ")
            continue
        if c == '"':
            j = i + 1
            while j < len(line) and line[j] != '"':
                j += 2 if line[j] == "\\" else 1
            out.append('"' + " " * max(0, min(j, len(line)) - i - 1) + '"')
            i = j + 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _locate(lines: list[str], line_no: int, col: int) -> tuple[list[str], str | None]:
    """(enclosing block/object headers, outermost first; the attribute name
    assigned at that point) for (line_no, col), both 1-based."""
    stack: list[str] = []
    state: dict = {}
    for idx in range(min(line_no, len(lines))):
        raw = lines[idx]
        if idx == line_no - 1:
            raw = raw[: col - 1]
        plain = _strip_line(raw, state)
        for pos, ch in enumerate(plain):
            if ch == "{":
                cut = max(plain.rfind(",", 0, pos), plain.rfind("{", 0, pos),
                          plain.rfind("(", 0, pos))
                stack.append(raw[cut + 1:pos].strip())
            elif ch == "}" and stack:
                stack.pop()
    target = lines[line_no - 1][: col - 1] if 0 < line_no <= len(lines) else ""
    return stack, _last_assigned_name(target)


def _path_at(lines: list[str], line_no: int, col: int) -> str:
    """Attribute path at (line_no, col), both 1-based."""
    stack, name = _locate(lines, line_no, col)
    names = [_header_name(h) for h in stack[1:]]
    if name:
        names.append(name)
    return ".".join(n for n in names if n)


def _last_assigned_name(prefix: str) -> str | None:
    """The name of the last `name =` in a line prefix (outside strings)."""
    plain = _strip_line(prefix, {})
    found = None
    for m in _ASSIGN.finditer(plain):
        found = m
    if found is None:
        return None
    return prefix[found.start(1):found.end(1)].strip('"')


def _header_name(header: str) -> str:
    m = _ATTR_HEADER.match(header)
    if m:
        return m.group(1).strip('"')
    m = _BLOCK_HEADER.match(header)
    if m:
        return m.group(1)
    return ""


# ---- parsing --------------------------------------------------------------------


def parse_validate(stdout: str) -> list[Diagnostic]:
    """Diagnostics of `validate -json` output."""
    obj = json.loads(stdout)
    return [Diagnostic.from_json(d) for d in obj.get("diagnostics", [])]


def parse_stream(stdout: str) -> list[Diagnostic]:
    """Diagnostics of a `-json` UI stream (plan/apply/destroy/import...)."""
    out = []
    for line in stdout.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if obj.get("type") == "diagnostic" and "diagnostic" in obj:
            out.append(Diagnostic.from_json(obj["diagnostic"]))
    return out


def parse_any(stdout: str) -> list[Diagnostic]:
    """Diagnostics of either form."""
    text = stdout.strip()
    if text.startswith("{"):
        try:
            obj = json.loads(text)
        except ValueError:
            obj = None
        if isinstance(obj, dict) and ("diagnostics" in obj or "valid" in obj):
            return [Diagnostic.from_json(d) for d in obj.get("diagnostics", [])]
    return parse_stream(text)


def stream_messages(stdout: str, type_: str | None = None) -> list[dict[str, Any]]:
    """The JSON objects of a `-json` UI stream, optionally of one "type"
    ("planned_change", "apply_complete", "change_summary", ...)."""
    out = []
    for line in stdout.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if type_ is None or obj.get("type") == type_:
            out.append(obj)
    return out


# ---- assertions -------------------------------------------------------------------


def _matches(pattern: str | re.Pattern | None, text: str) -> bool:
    if pattern is None:
        return True
    if isinstance(pattern, re.Pattern):
        return pattern.search(text) is not None
    return pattern == text


def _strip_indexes(path: str | None) -> str | None:
    return re.sub(r"\[[^\]]*\]", "", path) if path is not None else None


def find(diags: Iterable[Diagnostic], *, summary: str | re.Pattern | None = None,
         severity: str | None = "error", detail: str | re.Pattern | None = None,
         attribute: str | None = None, workdir: Path | str | None = None) -> list[Diagnostic]:
    """Diagnostics matching every given criterion. summary/detail: a string
    (whole summary equal; detail: contained) or a compiled regex (search).
    attribute: a dotted path as `Diagnostic.attribute` gives it (indexes such
    as [0] are ignored)."""
    want_attr = _strip_indexes(attribute)
    out = []
    for d in diags:
        if severity is not None and d.severity != severity:
            continue
        if not _matches(summary, d.summary):
            continue
        if detail is not None:
            if isinstance(detail, re.Pattern):
                if not detail.search(d.detail):
                    continue
            elif detail not in d.detail:
                continue
        if want_attr is not None and d.attribute(workdir) != want_attr:
            continue
        out.append(d)
    return out


def assert_diagnostic(diags: Iterable[Diagnostic], *, summary: str | re.Pattern | None = None,
                      severity: str | None = "error", detail: str | re.Pattern | None = None,
                      attribute: str | None = None,
                      workdir: Path | str | None = None) -> Diagnostic:
    """Exactly the diagnostic a test expects, or an AssertionError that lists
    what the CLI did report."""
    diags = list(diags)
    hits = find(diags, summary=summary, severity=severity, detail=detail, attribute=attribute,
                workdir=workdir)
    if hits:
        return hits[0]
    want = {k: v for k, v in dict(summary=summary, severity=severity, detail=detail,
                                  attribute=attribute).items() if v is not None}
    got = "\n  ".join(d.describe(workdir) for d in diags) or "(no diagnostics)"
    raise AssertionError(f"no diagnostic matching {want}; the CLI reported:\n  {got}")
