"""The laptop's screens, one module per family (firmware, OS boot, login, desktop...)."""
