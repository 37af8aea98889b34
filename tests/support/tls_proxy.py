#!/usr/bin/env python3
# A loopback TLS front for a plain HTTP server, for the DICOMweb TLS tests (Orthanc's own TLS crashed on its first
# HTTPS connection here): terminates TLS with CERT and KEY on a free port of 127.0.0.1, writes that port to
# PORT_FILE, and forwards each connection to 127.0.0.1:TARGET. Ends when its stdin is closed.
# Usage: tls_proxy.py CERT KEY TARGET PORT_FILE
import os
import socket
import ssl
import sys
import threading

cert, key, target, port_file = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", 0))
server.listen(16)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.getsockname()[1]))
os.rename(port_file + ".tmp", port_file)


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def serve(conn):
    try:
        tls = context.wrap_socket(conn, server_side=True)
    except (ssl.SSLError, OSError):  # a client that does not trust the certificate hangs up here
        conn.close()
        return
    upstream = socket.create_connection(("127.0.0.1", target))
    threading.Thread(target=pump, args=(tls, upstream), daemon=True).start()
    pump(upstream, tls)


def accept():
    while True:
        conn, _ = server.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


threading.Thread(target=accept, daemon=True).start()
sys.stdin.read()
