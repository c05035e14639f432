"""InferenceSession: a model and a session of libonnxmini behind the
session API of ONNX Runtime's Python package."""

import collections.abc
import ctypes
import os
import threading
import warnings
import weakref

import numpy as np

from . import _library
from ._dtypes import CODE_OF_NUMPY, numpy_dtype_of, prepare_feed, type_string
from ._errors import OnnxMiniError, Status

CPU_PROVIDER = "CPUExecutionProvider"


class NodeArg:
    """A graph input or output: its name, shape and element type.

    shape lists an int per fixed dimension, the name (a str) of a symbolic
    dimension, and None for a dimension of unknown size. It is [] both for
    a scalar and for a value whose model declares no shape, as in ONNX
    Runtime.
    """

    __slots__ = ("name", "shape", "type")

    def __init__(self, name, shape, type_name):
        self.name = name
        self.shape = shape
        self.type = type_name

    def __repr__(self):
        return "NodeArg(name=%r, type=%r, shape=%r)" % (self.name, self.type, self.shape)


class SessionOptions:
    """Session settings, for scripts that build ONNX Runtime's SessionOptions.

    InferenceSession reads intra_op_num_threads (0 means the library's
    default) and, as extensions, isa and graph_rewrites (see
    onnxmini_session_options in onnxmini.h). Other attributes that scripts
    set are stored and ignored.
    """

    def __init__(self):
        self.intra_op_num_threads = 0
        self.isa = None
        self.graph_rewrites = True


def _node_arg(info):
    """Build a NodeArg from an onnxmini_value_info."""
    shape = []
    for axis in range(max(info.rank, 0)):
        size = info.dims[axis]
        if size >= 0:
            shape.append(int(size))
        elif info.dim_names[axis] is not None:
            shape.append(_library.decode(info.dim_names[axis]))
        else:
            shape.append(None)
    return NodeArg(_library.decode(info.name), shape, type_string(info.dtype))


def _provider_name(provider):
    if isinstance(provider, str):
        return provider
    if isinstance(provider, (tuple, list)) and provider and isinstance(provider[0], str):
        return provider[0]
    raise OnnxMiniError(
        "providers: %r is not a provider name or a (name, options) pair" % (provider,),
        Status.INVALID_ARGUMENT,
    )


def _warn_ignored_arguments(providers, provider_options, extra):
    """Warn about ONNX Runtime arguments that have no meaning here."""
    if providers is not None:
        if isinstance(providers, str):
            providers = [providers]
        ignored = [name for name in map(_provider_name, providers) if name != CPU_PROVIDER]
        if ignored:
            warnings.warn(
                "onnxmini runs on the CPU only; ignoring the execution "
                "providers %s" % ", ".join(ignored),
                RuntimeWarning,
                stacklevel=3,
            )
    if provider_options:
        warnings.warn("onnxmini ignores provider_options", RuntimeWarning, stacklevel=3)
    if extra:
        warnings.warn(
            "onnxmini ignores the InferenceSession arguments %s"
            % ", ".join(sorted(extra)),
            RuntimeWarning,
            stacklevel=3,
        )


def _thread_count(threads, sess_options):
    if threads is None:
        threads = getattr(sess_options, "intra_op_num_threads", 0)
        if not isinstance(threads, int) or threads < 0:
            threads = 0
    elif isinstance(threads, bool) or not isinstance(threads, int) or threads < 0:
        raise OnnxMiniError(
            "threads is %r; expected an int of 0 or more" % (threads,),
            Status.INVALID_ARGUMENT,
        )
    return threads


def _release(library, session_handle, model_handle):
    """Free a session and then its model, in the order onnxmini.h requires.

    This runs from weakref.finalize, so it must not refer to the
    InferenceSession; it receives the library and the two raw handles.
    """
    library.onnxmini_session_destroy(session_handle)
    library.onnxmini_model_free(model_handle)


def _load_model(library, path_or_bytes):
    handle = _library.model_p()
    error = _library.ErrorStruct()
    if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
        data = bytes(path_or_bytes)
        status = library.onnxmini_model_load_memory(
            data, len(data), ctypes.byref(handle), ctypes.byref(error))
    elif isinstance(path_or_bytes, (str, os.PathLike)):
        status = library.onnxmini_model_load_file(
            os.fsencode(path_or_bytes), ctypes.byref(handle), ctypes.byref(error))
    else:
        raise OnnxMiniError(
            "path_or_bytes is a %s; expected a file path (str or "
            "os.PathLike) or the model's bytes" % type(path_or_bytes).__name__,
            Status.INVALID_ARGUMENT,
        )
    if status != Status.OK:
        raise OnnxMiniError(_library.decode(error.message), status)
    return handle.value


def _create_session(library, model_handle, threads, isa, graph_rewrites):
    # The options live in a buffer larger than this package's idea of the
    # struct, since onnxmini_session_options_init() fills the library's.
    buffer = ctypes.create_string_buffer(_library.OPTIONS_BUFFER_SIZE)
    library.onnxmini_session_options_init(buffer)
    options = _library.SessionOptionsStruct.from_buffer(buffer)
    isa_bytes = None if isa is None else str(isa).encode("utf-8")
    options.isa = isa_bytes
    if threads:
        options.threads = threads
    options.graph_rewrites = 1 if graph_rewrites else 0

    handle = _library.session_p()
    error = _library.ErrorStruct()
    status = library.onnxmini_session_create(
        model_handle, buffer, ctypes.byref(handle), ctypes.byref(error))
    if status != Status.OK:
        raise OnnxMiniError(_library.decode(error.message), status)
    return handle.value


class InferenceSession:
    """Run an ONNX model with libonnxmini, like onnxruntime.InferenceSession.

    path_or_bytes  a path to the .onnx file, or the model's bytes.
    sess_options   any object; its intra_op_num_threads, isa and
                   graph_rewrites attributes are read when present.
    providers      accepted for ONNX Runtime scripts; every provider but
                   "CPUExecutionProvider" is ignored with a warning.
    provider_options, other keywords  accepted and ignored with a warning.
    threads        intra-op threads (the library's default when None).
    isa            kernel instruction set such as "scalar" or "avx2" (the
                   library's choice, or ONNXMINI_ISA, when None).

    One session may be shared by Python threads: run() holds a lock, since
    a libonnxmini session is used by one thread at a time.
    """

    def __init__(self, path_or_bytes, sess_options=None, providers=None,
                 provider_options=None, *, threads=None, isa=None, **kwargs):
        _warn_ignored_arguments(providers, provider_options, kwargs)
        threads = _thread_count(threads, sess_options)
        if isa is None:
            isa = getattr(sess_options, "isa", None)
        graph_rewrites = getattr(sess_options, "graph_rewrites", True)

        library = _library.load()
        self._library = library
        self._lock = threading.Lock()
        self._sess_options = sess_options
        # Arrays fed for initializers that the graph also lists as inputs.
        # The library keeps using such a feed, not the initializer, until it
        # is fed again, so the array must outlive the run.
        # NOTE: unlike ONNX Runtime, a later run without that feed uses the
        # last array fed, not the initializer, because onnxmini.h has no
        # call that restores the initializer.
        self._overrides = {}

        model_handle = _load_model(library, path_or_bytes)
        try:
            session_handle = _create_session(library, model_handle, threads, isa,
                                             graph_rewrites)
        except BaseException:
            library.onnxmini_model_free(model_handle)
            raise
        self._handle = session_handle
        self._finalizer = weakref.finalize(self, _release, library, session_handle,
                                           model_handle)

        inputs = self._read_value_infos(
            model_handle, library.onnxmini_model_input_count,
            library.onnxmini_model_input_info)
        outputs = self._read_value_infos(
            model_handle, library.onnxmini_model_output_count,
            library.onnxmini_model_output_info)
        self._inputs = [arg for arg, _, _ in inputs]
        self._outputs = [arg for arg, _, _ in outputs]
        # Per input name: the declared ONNX element type, and the name as the
        # bytes that set_input takes.
        self._input_codes = {arg.name: code for arg, code, _ in inputs}
        self._input_names_c = {arg.name: name_c for arg, _, name_c in inputs}
        self._output_index = {arg.name: index for index, arg in enumerate(self._outputs)}
        self._all_outputs = list(range(len(self._outputs)))
        self.isa = _library.decode(library.onnxmini_session_isa(session_handle))

    @staticmethod
    def _read_value_infos(model_handle, count_function, info_function):
        """Return (NodeArg, ONNX element type, name as bytes) per value."""
        result = []
        for index in range(count_function(model_handle)):
            info = _library.ValueInfoStruct()
            status = info_function(model_handle, index, ctypes.byref(info))
            if status != Status.OK:
                raise OnnxMiniError("reading value %d of the model failed" % index, status)
            result.append((_node_arg(info), info.dtype, info.name))
        return result

    # ------------------------------------------------------------ metadata

    def get_inputs(self):
        """Return the inputs a caller feeds, as NodeArg objects."""
        return list(self._inputs)

    def get_outputs(self):
        """Return the graph outputs, as NodeArg objects, in graph order."""
        return list(self._outputs)

    def get_providers(self):
        """Return ["CPUExecutionProvider"], the only provider."""
        return [CPU_PROVIDER]

    def get_provider_options(self):
        """Return {"CPUExecutionProvider": {}}: the provider takes no options."""
        return {CPU_PROVIDER: {}}

    def get_session_options(self):
        """Return the sess_options object given to the constructor, or None."""
        return self._sess_options

    # ------------------------------------------------------------ running

    def _output_indices(self, output_names):
        # ONNX Runtime also reads an empty list as "every output".
        if not output_names:
            return self._all_outputs
        if isinstance(output_names, (str, bytes)):
            raise OnnxMiniError(
                "output_names is a single string (%r); pass a list of names "
                "or None" % (output_names,),
                Status.INVALID_ARGUMENT,
            )
        indices = []
        for name in output_names:
            index = self._output_index.get(name)
            if index is None:
                raise OnnxMiniError(
                    "the model has no output named %r; its outputs are %s"
                    % (name, ", ".join(repr(arg.name) for arg in self._outputs)),
                    Status.NOT_FOUND,
                )
            indices.append(index)
        return indices

    def _check_feed(self, input_feed):
        if not isinstance(input_feed, (dict, collections.abc.Mapping)):
            raise OnnxMiniError(
                "input_feed is a %s; expected a dict from input name to array"
                % type(input_feed).__name__,
                Status.INVALID_ARGUMENT,
            )
        for name in input_feed:
            if not isinstance(name, str):
                raise OnnxMiniError(
                    "input_feed has the key %r; input names are str" % (name,),
                    Status.INVALID_ARGUMENT,
                )
        missing = [arg.name for arg in self._inputs if arg.name not in input_feed]
        if missing:
            raise OnnxMiniError(
                "required inputs %s are missing from the input feed (it has %s)"
                % (missing, sorted(map(str, input_feed))),
                Status.STATE,
            )

    def _fail(self, status):
        message = _library.decode(self._library.onnxmini_session_message(self._handle))
        return OnnxMiniError(message, status)

    def _set_input(self, name, array):
        name_c = self._input_names_c.get(name)
        if name_c is None:
            name_c = name.encode("utf-8")
        dims = (ctypes.c_int64 * array.ndim)(*array.shape)
        status = self._library.onnxmini_session_set_input(
            self._handle, name_c, CODE_OF_NUMPY[array.dtype], dims, array.ndim,
            array.ctypes.data, array.nbytes)
        if status != Status.OK:
            raise self._fail(status)

    def _copy_output(self, index):
        tensor = _library.TensorStruct()
        status = self._library.onnxmini_session_output(self._handle, index,
                                                       ctypes.byref(tensor))
        if status != Status.OK:
            raise self._fail(status)
        dtype = numpy_dtype_of(tensor.dtype)
        if dtype is None:
            raise OnnxMiniError(
                "output '%s' has element type %s, which NumPy cannot hold"
                % (self._outputs[index].name, type_string(tensor.dtype)),
                Status.UNSUPPORTED,
            )
        shape = tuple(tensor.dims[:tensor.rank])
        result = np.empty(shape, dtype)
        if result.nbytes != tensor.bytes:
            raise OnnxMiniError(
                "output '%s': the library reports %d bytes for shape %s of %s"
                % (self._outputs[index].name, tensor.bytes, list(shape),
                   type_string(tensor.dtype)),
                Status.STATE,
            )
        if tensor.bytes:
            ctypes.memmove(result.ctypes.data, tensor.data, tensor.bytes)
        return result

    def run(self, output_names, input_feed, run_options=None):
        """Run the model and return the requested outputs as NumPy arrays.

        output_names  a list of output names, or None (or []) for every
                      output in graph order.
        input_feed    a dict from input name to a NumPy array, a list or a
                      scalar. Arrays must have the declared element type;
                      lists and scalars are converted when no value is lost.
        run_options   accepted for ONNX Runtime scripts and ignored.

        The arrays returned are copies owned by Python.
        """
        indices = self._output_indices(output_names)
        self._check_feed(input_feed)
        arrays = {
            name: prepare_feed(name, value, self._input_codes.get(name))
            for name, value in input_feed.items()
        }

        with self._lock:
            if not self._finalizer.alive:
                raise OnnxMiniError("the session is closed", Status.STATE)
            # The library borrows each buffer and reads it on every run.
            # `arrays` keeps this feed alive for this run, and every input
            # is set again before the next one.
            failed = []
            for name, array in arrays.items():
                try:
                    self._set_input(name, array)
                except OnnxMiniError:
                    failed.append(name)
                if name not in self._input_codes:
                    self._overrides[name] = array
            # The library keeps a binding that did not plan with the old
            # values of the inputs after it. Once the whole feed is bound,
            # setting such an input again shows whether the feed fits.
            for name in failed:
                self._set_input(name, arrays[name])
            status = self._library.onnxmini_session_run(self._handle)
            if status != Status.OK:
                raise self._fail(status)
            return [self._copy_output(index) for index in indices]

    # ------------------------------------------------------------ lifetime

    def close(self):
        """Free the session and its model now. Later runs raise OnnxMiniError."""
        with self._lock:
            self._finalizer()
            self._overrides.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
