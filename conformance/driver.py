#!/usr/bin/env python3
"""groundstack's conformance driver: cases generated from AWS's own models.

For every operation of every service the emulator serves, it builds requests
from botocore's service-2.json (a valid minimal request, each required member
missing, each constraint broken at its boundary, a wrong type), sends them with
botocore (the aws CLI v1's engine, so every protocol is spoken by a real
client) with parameter validation off, and checks the answer:

  * a success decodes against the output shape: every member the body carries
    is one the shape declares, every required member is present, each value
    has its shape's type;
  * a failure has the status and the error code the service's rule expects.

It prints one JSON line per failing case, one summary line per service, and
writes the per-service counts to --report. stdlib and botocore only.
"""

import argparse
import datetime
import hashlib
import io
import json
import re
import sys
import time
import urllib.parse
import xml.etree.ElementTree as ET

import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.parsers import BaseCBORParser
from botocore.utils import ArgumentGenerator

# The emulator's service name → botocore's model name.
SERVICES = [
    "iam", "dynamodb", "dynamodbstreams", "sts", "secretsmanager", "sqs",
    "sns", "logs", "cloudwatch", "lambda", "apigateway", "apigatewayv2",
    "s3", "ec2", "iot", "iot-data", "cloudformation",
]

# Answers that mean "this operation is not served" (the emulator's
# UnknownOperationException today, 501 NotImplemented once issue 20's other
# half lands; InvalidAction is what query services say on AWS).
UNSERVED_CODES = {"UnknownOperationException", "UnknownOperation", "InvalidAction", "NotImplemented"}

# The validation rule, once per service: the codes AWS answers when a
# required member is missing ("missing") and when a member breaks its
# model constraint or has the wrong type ("invalid"), all with status 400.
# Where a code comes from is said on its line.
_VALIDATION_EXCEPTION = {"ValidationException"}  # Coral's model validation (AWS "Common Errors" pages)
_VALIDATION_ERROR = {"ValidationError"}  # the same for query services (IAM/STS "Common Errors")
VALIDATION = {
    "iam": (_VALIDATION_ERROR, _VALIDATION_ERROR),
    "sts": (_VALIDATION_ERROR, _VALIDATION_ERROR),
    "cloudformation": (_VALIDATION_ERROR, _VALIDATION_ERROR),  # a query service (CloudFormation "Common Errors")
    "dynamodb": (_VALIDATION_EXCEPTION, _VALIDATION_EXCEPTION),
    "dynamodbstreams": (_VALIDATION_EXCEPTION, _VALIDATION_EXCEPTION),
    "secretsmanager": (_VALIDATION_EXCEPTION, _VALIDATION_EXCEPTION),
    "lambda": (_VALIDATION_EXCEPTION, _VALIDATION_EXCEPTION),
    "cloudwatch": (_VALIDATION_ERROR | {"MissingParameter"}, _VALIDATION_ERROR | {"InvalidParameterValue"}),
    # SQS (JSON since 2023) and SNS answer model violations as
    # MissingParameter / InvalidParameterValue / ValidationError (SQS and SNS
    # API references, "Common Errors"; moto answers the same).
    "sqs": ({"MissingParameter", "InvalidParameterValue"}, {"InvalidParameterValue", "ValidationError"}),
    "sns": ({"ValidationError", "InvalidParameter"}, {"ValidationError", "InvalidParameter"}),
    # CloudWatch Logs: InvalidParameterException for model violations (its API
    # reference lists it on every operation).
    "logs": ({"InvalidParameterException"}, {"InvalidParameterException"}),
    # API Gateway v1 and v2 answer every malformed request BadRequestException.
    "apigateway": ({"BadRequestException"}, {"BadRequestException"}),
    "apigatewayv2": ({"BadRequestException"}, {"BadRequestException"}),
    # IoT and IoT data plane: InvalidRequestException (their API references).
    "iot": ({"InvalidRequestException"}, {"InvalidRequestException"}),
    "iot-data": ({"InvalidRequestException"}, {"InvalidRequestException"}),
    # EC2: MissingParameter / InvalidParameterValue (EC2 "Error codes" page).
    "ec2": ({"MissingParameter", "InvalidParameterValue"}, {"InvalidParameterValue"}),
    # S3 validates almost nothing against the model; a missing body is
    # MissingRequestBodyError or MalformedXML, an ACL document that does not
    # match the schema MalformedACLError, a bad header InvalidArgument (S3
    # "Error responses" page).
    "s3": ({"MissingRequestBodyError", "MalformedXML", "MalformedACLError", "InvalidArgument", "InvalidRequest"},
           {"InvalidArgument", "InvalidRequest", "MalformedXML"}),
}
# awsJson/rest-json: a body value of the wrong JSON type is a SerializationException
# before any validation (AWS SDK docs on "SerializationException").
SERIALIZATION = "SerializationException"

# Operations whose minimal request would start real work the suite cannot
# undo in a bounded time; they get every case but the valid one.
# (none yet: EC2 instances run nothing without a host launcher)
NO_VALID_CASE = set()

# Which cases a service's rule generates, where AWS's service does not
# validate its whole model (default: every case).
RULES = {
    # S3 checks none of the model's length or enum constraints the way
    # Coral services do (unknown header values are ignored or answered
    # with header-specific codes, S3 "Error responses"), and its required
    # query members pick the sub-resource, so leaving one out is another
    # operation: only a missing body or a missing header is a missing member.
    "s3": {"constraint": lambda ms: False,
           "missing": lambda ms: location(ms) in (None, "header")},
}


def fixtures(service, client):
    """Create the resources the minimal requests name ("conformance"), so
    their valid case reaches the operation rather than a not-found answer."""
    try:
        # Two of each, so the paginator checks have a second page to reach.
        for name in ("conformance", "conformance2"):
            if service == "s3":
                client.create_bucket(Bucket=name)
                client.put_object(Bucket="conformance", Key=name, Body=b"conformance")
            elif service == "sqs":
                client.create_queue(QueueName=name)
            elif service == "logs":
                client.create_log_group(logGroupName=name)
                client.create_log_stream(logGroupName="conformance", logStreamName=name)
            elif service == "dynamodb":
                client.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                                    AttributeDefinitions=[{"AttributeName": "conformance", "AttributeType": "S"}],
                                    KeySchema=[{"AttributeName": "conformance", "KeyType": "HASH"}])
            elif service == "sns":
                client.create_topic(Name=name)
            elif service == "iam":
                client.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({
                    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                            "Principal": {"Service": "lambda.amazonaws.com"}}]}))
    except ClientError as e:
        print(json.dumps({"fixture": service, "error": str(e)}), file=sys.stderr)

FIXED_TIME = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
_cbor = BaseCBORParser()


def sample_value(name, shape, protocol, depth=0):
    """A valid minimal value for shape: required members only, lengths at min."""
    t = shape.type_name
    if t == "structure":
        if depth > 6:
            return {}
        out = {}
        for m in shape.required_members:
            out[m] = sample_value(m, shape.members[m], protocol, depth + 1)
        if shape.metadata.get("union") and not out and shape.members:
            m = sorted(shape.members)[0]
            out[m] = sample_value(m, shape.members[m], protocol, depth + 1)
        return out
    if t == "list":
        n = max(shape.metadata.get("min", 0), 1)
        return [sample_value(name, shape.member, protocol, depth + 1) for _ in range(n)]
    if t == "map":
        return {sample_value("key", shape.key, protocol, depth + 1): sample_value(name, shape.value, protocol, depth + 1)}
    if t == "string":
        return sample_string(name, shape)
    if t in ("integer", "long"):
        lo, hi = shape.metadata.get("min"), shape.metadata.get("max")
        v = 1 if lo is None else int(lo)
        return v if hi is None else min(v, int(hi))
    if t in ("float", "double"):
        return float(shape.metadata.get("min", 1))
    if t == "boolean":
        return True
    if t == "timestamp":
        return FIXED_TIME
    if t == "blob":
        return b"conformance"
    return None


# Members AWS requires though the model does not mark them required (its
# documentation says so), added to the valid request: one line per member.
REQUIRED_BEYOND_MODEL = {
    # EC2 API reference, RunInstances: "An AMI ID is required to launch an
    # instance and must be specified here or in a launch template."
    ("ec2", "RunInstances"): {"ImageId": "ami-0123456789abcdef0"},
}

# Values some members need to reach the operation at all (a rule's SQL is
# parsed, an instance needs an image): by member name, for every service.
NAME_HINTS = {
    "sql": "SELECT * FROM 'conformance'",
    "ImageId": "ami-0123456789abcdef0",
}


# What a member's documentation gives as its only valid value (S3's
# conditional writes: If-None-Match "Expects the '*' (asterisk) character";
# AWS answers any other value 501 NotImplemented).
ONLY_VALUE = {"Expects the '*' (asterisk) character": "*"}


def sample_string(name, shape):
    if shape.enum:
        return shape.enum[0]
    for phrase, v in ONLY_VALUE.items():
        if phrase in (shape.documentation or ""):
            return v
    if name in NAME_HINTS:
        return NAME_HINTS[name]
    lo = int(shape.metadata.get("min", 1))
    hi = int(shape.metadata.get("max", 1 << 20))
    pattern = shape.metadata.get("pattern")
    lname = name.lower()
    candidates = []
    if lname.endswith("arn"):
        candidates.append("arn:aws:iam::000000000000:role/conformance")
    if lname.endswith("url"):
        candidates.append("http://localhost/000000000000/conformance")
    candidates += ["conformance", "conformance1", "a" * max(lo, 1), "1" * max(lo, 1), "conformance@example.com",
                   "/conformance", "{}", "x-1"]
    for c in candidates:
        c = c if len(c) >= lo else c + "a" * (lo - len(c))
        if len(c) > hi:
            c = c[:hi]
        if pattern is None:
            return c
        try:
            if re.fullmatch(pattern, c):
                return c
        except re.error:
            return c
    c = candidates[0]
    return (c + "a" * lo)[: max(lo, min(hi, len(c)))]


def location(member):
    return member.serialization.get("location")


class Case:
    __slots__ = ("service", "op", "name", "params", "expect", "kind", "wire")

    def __init__(self, service, op, name, params, expect, kind, wire=None):
        self.service, self.op, self.name, self.params, self.expect, self.kind = service, op, name, params, expect, kind
        # wire: (where, key, text) written over the serialized request
        # (where: "body" for a query form, "querystring", "header" or
        # "uri"), for a value botocore would not serialize as given.
        self.wire = wire

    @property
    def id(self):
        return f"{self.service} {self.op} {self.name}"


def set_path(params, root, path, value):
    """A copy of params with value at path, parents built minimal on the way."""
    if not path:
        return value
    key, rest = path[0], path[1:]
    if root.type_name == "structure":
        out = dict(params) if isinstance(params, dict) else {}
        child = root.members[key]
        cur = out.get(key)
        if cur is None:
            cur = sample_value(key, child, None)
        out[key] = set_path(cur, child, rest, value)
        return out
    if root.type_name == "list":
        cur = list(params) if isinstance(params, list) and params else [sample_value("", root.member, None)]
        cur[0] = set_path(cur[0], root.member, rest, value)
        return cur
    if root.type_name == "map":
        cur = dict(params) if isinstance(params, dict) and params else {}
        k = next(iter(cur), None) or sample_value("key", root.key, None)
        cur[k] = set_path(cur.get(k, sample_value("", root.value, None)), root.value, rest, value)
        return cur
    return value


def walk_members(shape, path=(), seen=(), depth=0):
    """(path, member name, member shape, parent shape) for every member, depth-first."""
    if shape.type_name == "structure":
        if depth > 4 or shape.name in seen:
            return
        for n, m in sorted(shape.members.items()):
            yield path + (n,), n, m, shape
            yield from walk_members(m, path + (n,), seen + (shape.name,), depth + 1)
    elif shape.type_name == "list":
        yield from walk_members(shape.member, path + (0,), seen, depth)
    elif shape.type_name == "map":
        yield from walk_members(shape.value, path + ("*",), seen, depth)


def path_name(path):
    return ".".join(str(p) if p not in (0, "*") else "[]" for p in path).replace(".[]", "[]")


def boundary_values(m, ms, protocol):
    """(label, value) for each constraint of member shape ms broken at its boundary."""
    t, md, loc = ms.type_name, ms.metadata, location(ms)
    bad = []
    if t == "string" and not ms.enum:
        if "max" in md and md["max"] < 70000:
            bad.append((f"length {md['max'] + 1} > max", "x" * (int(md["max"]) + 1)))
        if md.get("min", 0) > 0 and loc not in ("uri", "header"):
            bad.append((f"length {md['min'] - 1} < min", "x" * (int(md["min"]) - 1)))
    elif t == "string" and ms.enum:
        bad.append(("enum outside", "NOT_IN_ENUM_VALUE"))
    elif t in ("integer", "long"):
        if "max" in md:
            bad.append((f"value {int(md['max']) + 1} > max", int(md["max"]) + 1))
        if "min" in md:
            bad.append((f"value {int(md['min']) - 1} < min", int(md["min"]) - 1))
    elif t == "list":
        item = sample_value(m, ms.member, protocol)
        if item == {}:
            # An empty structure travels as nothing in a query form: give the
            # item one member so the list reaches the server at all.
            for n, sub in sorted(ms.member.members.items()):
                if sub.type_name in ("string", "integer", "long", "boolean"):
                    item = {n: sample_value(n, sub, protocol)}
                    break
        if "max" in md and md["max"] < 1000:
            bad.append((f"{int(md['max']) + 1} items > max", [item] * (int(md["max"]) + 1)))
        if md.get("min", 0) > 1:
            bad.append((f"{int(md['min']) - 1} items < min", [item] * (int(md["min"]) - 1)))
    return bad


# (Lists, maps and structures are left out: botocore iterates whatever it is
# given for them, so a string would travel as a list of its characters.)
WRONG_TYPE = {"integer": "not-a-number", "long": "not-a-number", "float": "not-a-number", "double": "not-a-number",
              "boolean": "not-a-boolean", "string": 12345}


# Wrong types where the value travels as text (query and EC2 forms, REST
# headers, query strings and path labels): text that does not parse as the
# member's type, written over the serialized request (botocore would turn a
# boolean into "true" and refuse a timestamp it cannot format).
WRONG_TEXT = {"integer": "not-a-number", "long": "not-a-number", "float": "not-a-number",
              "double": "not-a-number", "boolean": "not-a-boolean", "timestamp": "not-a-timestamp"}
# A path label's valid value, distinct enough to find in the serialized path.
URI_MARK = 987654321

# What AWS answers a member of the wrong type that travels as text:
#  * query services (IAM, STS, SNS): their validation codes, or
#    InvalidParameterValue, which AWS's "Common Errors" page for query APIs
#    gives for "an invalid or out-of-range value supplied for the input
#    parameter" (400); no recorded answer of AWS was found (LocalStack's and
#    moto's tests do not send one);
#  * EC2: InvalidParameterValue (EC2 API reference, "Error codes": "A value
#    specified in a parameter is not valid");
#  * REST JSON services (Lambda, API Gateway, IoT): their validation code or
#    SerializationException, as for a wrong type in the body;
#  * S3: an integer query parameter that is not a number is InvalidArgument
#    ("Provided max-keys not an integer or within integer range", S3 "Error
#    responses" and many recorded answers); S3's other text members (dates
#    in conditional headers, booleans) are ignored or read loosely by HTTP
#    rules (RFC 9110: an invalid If-Modified-Since is ignored), so they get
#    no case.
def wrong_text_codes(service, protocol, invalid_codes):
    if protocol == "query":
        return invalid_codes | {"InvalidParameterValue"}
    if protocol == "ec2":
        return {"InvalidParameterValue"}
    if service == "s3":
        return {"InvalidArgument"}
    return invalid_codes | {SERIALIZATION}


def wrong_text_case(service, op_model, protocol, base, m, ms, invalid_codes):
    """The valid request with member m's wire text replaced by text that is
    not of its type, or None where nothing would be sent that way."""
    t, loc = ms.type_name, location(ms)
    if t not in WRONG_TEXT:
        return None
    p = dict(base)
    if protocol in ("query", "ec2"):
        if loc is not None:
            return None
        key = ms.serialization.get("name", m)
        if protocol == "ec2":
            key = ms.serialization.get("queryName") or key[0].upper() + key[1:]
        wire = ("body", key, WRONG_TEXT[t])
    elif protocol in ("rest-json", "rest-xml") and loc in ("querystring", "header", "uri"):
        if service == "s3" and not (loc == "querystring" and t in ("integer", "long")):
            return None
        key = ms.serialization.get("name", m)
        if loc == "uri":
            if t not in ("integer", "long"):
                return None
            p[m] = URI_MARK
        wire = (loc, key, WRONG_TEXT[t])
    else:
        return None
    if loc != "uri":
        p[m] = sample_value(m, ms, protocol)
    return Case(service, op_model.name, f"{m} wrong type", p,
                ("error", wrong_text_codes(service, protocol, invalid_codes)), "type", wire)


_same_route = {}


def operation_without(op_model, ms):
    """The operation of the model a request becomes without the header
    member ms: one with the same method and URI that does not take that
    header (S3's CopyObject without x-amz-copy-source is a PutObject, its
    UploadPartCopy an UploadPart). None when there is none."""
    sm = op_model.service_model
    if sm.service_name not in _same_route:
        routes = {}
        for name in sm.operation_names:
            o = sm.operation_model(name)
            routes.setdefault((o.http.get("method"), o.http.get("requestUri")), []).append(o)
        _same_route[sm.service_name] = routes
    header = ms.serialization.get("name", "").lower()
    for o in _same_route[sm.service_name].get((op_model.http.get("method"), op_model.http.get("requestUri")), []):
        if o.name == op_model.name:
            continue
        members = o.input_shape.members.values() if o.input_shape is not None else []
        if not any(location(m) == "header" and m.serialization.get("name", "").lower() == header for m in members):
            return o.name
    return None


def build_cases(service, op_model, protocol):
    """Every case for one operation; the first is the valid minimal request."""
    missing_codes, invalid_codes = VALIDATION[service]
    rule = RULES.get(service, {})
    shape = op_model.input_shape
    base = sample_value("", shape, protocol) if shape is not None else {}
    base.update(REQUIRED_BEYOND_MODEL.get((service, op_model.name), {}))
    cases = [Case(service, op_model.name, "valid", base, "valid", "valid")]
    if shape is None:
        return cases
    rest = protocol in ("rest-json", "rest-xml")
    json_body = protocol in ("json", "rest-json")
    for m in shape.required_members:
        ms = shape.members[m]
        if rest and location(ms) == "uri" or ms.serialization.get("hostLabel"):
            continue  # another path: a different request, not a missing member
        if not rule.get("missing", lambda ms: True)(ms):
            continue
        if rest and location(ms) == "header" and operation_without(op_model, ms):
            continue  # another operation's request, which AWS serves as that operation
        p = dict(base)
        p.pop(m, None)
        cases.append(Case(service, op_model.name, f"missing {m}", p, ("error", missing_codes), "missing"))
    # The valid request with one optional member more, at a valid value (an
    # enum member once per value): accepted or refused, never a 5xx, and a
    # success decodes.
    for m, ms in sorted(shape.members.items()):
        if m in shape.required_members or ms.serialization.get("hostLabel") or location(ms) == "uri":
            continue
        if ms.metadata.get("document") or ms.type_name == "blob" and ms.serialization.get("streaming"):
            continue
        if ms.serialization.get("name", "").lower() == "content-length":
            continue  # a length the body does not have: the server waits for the rest
        enum = list(ms.enum) if ms.type_name == "string" and ms.enum else []
        for v in enum or [sample_value(m, ms, protocol)]:
            p = dict(base)
            p[m] = v
            label = f"with {m}" + (f" {v}" if enum else "")
            cases.append(Case(service, op_model.name, label, p, "valid", "valid-variant"))
    for path, m, ms, parent in walk_members(shape):
        top = len(path) == 1
        loc = location(ms) if top else None
        if ms.serialization.get("hostLabel") or loc == "headers" or ms.metadata.get("document"):
            continue
        if protocol == "rest-xml" and ms.serialization.get("xmlAttribute"):
            continue
        name = path_name(path)
        # A nested structure, present with its required members, less each one in turn.
        if not top and ms.type_name == "structure" and rule.get("nested", True):
            full = sample_value(m, ms, protocol)
            for r in ms.required_members:
                less = dict(full)
                less.pop(r, None)
                cases.append(Case(service, op_model.name, f"missing {name}.{r}",
                                  set_path(base, shape, path, less), ("error", missing_codes), "missing"))
        if not (top or rule.get("nested", True)):
            continue
        if not rule.get("constraint", lambda ms: True)(ms):
            continue
        for label, v in boundary_values(m, ms, protocol):
            cases.append(Case(service, op_model.name, f"{name} {label}", set_path(base, shape, path, v),
                              ("error", invalid_codes), "constraint"))
        # A wrong type in a JSON body: a string where a number or a boolean
        # belongs, a number where a string belongs.
        if json_body and loc is None and ms.type_name in WRONG_TYPE:
            cases.append(Case(service, op_model.name, f"{name} wrong type",
                              set_path(base, shape, path, WRONG_TYPE[ms.type_name]),
                              ("error", invalid_codes | {SERIALIZATION}), "type"))
        elif top and not (json_body and loc is None):
            c = wrong_text_case(service, op_model, protocol, base, m, ms, invalid_codes)
            if c is not None:
                cases.append(c)
    return cases


# ---- response shape checks -------------------------------------------------


def local(tag):
    return tag.rsplit("}", 1)[-1]


def check_json(v, shape, path, probs, cbor=False):
    if shape is None:
        return
    t = shape.type_name
    if t == "structure":
        if shape.metadata.get("document"):
            return
        if not isinstance(v, dict):
            probs.append(f"{path}: want an object, got {type(v).__name__}")
            return
        names = {}
        for n, m in shape.members.items():
            if location(m) is None:
                names[m.serialization.get("name", n)] = m
        for k, val in v.items():
            if k not in names:
                if k == "__type":
                    continue
                probs.append(f"{path}.{k}: unknown member")
            elif val is None:
                probs.append(f"{path}.{k}: null")
            else:
                check_json(val, names[k], f"{path}.{k}", probs, cbor)
        for r in shape.required_members:
            m = shape.members[r]
            if location(m) is None and m.serialization.get("name", r) not in v:
                probs.append(f"{path}.{m.serialization.get('name', r)}: required member missing")
    elif t == "list":
        if not isinstance(v, list):
            probs.append(f"{path}: want a list, got {type(v).__name__}")
            return
        for i, x in enumerate(v):
            check_json(x, shape.member, f"{path}[{i}]", probs, cbor)
    elif t == "map":
        if not isinstance(v, dict):
            probs.append(f"{path}: want a map, got {type(v).__name__}")
            return
        for k, x in v.items():
            check_json(x, shape.value, f"{path}[{k}]", probs, cbor)
    elif t == "string":
        if not isinstance(v, str):
            probs.append(f"{path}: want a string, got {type(v).__name__}")
    elif t in ("integer", "long"):
        if isinstance(v, bool) or not isinstance(v, int):
            probs.append(f"{path}: want an integer, got {type(v).__name__}")
    elif t in ("float", "double"):
        if isinstance(v, bool) or not isinstance(v, (int, float)) and v not in ("NaN", "Infinity", "-Infinity"):
            probs.append(f"{path}: want a number, got {type(v).__name__}")
    elif t == "boolean":
        if not isinstance(v, bool):
            probs.append(f"{path}: want a boolean, got {type(v).__name__}")
    elif t == "timestamp":
        if isinstance(v, bool) or not isinstance(v, (int, float, str, datetime.datetime)):
            probs.append(f"{path}: want a timestamp, got {type(v).__name__}")
    elif t == "blob":
        if not isinstance(v, (str, bytes)):
            probs.append(f"{path}: want a blob, got {type(v).__name__}")


def xml_name(name, member):
    """The element name a member travels under (botocore's rules)."""
    if member.type_name == "list" and (member.serialization.get("flattened")):
        return member.serialization.get("name") or member.member.serialization.get("name") or name
    return member.serialization.get("name", name)


def check_xml(el, shape, path, probs, ec2=False):
    t = shape.type_name
    if t == "structure":
        names = {}
        for n, m in shape.members.items():
            if location(m) is None and not m.serialization.get("xmlAttribute"):
                names[xml_name(n, m)] = m
        seen = {}
        for child in el:
            tag = local(child.tag)
            if tag not in names:
                probs.append(f"{path}.{tag}: unknown member")
                continue
            m = names[tag]
            flat = m.type_name == "list" and m.serialization.get("flattened")
            if tag in seen and not flat:
                probs.append(f"{path}.{tag}: repeated")
            seen[tag] = True
            if flat:
                check_xml(child, m.member, f"{path}.{tag}[]", probs, ec2)
            else:
                check_xml(child, m, f"{path}.{tag}", probs, ec2)
        for r in shape.required_members:
            m = shape.members[r]
            if location(m) is None and not m.serialization.get("xmlAttribute") and xml_name(r, m) not in seen:
                probs.append(f"{path}.{xml_name(r, m)}: required member missing")
    elif t == "list":
        want = shape.member.serialization.get("name", "member")
        for i, child in enumerate(el):
            if local(child.tag) != want:
                probs.append(f"{path}.{local(child.tag)}: want list items named {want}")
                continue
            check_xml(child, shape.member, f"{path}[{i}]", probs, ec2)
    elif t == "map":
        kn = shape.key.serialization.get("name", "key")
        vn = shape.value.serialization.get("name", "value")
        entries = [el] if shape.serialization.get("flattened") else list(el)
        for e in entries:
            if not shape.serialization.get("flattened") and local(e.tag) != "entry":
                probs.append(f"{path}.{local(e.tag)}: want map entries named entry")
                continue
            for c in e:
                if local(c.tag) not in (kn, vn):
                    probs.append(f"{path}.{local(c.tag)}: unknown map entry member")
    else:
        if len(el):
            probs.append(f"{path}: want a {t} value, got elements")
            return
        text = (el.text or "").strip()
        if t in ("integer", "long") and not re.fullmatch(r"-?\d+", text):
            probs.append(f"{path}: want an integer, got {text!r}")
        elif t == "boolean" and text not in ("true", "false"):
            probs.append(f"{path}: want true or false, got {text!r}")
        elif t in ("float", "double"):
            try:
                float(text)
            except ValueError:
                probs.append(f"{path}: want a number, got {text!r}")


def check_success(protocol, op_model, resp):
    """Problems with a 2xx answer against the operation's output shape."""
    shape = op_model.output_shape
    probs = []
    if shape is None:
        return probs
    headers = {k.lower(): v for k, v in resp["headers"].items()}
    for r in shape.required_members:
        m = shape.members[r]
        if location(m) == "header" and m.serialization.get("name", r).lower() not in headers:
            probs.append(f"header {m.serialization.get('name', r)}: required member missing")
    if op_model.has_streaming_output or op_model.has_event_stream_output:
        return probs
    body = resp["body"]
    if not isinstance(body, (bytes, bytearray)):
        return probs
    payload = shape.serialization.get("payload")
    if payload:
        pm = shape.members[payload]
        if pm.type_name != "structure":
            return probs
        shape_to_check = pm
    else:
        shape_to_check = shape
    if protocol in ("json", "rest-json"):
        if not body.strip():
            if not payload:
                check_json({}, shape_to_check, "$", probs)
            return probs
        try:
            v = json.loads(body)
        except ValueError as e:
            return probs + [f"body is not JSON: {e}"]
        check_json(v, shape_to_check, "$", probs)
    elif protocol == "smithy-rpc-v2-cbor":
        if not body:
            return probs
        try:
            v = _cbor.parse_data_item(_cbor.get_peekable_stream_from_bytes(bytes(body)))
        except Exception as e:  # noqa: BLE001 - any decoding failure is the finding
            return probs + [f"body is not CBOR: {e}"]
        check_json(v, shape_to_check, "$", probs, cbor=True)
    else:
        if not body.strip():
            if protocol == "rest-xml":
                return probs
            return probs + ["empty body"]
        try:
            root = ET.fromstring(body)
        except ET.ParseError as e:
            return probs + [f"body is not XML: {e}"]
        if protocol == "query":
            if local(root.tag) != op_model.name + "Response":
                probs.append(f"root element {local(root.tag)}, want {op_model.name}Response")
            wrapper = shape.serialization.get("resultWrapper")
            result = None
            for child in root:
                tag = local(child.tag)
                if tag == "ResponseMetadata":
                    continue
                if wrapper and tag == wrapper:
                    result = child
                else:
                    probs.append(f"{tag}: unknown element under {local(root.tag)}")
            if result is not None:
                check_xml(result, shape_to_check, "$", probs)
            elif wrapper and shape_to_check.required_members:
                probs.append(f"{wrapper}: missing")
        elif protocol == "ec2":
            kept = ET.Element(root.tag)
            for child in root:
                if local(child.tag) != "requestId":
                    kept.append(child)
            check_xml(kept, shape_to_check, "$", probs, ec2=True)
        else:
            check_xml(root, shape_to_check, "$", probs)
    return probs


# ---- running ---------------------------------------------------------------


def client_config(validate):
    opts = dict(parameter_validation=validate, retries={"total_max_attempts": 1},
                inject_host_prefix=False, connect_timeout=5, read_timeout=30, s3={"addressing_style": "path"})
    try:  # botocore 1.36 and later compute checksums unless told not to
        return Config(**opts, request_checksum_calculation="when_required", response_checksum_validation="when_required")
    except TypeError:  # an older botocore (Debian's python3-botocore) has neither option
        return Config(**opts)


class Runner:
    def __init__(self, endpoint, region="us-east-1"):
        self.endpoint = endpoint
        self.session = botocore.session.Session()
        self.region = region
        self.last = None
        self.wire = None

    def client(self, service, validate=False):
        """A botocore client for service; validate=True checks parameters
        before sending, as the aws CLI does."""
        c = self.session.create_client(
            service, region_name=self.region, endpoint_url=self.endpoint,
            aws_access_key_id="test", aws_secret_access_key="test",
            config=client_config(validate))
        c.meta.events.register("before-parse", self._capture)
        c.meta.events.register("before-call", self._overwrite)
        return c

    def _overwrite(self, params, **kwargs):
        """Write the case's wire text over the serialized request."""
        if self.wire is None:
            return
        where, key, text = self.wire
        if where == "body" and isinstance(params.get("body"), dict):
            params["body"][key] = text
        elif where == "header":
            params["headers"][key] = text
        elif where in ("querystring", "uri"):
            # The URL is built before before-call: rewrite it.
            u = urllib.parse.urlsplit(params["url"])
            if where == "uri":
                u = u._replace(path=u.path.replace(str(URI_MARK), text, 1))
            else:
                q = [(k, text if k == key else v) for k, v in urllib.parse.parse_qsl(u.query, keep_blank_values=True)]
                u = u._replace(query=urllib.parse.urlencode(q, quote_via=urllib.parse.quote))
            params["url"] = urllib.parse.urlunsplit(u)

    def _capture(self, operation_model, response_dict, **kwargs):
        self.last = response_dict

    def call(self, client, op_model, params, wire=None):
        """(status, code or None, raw response, client-side problem)."""
        self.last = None
        self.wire = wire
        try:
            return self._call(client, op_model, params)
        finally:
            self.wire = None

    def _call(self, client, op_model, params):
        method = getattr(client, _snake(op_model.name))
        try:
            method(**params)
        except ClientError as e:
            r = e.response
            return r.get("ResponseMetadata", {}).get("HTTPStatusCode", 0), r.get("Error", {}).get("Code", ""), self.last, None
        except Exception as e:  # noqa: BLE001 - serializing or parsing failed in the client
            if self.last is None:
                return None, None, None, f"client could not send: {type(e).__name__}: {e}"
            return self.last.get("status_code", 0), None, self.last, f"client could not parse the answer: {type(e).__name__}: {e}"
        status = self.last.get("status_code", 0) if self.last else 0
        return status, None, self.last, None


def _snake(name):
    return botocore.xform_name(name)


def unserved(status, code, raw):
    if code in UNSERVED_CODES or status == 501:
        return True
    # API Gateway v2's answer to a path it has no route for (as AWS's).
    if status == 404 and code == "NotFoundException" and b"Unable to find the resource at" in (raw or {}).get("body", b""):
        return True
    return False


def judge(case, protocol, op_model, status, code, raw, client_problem):
    """None when the case passes, else (kind, expected, got)."""
    got = f"{status} {code or ''}".strip()
    if case.expect == "valid":
        if status is None:
            return None  # the client refused to send its own minimal request: nothing to judge
        if status >= 500:
            return ("server-error", "2xx or a 4xx error", got + _msg(raw))
        if code is None and client_problem:
            return ("shape", "a body botocore parses", client_problem)
        if code is None:
            probs = check_success(protocol, op_model, raw)
            if probs:
                return ("shape", "the output shape", "; ".join(probs[:5]))
            return None
        return None  # a 4xx: the resource named in the minimal request does not exist, etc.
    _, codes = case.expect
    if status is None:
        return None
    if status < 300:
        return ("silent-success", "400 " + "|".join(sorted(codes)), got)
    if code not in codes or status != 400:
        kind = "server-error" if status >= 500 else "wrong-code"
        return (kind, "400 " + "|".join(sorted(codes)), got + _msg(raw))
    return None


def _msg(raw):
    if not raw or not isinstance(raw.get("body"), (bytes, bytearray)):
        return ""
    return " " + raw["body"][:160].decode("utf-8", "replace").replace("\n", " ")


# The SDK's waiters (botocore's waiters-2.json) on the fixtures: each must
# reach its success state at once, for a resource there is or one there is not.
WAITERS = {
    "s3": [("BucketExists", {"Bucket": "conformance"}), ("BucketNotExists", {"Bucket": "conformance-absent"}),
           ("ObjectExists", {"Bucket": "conformance", "Key": "conformance"}),
           ("ObjectNotExists", {"Bucket": "conformance", "Key": "conformance-absent"})],
    "dynamodb": [("TableExists", {"TableName": "conformance"}), ("TableNotExists", {"TableName": "conformance-absent"})],
    "iam": [("RoleExists", {"RoleName": "conformance"})],
}


def waiter_case(client, name, params):
    try:
        client.get_waiter(botocore.xform_name(name)).wait(**params, WaiterConfig={"Delay": 1, "MaxAttempts": 2})
    except Exception as e:  # noqa: BLE001 - WaiterError or anything else is the finding
        return ("waiter", "its success state", f"{type(e).__name__}: {e}")
    return None


def strip_none(v):
    if isinstance(v, dict):
        return {k: strip_none(x) for k, x in v.items() if x is not None}
    if isinstance(v, list):
        return [strip_none(x) for x in v if x is not None]
    return v


def skeleton_case(runner, client, protocol, op_model):
    """The aws CLI's --generate-cli-skeleton input, sent unedited (as
    --cli-input-json would, through a client that validates parameters as the
    CLI does): any AWS-shaped answer but a 5xx; a 2xx decodes."""
    if op_model.input_shape is None:
        return None
    params = strip_none(ArgumentGenerator().generate_skeleton(op_model.input_shape))
    for n, m in op_model.input_shape.members.items():
        if location(m) == "uri" and params.get(n) == "":
            return "unsent"  # an empty path label is another operation's route (GET /restapis/ lists them)
    status, code, raw, prob = runner.call(client, op_model, params)
    if status is None:
        return "unsent"
    if status >= 500:
        return ("server-error", "any answer but a 5xx", f"{status} {code or ''}" + _msg(raw))
    if code is None:
        if prob:
            return ("shape", "a body botocore parses", prob)
        probs = check_success(protocol, op_model, raw)
        if probs:
            return ("shape", "the output shape", "; ".join(probs[:5]))
    return None


def paginator_case(client, op_model, params):
    """Paging one item at a time with a starting token (aws --max-items 1
    --starting-token …) gives the items one unpaged call chain gives."""
    name = botocore.xform_name(op_model.name)
    pag = client.get_paginator(name)
    try:
        full = pag.paginate(**params).build_full_result()
    except ClientError:
        return None  # nothing to page: the valid case judged this answer
    except Exception as e:  # noqa: BLE001
        return ("paginator", "a full result", f"{type(e).__name__}: {e}")
    want = {k.expression: k.search(full) or [] for k in pag.result_keys}
    got = {k: [] for k in want}
    token, pages = None, 0
    while True:
        cfg = {"MaxItems": 1}
        if token:
            cfg["StartingToken"] = token
        try:
            res = pag.paginate(**params, PaginationConfig=cfg).build_full_result()
        except Exception as e:  # noqa: BLE001
            return ("paginator", "the next page", f"page {pages + 1}: {type(e).__name__}: {e}")
        pages += 1
        for k in pag.result_keys:
            got[k.expression] += k.search(res) or []
        token = res.get("NextToken")
        if not token:
            break
        if pages > 100:
            return ("paginator", "an end to the pages", "more than 100 pages of one item")
    for k in want:
        if isinstance(want[k], list) and got[k] != want[k]:
            return ("paginator", f"{len(want[k])} {k} as one call chain gives them",
                    f"{len(got[k])} over {pages} pages of --max-items 1")
    return None


def keep(case_id, budget_fraction):
    h = int.from_bytes(hashlib.sha1(case_id.encode()).digest()[:4], "big")
    return h / 2**32 < budget_fraction


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--services", default=",".join(SERVICES))
    ap.add_argument("--sample", type=float, default=1.0,
                    help="fraction of the non-valid cases to run, chosen by a hash of the case's name (deterministic)")
    ap.add_argument("--report", help="write per-service counts here (JSON)")
    ap.add_argument("--all-results", action="store_true", help="print passing cases too")
    a = ap.parse_args()
    runner = Runner(a.endpoint)
    # The report: per-service counts, and per operation the cases passed of
    # those run, as groundstack coverage reads it (harness/coverage).
    report = {"counts": {}, "services": {}}
    t0 = time.time()
    for service in a.services.split(","):
        client = runner.client(service)
        cli_client = runner.client(service, validate=True)
        fixtures(service, client)
        model = client.meta.service_model
        counts = {"operations": len(model.operation_names), "served": 0, "cases": 0, "passed": 0, "unsent": 0}
        for name, params in WAITERS.get(service, []):
            verdict = waiter_case(client, name, params)
            counts["cases"] += 1
            if verdict is None:
                counts["passed"] += 1
                if a.all_results:
                    print(json.dumps({"service": service, "operation": "waiter", "case": name, "ok": True}), flush=True)
            else:
                kind, expected, got = verdict
                print(json.dumps({"service": service, "operation": "waiter", "case": name, "kind": kind,
                                  "expected": expected, "got": got}), flush=True)
        protocol = model.resolved_protocol if hasattr(model, "resolved_protocol") else model.protocol
        unserved_ops = []
        per_op = report["services"].setdefault(service, {})

        def tally(op, passed):
            r = per_op.setdefault(op, {"passed": 0, "total": 0})
            r["total"] += 1
            r["passed"] += 1 if passed else 0
        # Deletions last, so the fixtures live through every other operation.
        for op in sorted(model.operation_names, key=lambda o: (o.startswith(("Delete", "Remove")), o)):
            op_model = model.operation_model(op)
            cases = build_cases(service, op_model, protocol)
            valid = cases[0]
            if op in NO_VALID_CASE:
                status, code, raw, prob = None, None, None, None
            else:
                status, code, raw, prob = runner.call(client, op_model, valid.params)
                if unserved(status, code, raw):
                    unserved_ops.append(op)
                    continue
            counts["served"] += 1
            todo = [(valid, (status, code, raw, prob))] + [(c, None) for c in cases[1:] if keep(c.id, a.sample)]
            for c, answer in todo:
                if answer is None:
                    answer = runner.call(client, op_model, c.params, c.wire)
                if answer[0] is None:
                    counts["unsent"] += 1  # botocore itself could not serialize it: not a case
                    continue
                counts["cases"] += 1
                verdict = judge(c, protocol, op_model, *answer)
                tally(op, verdict is None)
                if verdict is None:
                    counts["passed"] += 1
                    if a.all_results:
                        print(json.dumps({"service": service, "operation": op, "case": c.name, "ok": True}), flush=True)
                    continue
                kind, expected, got = verdict
                print(json.dumps({"service": service, "operation": op, "case": c.name, "kind": kind,
                                  "expected": expected, "got": got}), flush=True)
            # The aws CLI's own inputs and paginators.
            external = []
            if keep(f"{service} {op} cli skeleton", a.sample):
                external.append(("cli skeleton", lambda: skeleton_case(runner, cli_client, protocol, op_model)))
            if client.can_paginate(botocore.xform_name(op)) and keep(f"{service} {op} paginator", a.sample):
                external.append(("paginator --max-items 1", lambda: paginator_case(client, op_model, valid.params)))
            for name, run in external:
                verdict = run()
                if verdict == "unsent":
                    counts["unsent"] += 1
                    continue
                counts["cases"] += 1
                tally(op, verdict is None)
                if verdict is None:
                    counts["passed"] += 1
                    if a.all_results:
                        print(json.dumps({"service": service, "operation": op, "case": name, "ok": True}), flush=True)
                    continue
                kind, expected, got = verdict
                print(json.dumps({"service": service, "operation": op, "case": name, "kind": kind,
                                  "expected": expected, "got": got}), flush=True)
        report["counts"][service] = {k: v for k, v in counts.items() if k != "unsent"}
        print(json.dumps({"summary": service, **counts, "unserved": unserved_ops}), flush=True)
    print(json.dumps({"done": True, "seconds": round(time.time() - t0, 1)}), flush=True)
    if a.report:
        with open(a.report, "w") as f:
            json.dump(report, f, indent=2, sort_keys=True)
            f.write("\n")


if __name__ == "__main__":
    sys.exit(main())
