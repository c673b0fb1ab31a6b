"""What the whole product shares: its settings (steunpunt.settings)."""
