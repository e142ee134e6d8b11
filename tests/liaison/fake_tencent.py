"""A local HTTP server that answers SendSms the way Tencent Cloud's API 2021-01-11 does, so the
official SDK runs unchanged against it: TC3-HMAC-SHA256 signature checked with the shared secret,
per-number results in SendStatusSet, request-level failures as {"Response": {"Error": ...}}.

Numbers drive the answer: a number listed in `per_number` gets that SendStatusSet code; one listed
in `errors` gets a request-level error; `http_500` numbers get a bare HTTP 500."""

import hashlib
import hmac
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET_ID = "AKIDfake0000000000000000000000000000"
SECRET_KEY = "fake-secret-key-for-tests-0000000000"


def _sign(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256)


def expected_signature(*, method, uri, content_type, host, payload, timestamp, date, service="sms"):
    canonical = "\n".join(
        [method, uri, "", f"content-type:{content_type}\nhost:{host}\n", "content-type;host", hashlib.sha256(payload).hexdigest()]
    )
    to_sign = "\n".join(
        ["TC3-HMAC-SHA256", timestamp, f"{date}/{service}/tc3_request", hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = _sign(("TC3" + SECRET_KEY).encode(), date).digest()
    key = _sign(key, service).digest()
    key = _sign(key, "tc3_request").digest()
    return _sign(key, to_sign).hexdigest()


class FakeTencentSms:
    def __init__(self):
        self.requests = []
        self.per_number = {}
        self.errors = {}
        self.http_500 = set()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self):
        return f"127.0.0.1:{self.server.server_address[1]}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                payload = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                request_id = str(uuid.uuid4())
                body = json.loads(payload or b"{}")
                fake.requests.append({"headers": dict(self.headers), "body": body})
                phones = body.get("PhoneNumberSet") or []
                if any(p in fake.http_500 for p in phones):
                    self.send_response(500)
                    self.end_headers()
                    return
                auth = self.headers.get("Authorization", "")
                try:
                    credential = auth.split("Credential=")[1].split(",")[0]
                    secret_id, date, service, _ = credential.split("/")
                    signature = auth.split("Signature=")[1]
                except (IndexError, ValueError):
                    return self._error(request_id, "AuthFailure.SignatureFailure", "The Authorization header is malformed.")
                if secret_id != SECRET_ID:
                    return self._error(request_id, "AuthFailure.SecretIdNotFound", "The SecretId is not found.")
                wanted = expected_signature(
                    method="POST",
                    uri=self.path,
                    content_type=self.headers.get("Content-Type", ""),
                    host=self.headers.get("Host", ""),
                    payload=payload,
                    timestamp=self.headers.get("X-TC-Timestamp", ""),
                    date=date,
                    service=service,
                )
                if not hmac.compare_digest(wanted, signature):
                    return self._error(request_id, "AuthFailure.SignatureFailure", "The provided credentials could not be validated.")
                if self.headers.get("X-TC-Action") != "SendSms" or self.headers.get("X-TC-Version") != "2021-01-11":
                    return self._error(request_id, "InvalidAction", "The action does not exist.")
                for phone in phones:
                    if phone in fake.errors:
                        code, message = fake.errors[phone]
                        return self._error(request_id, code, message)
                statuses = []
                for phone in phones:
                    code = fake.per_number.get(phone, "Ok")
                    statuses.append(
                        {
                            "SerialNo": f"2645:{uuid.uuid4().int % 10**20}" if code == "Ok" else "",
                            "PhoneNumber": phone,
                            "Fee": 1 if code == "Ok" else 0,
                            "SessionContext": body.get("SessionContext", ""),
                            "Code": code,
                            "Message": "send success" if code == "Ok" else f"{code} (fake)",
                            "IsoCode": "CN",
                        }
                    )
                self._answer(200, {"Response": {"SendStatusSet": statuses, "RequestId": request_id}})

            def _error(self, request_id, code, message):
                self._answer(200, {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": request_id}})

        return Handler
