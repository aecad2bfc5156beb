"""Image decoding and downscaling with Qt's QImage (QtGui, no widgets).

Its own layer: ``attachments`` stays free of Qt (it receives ``prepare_image`` as a
callable) and ``controllers`` may use QtCore only; the window, the command line and
the companion's coordinator hand this to the attachments layer.
"""
