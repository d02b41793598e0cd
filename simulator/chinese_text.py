"""A small weighted template grammar for natural Chinese text, plus shared phrase pools.

Rules map a symbol to alternatives; an alternative is text with ``{name}`` references to
other symbols or to per-text variables (place, name, phone...). Alternatives may carry a
weight as ``(text, weight)``. Expansion draws uniforms from a numpy Generator in order, so a
text is a pure function of the generator state: deterministic and fast (no regex at run time).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence

import numpy as np

_REF = re.compile(r"\{([A-Za-z0-9_.]+)\}")


class Uniforms:
    """Sequential uniforms drawn in batches from a generator."""

    __slots__ = ("_i", "_rng", "_values")

    def __init__(self, rng: np.random.Generator, batch: int = 4096):
        self._rng = rng
        self._values = rng.random(batch).tolist()
        self._i = 0

    def next(self) -> float:
        if self._i >= len(self._values):
            self._values = self._rng.random(len(self._values)).tolist()
            self._i = 0
        v = self._values[self._i]
        self._i += 1
        return v

    def index(self, n: int) -> int:
        return min(int(self.next() * n), n - 1)


_VAR, _LEAF, _RULE = 0, 1, 2


class Grammar:
    """Weighted template grammar; see the module docstring."""

    def __init__(self, rules: Mapping[str, Sequence[str | tuple[str, float]]]):
        self.rules: dict[str, tuple[list[object], list[float], float]] = {}
        self._ready = False
        for symbol, alternatives in rules.items():
            self.add(symbol, alternatives)

    def add(self, symbol: str, alternatives: Sequence[str | tuple[str, float]]) -> None:
        """Add a rule; a plain-text alternative is kept as ``str``, others as token lists."""
        compiled, cum, total = [], [], 0.0
        for alt in alternatives:
            text, weight = (alt, 1.0) if isinstance(alt, str) else alt
            tokens = _compile(text)
            plain = len(tokens) == 1 and isinstance(tokens[0], str)
            compiled.append(tokens[0] if plain else (tokens or ""))
            total += weight
            cum.append(total)
        if not compiled:
            raise ValueError(f"rule {symbol!r} has no alternatives")
        self.rules[symbol] = (compiled, cum, total)
        self._ready = False

    def _resolve(self) -> None:
        """Turn references into variables, inlined leaf lists or rule calls (once)."""
        for compiled, _, _ in self.rules.values():
            for tokens in compiled:
                if isinstance(tokens, str):
                    continue
                for k, token in enumerate(tokens):
                    if isinstance(token, str):
                        continue
                    name = token[-1]
                    rule = self.rules.get(name)
                    if rule is None:
                        tokens[k] = (_VAR, name)
                    elif all(isinstance(a, str) for a in rule[0]) and _uniform(rule[1]):
                        tokens[k] = (_LEAF, rule[0], name)
                    else:
                        tokens[k] = (_RULE, name)
        self._ready = True

    def expand(self, symbol: str, env: Mapping[str, str], u: Uniforms) -> str:
        if not self._ready:
            self._resolve()
        out: list[str] = []
        self._expand(symbol, env, u, out)
        return "".join(out)

    def _expand(self, symbol, env, u, out) -> None:
        alternatives, cum, total = self.rules[symbol]
        if len(alternatives) == 1:
            chosen = alternatives[0]
        else:
            i = bisect_right(cum, u.next() * total)
            chosen = alternatives[i if i < len(cum) else -1]
        if chosen.__class__ is str:
            out.append(chosen)
            return
        for token in chosen:
            if token.__class__ is str:
                out.append(token)
            elif token[0] == _LEAF:
                leaf = token[1]
                out.append(leaf[min(int(u.next() * len(leaf)), len(leaf) - 1)])
            elif token[0] == _VAR:
                out.append(env[token[1]])
            else:
                self._expand(token[1], env, u, out)

    def check(self, variables: Sequence[str] = ()) -> None:
        """Raise if a reference is neither a rule nor one of ``variables`` (or is both)."""
        clash = set(self.rules) & set(variables)
        if clash:
            raise KeyError(f"names used both as rules and variables: {sorted(clash)}")
        known = set(self.rules) | set(variables)
        for symbol, (alternatives, _, _) in self.rules.items():
            for tokens in alternatives:
                for token in [] if isinstance(tokens, str) else tokens:
                    if token.__class__ is not str and token[-1] not in known:
                        raise KeyError(f"rule {symbol!r} refers to unknown {token[-1]!r}")


def _uniform(cum: list[float]) -> bool:
    return all(abs((b - a) - cum[0]) < 1e-12 for a, b in zip([0.0, *cum[:-1]], cum, strict=True))


def _compile(text: str) -> list[object]:
    tokens: list[object] = []
    pos = 0
    for m in _REF.finditer(text):
        if m.start() > pos:
            tokens.append(text[pos : m.start()])
        tokens.append((m.group(1),))
        pos = m.end()
    if pos < len(text):
        tokens.append(text[pos:])
    return tokens


CN_NUMBERS = ("两", "三", "四", "五", "六", "七", "八", "十")

COMMON_RULES: dict[str, list] = {
    "when": [
        "最近一周",
        "这几天",
        "从昨天开始",
        "近一个月来",
        "已经好几天了",
        "从上周开始",
        "连续三天",
        "今天早上",
        "今天下午",
        "昨天晚上",
        "这段时间",
        "最近半个月",
        "从前天起",
        "每天",
        "长期以来",
        "近期",
    ],
    "night": [
        "每天晚上十点以后",
        "夜里十一点多",
        "凌晨一两点",
        "每晚",
        "晚上九点到十二点",
        "深夜",
        "半夜",
    ],
    "morning": ["每天早上五六点", "清晨", "早上不到六点", "一大早"],
    "feel": [
        "实在受不了",
        "非常困扰",
        "苦不堪言",
        "很无奈",
        "十分气愤",
        "心里很着急",
        "很不方便",
        "非常担心",
    ],
    "repeat": [
        ("", 6),
        ("此前已多次反映，至今未解决，", 1),
        ("之前打过12345，说会处理，但一直没人来，", 1),
        ("上个月也反映过，当时说会处理，现在又出现了，", 0.6),
        ("找过物业和社区都说管不了，", 0.6),
    ],
    "ask": [
        "希望相关部门尽快处理。",
        "请相关部门尽快派人查看处理。",
        "要求尽快解决。",
        "望有关部门重视，尽快给个答复。",
        "请求协调解决，谢谢！",
        "希望尽快修复。",
        "希望给个说法。",
        "请尽快安排人员处理，谢谢。",
        "希望相关部门加强管理。",
        "请予以核实处理。",
        "麻烦尽快处理一下。",
        "希望能彻底解决这个问题。",
    ],
}
