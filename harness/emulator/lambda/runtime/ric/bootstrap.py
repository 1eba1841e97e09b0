# groundstack's Python runtime interface client: the Lambda Runtime API loop
# (next / response / error / init error) around the handler named by
# _HANDLER ("module.function", the module found under LAMBDA_TASK_ROOT).
# Standard library only, so that it starts as fast as the interpreter does.
import json
import logging
import os
import socket
import sys
import time
import traceback

_BASE = "/2018-06-01/runtime"
_request_id = None


class _RuntimeAPI(object):
    """HTTP/1.1 to the Runtime API over one kept-alive socket: http.client
    would import email and ssl, a third of the client's start-up."""

    def __init__(self, hostport):
        host, port = hostport.rsplit(":", 1)
        self.host, self.addr = hostport, (host, int(port))
        self.sock = self.rf = None

    def close(self):
        if self.sock is not None:
            try:
                self.rf.close()
                self.sock.close()
            except OSError:
                pass
        self.sock = self.rf = None

    def call(self, method, path, body=b"", headers=None):
        for attempt in (0, 1):
            try:
                if self.sock is None:
                    self.sock = socket.create_connection(self.addr)
                    self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    self.rf = self.sock.makefile("rb")
                head = "%s %s%s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n" % (method, _BASE, path, self.host, len(body))
                for k, v in (headers or {}).items():
                    head += "%s: %s\r\n" % (k, v)
                self.sock.sendall(head.encode("latin-1") + b"\r\n" + body)
                return self._response()
            except (OSError, ValueError):
                # A kept-alive connection the server closed: one new try.
                self.close()
                if attempt:
                    raise

    def _response(self):
        line = self.rf.readline()
        if not line:
            raise ConnectionError("the Runtime API closed the connection")
        status = int(line.split(None, 2)[1])
        headers = {}
        while True:
            h = self.rf.readline()
            if h in (b"\r\n", b"\n", b""):
                break
            k, _, v = h.decode("latin-1").partition(":")
            headers[k.strip().lower()] = v.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int(self.rf.readline().split(b";")[0], 16)
                if size == 0:
                    while self.rf.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                parts.append(self.rf.read(size))
                self.rf.readline()
            body = b"".join(parts)
        else:
            n = int(headers.get("content-length") or 0)
            body = self.rf.read(n) if n else b""
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers, body


# Made by main(), not at import: the zygote imports this module before any
# instance's environment exists.
_api = None


def _call(method, path, body=b"", headers=None):
    return _api.call(method, path, body, headers)


def _flush():
    for f in (sys.stdout, sys.stderr):
        try:
            f.flush()
        except Exception:
            pass


def _log_record(text):
    # One record is one CloudWatch event: its own newlines travel as \r
    # (the emulator turns them back), as AWS's runtime frames them.
    sys.stdout.write(text.replace("\r\n", "\n").replace("\n", "\r") + "\n")


class _Fault(Exception):
    def __init__(self, error_type, message, trace=None):
        Exception.__init__(self, message)
        self.error_type, self.message, self.trace = error_type, message, trace or []


def _error_doc(error_type, message, trace, request_id):
    return {"errorMessage": message, "errorType": error_type, "requestId": request_id or "", "stackTrace": trace}


def _exception_doc(exc_info, request_id):
    etype, value, tb = exc_info
    frames = traceback.extract_tb(tb)
    # Drop this file's frames: the trace starts in the user's code.
    frames = [f for f in frames if f[0] != __file__]
    trace = traceback.format_list(frames)
    name = getattr(etype, "__name__", "Exception")
    msg = str(value)
    return _error_doc(name, msg, trace, request_id), frames


def _log_error(doc, frames=None):
    lines = ["[ERROR] %s: %s" % (doc["errorType"], doc["errorMessage"])]
    if frames is not None:
        lines.append("Traceback (most recent call last):")
        lines.extend(t.rstrip("\n") for t in traceback.format_list(frames))
    else:
        lines.append("Traceback (most recent call last):")
        lines.extend(t.rstrip("\n") for t in doc["stackTrace"])
    _log_record("\n".join(lines))


def _load_handler(handler):
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise _Fault("Runtime.MalformedHandlerName", "Bad handler '%s': %s" % (handler, e))
    if modname.split(".")[0] in sys.builtin_module_names:
        raise _Fault("Runtime.BuiltInModuleConflict", "Cannot use built-in module %s as a handler module" % modname)
    import importlib
    try:
        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as e:
        raise _Fault("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (modname, e))
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s\n' % (e.filename, e.lineno, (e.text or "").strip("\n"))]
        raise _Fault("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (modname, e), trace)
    fn = getattr(module, fname, None)
    if fn is None:
        raise _Fault("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (fname, modname))
    return fn


class CognitoIdentity(object):
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]


class Client(object):
    __slots__ = ["installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name"]


class ClientContext(object):
    __slots__ = ["custom", "env", "client"]


class LambdaContext(object):
    def __init__(self, request_id, deadline_ms, arn, client_context, identity):
        self.aws_request_id = request_id
        self.invoked_function_arn = arn
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self._deadline_ms = deadline_ms
        self.identity = CognitoIdentity()
        self.identity.cognito_identity_id = (identity or {}).get("cognitoIdentityId")
        self.identity.cognito_identity_pool_id = (identity or {}).get("cognitoIdentityPoolId")
        self.client_context = None
        if client_context:
            cc = ClientContext()
            cc.custom = client_context.get("custom")
            cc.env = client_context.get("env")
            cc.client = None
            c = client_context.get("client")
            if c:
                cc.client = Client()
                cc.client.installation_id = c.get("installation_id")
                cc.client.app_title = c.get("app_title")
                cc.client.app_version_name = c.get("app_version_name")
                cc.client.app_version_code = c.get("app_version_code")
                cc.client.app_package_name = c.get("app_package_name")
            self.client_context = cc

    def get_remaining_time_in_millis(self):
        return max(int(self._deadline_ms - time.time() * 1000), 0)

    def log(self, msg):
        sys.stdout.write(str(msg))

    def __repr__(self):
        return ("LambdaContext([aws_request_id=%s,log_group_name=%s,log_stream_name=%s,function_name=%s,"
                "memory_limit_in_mb=%s,function_version=%s,invoked_function_arn=%s])") % (
            self.aws_request_id, self.log_group_name, self.log_stream_name, self.function_name,
            self.memory_limit_in_mb, self.function_version, self.invoked_function_arn)


class _LambdaFormatter(logging.Formatter):
    converter = time.gmtime

    def format(self, record):
        record.aws_request_id = _request_id or ""
        return logging.Formatter.format(self, record)


class _LambdaHandler(logging.Handler):
    def emit(self, record):
        try:
            _log_record(self.format(record))
        except Exception:
            self.handleError(record)


def _setup_logging():
    h = _LambdaHandler()
    h.setFormatter(_LambdaFormatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s", "%Y-%m-%dT%H:%M:%S"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(h)
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper()
    if level in ("TRACE", "DEBUG", "INFO", "WARN", "WARNING", "ERROR", "FATAL", "CRITICAL"):
        root.setLevel({"TRACE": "DEBUG", "WARN": "WARNING", "FATAL": "CRITICAL"}.get(level, level))


def _default(o):
    if type(o).__name__ == "Decimal":  # boto3's DynamoDB numbers; decimal is not imported for nothing
        return int(o) if o == o.to_integral_value() else float(o)
    raise TypeError("Object of type %s is not JSON serializable" % o.__class__.__name__)


def _post_error(path, doc):
    body = json.dumps(doc).encode()
    _call("POST", path, body, {"Lambda-Runtime-Function-Error-Type": doc["errorType"],
                                "Content-Type": "application/json"})


def _invoke(fn, headers, body):
    global _request_id
    request_id = headers.get("lambda-runtime-aws-request-id")
    _request_id = request_id
    os.environ["_X_AMZN_TRACE_ID"] = headers.get("lambda-runtime-trace-id") or ""
    cc = headers.get("lambda-runtime-client-context")
    ci = headers.get("lambda-runtime-cognito-identity")
    path = "/invocation/%s/" % request_id
    try:
        event = json.loads(body) if body else {}
        ctx = LambdaContext(request_id, int(headers.get("lambda-runtime-deadline-ms") or 0),
                            headers.get("lambda-runtime-invoked-function-arn"),
                            json.loads(cc) if cc else None, json.loads(ci) if ci else None)
        result = fn(event, ctx)
    except _Fault as f:
        doc = _error_doc(f.error_type, f.message, f.trace, request_id)
        _log_error(doc)
        _flush()
        _post_error(path + "error", doc)
        return
    except Exception:
        doc, frames = _exception_doc(sys.exc_info(), request_id)
        _log_error(doc, frames)
        _flush()
        _post_error(path + "error", doc)
        return
    try:
        out = json.dumps(result, default=_default).encode()
    except Exception as e:
        doc = _error_doc("Runtime.MarshalError", "Unable to marshal response: %s" % e, [], request_id)
        _log_error(doc)
        _flush()
        _post_error(path + "error", doc)
        return
    _flush()
    _call("POST", path + "response", out, {"Content-Type": "application/json"})


def main():
    global _api
    _api = _RuntimeAPI(os.environ["AWS_LAMBDA_RUNTIME_API"])
    # sys.path[0] is this script's directory: the task root takes its place.
    sys.path[0] = os.environ.get("LAMBDA_TASK_ROOT", ".")
    _setup_logging()
    handler = os.environ.get("_HANDLER", "")
    try:
        fn = _load_handler(handler)
    except _Fault as f:
        doc = _error_doc(f.error_type, f.message, f.trace, "")
        _log_error(doc)
        _flush()
        _post_error("/init/error", doc)
        sys.exit(1)
    except Exception:
        doc, frames = _exception_doc(sys.exc_info(), "")
        _log_error(doc, frames)
        _flush()
        _post_error("/init/error", doc)
        sys.exit(1)
    _flush()
    while True:
        status, headers, body = _call("GET", "/invocation/next")
        if status != 200:
            sys.exit(0)  # the environment is shutting down
        _invoke(fn, headers, body)


if __name__ == "__main__":
    main()
