"""JSON API of consent requests and guardians' answers."""
