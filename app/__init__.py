"""Steward: a school district's student-data privacy program."""
