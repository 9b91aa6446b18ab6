"""Derive, and verify, which definitions of the six hand-written eCQMs also exist in the
shipped official logic ("twins"), for the differential test (mips/ecqm/differential.py).

The six measures have no ELM here, so the reference engine cannot run them; but many of
their definitions are, word for word, statements of a shipped measure or library. A
definition of the six and a shipped statement are twins when:
  - their CQL bodies are the same token for token (whitespace and comments ignored,
    library aliases replaced by the library's name);
  - every value set they name has the same OID, every code the same system and code;
  - every definition or local function they call is a twin in turn (recursively);
  - every library function they call unqualified (`.prevalenceInterval()`, ...) comes from
    the same library name and version on both sides, qualified calls likewise.

Sources (read only):
  the six (PY2025): /work/shared/domain/ecqm/measures/html/py2025-CMS*FHIR-*.html (MADiE
    human-readable export: every definition and function with its library, the library
    versions under "Related Artifact Dependencies") and measures/data/CMS*.py2025.json
    (value-set and code declarations per library);
  the shipped logic: mips/ecqm/content (text/cql of each Library, read with
    mips.ecqm.reference.content).
PY2026: the pack holds neither the six's CQL nor their library versions (data/*.py2026.json
lists library names only), so nothing can be proven and nothing is mapped for 2026.

Output (committed, read by the differential test): mips/ecqm/data/ecqm_twins.json.
Usage: python scripts/derive_ecqm_twins.py [--source DIR] [--check]
"""

from __future__ import annotations

import argparse
import base64
import html
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mips.ecqm.reference import content  # noqa: E402

DEFAULT_SOURCE = Path("/work/shared/domain/ecqm/measures")
OUT = ROOT / "mips" / "ecqm" / "data" / "ecqm_twins.json"
SIX = ("CMS122", "CMS165", "CMS138", "CMS2", "CMS69", "CMS130")
POPULATIONS = {
    "initial-population": "IPP",
    "denominator": "DENOM",
    "denominator-exclusion": "DENEX",
    "numerator": "NUMER",
    "denominator-exception": "DENEXCEP",
}
TOKEN = re.compile(
    r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|//[^\n]*|/\*.*?\*/|\w+|[^\s\w]", re.S
)
ROW = re.compile(
    r"<td>\s*(\w+)\s*</td>\s*<td>\s*([^<]+?)\s*</td>\s*</tr>\s*<tr>\s*<td>\s*</td>\s*<td>\s*"
    r'<pre class="highlight language-cql"><code class="language-cql">(.*?)</code></pre>',
    re.S,
)
DEPENDENCY = re.compile(r"<li>Library/(\w+)\|([\w.]+)</li>")


def tokens(cql: str) -> list[str]:
    return [t for t in TOKEN.findall(cql) if not t.startswith(("//", "/*"))]


def unquote(tok: str) -> str:
    return tok[1:-1] if tok[:1] in "\"'`" else tok


@dataclass
class Lib:
    """One CQL library: what its statements can name."""

    name: str
    version: str
    includes: dict[str, tuple[str, str]] = field(default_factory=dict)  # alias -> (name, ver)
    valuesets: dict[str, str] = field(default_factory=dict)  # name -> OID
    codes: dict[str, tuple[str, str]] = field(default_factory=dict)
    defs: dict[str, list[str]] = field(default_factory=dict)  # name -> body tokens
    functions: dict[str, list[list[str]]] = field(default_factory=dict)  # name -> overloads

    @property
    def key(self) -> tuple[str, str]:
        return (self.name, self.version)


def add_define(lib: Lib, toks: list[str]) -> None:
    """`toks` starts after `define`: a named expression or a (fluent) function."""
    i = 0
    while toks[i] in ("public", "private", "fluent"):
        i += 1
    if toks[i] == "function":
        name, depth, j = unquote(toks[i + 1]), 0, i + 2
        while not (toks[j] == ":" and depth == 0):
            depth += {"(": 1, ")": -1}.get(toks[j], 0)
            j += 1
        lib.functions.setdefault(name, []).append(toks[i + 2 :])  # signature and body
        return
    lib.defs[unquote(toks[i])] = toks[i + 2 :]  # skip the name and ':'


def parse_library(cql: str) -> Lib:
    toks = tokens(cql)
    lib = Lib(unquote(toks[1]), unquote(toks[3]) if toks[2] == "version" else "")
    systems: dict[str, str] = {}
    starts = [i for i, t in enumerate(toks) if t == "define"] + [len(toks)]
    header = toks[: starts[0]]
    for i, t in enumerate(header):
        if t == "include":
            name, version = header[i + 1], unquote(header[i + 3])
            alias = header[i + 5] if i + 5 < len(header) and header[i + 4] == "called" else name
            lib.includes[unquote(alias)] = (name, version)
        elif t == "valueset":
            lib.valuesets[unquote(header[i + 1])] = unquote(header[i + 3]).rsplit("/", 1)[-1]
        elif t == "codesystem":
            systems[unquote(header[i + 1])] = unquote(header[i + 3])
        elif t == "code" and header[i + 1].startswith('"'):
            lib.codes[unquote(header[i + 1])] = (
                systems.get(unquote(header[i + 5]), header[i + 5]),
                unquote(header[i + 3]),
            )
    for a, b in zip(starts, starts[1:], strict=False):
        add_define(lib, toks[a + 1 : b])
    return lib


def shipped_libraries(year: int) -> tuple[dict[tuple[str, str], Lib], dict[str, list[str]]]:
    """{(name, version): Lib} of the year's shipped content, and {library key: [hosts]}
    (the measure whose own library it is, else every measure whose closure holds it)."""
    libs: dict[tuple[str, str], Lib] = {}
    hosts: dict[tuple[str, str], list[str]] = {}
    owners: dict[tuple[str, str], str] = {}
    for cms_id, meta in sorted(content.measures(year).items(), key=lambda kv: int(kv[0][3:])):
        for key in meta["resources"]:
            if not key.startswith("library-"):
                continue
            resource = content.resource(key)
            cql = next(
                base64.b64decode(c["data"]).decode()
                for c in resource["content"]
                if c["contentType"] == "text/cql"
            )
            lib = libs.setdefault((resource["name"], resource["version"]), parse_library(cql))
            own = resource["name"] == meta["fhir_measure"] or resource["url"].endswith(
                "/" + meta["fhir_measure"]
            )
            hosts.setdefault(lib.key, []).append(cms_id)
            if own:
                owners[lib.key] = cms_id
    return libs, {k: [owners[k]] if k in owners else v for k, v in hosts.items()}


def the_six(source: Path, year: int, aliases: dict[str, str]) -> dict[str, dict]:
    """Per measure: version, main library, groups, libraries (Lib with the HTML's
    definitions and functions, the data file's value sets and codes)."""
    out = {}
    for cms_id in SIX:
        data = json.loads((source / "data" / f"{cms_id}.py{year}.json").read_text())
        page = next((source / "html").glob(f"py{year}-{cms_id}FHIR-v*.html"))
        text = page.read_text()
        versions = dict(DEPENDENCY.findall(text))
        versions[data["measure_resource"]] = data["version"]
        libs = {name: Lib(name, version) for name, version in versions.items()}
        for lib in libs.values():
            lib.includes = {a: (n, versions[n]) for a, n in aliases.items() if n in versions}
            lib.includes.update({n: (n, v) for n, v in versions.items()})
        for d in data["valueset_declarations"]:
            if d["library"] in libs:
                libs[d["library"]].valuesets[d["name"]] = d["oid"]
        for d in data["direct_reference_codes"]:
            if d["library"] in libs:
                libs[d["library"]].codes[d["name"]] = (d["system"], d["code"])
        for library, _name, code in ROW.findall(text):
            toks = tokens(html.unescape(code))
            if library in libs and toks and toks[0] == "define":
                add_define(libs[library], toks[1:])
        groups = [
            {POPULATIONS[p["code"]]: p["expression"]
             for p in g["populations"] if p["code"] in POPULATIONS}
            for g in data["groups"]
        ]  # fmt: skip
        out[cms_id] = {"measure": data["measure_resource"], "version": data["version"],
                       "page": page.name, "libs": libs, "groups": groups}  # fmt: skip
    return out


def or_terms(symbols: list) -> list[list]:
    """The terms of a top-level `or` chain (one term when there is none)."""
    terms, depth, current = [], 0, []
    for sym in symbols:
        if isinstance(sym, str):
            depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(sym, 0)
            if sym in ("or", "xor", "implies") and depth == 0:
                if sym != "or":
                    return [symbols]
                terms.append(current)
                current = []
                continue
        current.append(sym)
    return [*terms, current]


class Matcher:
    """Twin-ness of a definition of the six (`a` side) and a shipped one (`b` side)."""

    def __init__(self, six_libs: dict[str, Lib], shipped: dict[tuple[str, str], Lib]):
        self.six, self.shipped, self.memo = six_libs, shipped, {}
        self.provides: dict[tuple[str, str], set[str]] = {
            k: set(lib.functions) for k, lib in shipped.items()
        }

    def lib_a(self, name: str) -> Lib | None:
        return self.six.get(name)

    def lib_b(self, key: tuple[str, str]) -> Lib | None:
        return self.shipped.get(key)

    def symbols(self, lib: Lib, toks: list[str]) -> list:
        out, i = [], 0
        while i < len(toks):
            t = toks[i]
            nxt = toks[i + 1] if i + 1 < len(toks) else ""
            if t in lib.includes and nxt == "." and i + 2 < len(toks):
                target = lib.includes[t]
                ident = unquote(toks[i + 2])
                call = i + 3 < len(toks) and toks[i + 3] == "("
                out.append(("xfn" if call else "ref", target, ident))
                i += 3
                continue
            if t.startswith('"'):
                name = unquote(t)
                if name in lib.defs:
                    out.append(("def", lib.key, name))
                elif name in lib.valuesets:
                    out.append(("vs", lib.valuesets[name]))
                elif name in lib.codes:
                    out.append(("code", lib.codes[name]))
                else:
                    out.append(("id", name))
            elif re.fullmatch(r"\w+", t) and nxt == "(" and not t[0].isdigit():
                if t in lib.functions:
                    out.append(("fn", lib.key, t))
                else:
                    providers = {
                        k for k in lib.includes.values() if t in self.provides.get(k, ())
                    }  # fmt: skip
                    out.append(("lfn", t, frozenset(providers)))
            else:
                out.append(t)
            i += 1
        return out

    def twin(self, a: tuple[str, str], b: tuple[tuple[str, str], str]) -> str:
        """'' when definition a=(library, name) of the six and b=((name, version), name)
        shipped are twins, else why not."""
        memo_key = (a, b)
        if memo_key in self.memo:
            return self.memo[memo_key]
        self.memo[memo_key] = ""  # a cycle proves nothing new: assume equal meanwhile
        lib_a, lib_b = self.lib_a(a[0]), self.lib_b(b[0])
        if lib_a is None or a[1] not in lib_a.defs:
            why = f"{a[0]}.{a[1]}: no text for the six"
        elif lib_b is None or b[1] not in lib_b.defs:
            why = f"{b[0][0]} {b[0][1]}.{b[1]}: not shipped"
        else:
            why = self.same(lib_a, lib_a.defs[a[1]], lib_b, lib_b.defs[b[1]])
        self.memo[memo_key] = why
        return why

    def same(self, lib_a: Lib, toks_a: list[str], lib_b: Lib, toks_b: list[str]) -> str:
        sa, sb = self.symbols(lib_a, toks_a), self.symbols(lib_b, toks_b)
        why = self.in_order(lib_a, sa, lib_b, sb)
        if not why:
            return ""
        # `A or B or C` is `C or A or B`: CQL's three-valued `or` is commutative and
        # associative, so a top-level chain of `or` compares as a set of terms.
        parts_a, parts_b = or_terms(sa), or_terms(sb)
        if len(parts_a) < 2 or len(parts_a) != len(parts_b):
            return why
        left = list(parts_b)
        for term in parts_a:
            match = next((t for t in left if not self.in_order(lib_a, term, lib_b, t)), None)
            if match is None:
                return why
            left.remove(match)
        return ""

    def in_order(self, lib_a: Lib, sa: list, lib_b: Lib, sb: list) -> str:
        if len(sa) != len(sb):
            return "different text"
        for x, y in zip(sa, sb, strict=True):
            if isinstance(x, str) or isinstance(y, str) or x[0] != y[0]:
                if x != y:
                    return "different text" if isinstance(x, str) else f"{x} vs {y}"
                continue
            why = self.pair(lib_a, x, lib_b, y)
            if why:
                return why
        return ""

    def pair(self, lib_a: Lib, x: tuple, lib_b: Lib, y: tuple) -> str:
        kind = x[0]
        if kind in ("vs", "code", "id"):
            return "" if x == y else f"{kind} {x[1:]} vs {y[1:]}"
        if kind == "def":
            return self.twin((lib_a.name, x[2]), (lib_b.key, y[2])) if x[2] == y[2] else (
                f"calls {x[2]} vs {y[2]}"
            )  # fmt: skip
        if kind == "ref":
            if x[1] != y[1] or x[2] != y[2]:
                return f"refers to {x[1]}.{x[2]} vs {y[1]}.{y[2]}"
            target_a, target_b = self.lib_a(x[1][0]), self.lib_b(y[1])
            if target_b is not None and x[2] in target_b.defs:
                return self.twin((x[1][0], x[2]), (y[1], y[2]))
            if target_a is not None and target_b is not None:
                va, vb = target_a.valuesets.get(x[2]), target_b.valuesets.get(y[2])
                ca, cb = target_a.codes.get(x[2]), target_b.codes.get(y[2])
                if (va or ca) and (va, ca) == (vb, cb):
                    return ""
            return f"unresolved {x[1]}.{x[2]}"
        if kind == "xfn":
            return "" if x == y else f"calls {x[1]}.{x[2]} vs {y[1]}.{y[2]}"
        if kind == "lfn":  # a library function: same providers (name and version)
            return "" if x == y else f"function {x[1]} from {set(x[2])} vs {set(y[2])}"
        if kind == "fn":  # a local function: every overload a twin, in order
            fa, fb = lib_a.functions[x[2]], lib_b.functions.get(y[2], [])
            if x[2] != y[2] or len(fa) != len(fb):
                return f"local function {x[2]} vs {y[2]}"
            for oa, ob in zip(fa, fb, strict=True):
                why = self.same(lib_a, oa, lib_b, ob)
                if why:
                    return f"local function {x[2]}: {why}"
            return ""
        return f"unknown {kind}"


class Finder:
    """The first shipped statement that is a twin of a definition of the six, or why none."""

    def __init__(self, matcher: Matcher, by_length: dict, hosts: dict):
        self.matcher, self.by_length, self.hosts = matcher, by_length, hosts

    def find(self, library: str, name: str) -> dict:
        body = self.matcher.lib_a(library).defs.get(name, [])
        misses = []
        for key, other in self.by_length.get(len(body), []):
            why = self.matcher.twin((library, name), (key, other))
            if not why:
                return {"library": key[0], "version": key[1], "statement": other,
                        "host": host_of(self.hosts[key])}  # fmt: skip
            if other == name:
                misses.append(f"{key[0]} {key[1]}: {why}")
        return {"reason": "; ".join(misses[:3]) or "no shipped statement has the same CQL"}


def calls(matcher: Matcher, main: Lib, roots: set[str]) -> set[tuple[str, str]]:
    """(library, definition) of every definition the population definitions reach."""
    seen: set[tuple[str, str]] = set()
    todo = [(main.name, name) for name in roots]
    while todo:
        library, name = todo.pop()
        lib = matcher.lib_a(library)
        if (library, name) in seen or lib is None:
            continue
        seen.add((library, name))
        bodies = [lib.defs.get(name, [])] + lib.functions.get(name, [])
        for body in bodies:
            for sym in matcher.symbols(lib, body):
                if isinstance(sym, tuple) and sym[0] == "def":
                    todo.append((library, sym[2]))
                elif isinstance(sym, tuple) and sym[0] == "ref":
                    todo.append((sym[1][0], sym[2]))
                elif isinstance(sym, tuple) and sym[0] == "fn":
                    todo.append((library, sym[2]))
    return {(lib, name) for lib, name in seen if name in matcher.lib_a(lib).defs}


def host_of(hosts: list[str]) -> str:
    """The measure whose library it is, else CMS125 or CMS131 (they hold every shared
    library the six use in PY2025: one reference run serves all), else the first."""
    return next((h for h in ("CMS125", "CMS131") if h in hosts), hosts[0])


def derive_year(source: Path, year: int) -> dict:
    shipped, hosts = shipped_libraries(year)
    aliases: dict[str, str] = {}
    for lib in shipped.values():
        for alias, (name, _v) in lib.includes.items():
            aliases.setdefault(alias, name)
    six = the_six(source, year, aliases)
    by_length: dict[int, list[tuple[tuple[str, str], str]]] = {}
    for key, lib in shipped.items():
        for name, toks in lib.defs.items():
            by_length.setdefault(len(toks), []).append((key, name))
    out = {}
    for cms_id, m in six.items():
        matcher = Matcher(m["libs"], shipped)
        main = m["libs"][m["measure"]]

        find = Finder(matcher, by_length, hosts).find
        groups = [
            {pop: {"definition": d, **find(main.name, d)} for pop, d in group.items()}
            for group in m["groups"]
        ]
        populations = {d for g in m["groups"] for d in g.values()}
        called = {
            f"{library}.{name}": find(library, name)
            for library, name in sorted(calls(matcher, main, populations))
            if not (library == main.name and name in populations)
        }
        out[cms_id] = {"measure": m["measure"], "version": m["version"],
                       "source": f"shared/domain/ecqm/measures/html/{m['page']}",
                       "libraries": {n: lib.version for n, lib in sorted(m["libs"].items())},
                       "groups": groups, "called": dict(sorted(called.items()))}  # fmt: skip
    return out


def derive(source: Path) -> dict:
    return {
        "about": "Definitions of the six hand-written eCQMs whose official CQL is, token for "
        "token, a statement of the shipped logic (same value-set OIDs, same called "
        "definitions, same library versions). Written by scripts/derive_ecqm_twins.py.",
        "years": {
            "2025": derive_year(source, 2025),
            "2026": {},
        },
        "unmapped_years": {
            "2026": "the research pack holds no CQL and no library versions of the six for "
            "PY2026 (no HTML; data/*.py2026.json lists library names only): nothing proven"
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--check", action="store_true", help="verify only, write nothing")
    args = parser.parse_args()
    text = json.dumps(derive(args.source), indent=1, sort_keys=True) + "\n"
    if args.check:
        if OUT.read_text() != text:
            print(f"{OUT} differs from what the sources give: rerun without --check")
            return 1
        print(f"{OUT} verified")
        return 0
    OUT.write_text(text)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
