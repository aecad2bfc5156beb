"""Model providers behind one protocol; only ``openai_compat`` imports the openai SDK."""
