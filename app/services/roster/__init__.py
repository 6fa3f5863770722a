"""The roster from the SIS: students, guardians and who may decide for whom."""
