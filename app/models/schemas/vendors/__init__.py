"""Request and response schemas of vendors and agreements."""
