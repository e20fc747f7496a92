#!/usr/bin/env python3
"""Raw HTTP probes for the API system tests (unix socket or tcp host:port).

  port                               print a free TCP port on 127.0.0.1
  req SOCK METHOD PATH [BODY]        one request; prints "STATUS\\nHEADERS\\n\\nBODY"
  huge SOCK PATH MB                  POST a MB-MiB body; prints the status (or "closed")
  slowheader SOCK SECONDS            sends half a header and waits; prints what came back
  vanish SOCK PATH                   starts a streaming GET and closes after the first bytes
  pipeline SOCK N                    N pipelined GET /_ping on one connection; prints how many 200s
  garbage SOCK                       sends a non-HTTP line; prints the status line
  stalled SOCK N                     N clients stall (half a header each, and one pipelining
                                     requests it never reads) while another pings; prints
                                     the ping's status and whole seconds it took
  mixed SOCK                         one connection pipelines requests served inline and on
                                     threads; prints the statuses in the order they came
"""
import json
import signal
import socket
import sys
import time


def connect(addr):
    if addr.startswith("/"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(addr)
    else:
        host, port = addr.rsplit(":", 1)
        s = socket.create_connection((host, int(port)))
    s.settimeout(30)
    return s


def read_response(s, head_only=False):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            return None, {}, data
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    lines = head.decode().split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for l in lines[1:]:
        k, v = l.split(":", 1)
        headers[k.strip().lower()] = v.strip()
    body = rest
    if head_only or status in (204, 304):
        return status, headers, b""
    if "content-length" in headers:
        n = int(headers["content-length"])
        while len(body) < n:
            chunk = s.recv(65536)
            if not chunk:
                break
            body += chunk
        return status, headers, body[:n]
    if headers.get("transfer-encoding") == "chunked":
        out = b""
        while True:
            while b"\r\n" not in body:
                body += s.recv(65536)
            size_line, body = body.split(b"\r\n", 1)
            size = int(size_line, 16)
            while len(body) < size + 2:
                body += s.recv(65536)
            out += body[:size]
            body = body[size + 2:]
            if size == 0:
                return status, headers, out
    return status, headers, body


def main():
    cmd = sys.argv[1]
    if cmd == "port":
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        print(s.getsockname()[1])
        return
    addr = sys.argv[2]
    if cmd == "req":
        method, path = sys.argv[3], sys.argv[4]
        body = sys.argv[5].encode() if len(sys.argv) > 5 else b""
        s = connect(addr)
        req = f"{method} {path} HTTP/1.1\r\nHost: d\r\nContent-Length: {len(body)}\r\n"
        if body:
            req += "Content-Type: application/json\r\n"
        s.sendall(req.encode() + b"\r\n" + body)
        status, headers, data = read_response(s, method == "HEAD")
        print(status)
        for k, v in headers.items():
            print(f"{k}: {v}")
        print()
        sys.stdout.write(data.decode(errors="replace"))
    elif cmd == "huge":
        path, mb = sys.argv[3], int(sys.argv[4])
        s = connect(addr)
        n = mb << 20
        s.sendall(f"POST {path} HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Length: {n}\r\n\r\n".encode())
        try:
            chunk = b"[" + b" " * 65534 + b"]"
            sent = 0
            s.settimeout(5)
            while sent < n:
                s.sendall(chunk[: min(len(chunk), n - sent)])
                sent += len(chunk)
        except OSError:
            pass
        try:
            status, _, _ = read_response(s)
            print(status if status else "closed")
        except OSError:
            print("closed")
    elif cmd == "slowheader":
        secs = float(sys.argv[3])
        s = connect(addr)
        s.sendall(b"GET /_ping HTTP/1.1\r\nHost: d\r\n")
        s.settimeout(secs + 5)
        start = time.time()
        try:
            data = s.recv(4096)
        except OSError:
            data = b""
        print(data.split(b"\r\n")[0].decode() or "closed", round(time.time() - start))
    elif cmd == "vanish":
        path = sys.argv[3]
        s = connect(addr)
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: d\r\n\r\n".encode())
        s.recv(100)
        s.close()
        print("closed")
    elif cmd == "pipeline":
        n = int(sys.argv[3])
        s = connect(addr)
        s.sendall(b"GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n" * n)
        ok = 0
        buf = b""
        while ok < n:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
            ok = buf.count(b"HTTP/1.1 200 OK")
        print(ok)
    elif cmd == "stalled":
        n = int(sys.argv[3])
        stalled = []
        for _ in range(n):
            c = connect(addr)
            c.sendall(b"GET /_ping HTTP/1.1\r\nHost: d\r\n")
            stalled.append(c)
        hog = connect(addr)
        hog.setblocking(False)
        reqs = b"GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n" * 20000
        try:
            while reqs:
                reqs = reqs[hog.send(reqs):]
        except BlockingIOError:
            pass  # its answers fill both socket buffers; the rest of its requests wait
        time.sleep(0.5)
        start = time.time()
        s = connect(addr)
        s.settimeout(10)
        s.sendall(b"GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n")
        try:
            status, _, _ = read_response(s)
        except OSError:
            status = "timeout"
        print(status, int(time.time() - start))
        for c in stalled + [hog]:
            c.close()
    elif cmd == "mixed":
        s = connect(addr)
        body = b'{"Image": "no-such-image-here"}'
        reqs = [
            b"GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n",
            b"GET /v1.41/version HTTP/1.1\r\nHost: d\r\n\r\n",
            b"GET /v4.3.1/libpod/containers/json?all=true HTTP/1.1\r\nHost: d\r\n\r\n",
            b"POST /v1.41/containers/create HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode() + body,
            b"GET /v1.41/containers/no-such-ctr/json HTTP/1.1\r\nHost: d\r\n\r\n",
            b"GET /nowhere HTTP/1.1\r\nHost: d\r\n\r\n",
            b"HEAD /_ping HTTP/1.1\r\nHost: d\r\n\r\n",
        ]
        s.sendall(b"".join(reqs))
        out = []
        buf = b""
        for r in reqs:
            # Answers follow each other on the stream: split them by Content-Length.
            while b"\r\n\r\n" not in buf:
                chunk = s.recv(65536)
                if not chunk:
                    break
                buf += chunk
            if b"\r\n\r\n" not in buf:
                out.append("closed")
                break
            head, buf = buf.split(b"\r\n\r\n", 1)
            lines = head.decode().split("\r\n")
            length = 0
            for l in lines[1:]:
                k, v = l.split(":", 1)
                if k.strip().lower() == "content-length" and not r.startswith(b"HEAD"):
                    length = int(v)
            while len(buf) < length:
                buf += s.recv(65536)
            buf = buf[length:]
            out.append(lines[0].split()[1])
        print(" ".join(out))
    elif cmd == "garbage":
        s = connect(addr)
        s.sendall(b"\x16\x03\x01 this is not http\r\n\r\n")
        data = s.recv(4096)
        print(data.split(b"\r\n")[0].decode())


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:  # stdout closed early (| head -1)
        pass
