# Runs aws CLI v1 command lines in one Python process, for tests: each line
# read from file descriptor 4 is a JSON object {"args": [...], "env": {...}, "cwd": "..."};
# the answer, {"code": N, "stdout": "...", "stderr": "..."}, goes to file
# descriptor 3 (so nothing the CLI prints can corrupt it). Each command gets a
# fresh CLI driver and botocore session built from its own environment, as
# `aws` does; only botocore's loader (the parsed service models, read-only) is
# shared, which is what makes a command ~20x cheaper than a new process.
import io
import json
import os
import sys

import awscli
import awscli.clidriver

answers = os.fdopen(3, "w", encoding="utf-8")
answers.write(json.dumps({"version": awscli.__version__}) + "\n")
answers.flush()

# awscli's import appends its own data directory to AWS_DATA_PATH in
# os.environ; each command's environment gets the same treatment.
awscli_data = os.path.join(os.path.dirname(os.path.abspath(awscli.__file__)), "data")
loaders = {}  # by AWS_DATA_PATH: the loader searches those directories
# Requests come on fd 4, so stdin stays what `aws` run with no input has
# (/dev/null), even for a command that opens /dev/stdin.
requests = os.fdopen(4, "r", encoding="utf-8")
real_stdout, real_stderr = sys.stdout, sys.stderr
for line in requests:
    req = json.loads(line)
    os.environ.clear()
    os.environ.update(req["env"])
    paths = [os.path.expanduser(os.path.expandvars(p)) for p in os.environ.get("AWS_DATA_PATH", "").split(os.pathsep) if p]
    os.environ["AWS_DATA_PATH"] = os.pathsep.join(paths + [awscli_data])
    os.chdir(req["cwd"])
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    sys.stdout, sys.stderr = out, err
    try:
        driver = awscli.clidriver.create_clidriver()
        key = os.environ["AWS_DATA_PATH"]
        if key in loaders:
            driver.session.register_component("data_loader", loaders[key])
        else:
            loaders[key] = driver.session.get_component("data_loader")
        code = driver.main(req["args"])
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException as e:  # what the interpreter would print before exiting 1
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        sys.stdout, sys.stderr = real_stdout, real_stderr
    answers.write(json.dumps({
        "code": code if code is not None else 0,
        "stdout": out.buffer.getvalue().decode("utf-8", "replace"),
        "stderr": err.buffer.getvalue().decode("utf-8", "replace"),
    }) + "\n")
    answers.flush()
