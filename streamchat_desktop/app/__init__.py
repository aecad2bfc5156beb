"""The composition root: builds the services, connects them, and starts and stops them
in a fixed order."""
