"""Pages of vendors and agreements: the team's vetting, the vendor portal, the public registry."""
