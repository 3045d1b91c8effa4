"""`spillover translate`: start or complete a language's string tables. Headless."""

from __future__ import annotations

import sys

from engine.diagnostics import DiagnosticError

EXIT_OK, EXIT_FAILED = 0, 1


def cmd_translate(args) -> int:
    from engine.format.loader import load_scenario
    from engine.format.tables import add_missing
    try:
        written = add_missing(load_scenario(args.scenario), args.lang)
    except DiagnosticError as e:
        for d in e.diagnostics:
            print(d.format(), file=sys.stderr)
        return EXIT_FAILED
    except ValueError as e:
        print(f"spillover: {e}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as e:
        print(f"spillover: cannot write the table: {e.strerror or e}", file=sys.stderr)
        return EXIT_FAILED
    for table, n in written:
        print(f"{table}: added {n} text{'s' * (n != 1)} to translate")
    if not written:
        print(f"Every text already has a '{args.lang}' entry; `spillover lint --lang "
              f"{args.lang}` lists stale ones.")
    return EXIT_OK
