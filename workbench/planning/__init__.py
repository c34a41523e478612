"""Floor 4, planning: solver runs for a scenario and its variants, and the result types."""
