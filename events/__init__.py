"""Speech contest, exhibition and QR check-in (their own issues)."""
