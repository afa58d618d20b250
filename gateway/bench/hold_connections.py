#!/usr/bin/env python3
"""Opens N keep-alive client connections to a proxy, sends one request on
each (so every connection has served a request and sits idle between
requests, as a kept-alive client's would), prints "ready" and holds them
until its standard input closes.

    hold_connections.py HOST:PORT N PATH KEY BODY

Used by gateway/bench/run (RSS=1) to measure each proxy's memory with
10,000 idle keep-alive connections. Needs a descriptor limit above N.
"""
import resource
import socket
import sys


def read_answer(sock):
    """Reads one HTTP/1.1 answer with a Content-Length; returns its status."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the answer's head")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed in the answer's body")
        body += chunk
    return status


def main():
    address, count, path, key, body = sys.argv[1:6]
    host, port = address.rsplit(":", 1)
    count = int(count)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, count + 256)), hard))
    request = (
        f"POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n"
        f"X-API-Key: {key}\r\nContent-Length: {len(body)}\r\n\r\n{body}"
    ).encode()
    held = []
    for _ in range(count):
        sock = socket.create_connection((host, int(port)))
        sock.sendall(request)
        status = read_answer(sock)
        if status != 200:
            sys.exit(f"error: connection {len(held) + 1} answered {status}")
        held.append(sock)
    print("ready", flush=True)
    sys.stdin.read()
    for sock in held:
        sock.close()


if __name__ == "__main__":
    main()
