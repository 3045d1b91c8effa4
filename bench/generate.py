"""Generate large synthetic scenarios for benchmarks (shared by the bench scripts)."""

from __future__ import annotations

import random
from pathlib import Path


def big_scenario(path: Path, branches: int = 2000, turns: int = 12, seed: int = 1) -> Path:
    """A scenario with many branches over a handful of int/enum/bool/set variables."""
    rng = random.Random(seed)
    areas = ["north", "south", "east", "west", "centre"]
    lines = [
        "spillover: 1",
        "id: generated",
        f"title: Generated scenario with {branches} branches",
        "start: 2023-01-01",
        "moves_per_turn: 2",
        "actors: {a: Actor A, b: Actor B, c: Actor C}",
        "events:",
    ]
    for e in range(20):
        lines.append(f"  - {{id: event_{e}, date: 2022-{e % 12 + 1:02d}-01, title: Event {e}}}")
    lines.append("turns:")
    for t in range(turns + 1):
        lines.append(f"  - {{label: Turn {t}, date: {2023 + t // 2}-{6 if t % 2 else 1:02d}-01}}")
    lines += [
        "state:",
        "  level: {type: int, range: [0, 5], initial: 0, label: Level}",
        "  pressure: {type: int, range: [0, 5], initial: 2}",
        "  stance: {type: enum, values: [none, political, military], initial: none}",
        "  open: {type: bool, initial: true}",
        f"  areas: {{type: set, of: [{', '.join(areas)}], initial: []}}",
        "branches:",
    ]
    for b in range(branches):
        lo = rng.randint(1, turns)
        hi = rng.randint(lo, turns)
        area = rng.choice(areas)
        k = rng.randint(1, 4)
        cond = rng.choice([
            f"level < {k + 1}", f"stance >= political and {area} not in areas",
            f"open or pressure < {k}", f"occurred(event_{rng.randrange(20)}) and level < 5",
            f"count(areas) < {k + 1} and pressure > {k - 1}",
        ])
        contested = b % 5 == 0
        raise_effects = f"[level = {k} - pressure + 1, stance = political]" if k < 4 else \
            "[stance = military]"
        lines += [
            f"  - id: branch_{b}",
            f"    title: Branch number {b}",
            f"    actor: {rng.choice('abc')}",
            f"    turns: {lo}..{hi}",
            f"    when: {cond}" if k != 4 else f"    when: [level < 5, pressure >= {k - 3}]",
            f"    cites: [event_{rng.randrange(20)}]",
            "    narrative: A generated move, long enough to look like real prose in a scenario.",
            "    options:",
            "      - id: up",
            "        label: Raise the level",
            (f"        on_success: {{effects: {raise_effects}}}" if contested else
             f"        effects: {raise_effects}"),
            "      - id: spread",
            "        label: Spread out",
            f"        effects: [areas += {area}, open = not open]",
        ]
        if contested:
            lines += [
                "    adjudication:",
                "      dice: 2d6",
                f"      target: {rng.randint(6, 9)}",
                f"      modifiers: [{{label: Pressure, value: {k} - pressure}}]",
                "    signposts: [Something observable happens]",
            ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    import sys
    print(big_scenario(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("generated.yaml")))
