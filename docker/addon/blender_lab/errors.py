class CommandError(Exception):
    """An error whose message goes to the client as is."""
