"""Consent (DPP §V and §VI): when a vendor will not sign, guardians decide, and any refusal holds."""
