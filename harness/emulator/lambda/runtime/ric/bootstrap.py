# groundstack's Python runtime interface client: the Lambda Runtime API loop
# (next / response / error / init error) around the handler named by
# _HANDLER ("module.function", the module found under LAMBDA_TASK_ROOT).
# Standard library only, so that it starts as fast as the interpreter does.
import decimal
import http.client
import json
import logging
import os
import sys
import time
import traceback

_API = os.environ["AWS_LAMBDA_RUNTIME_API"]
_BASE = "/2018-06-01/runtime"
_conn = None
_request_id = None


def _call(method, path, body=None, headers=None):
    """One Runtime API call over a kept-alive connection."""
    global _conn
    for attempt in (0, 1):
        if _conn is None:
            _conn = http.client.HTTPConnection(_API)
        try:
            _conn.request(method, _BASE + path, body=body, headers=headers or {})
            resp = _conn.getresponse()
            return resp, resp.read()
        except (http.client.HTTPException, ConnectionError):
            _conn.close()
            _conn = None
            if attempt:
                raise


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
    if isinstance(o, decimal.Decimal):
        return int(o) if o == o.to_integral_value() else float(o)
    raise TypeError("Object of type %s is not JSON serializable" % o.__class__.__name__)


def _post_error(path, doc):
    body = json.dumps(doc).encode()
    _call("POST", path, body, {"Lambda-Runtime-Function-Error-Type": doc["errorType"],
                                "Content-Type": "application/json"})


def _invoke(fn, headers, body):
    global _request_id
    request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
    _request_id = request_id
    os.environ["_X_AMZN_TRACE_ID"] = headers.get("Lambda-Runtime-Trace-Id") or ""
    cc = headers.get("Lambda-Runtime-Client-Context")
    ci = headers.get("Lambda-Runtime-Cognito-Identity")
    path = "/invocation/%s/" % request_id
    try:
        event = json.loads(body) if body else {}
        ctx = LambdaContext(request_id, int(headers.get("Lambda-Runtime-Deadline-Ms") or 0),
                            headers.get("Lambda-Runtime-Invoked-Function-Arn"),
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
    # sys.path[0] is this script's directory: the task root takes its place.
    sys.path[0] = os.environ.get("LAMBDA_TASK_ROOT", ".")
    _setup_logging()
    note = os.environ.get("_GROUNDSTACK_RUNTIME_NOTE")
    if note:
        print(note)
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
        resp, body = _call("GET", "/invocation/next")
        if resp.status != 200:
            sys.exit(0)  # the environment is shutting down
        _invoke(fn, resp.headers, body)


if __name__ == "__main__":
    main()
