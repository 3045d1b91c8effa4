"""The state budgets of `explore` and of lint's reachability check, in one place, so the
command line and the engine cannot disagree (and the command line need not import the
explorer to know them).

`DEFAULT_MAX_STATES` fits the bundled exercise played by cells (269,182 stored states) with
room to spare, and bounds the worst case of a complete exploration at about 0.6 GB
(docs/ANALYSIS.md, "Budget"; bench/RESULTS.md). Lint's budget is kept small so lint stays
quick."""

DEFAULT_MAX_STATES = 400_000
LINT_MAX_STATES = 20_000

__all__ = ["DEFAULT_MAX_STATES", "LINT_MAX_STATES"]
