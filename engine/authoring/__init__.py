"""What an editor asks of a scenario, answered from the checker: the definitions of its
names (`outline`), and completions, hover text, definitions and symbols at a place in a
file (`queries`). Pure functions over text and located data; `tui/lsp.py` carries them over
the Language Server Protocol."""
