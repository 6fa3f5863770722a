"""Pages of disputes: the family's concern pages and the team's queue and case pages."""
