"""Qt-free domain core: models, stream events, errors and the session that runs a reply."""
