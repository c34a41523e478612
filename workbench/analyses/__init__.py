"""Floor 5, analyses: solve with reasons, infeasibility, decision prices, frontier,
prioritisation, and the independent checker."""
