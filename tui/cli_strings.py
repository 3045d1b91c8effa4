"""`spillover translate`: start or complete a language's string tables. Headless."""

from __future__ import annotations

import sys

from engine.diagnostics import DiagnosticError
from engine.i18n import _

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
        print("spillover: " + _("cannot write the table: {reason}").format(
            reason=e.strerror or e), file=sys.stderr)
        return EXIT_FAILED
    from engine.format.tables import shown
    from engine.i18n import Messages, resolve_language
    m = Messages(resolve_language(None))           # --lang here is the language written to
    for table, n in written:
        print(m.n_("{table}: added {n} text to translate", "{table}: added {n} texts to translate",
                   n).format(table=shown(table), n=m.number(n)))
    if not written:
        print(m._("Every text already has a '{lang}' entry; `spillover lint --lang {lang}` "
                  "lists stale ones.").format(lang=args.lang))
    return EXIT_OK
