"""Floor 3, the model: the MILP formulation and, beside it, the solver adapters (CBC, HiGHS, their race)."""
