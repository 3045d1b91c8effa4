"""Expressions: parsing, type checking, the typed tree and its evaluator."""
