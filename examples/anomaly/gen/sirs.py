"""A small writer of SIRS programs for the detectors of examples/anomaly/.

SIRS is JSON; written by hand, one arithmetic line becomes a dozen nested objects. The
detectors `adaptive`, `multimetric` and `suite` are therefore written as Python files in this
folder that build the JSON with the helpers below and write `../NAME.sirs.json` (run
`python3 examples/anomaly/gen/NAME.py`, with sev built: the output is formatted by `sev fmt`).
The JSON is the program; these files are how it is
written. Expressions are infix strings parsed here:

    a + b * c      arithmetic (+ - * / %), unary -, comparisons (< <= > >= == !=),
    a && b || !c   logic, f(x, y) calls, r.field, xs[i], [a, b] arrays,
    if c then a else b    a conditional expression, "text" strings, 1 (i64) and 1.0 (f64),
    x as f64       a cast.
"""

import json
import os
import re
import subprocess

TOKEN = re.compile(r"\s*(?:(\d+\.\d*(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+)|(\d+)|(\"(?:[^\"\\]|\\.)*\")|"
                   r"([A-Za-z_][A-Za-z0-9_]*)|(<=|>=|==|!=|&&|\|\||[-+*/%<>!()\[\],.]))")

BINARY = {"||": (1, "or"), "&&": (2, "and"), "==": (3, "eq"), "!=": (3, "ne"), "<": (3, "lt"),
          "<=": (3, "le"), ">": (3, "gt"), ">=": (3, "ge"), "+": (4, "add"), "-": (4, "sub"),
          "*": (5, "mul"), "/": (5, "div"), "%": (5, "mod")}


def tokens(text):
    pos, out = 0, []
    text = text.strip()
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise SyntaxError(f"cannot read {text[pos:]!r} in {text!r}")
        pos = m.end()
        fl, it, st, name, punct = m.groups()
        if fl is not None:
            out.append(("lit", float(fl)))
        elif it is not None:
            out.append(("lit", int(it)))
        elif st is not None:
            out.append(("lit", json.loads(st)))
        elif name is not None:
            out.append(("name", name))
        else:
            out.append(("p", punct))
    out.append(("end", None))
    return out


class Parser:
    def __init__(self, text, env):
        self.toks, self.i, self.text, self.env = tokens(text), 0, text, env

    def peek(self):
        return self.toks[self.i]

    def take(self, kind=None, value=None):
        t = self.toks[self.i]
        if (kind and t[0] != kind) or (value is not None and t[1] != value):
            raise SyntaxError(f"expected {value or kind} at token {self.i} of {self.text!r}, found {t}")
        self.i += 1
        return t

    def expr(self, min_prec=0):
        if self.peek() == ("name", "if"):
            self.take()
            c = self.expr()
            self.take("name", "then")
            a = self.expr()
            self.take("name", "else")
            b = self.expr()
            return {"cond": {"if": c, "then": a, "else": b}}
        left = self.unary()
        while True:
            t = self.peek()
            if t == ("name", "as"):
                self.take()
                left = {"cast": {"value": left, "type": self.take("name")[1]}}
                continue
            if t[0] != "p" or t[1] not in BINARY or BINARY[t[1]][0] < min_prec:
                return left
            prec, kind = BINARY[t[1]]
            self.take()
            right = self.expr(prec + 1)
            if kind in ("add", "mul", "and", "or") and "op" in left and left["op"]["kind"] == kind \
                    and not left.get("_closed"):
                left["op"]["args"].append(right)
            else:
                left = {"op": {"kind": kind, "args": [left, right]}}

    def unary(self):
        t = self.peek()
        if t == ("p", "-"):
            self.take()
            inner = self.unary()
            if "literal" in inner and isinstance(inner["literal"], (int, float)):
                return {"literal": -inner["literal"]}
            return {"op": {"kind": "neg", "args": [inner]}}
        if t == ("p", "!"):
            self.take()
            return {"op": {"kind": "not", "args": [self.unary()]}}
        return self.postfix(self.atom())

    def postfix(self, e):
        while True:
            t = self.peek()
            if t == ("p", "."):
                self.take()
                f = self.take()
                e = {"field": {"object": e, "field": f[1]}}
            elif t == ("p", "["):
                self.take()
                ix = self.expr()
                self.take("p", "]")
                e = {"index": {"array": e, "index": ix}}
            else:
                return e

    def atom(self):
        t = self.take()
        if t[0] == "lit":
            return {"literal": t[1]}
        if t == ("p", "("):
            e = self.expr()
            self.take("p", ")")
            if "op" in e:
                e["_closed"] = True
            return e
        if t == ("p", "["):
            items = self.args("]")
            return {"array": items}
        if t[0] == "name":
            if t[1] in ("true", "false"):
                return {"literal": t[1] == "true"}
            if t[1] in self.env:
                return self.env[t[1]]
            if self.peek() == ("p", "("):
                self.take()
                return {"call": {"function": t[1], "args": self.args(")")}}
            return {"var": t[1]}
        raise SyntaxError(f"unexpected {t} in {self.text!r}")

    def args(self, close):
        items = []
        if self.peek() == ("p", close):
            self.take()
            return items
        while True:
            items.append(self.expr())
            t = self.take("p")
            if t[1] == close:
                return items
            if t[1] != ",":
                raise SyntaxError(f"expected , or {close} in {self.text!r}")


def clean(node):
    if isinstance(node, dict):
        return {k: clean(v) for k, v in node.items() if k != "_closed"}
    if isinstance(node, list):
        return [clean(v) for v in node]
    return node


def E(text, **env):
    """An expression: a string to parse, or JSON already built (returned as is)."""
    if not isinstance(text, str):
        return text
    p = Parser(text, env)
    e = p.expr()
    p.take("end")
    return clean(e)


# Statements -----------------------------------------------------------------------------------

def let(name, value, mut=False, ty=None):
    d = {"name": name, "value": E(value)}
    if ty:
        d["type"] = ty
    if mut:
        d["mutable"] = True
    return {"let": d}


def var(name, value, ty=None):
    return let(name, value, True, ty)


def set_(target, value):
    return {"assign": {"target": E(target), "value": E(value)}}


def if_(cond, then, else_=None):
    d = {"condition": E(cond), "then": list(then)}
    if else_ is not None:
        d["else"] = list(else_)
    return {"if": d}


def while_(cond, body):
    return {"while": {"condition": E(cond), "body": list(body)}}


def for_range(name, start, end, body):
    return {"for": {"variable": name, "iterable": {"range": {"start": E(start), "end": E(end)}}, "body": list(body)}}


def for_in(name, iterable, body):
    return {"for": {"variable": name, "iterable": E(iterable), "body": list(body)}}


def ret(value=None):
    return {"return": None if value is None else E(value)}


def do(value):
    return {"expression": E(value)}


def throw(value):
    return {"throw": E(value)}


BREAK = {"break": None}
CONTINUE = {"continue": None}


def match_enum(value, ty, cases):
    """cases: [(variant, binding or None, body)]."""
    out = []
    for variant, binding, body in cases:
        pat = {"type": ty, "variant": variant}
        if binding:
            pat["value"] = {"var": binding}
        out.append({"pattern": {"enum": pat}, "body": list(body)})
    return {"match": {"value": E(value), "cases": out}}


def observe(dist, params, value):
    return {"observe": {"distribution": dist, "params": [E(p) for p in params], "value": E(value)}}


def sample(dist, params, lower=None, upper=None):
    d = {"distribution": dist, "params": [E(p) for p in params]}
    if lower is not None:
        d["lower"] = E(lower)
    if upper is not None:
        d["upper"] = E(upper)
    return {"sample": d}


def record(ty, **fields):
    return {"record": {"type": ty, "fields": {k: E(v) for k, v in fields.items()}}}


def update(value, **fields):
    return {"update": {"value": E(value), "fields": {k: E(v) for k, v in fields.items()}}}


def fn(args, ret_ty, body, doc):
    """args: "x: f64, xs: [f64]"."""
    parsed = []
    for part in split_top(args):
        name, ty = part.split(":", 1)
        parsed.append({"name": name.strip(), "type": ty.strip()})
    return {"args": parsed, "return": ret_ty, "body": list(body), "doc": doc}


def split_top(text):
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch in "[<(":
            depth += 1
        elif ch in "]>)":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur)
    return parts


def rec_type(fields, doc):
    pairs = (f.split(":", 1) for f in split_top(fields))
    return {"record": {"doc": doc, "fields": {k.strip(): v.strip() for k, v in pairs}}}


def program(types, functions, constants=None, entry="main"):
    p = {"entry": entry}
    if types:
        p["types"] = types
    if constants:
        p["constants"] = constants
    p["functions"] = functions
    return {"program": p}


def write(path, prog):
    """Writes the program in sev's canonical layout (`sev fmt --stdin`; the sev binary is $SEV,
    else target/debug/sev of this repository)."""
    text = json.dumps(prog, indent=1, ensure_ascii=False) + "\n"
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
    sev = os.environ.get("SEV") or os.path.join(root, "target", "debug", "sev")
    done = subprocess.run([sev, "fmt", "--stdin"], input=text, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"sev fmt failed on {path}:\n{done.stderr}")
    with open(path, "w") as f:
        f.write(done.stdout)
