"""Errors a user can read: each carries a message meant for the export dialog, not a traceback."""


class ExportError(Exception):
    """Base of every error the export reports to the user as it is."""


class InvalidSettings(ExportError, ValueError):
    """Export settings or analysis parameters the user can correct."""


class InvalidLayer(ExportError, ValueError):
    """A layer whose opacity, blend mode or background cannot be composited."""


class InvalidProject(ExportError, ValueError):
    """A project description the app cannot use; the message names the bad field by its path."""


class AudioError(ExportError):
    """The audio is missing, cannot be decoded, or holds no usable samples."""


class RenderError(ExportError):
    """The page could not draw, composite or read back a frame (e.g. the WebGL context was lost)."""


class StorageError(ExportError):
    """IndexedDB refused a frame (quota) or could not be opened."""


class EncoderError(ExportError):
    """The video encoder failed to load or to encode."""


class ExportCancelled(ExportError):
    """The user cancelled; not a failure, but it unwinds the export the same way."""

    def __init__(self, message: str = "Export cancelled") -> None:
        super().__init__(message)
