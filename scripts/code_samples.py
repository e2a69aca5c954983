"""`x-codeSamples` for every operation of a bundled API version, written at `make generate`.

Each sample is built from its operation alone (method, server URL + path with
the parameters' examples, the request body's example, the first security
requirement's scheme), so a new operation is covered as soon as it is in the
spec, and a sample cannot drift from what it calls. Every sample reads its
credentials from the environment and prints the status, then the body:

    GATEHOUSE_URL          http://127.0.0.1:8000 by default
    GATEHOUSE_API_KEY      ak_test_... and GATEHOUSE_API_SECRET sk_...   (SignedApiKey)
    GATEHOUSE_ACCESS_TOKEN a Bearer access token                          (OAuth2 only)
    GATEHOUSE_CLIENT_ID    cli_... and GATEHOUSE_CLIENT_SECRET cs_...     (OAuth endpoints)

The signing code is the guides' (docs/authentication.md); tests run the
samples of an operation in every language against a live server.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlencode

LANGUAGES = ("curl", "Python", "JavaScript", "PHP", "Ruby")
METHODS = ("get", "put", "post", "delete", "patch")


def add_code_samples(document: dict[str, Any]) -> None:
    """Add (replace) `x-codeSamples` on every operation of the bundled document."""
    base = document["servers"][0]["url"].rstrip("/")
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                request = Request.of(document, base, path, item, method)
                item[method]["x-codeSamples"] = [
                    {"lang": lang, "label": lang, "source": RENDERERS[lang](request)}
                    for lang in LANGUAGES
                ]


class Request:
    """What a sample sends: method, target (path?query), body text and content type, scheme."""

    def __init__(self, method, target, body, content_type, scheme) -> None:
        self.method = method
        self.target = target
        self.body = body
        self.content_type = content_type
        self.scheme = scheme

    @property
    def json_body(self) -> Any:
        """The body as a value, when it is JSON (samples write it in the language's own syntax)."""
        if self.body is None or self.content_type != "application/json":
            return None
        return json.loads(self.body)

    @classmethod
    def of(cls, document, base, path, item, method) -> Request:
        operation = item[method]
        parameters = [resolve(document, p) for p in item.get("parameters", [])]
        parameters += [resolve(document, p) for p in operation.get("parameters", [])]
        target = base + path
        query = {}
        for parameter in parameters:
            value = parameter_example(document, parameter)
            if parameter["in"] == "path":
                target = target.replace("{" + parameter["name"] + "}", str(value))
            elif parameter["in"] == "query" and parameter.get("required"):
                query[parameter["name"]] = value
        if query:
            target += "?" + urlencode(query)
        body, content_type = request_body(document, operation)
        requirements = operation.get("security", document.get("security", []))
        scheme = next(iter(requirements[0]), None) if requirements else None
        if operation.get("x-error-format") == "oauth2":
            scheme = "ClientBasic"  # the OAuth endpoints: the client authenticates itself
        return cls(method.upper(), target, body, content_type, scheme)


def resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while isinstance(node, dict) and "$ref" in node:
        for part in node["$ref"].lstrip("#/").split("/"):
            document = document[part.replace("~1", "/").replace("~0", "~")]
        node = document
    return node


def parameter_example(document, parameter) -> Any:
    schema = resolve(document, parameter.get("schema", {}))
    for candidate in (parameter.get("example"), schema.get("example")):
        if candidate is not None:
            return candidate
    if schema.get("enum"):
        return schema["enum"][0]
    return "..."


def media_example(document, media: dict[str, Any]) -> Any:
    if "example" in media:
        return media["example"]
    if media.get("examples"):
        return resolve(document, next(iter(media["examples"].values())))["value"]
    return resolve(document, media.get("schema", {})).get("example")


def request_body(document, operation) -> tuple[str | None, str | None]:
    if "requestBody" not in operation:
        return None, None
    content = resolve(document, operation["requestBody"])["content"]
    content_type = next(iter(content))
    example = media_example(document, content[content_type])
    if example is None:
        example = {}
    if content_type == "application/x-www-form-urlencoded":
        return urlencode(example), content_type
    return json.dumps(example, ensure_ascii=False), content_type


def _shell_quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def curl(request: Request) -> str:
    lines = [
        'URL="${GATEHOUSE_URL:-http://127.0.0.1:8000}"',
        f"TARGET={_shell_quote(request.target)}",
        f"BODY={_shell_quote(request.body or '')}",
    ]
    headers = []
    if request.scheme == "SignedApiKey":
        lines += [
            "TS=$(date +%s)",
            f"SIG=$(printf '%s' \"$TS.{request.method}.$TARGET.$BODY\" \\",
            "  | openssl dgst -sha256 -hmac \"$GATEHOUSE_API_SECRET\" -hex | sed 's/^.*= //')",
        ]
        headers += [
            '-H "X-API-Key: $GATEHOUSE_API_KEY"',
            '-H "X-Timestamp: $TS"',
            '-H "X-API-Signature: sha256=$SIG"',
        ]
    elif request.scheme == "OAuth2":
        headers.append('-H "Authorization: Bearer $GATEHOUSE_ACCESS_TOKEN"')
    elif request.scheme == "ClientBasic":
        headers.append('-u "$GATEHOUSE_CLIENT_ID:$GATEHOUSE_CLIENT_SECRET"')
    if request.body is not None:
        headers += [f"-H 'Content-Type: {request.content_type}'", '--data-binary "$BODY"']
    command = f"curl -s -w '\\n%{{http_code}}\\n' -X {request.method} \"$URL$TARGET\""
    return "\n".join(lines + [" \\\n  ".join([command, *headers])]) + "\n"


def python(request: Request) -> str:
    value = request.json_body
    if value is not None:
        body = f"json.dumps({value!r}).encode()"
    else:
        body = f"{json.dumps(request.body or '')}.encode()"
    return PYTHON.format(
        method=request.method,
        target=json.dumps(request.target),
        body=body,
        content_type=json.dumps(request.content_type),
        auth=_AUTH_PY[request.scheme],
    )


PYTHON = """import base64, hashlib, hmac, json, os, time, urllib.error, urllib.request

url = os.environ.get("GATEHOUSE_URL", "http://127.0.0.1:8000")
method, target = "{method}", {target}
body = {body}
headers = {{"Content-Type": {content_type}}} if body else {{}}
{auth}
request = urllib.request.Request(url + target, data=body or None, method=method, headers=headers)
try:
    with urllib.request.urlopen(request) as response:
        status, answer = response.status, response.read()
except urllib.error.HTTPError as error:
    status, answer = error.code, error.read()
print(status)
print(answer.decode())
"""

_AUTH_PY = {
    "SignedApiKey": """timestamp = str(int(time.time()))
message = f"{timestamp}.{method}.{target}.".encode() + body  # exactly the bytes sent
secret = os.environ["GATEHOUSE_API_SECRET"].encode()
headers["X-API-Key"] = os.environ["GATEHOUSE_API_KEY"]
headers["X-Timestamp"] = timestamp
headers["X-API-Signature"] = "sha256=" + hmac.new(secret, message, hashlib.sha256).hexdigest()""",
    "OAuth2": 'headers["Authorization"] = "Bearer " + os.environ["GATEHOUSE_ACCESS_TOKEN"]',
    "ClientBasic": """\
client = ":".join(os.environ[name] for name in ("GATEHOUSE_CLIENT_ID", "GATEHOUSE_CLIENT_SECRET"))
headers["Authorization"] = "Basic " + base64.b64encode(client.encode()).decode()""",
    None: "",
}


def javascript(request: Request) -> str:
    value = request.json_body
    if value is not None:
        body = f"JSON.stringify({json.dumps(value, ensure_ascii=False)})"
    else:
        body = json.dumps(request.body or "")
    return JAVASCRIPT.format(
        method=request.method,
        target=json.dumps(request.target),
        body=body,
        content_type=json.dumps(request.content_type),
        auth=_AUTH_JS[request.scheme],
    )


JAVASCRIPT = """// Node 18+ (global fetch); the signing works the same with Web Crypto in a browser.
const crypto = require("node:crypto");

const url = process.env.GATEHOUSE_URL || "http://127.0.0.1:8000";
const method = "{method}", target = {target};
const body = {body};
const headers = body ? {{ "Content-Type": {content_type} }} : {{}};
{auth}
fetch(url + target, {{ method, headers, body: body || undefined }}).then(async (response) => {{
  console.log(response.status);
  console.log(await response.text());
}});
"""

_AUTH_JS = {
    "SignedApiKey": """const timestamp = Math.floor(Date.now() / 1000).toString();
const signature = crypto.createHmac("sha256", process.env.GATEHOUSE_API_SECRET)
  .update(`${timestamp}.${method}.${target}.${body}`).digest("hex"); // exactly the string sent
headers["X-API-Key"] = process.env.GATEHOUSE_API_KEY;
headers["X-Timestamp"] = timestamp;
headers["X-API-Signature"] = `sha256=${signature}`;""",
    "OAuth2": 'headers["Authorization"] = `Bearer ${process.env.GATEHOUSE_ACCESS_TOKEN}`;',
    "ClientBasic": """\
const { GATEHOUSE_CLIENT_ID: id, GATEHOUSE_CLIENT_SECRET: secret } = process.env;
headers["Authorization"] = "Basic " + Buffer.from(`${id}:${secret}`).toString("base64");""",
    None: "",
}


def php(request: Request) -> str:
    return PHP.format(
        method=request.method,
        target=_single_quoted(request.target),
        body=_single_quoted(request.body or ""),
        content_type=_single_quoted(request.content_type or ""),
        auth=_AUTH_PHP[request.scheme],
    )


def _single_quoted(text: str) -> str:
    """A literal in PHP's and Ruby's single quotes: only backslash and quote are escaped."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


PHP = """<?php
// php-cli with the curl extension.
$url = getenv('GATEHOUSE_URL') ?: 'http://127.0.0.1:8000';
$method = '{method}';
$target = {target};
$body = {body};
$headers = $body === '' ? [] : ['Content-Type: ' . {content_type}];
{auth}
$curl = curl_init($url . $target);
curl_setopt_array($curl, [
    CURLOPT_CUSTOMREQUEST => $method,
    CURLOPT_HTTPHEADER => $headers,
    CURLOPT_RETURNTRANSFER => true,
]);
if ($body !== '') {{
    curl_setopt($curl, CURLOPT_POSTFIELDS, $body);
}}
$answer = curl_exec($curl);
echo curl_getinfo($curl, CURLINFO_RESPONSE_CODE), "\\n", $answer, "\\n";
"""

_AUTH_PHP = {
    "SignedApiKey": """$timestamp = (string) time();
$secret = getenv('GATEHOUSE_API_SECRET');
$signature = hash_hmac('sha256', "$timestamp.$method.$target.$body", $secret);
$headers[] = 'X-API-Key: ' . getenv('GATEHOUSE_API_KEY');
$headers[] = 'X-Timestamp: ' . $timestamp;
$headers[] = 'X-API-Signature: sha256=' . $signature;""",
    "OAuth2": "$headers[] = 'Authorization: Bearer ' . getenv('GATEHOUSE_ACCESS_TOKEN');",
    "ClientBasic": """$client = getenv('GATEHOUSE_CLIENT_ID') . ':'
    . getenv('GATEHOUSE_CLIENT_SECRET');
$headers[] = 'Authorization: Basic ' . base64_encode($client);""",
    None: "",
}


def ruby(request: Request) -> str:
    return RUBY.format(
        method=request.method,
        target=_single_quoted(request.target),
        body=_single_quoted(request.body or ""),
        content_type=_single_quoted(request.content_type or ""),
        auth=_AUTH_RUBY[request.scheme],
    )


RUBY = """require "net/http"
require "openssl"
require "uri"

url = ENV.fetch("GATEHOUSE_URL", "http://127.0.0.1:8000")
method, target, body = "{method}", {target}, {body}
headers = body.empty? ? {{}} : {{ "Content-Type" => {content_type} }}
{auth}
uri = URI(url + target)
request = Net::HTTPGenericRequest.new(method, !body.empty?, true, uri.request_uri, headers)
request.body = body unless body.empty?
response = Net::HTTP.start(uri.host, uri.port, use_ssl: uri.scheme == "https") do |http|
  http.request(request)
end
puts response.code
puts response.body
"""

_AUTH_RUBY = {
    "SignedApiKey": """timestamp = Time.now.to_i.to_s
signature = OpenSSL::HMAC.hexdigest("SHA256", ENV.fetch("GATEHOUSE_API_SECRET"),
                                    "#{timestamp}.#{method}.#{target}.#{body}")
headers["X-API-Key"] = ENV.fetch("GATEHOUSE_API_KEY")
headers["X-Timestamp"] = timestamp
headers["X-API-Signature"] = "sha256=" + signature""",
    "OAuth2": 'headers["Authorization"] = "Bearer #{ENV.fetch("GATEHOUSE_ACCESS_TOKEN")}"',
    "ClientBasic": """\
client = ENV.fetch("GATEHOUSE_CLIENT_ID") + ":" + ENV.fetch("GATEHOUSE_CLIENT_SECRET")
headers["Authorization"] = "Basic " + [client].pack("m0")""",
    None: "",
}

RENDERERS = {"curl": curl, "Python": python, "JavaScript": javascript, "PHP": php, "Ruby": ruby}

# Spec roots whose operations get samples: the API versions (`v1`, `v2`, ...).
VERSIONED_ROOT = re.compile(r"^v[0-9]+$")
