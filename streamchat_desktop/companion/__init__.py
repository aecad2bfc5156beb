"""The companion view: a local Socket.IO endpoint that mirrors the live stream to browsers.

``server.CompanionServer`` is the entry point; ``protocol`` is the wire contract.
Nothing is imported here, so importing the package costs nothing until it is used.
"""
