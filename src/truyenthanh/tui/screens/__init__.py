"""One module per screen of the operator's TUI."""
