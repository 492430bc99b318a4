"""The operator's Textual interface: the only package that imports Textual."""
