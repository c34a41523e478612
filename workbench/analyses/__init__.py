"""Floor 5, analyses: solve with reasons, infeasibility, prices, frontier, prioritisation, risk, status,
what-if variants, the solve session, the checker, and the studies the faces render."""
