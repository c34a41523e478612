"""Floor 1, the ground: errors, periods, statuses and how numbers are written."""
