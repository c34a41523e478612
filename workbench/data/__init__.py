"""Floor 2, the data: tables -> portfolio -> scenario -> planning data, and scores beside them."""
