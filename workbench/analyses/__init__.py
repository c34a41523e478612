"""Floor 5, analyses: solve with reasons, infeasibility, prices, frontier, prioritisation, checker."""
