"""Who may receive a student's data, and the log of what was released (603 CMR 23.07)."""
