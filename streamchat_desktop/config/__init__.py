"""Configuration and secrets: where files live, settings (no secrets), the keychain, logging."""
