"""Command units (Kodam > Korem > Kodim > Koramil)."""
