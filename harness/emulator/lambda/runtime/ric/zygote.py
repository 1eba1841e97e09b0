# groundstack's Python zygote: one warm interpreter per Python binary that
# has imported the runtime interface client (and, when this Python has it,
# boto3), and forks a child per Lambda instance. The child becomes what
# `python3 bootstrap.py` would have been: the function's environment, its
# task root and layers on sys.path, its own process group and log pipe,
# and only then imports the handler.
#
# argv: zygote.py <bootstrap.py> <preload: 1|0>. fd 3 is a SOCK_SEQPACKET
# socket to the emulator: requests are JSON {"id", "env", "dir", "argv"}
# with two descriptors (the instance's log pipe, and the pipe on which the
# emulator says "go" once it has placed the child); answers are
# {"id", "pid"} or {"id", "error"}, and {"exit": pid, "status": wait status}
# when a child ends. The zygote ends when the socket closes.
import array
import errno
import gc
import importlib.util
import json
import os
import signal
import socket
import sys

_CTL_FD = 3
_STARTUP_ADDED = {k: os.environ[k] for k in ("LC_CTYPE",) if k in os.environ}


def _load_ric(path):
    # Under a name of its own: a handler module called "bootstrap" must
    # still be the function's.
    spec = importlib.util.spec_from_file_location("_groundstack_ric", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["_groundstack_ric"] = mod
    spec.loader.exec_module(mod)
    return mod


def _preload():
    try:
        import boto3  # noqa: F401  (the Lambda base image ships it)
        import boto3.session  # noqa: F401
        import botocore.session  # noqa: F401
    except Exception:
        pass


_libc = None


def _load_libc():
    global _libc
    try:
        import ctypes
        _libc = ctypes.CDLL(None, use_errno=True)
    except Exception:
        pass


def _check(ret, what):
    if ret != 0:
        import ctypes
        e = ctypes.get_errno()
        raise OSError(e, "%s: %s" % (what, os.strerror(e)))


def _enter_sandbox(sb):
    """What the emulator's namespace sandbox gives a fresh instance: a
    private mount namespace with /tmp a tmpfs of tmp_mb MB and the cache
    directory (code, layers, runtime clients) read-only."""
    if _libc is None:
        raise OSError(errno.ENOSYS, "no ctypes: cannot enter the sandbox")
    ro = sb["ro"]
    _check(_libc.unshare(0x00020000), "unshare")  # CLONE_NEWNS
    MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 32, 4096, 16384, 1 << 18
    _check(_libc.mount(b"", b"/", None, MS_REC | MS_PRIVATE, None), "mount / private")
    # Opened in the new namespace: a bind's source must be one of its mounts.
    fd = os.open(ro, os.O_RDONLY | os.O_DIRECTORY)
    opts = ("size=%dm,mode=1777" % int(sb["tmp_mb"])).encode()
    _check(_libc.mount(b"tmpfs", b"/tmp", b"tmpfs", MS_NOSUID | MS_NODEV, opts), "mount /tmp")
    # Hidden by the tmpfs when it lay under /tmp: back, through fd.
    os.makedirs(ro, exist_ok=True)
    _check(_libc.mount(("/proc/self/fd/%d" % fd).encode(), ro.encode(), None, MS_BIND | MS_REC, None), "bind")
    _check(_libc.mount(b"", ro.encode(), None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, None), "remount read-only")
    os.close(fd)


def _set_pdeathsig():
    # The child dies with the zygote (which dies with the emulator).
    if _libc is not None:
        _libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _send(ctl, doc):
    try:
        ctl.send(json.dumps(doc).encode())
    except OSError:
        os._exit(0)  # the emulator is gone


def _reap(ctl):
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        _send(ctl, {"exit": pid, "status": status})


def _serve(ctl):
    """Forks a child per request. Returns only in a child, with its
    request."""
    signal.signal(signal.SIGCHLD, lambda signum, frame: _reap(ctl))
    zygote = os.getpid()
    while True:
        fds = array.array("i")
        try:
            msg, anc, _, _ = ctl.recvmsg(1 << 20, socket.CMSG_SPACE(2 * fds.itemsize))
        except OSError:
            os._exit(0)
        if not msg:
            os._exit(0)  # the emulator closed the socket
        for level, typ, data in anc:
            if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
                fds.frombytes(data[:len(data) - (len(data) % fds.itemsize)])
        try:
            req = json.loads(msg)
        except Exception:
            os._exit(1)  # not our emulator
        if len(fds) != 2:
            for fd in fds:
                os.close(fd)
            _send(ctl, {"id": req.get("id"), "error": "want 2 descriptors, got %d" % len(fds)})
            continue
        # Nothing may be buffered when the process splits.
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            pid = os.fork()
        except OSError as e:
            for fd in fds:
                os.close(fd)
            _send(ctl, {"id": req.get("id"), "error": "fork: " + str(e)})
            continue
        if pid == 0:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            ctl.close()
            req["_fds"] = list(fds)
            req["_zygote"] = zygote
            return req
        for fd in fds:
            os.close(fd)
        try:
            # Also here, not only in the child: the emulator may kill the
            # group as soon as it has the pid.
            os.setpgid(pid, pid)
        except OSError as e:
            if e.errno not in (errno.EACCES, errno.ESRCH):
                raise
        _send(ctl, {"id": req.get("id"), "pid": pid})


def _become(req):
    """Turns a fresh child into the instance req describes."""
    log_fd, go_fd = req["_fds"]
    os.setpgid(0, 0)
    _set_pdeathsig()
    if os.getppid() != req["_zygote"]:
        os._exit(1)  # the zygote died before the death signal was set
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    if log_fd > 2:
        os.close(log_fd)
    # Wait until the emulator has placed us (limits, cgroup); no "go"
    # means stop.
    go = b""
    while True:
        try:
            go = os.read(go_fd, 1)
            break
        except InterruptedError:
            continue
    os.close(go_fd)
    if go != b"1":
        os._exit(1)
    env = {}
    for kv in req["env"]:
        k, sep, v = kv.partition("=")
        if sep:
            env.setdefault(k, v)  # the first wins, as getenv finds it
    # What the interpreter added to its environment at start (PEP 538's
    # LC_CTYPE when the locale is C) it would have added for the function
    # too: its locale variables are the zygote's (see zygoteFits).
    for k, v in _STARTUP_ADDED.items():
        env.setdefault(k, v)
    os.environ.clear()
    os.environ.update(env)
    try:
        import time
        time.tzset()
    except Exception:
        pass
    if "tempfile" in sys.modules:
        sys.modules["tempfile"].tempdir = None  # TMPDIR is the instance's
    if req.get("sandbox"):
        _enter_sandbox(req["sandbox"])
    os.chdir(req["dir"])
    # What the interpreter would have done with PYTHONPATH at start: its
    # entries come after the script's directory (the task root, set by the
    # client) and before the standard library.
    extra = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    sys.path[1:1] = extra
    sys.dont_write_bytecode = bool(env.get("PYTHONDONTWRITEBYTECODE"))
    sys.argv = list(req["argv"])
    if hasattr(sys, "orig_argv"):
        sys.orig_argv = sys.orig_argv[:1] + sys.argv


def main():
    ric_path, preload = sys.argv[1], sys.argv[2] == "1"
    ric = _load_ric(ric_path)
    if preload:
        _preload()
    _load_libc()
    ctl = socket.socket(fileno=_CTL_FD)
    names = sorted({n.split(".", 1)[0] for n in list(sys.modules)})
    # Everything imported so far lives on in every child: no collection
    # will touch (and copy) those pages.
    gc.collect()
    gc.freeze()
    _send(ctl, {"ready": True, "modules": names})
    req = _serve(ctl)
    _become(req)
    return ric


if __name__ == "__main__":
    _ric = main()
    del main
    _ric.main()
