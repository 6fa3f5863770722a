"""Pages of consent: the team's requests and responses, and the guardians' answers."""
