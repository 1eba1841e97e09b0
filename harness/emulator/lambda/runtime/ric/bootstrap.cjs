// groundstack's Node.js runtime interface client: the Lambda Runtime API
// loop around the handler named by _HANDLER ("file.export", the file found
// under LAMBDA_TASK_ROOT as .js, .mjs or .cjs: CommonJS or an ES module).
// Node's standard library only.
"use strict";
const http = require("http");
const fs = require("fs");
const path = require("path");
const util = require("util");
const { pathToFileURL } = require("url");

const [apiHost, apiPort] = process.env.AWS_LAMBDA_RUNTIME_API.split(":");
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const BASE = "/2018-06-01/runtime";
let currentRequestId = "";

function call(method, p, body, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: apiHost, port: apiPort, method, path: BASE + p, agent, headers: headers || {} }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

// One console call is one CloudWatch event: its newlines travel as \r
// (the emulator turns them back), as AWS's runtime frames them.
function writeRecord(level, args) {
  const msg = util.format.apply(util, args);
  const line = new Date().toISOString() + "\t" + (currentRequestId || "undefined") + "\t" + level + "\t" + msg;
  process.stdout.write(line.replace(/\r?\n/g, "\r") + "\n");
}
console.log = (...a) => writeRecord("INFO", a);
console.info = (...a) => writeRecord("INFO", a);
console.warn = (...a) => writeRecord("WARN", a);
console.error = (...a) => writeRecord("ERROR", a);
console.debug = (...a) => writeRecord("DEBUG", a);
console.trace = (...a) => writeRecord("TRACE", a);
console.fatal = (...a) => writeRecord("FATAL", a);

function errorDoc(err, typeOverride) {
  if (!(err instanceof Error)) {
    err = err === undefined || err === null ? new Error("Unknown error") : Object.assign(new Error(typeof err === "string" ? err : util.inspect(err)), { name: typeof err === "string" ? "string" : "object" });
  }
  const type = typeOverride || err.name || "Error";
  const stack = (err.stack || "").split("\n");
  if (typeOverride && stack.length) stack[0] = typeOverride + ": " + err.message;
  return { errorType: type, errorMessage: err.message, trace: stack };
}

function fault(type, message, cause) {
  const e = new Error(message);
  e.name = type;
  if (cause && cause.stack) e.stack = type + ": " + message + "\n" + cause.stack.split("\n").slice(1).join("\n");
  return e;
}

function postError(p, doc) {
  return call("POST", p, JSON.stringify(doc), { "Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": doc.errorType });
}

function isESM(file) {
  if (file.endsWith(".mjs")) return true;
  if (file.endsWith(".cjs")) return false;
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const pj = path.join(dir, "package.json");
    if (fs.existsSync(pj)) {
      try {
        return JSON.parse(fs.readFileSync(pj, "utf8")).type === "module";
      } catch (e) {
        return false;
      }
    }
    if (dir === path.dirname(dir)) return false;
  }
}

async function loadModule(root, moduleName) {
  const base = path.resolve(root, moduleName);
  let file = null;
  for (const ext of ["", ".js", ".mjs", ".cjs"]) {
    const f = base + ext;
    if (fs.existsSync(f) && fs.statSync(f).isFile()) {
      file = f;
      break;
    }
  }
  try {
    if (file === null) {
      // As AWS's runtime does last: a package name resolved through NODE_PATH.
      return require(moduleName);
    }
    if (isESM(file)) return await import(pathToFileURL(file).href);
    return require(file);
  } catch (e) {
    if (e instanceof SyntaxError) throw fault("Runtime.UserCodeSyntaxError", String(e), e);
    if (e && e.code === "MODULE_NOT_FOUND" && file === null) throw fault("Runtime.ImportModuleError", String(e), e);
    if (e && e.code === "ERR_REQUIRE_ESM") return await import(pathToFileURL(file).href);
    throw e;
  }
}

async function loadHandler() {
  const handler = process.env._HANDLER || "";
  const root = process.env.LAMBDA_TASK_ROOT || process.cwd();
  const slash = handler.lastIndexOf("/");
  const dot = handler.indexOf(".", slash + 1);
  if (dot < 0) throw fault("Runtime.MalformedHandlerName", "Bad handler " + handler);
  const moduleName = handler.slice(0, dot);
  const fnPath = handler.slice(dot + 1);
  const mod = await loadModule(root, moduleName);
  let fn = mod;
  for (const part of fnPath.split(".")) fn = fn === undefined || fn === null ? undefined : fn[part];
  if (typeof fn !== "function") throw fault("Runtime.HandlerNotFound", moduleName + "." + fnPath + " is undefined or not exported");
  return fn;
}

function makeContext(h, finish) {
  const deadline = Number(h["lambda-runtime-deadline-ms"] || 0);
  const ctx = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: h["lambda-runtime-invoked-function-arn"],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: h["lambda-runtime-aws-request-id"],
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: h["lambda-runtime-cognito-identity"] ? JSON.parse(h["lambda-runtime-cognito-identity"]) : undefined,
    clientContext: h["lambda-runtime-client-context"] ? JSON.parse(h["lambda-runtime-client-context"]) : undefined,
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
    succeed: (r) => finish(null, r),
    fail: (e) => finish(e || new Error("handled")),
    done: (e, r) => finish(e, r),
  };
  return ctx;
}

let activeId = null; // the invocation not answered yet
let answered = null;

async function answer(id, err, result) {
  if (activeId !== id) return;
  activeId = null;
  const p = "/invocation/" + id + "/";
  if (err !== null && err !== undefined) {
    const doc = errorDoc(err);
    writeRecord("ERROR", ["Invoke Error \t" + JSON.stringify({ errorType: doc.errorType, errorMessage: doc.errorMessage, stack: doc.trace })]);
    await postError(p + "error", doc);
  } else {
    let body;
    try {
      body = JSON.stringify(result === undefined ? null : result);
    } catch (e) {
      const doc = { errorType: "Runtime.MarshalError", errorMessage: "Unable to stringify response body", trace: [] };
      writeRecord("ERROR", ["Invoke Error \t" + JSON.stringify(doc)]);
      await postError(p + "error", doc);
      answered();
      return;
    }
    await call("POST", p + "response", body, { "Content-Type": "application/json" });
  }
  answered();
}

// onEmptyLoop runs when the event loop has nothing left to do: it answers
// an invocation whose handler neither returned a promise nor called back
// (with null, as AWS does), or one that called back and waits for the loop.
let onEmptyLoop = null;
process.on("beforeExit", () => {
  const f = onEmptyLoop;
  onEmptyLoop = null;
  if (f) f();
});

async function invoke(fn, res) {
  const h = res.headers;
  const id = h["lambda-runtime-aws-request-id"];
  currentRequestId = id;
  activeId = id;
  if (h["lambda-runtime-trace-id"]) process.env._X_AMZN_TRACE_ID = h["lambda-runtime-trace-id"];
  const done = new Promise((r) => (answered = r));
  let event;
  try {
    event = JSON.parse(res.body.toString("utf8") || "{}");
  } catch (e) {
    event = {};
  }
  let ctx;
  let called = false;
  const finish = (err, result) => {
    if (called) return;
    called = true;
    if (ctx.callbackWaitsForEmptyEventLoop) onEmptyLoop = () => answer(id, err, result);
    else {
      onEmptyLoop = null;
      answer(id, err, result);
    }
  };
  ctx = makeContext(h, finish);
  onEmptyLoop = () => answer(id, null, null);
  try {
    const out = fn(event, ctx, finish);
    if (out && typeof out.then === "function") {
      onEmptyLoop = null;
      out.then((r) => answer(id, null, r), (e) => answer(id, e === undefined || e === null ? new Error(String(e)) : e));
    }
  } catch (e) {
    onEmptyLoop = null;
    answer(id, e);
  }
  await done;
  onEmptyLoop = null;
}

process.on("uncaughtException", async (e) => {
  const doc = errorDoc(e);
  writeRecord("ERROR", ["Uncaught Exception \t" + JSON.stringify({ errorType: doc.errorType, errorMessage: doc.errorMessage, stack: doc.trace })]);
  if (activeId !== null) {
    const id = activeId;
    activeId = null;
    await postError("/invocation/" + id + "/error", doc).catch(() => {});
  }
  process.exit(129);
});
process.on("unhandledRejection", async (reason) => {
  const msg = reason instanceof Error ? reason.name + ": " + reason.message : String(reason);
  const doc = { errorType: "Runtime.UnhandledPromiseRejection", errorMessage: msg, trace: ["Runtime.UnhandledPromiseRejection: " + msg] };
  writeRecord("ERROR", ["Unhandled Promise Rejection \t" + JSON.stringify(doc)]);
  if (activeId !== null) {
    const id = activeId;
    activeId = null;
    await postError("/invocation/" + id + "/error", doc).catch(() => {});
  }
  process.exit(128);
});

async function main() {
  let fn;
  try {
    fn = await loadHandler();
  } catch (e) {
    const type = e && String(e.name).startsWith("Runtime.") ? e.name : undefined;
    const doc = errorDoc(e, type);
    writeRecord("ERROR", [JSON.stringify({ errorType: doc.errorType, errorMessage: doc.errorMessage, stack: doc.trace })]);
    await postError("/init/error", doc).catch(() => {});
    process.exit(1);
  }
  for (;;) {
    const res = await call("GET", "/invocation/next");
    if (res.status !== 200) process.exit(0);
    await invoke(fn, res);
    currentRequestId = "";
  }
}

main();
