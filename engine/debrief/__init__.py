"""After play: the after-action report, its renderers, compare."""
