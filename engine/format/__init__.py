"""The file format: YAML with positions, the key table (schema), the loader."""
