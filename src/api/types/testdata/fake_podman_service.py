#!/usr/bin/env python3
# A stand-in for `podman system service` that records the body of POST .../containers/create.
# Used by capture_podman_bodies.sh to capture what podman's Go bindings send; answers _ping,
# images/pull and */exists so `podman --remote create` gets as far as the create call.
# Usage: fake_podman_service.py SOCKET OUTDIR   (the body goes to OUTDIR/body.json)
import json, os, socket, socketserver, sys, http.server

OUT = sys.argv[2]
counter = [0]

class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def reply(self, code, body=b"", ctype="application/json"):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Libpod-API-Version", "4.3.1")
        self.send_header("API-Version", "1.41")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        with open(os.path.join(OUT, "requests.log"), "a") as f:
            f.write(f"{self.command} {self.path} {len(body)}\n")
        p = self.path.split("?")[0]
        if p.endswith("/_ping"):
            return self.reply(200, b"OK", "text/plain")
        if p.endswith("/images/pull"):
            return self.reply(200, json.dumps({"id": "b"*64, "images": ["b"*64]}).encode() + b"\n")
        if p.endswith("/exists"):
            return self.reply(204)
        if p.endswith("/containers/create"):
            counter[0] += 1
            with open(os.path.join(OUT, "body.json"), "wb") as f:
                f.write(body)
            return self.reply(201, json.dumps({"Id": "a"*64, "Warnings": []}).encode())
        return self.reply(404, json.dumps({"cause": "no such", "message": "not here", "response": 404}).encode())
    do_GET = do_POST = do_HEAD = do_DELETE = do_PUT = handle_any

class S(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    def handle_error(self, request, client_address):
        pass  # podman drops its _ping connections early: broken pipes are expected
    def get_request(self):
        req, _ = super().get_request()
        return req, ("local", 0)

path = sys.argv[1]
if os.path.exists(path): os.unlink(path)
S(path, H).serve_forever()
