#!/usr/bin/env python3
"""Hostile loopback sources for the memory benchmark, each on its own loopback address so that the service
fetches them at the same time (politeness is per host):

  127.0.0.11  /big.rss    a valid feed just under the 15 MiB body cap, streamed in 64 KiB chunks
  127.0.0.12  /many.rss   a valid feed of 100,000 items
  127.0.0.13  /bomb.rss   a gzip bomb: 1 GiB of zeros in about 1 MB
  127.0.0.14  /over.rss   a body over the cap (16 MiB), streamed

Every answer is a full 200 with no validators and no caching headers, so each poll reads and parses it again.
Runs until killed; Python standard library only. Usage: sources.py [PORT]
"""
import gzip
import io
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 18080
CAP = 15 * 1024 * 1024


def rss(items):
    head = b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Hostile</title>' \
           b'<link>https://hostile.example/</link><description>memory</description>'
    return head + b"".join(items) + b"</channel></rss>"


def item(i, body):
    date = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() - 60 * i))
    return (f"<item><title>Item {i}</title><guid>https://hostile.example/{i}</guid><link>https://hostile.example/{i}</link>"
            f"<pubDate>{date}</pubDate><description><![CDATA[<p>{body}</p>]]></description></item>").encode()


def small_item(i):
    date = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() - 60 * i))
    return f"<item><title>Item {i}</title><guid>h/{i}</guid><pubDate>{date}</pubDate></item>".encode()


def big_feed():
    paragraph = "All the news that fits, and then some more of it, to fill the feed. " * 10
    items, size, i = [], 300, 0
    while True:
        one = item(i, paragraph)
        if size + len(one) > CAP - 1024:
            break
        items.append(one)
        size += len(one)
        i += 1
    return rss(items)


BODIES = {
    "/big.rss": big_feed(),
    "/many.rss": rss(small_item(i) for i in range(100_000)),
    "/over.rss": b"<rss>" + b" " * (16 * 1024 * 1024) + b"</rss>",
}
buffer = io.BytesIO()
with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9) as bomb:
    zeros = bytes(1024 * 1024)
    for _ in range(1024):
        bomb.write(zeros)
BOMB = buffer.getvalue()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        if self.path == "/bomb.rss":
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(BOMB)))
            self.end_headers()
            self.wfile.write(BOMB)
            return
        body = BODIES.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for start in range(0, len(body), 65536):
                chunk = body[start:start + 65536]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the service stopped reading at its cap, as it should

    def log_message(self, *args):
        pass


servers = [ThreadingHTTPServer((f"127.0.0.{host}", PORT), Handler) for host in (11, 12, 13, 14)]
for server in servers:
    threading.Thread(target=server.serve_forever, daemon=True).start()
print(f"serving on 127.0.0.11-14:{PORT} (big {len(BODIES['/big.rss']):,} B, many {len(BODIES['/many.rss']):,} B, bomb {len(BOMB):,} B)", flush=True)
threading.Event().wait()
