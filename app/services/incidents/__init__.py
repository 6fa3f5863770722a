"""Incidents: reporting, triage, the M.G.L. c. 93H assessment, notices and the post-incident review."""
