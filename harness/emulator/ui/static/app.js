// The groundstack console: every value from the emulator is put in the
// page as text (textContent), never as markup.
const api = "/_groundstack/ui/api/";

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k instanceof Node ? k : document.createTextNode(String(k ?? "")));
  return e;
}

function status(msg, error) {
  const s = document.getElementById("status");
  s.textContent = msg;
  s.className = error ? "error" : "";
}

async function call(path, opts) {
  const r = await fetch(api + path, opts);
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.error || r.statusText);
  return body;
}

function post(path, body, method) {
  return call(path, { method: method || "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
}

function table(headers, rows) {
  return el("table", {}, el("tr", {}, ...headers.map(h => el("th", {}, h))), ...rows.map(r => el("tr", {}, ...r.map(c => el("td", {}, c)))));
}

const main = () => document.getElementById("main");
function show(...kids) { main().replaceChildren(...kids); }

const views = {
  async overview() {
    const s = await call("summary");
    const rows = Object.keys(s.services).sort().map(n => [n, Object.entries(s.services[n]).map(([k, v]) => k + ": " + (typeof v === "object" ? JSON.stringify(v) : v)).join(", ")]);
    show(el("h2", {}, "Resources (" + s.region + ")"), table(["service", "resources"], rows));
  },

  async dynamodb(arg) {
    const t = await call("dynamodb/tables");
    const names = t.TableNames || [];
    const list = el("ul", { id: "tables" }, ...names.map(n => el("li", {}, el("a", { href: "#dynamodb/" + encodeURIComponent(n) }, n))));
    if (!arg) return show(el("h2", {}, "DynamoDB tables (" + names.length + ")"), list);
    const table_ = decodeURIComponent(arg);
    const out = el("div", { id: "items" });
    const cond = el("input", { id: "keycond", size: 30, placeholder: "pk = :v" });
    const vals = el("input", { id: "keyvals", size: 30, placeholder: '{":v": {"S": "x"}}' });
    const editor = el("textarea", { id: "itemjson", placeholder: '{"pk": {"S": "x"}}' });
    let pages = [""];
    async function load(start, q) {
      const p = q ? await post("dynamodb/query", { table: table_, keyCondition: cond.value, values: JSON.parse(vals.value || "{}"), start })
                  : await call("dynamodb/items?table=" + encodeURIComponent(table_) + "&limit=50&start=" + encodeURIComponent(start));
      const keys = (p.keySchema || []).map(k => k.AttributeName);
      const rows = p.items.map(it => {
        const key = Object.fromEntries(keys.map(k => [k, it[k]]));
        return [JSON.stringify(it),
          el("span", {}, el("button", { type: "button", onclick: () => { editor.value = JSON.stringify(it, null, 2); } }, "edit"),
            el("button", { type: "button", onclick: async () => { await post("dynamodb/item", { table: table_, key }, "DELETE"); status("deleted"); load(start, q); } }, "delete"))];
      });
      const next = p.next ? el("button", { type: "button", id: "next", onclick: () => { pages.push(p.next); load(p.next, q); } }, "next page") : "";
      out.replaceChildren(el("p", {}, p.count + " items shown of about " + (p.itemCount ?? "?")), table(["item", ""], rows), next);
    }
    show(el("h2", {}, "Table ", el("span", { id: "tablename" }, table_)),
      el("div", { class: "row" }, "Key condition", cond, "values", vals,
        el("button", { type: "button", onclick: () => load("", true).catch(e => status(e.message, true)) }, "Query"),
        el("button", { type: "button", onclick: () => load("", false).catch(e => status(e.message, true)) }, "Scan")),
      out, el("h3", {}, "Item (DynamoDB JSON)"), editor,
      el("button", { type: "button", onclick: async () => { await post("dynamodb/item", { table: table_, item: JSON.parse(editor.value) }); status("saved"); load("", false); } }, "Put item"));
    await load("", false);
  },

  async s3(arg) {
    if (!arg) {
      const b = await call("s3/buckets");
      return show(el("h2", {}, "S3 buckets (" + (b.buckets || []).length + ")"),
        el("ul", { id: "buckets" }, ...(b.buckets || []).map(x => el("li", {}, el("a", { href: "#s3/" + encodeURIComponent(x.name) + "/" }, x.name)))));
    }
    const slash = arg.indexOf("/");
    const bucket = decodeURIComponent(arg.slice(0, slash));
    const prefix = decodeURIComponent(arg.slice(slash + 1));
    const l = await call("s3/objects?bucket=" + encodeURIComponent(bucket) + "&prefix=" + encodeURIComponent(prefix));
    const href = p => "#s3/" + encodeURIComponent(bucket) + "/" + encodeURIComponent(p);
    const obj = k => "s3/object?bucket=" + encodeURIComponent(bucket) + "&key=" + encodeURIComponent(k);
    const rows = [
      ...(l.prefixes || []).map(p => [el("a", { href: href(p), class: "prefix" }, p), "", "", ""]),
      ...(l.objects || []).map(o => [o.key, String(o.size), o.lastModified,
        el("span", {}, el("a", { href: api + obj(o.key), download: "" }, "download"), " ",
          el("button", { type: "button", onclick: async () => { info.textContent = JSON.stringify(await call("s3/head?bucket=" + encodeURIComponent(bucket) + "&key=" + encodeURIComponent(o.key)), null, 2); } }, "metadata"),
          el("button", { type: "button", onclick: async () => { await call(obj(o.key), { method: "DELETE" }); status("deleted " + o.key); views.s3(arg); } }, "delete"))]),
    ];
    const file = el("input", { type: "file", id: "upload" });
    const info = el("pre", { id: "metadata" });
    show(el("h2", {}, "s3://" + bucket + "/", el("span", { id: "prefix" }, prefix)),
      prefix ? el("a", { href: href(prefix.replace(/[^/]*\/$/, "")) }, "up") : "",
      table(["key", "size", "modified", ""], rows),
      el("div", { class: "row" }, file, el("button", { type: "button", onclick: async () => {
        const f = file.files[0]; if (!f) return;
        await call(obj(prefix + f.name), { method: "POST", headers: { "Content-Type": f.type || "application/octet-stream" }, body: f });
        status("uploaded " + f.name); views.s3(arg);
      } }, "Upload")), info);
  },

  async sqs(arg) {
    const q = await call("sqs/queues");
    const rows = q.queues.map(x => [el("a", { href: "#sqs/" + encodeURIComponent(x.name) }, x.name),
      x.attributes.ApproximateNumberOfMessages, x.attributes.ApproximateNumberOfMessagesNotVisible, x.url]);
    const kids = [el("h2", {}, "SQS queues (" + q.queues.length + ")"), table(["name", "visible", "in flight", "url"], rows)];
    if (arg) {
      const name = decodeURIComponent(arg);
      const p = await call("sqs/peek?queue=" + encodeURIComponent(name) + "&limit=100");
      kids.push(el("h3", {}, "Messages of ", name, " (" + p.total + ", peeked without receiving)"),
        el("button", { type: "button", id: "purge", onclick: async () => { await call("sqs/purge?queue=" + encodeURIComponent(name), { method: "POST" }); status("purged"); views.sqs(arg); } }, "Purge"),
        el("div", { id: "messages" }, table(["id", "state", "receives", "body", "attributes"],
          p.messages.map(m => [m.id, m.state, String(m.receiveCount || 0), m.body, JSON.stringify(m.attributes || [])]))));
    }
    show(...kids);
  },

  async lambda(arg) {
    const f = await call("lambda/functions");
    const fns = f.Functions || [];
    const kids = [el("h2", {}, "Lambda functions (" + fns.length + ")"),
      table(["name", "runtime", "handler", "memory", "timeout"], fns.map(x => [el("a", { href: "#lambda/" + encodeURIComponent(x.FunctionName) }, x.FunctionName), x.Runtime, x.Handler, x.MemorySize, x.Timeout]))];
    if (arg) {
      const name = decodeURIComponent(arg);
      const cfg = fns.find(x => x.FunctionName === name);
      const logs = el("pre", { id: "logs" });
      kids.push(el("h3", {}, name), el("pre", {}, JSON.stringify(cfg, null, 2)), el("h3", {}, "Logs (live)"), logs);
      let since = 0;
      const tick = async () => {
        if (location.hash !== "#lambda/" + arg) return;
        const t = await call("logs/tail?function=" + encodeURIComponent(name) + "&since=" + since).catch(() => ({ events: [] }));
        for (const e of t.events) { logs.append(document.createTextNode(new Date(e.timestamp).toISOString() + " " + e.message + (e.message.endsWith("\n") ? "" : "\n"))); since = e.timestamp + 1; }
        setTimeout(tick, 2000);
      };
      setTimeout(tick, 0);
    }
    show(...kids);
  },

  async sns() {
    const t = await call("sns/topics");
    show(el("h2", {}, "SNS topics (" + t.topics.length + ")"),
      table(["topic", "subscriptions"], t.topics.map(x => [x.arn, x.subscriptions.map(s => s.protocol + " → " + s.endpoint).join("\n")])));
  },

  async apigateway() {
    const a = await call("apigateway/apis");
    const http = a.http || [], rest = a.rest || [];
    show(el("h2", {}, "HTTP and WebSocket APIs (" + http.length + ")"),
      table(["id", "name", "protocol", "invoke URL", "routes"], http.map(x => [x.apiId, x.name, x.protocolType, x.apiEndpoint + "\n" + location.origin + "/_aws/execute-api/" + x.apiId + "/{stage}/", (x.routes || []).map(r => r.routeKey).join("\n")])),
      el("h2", {}, "REST APIs (" + rest.length + ")"),
      table(["id", "name", "invoke URL"], rest.map(x => [x.id, x.name, location.origin + "/_aws/execute-api/" + x.id + "/{stage}/"])));
  },

  async ec2() {
    const r = await call("ec2/instances");
    const inst = (r.reservations || []).flatMap(x => x.instances || []);
    show(el("h2", {}, "EC2 instances (" + inst.length + ")"), table(["id", "state", "type", "image", "private IP", "public IP"], inst.map(i => [i.id, i.state, i.type, i.image, i.privateIp, i.publicIp])));
  },
};

const names = { overview: "Overview", dynamodb: "DynamoDB", s3: "S3", sqs: "SQS", lambda: "Lambda", sns: "SNS", apigateway: "API Gateway", ec2: "EC2" };

async function route() {
  const h = location.hash.slice(1) || "overview";
  const i = h.indexOf("/");
  const view = i < 0 ? h : h.slice(0, i), arg = i < 0 ? "" : h.slice(i + 1);
  for (const a of document.querySelectorAll("nav a")) a.className = a.dataset.view === view ? "active" : "";
  document.body.dataset.ready = "";
  try {
    await (views[view] || views.overview)(arg);
    status("");
  } catch (e) {
    status(e.message, true);
  }
  document.body.dataset.ready = h;
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("nav").append(...Object.entries(names).map(([k, v]) => { const a = el("a", { href: "#" + k }, v); a.dataset.view = k; return a; }));
  document.getElementById("reset").addEventListener("click", async () => {
    if (!document.body.dataset.noconfirm && !confirm("Reset every service? All resources are deleted.")) return;
    const r = await fetch("/_groundstack/reset", { method: "POST" });
    status(r.ok ? "reset done" : "reset refused: " + r.status, !r.ok);
    document.body.dataset.reset = r.ok ? "ok" : "refused";
    route();
  });
  document.getElementById("snapshot").addEventListener("click", async () => {
    const r = await fetch("/_groundstack/snapshot", { method: "POST" });
    if (!r.ok) return status("snapshot refused: " + r.status, true);
    const url = URL.createObjectURL(await r.blob());
    el("a", { href: url, download: "groundstack-snapshot.json" }).click();
    status("snapshot taken");
  });
  window.addEventListener("hashchange", route);
  route();
});
