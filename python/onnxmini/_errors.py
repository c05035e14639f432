"""The exception the package raises and the library's status codes."""

import enum


class Status(enum.IntEnum):
    """The values of onnxmini_status in onnxmini.h."""

    OK = 0
    INVALID_ARGUMENT = 1
    IO = 2
    PARSE = 3
    INVALID_MODEL = 4
    UNSUPPORTED = 5
    OUT_OF_MEMORY = 6
    SHAPE = 7
    NOT_FOUND = 8
    STATE = 9
    LIMIT = 10


def status_constant_name(status):
    """Return the C name of a status code, such as "ONNXMINI_ERR_SHAPE"."""
    try:
        member = Status(status)
    except ValueError:
        return "ONNXMINI_STATUS_%d" % int(status)
    if member is Status.OK:
        return "ONNXMINI_OK"
    return "ONNXMINI_ERR_" + member.name


class OnnxMiniError(RuntimeError):
    """An error from libonnxmini or from the checks this package makes.

    Attributes:
        message: the text, without the status name.
        status: a Status member (an int), or the raw code when a newer
            library returns one this package does not know.
        status_name: the C name of the status, such as "ONNXMINI_ERR_SHAPE".
    """

    def __init__(self, message, status=Status.INVALID_ARGUMENT):
        try:
            status = Status(status)
        except ValueError:
            status = int(status)
        self.message = message
        self.status = status
        self.status_name = status_constant_name(status)
        super().__init__("%s [%s]" % (message, self.status_name))

    def __reduce__(self):
        # Rebuild from the parts, so that pickling (multiprocessing) keeps
        # the message without the appended status name.
        return (type(self), (self.message, self.status))
