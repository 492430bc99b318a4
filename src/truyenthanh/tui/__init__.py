"""The operator's terminal interface (Textual), in Vietnamese. The only package that imports Textual."""
