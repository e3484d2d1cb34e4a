#!/usr/bin/env python3
"""Writes the HTTP/1.1 parser corpus: valid/*.http and invalid/<status>-*.http.

Raw bytes with real CRLFs, which is why they are generated rather than typed.
The limits below must match `HTTP1Corpus.limits` in HTTP1Corpus.swift; the
expected requests for valid files live in HTTP1CorpusExpectations.swift.
Run from anywhere: python3 Tests/WorkerTests/Corpus/generate.py
"""
import os
import shutil

REQUEST_LINE, FIELD_COUNT, FIELD_SIZE, BODY_SIZE, HEAD_SIZE = 128, 12, 96, 1024, 1024

HERE = os.path.dirname(os.path.abspath(__file__))
CRLF = b"\r\n"


def head(*lines):
    """A request head from lines (str or bytes), each ended by CRLF, plus the empty line."""
    return b"".join((l.encode("latin-1") if isinstance(l, str) else l) + CRLF for l in lines) + CRLF


def line_of(length, prefix, suffix=""):
    """prefix + padding + suffix, exactly `length` bytes."""
    pad = length - len(prefix) - len(suffix)
    assert pad >= 0
    return prefix + "a" * pad + suffix


def field_of(length):
    """A field line `X-Pad: aaa...` of exactly `length` bytes."""
    return line_of(length, "X-Pad: ")


def chunked(*chunks, trailers=(), ext=""):
    out = b""
    for c in chunks:
        out += b"%x%s\r\n%s\r\n" % (len(c), ext.encode(), c)
    out += b"0\r\n" + b"".join(t.encode() + CRLF for t in trailers) + CRLF
    return out


VALID = {
    "get-simple": head("GET /health HTTP/1.1", "Host: x"),
    "pipelined-pair": head("GET /a?x=1 HTTP/1.1", "Host: example.com")
    + head("POST /b HTTP/1.1", "Host: example.com", "Content-Length: 5") + b"hello",
    "pipelined-mixed": head("HEAD /h HTTP/1.1", "Host: h")
    + head("PUT /c HTTP/1.1", "Host: h", "Transfer-Encoding: chunked") + chunked(b"abc", b"de")
    + head("GET /last HTTP/1.1", "Host: h", "Connection: close"),
    "chunked-extensions-trailers": head("POST /upload HTTP/1.1", "Host: up", "Transfer-Encoding: chunked")
    + b"5;name=value\r\nhello\r\n6 ; quoted=\"a b\";flag\r\n world\r\n0;last\r\nX-Checksum: 123\r\nX-Other: a\r\n\r\n",
    "chunked-uppercase-hex": head("POST /hex HTTP/1.1", "Host: up", "Transfer-Encoding: Chunked")
    + b"0A\r\n0123456789\r\n0\r\n\r\n",
    "expect-continue": head("POST /e HTTP/1.1", "Host: e", "Expect: 100-continue", "Content-Length: 4") + b"data",
    "expect-continue-chunked": head("POST /e HTTP/1.1", "Host: e", "Expect: 100-Continue",
                                    "Transfer-Encoding: chunked") + chunked(b"abc"),
    # A higher minor version of HTTP/1 is processed as HTTP/1.1 (RFC 9110 6.2): Host is
    # required, the connection persists, chunked framing applies.
    "http12-as-http11": head("GET /health HTTP/1.2", "Host: x"),
    "http19-chunked-close": head("POST /up HTTP/1.9", "Host: x", "Transfer-Encoding: chunked", "Connection: close")
    + chunked(b"abc"),
    "http10-keepalive": head("GET /old HTTP/1.0", "Connection: Keep-Alive"),
    "http10-default-close": head("GET /old HTTP/1.0"),
    "http10-expect-ignored": head("POST /old HTTP/1.0", "Expect: something", "Content-Length: 2") + b"ok",
    # Old clients sent a CRLF after a POST body; it is skipped before the next request line.
    "crlf-between-pipelined": head("POST /p HTTP/1.1", "Host: x", "Content-Length: 2") + b"hi" + CRLF
    + head("GET /q HTTP/1.1", "Host: x"),
    "connection-close": head("GET / HTTP/1.1", "Host: x", "Connection: foo, CLOSE"),
    "absolute-form": head("GET http://example.com:8080/p/q?x=1&y HTTP/1.1", "Host: example.com:8080"),
    "absolute-form-empty-path": head("GET HTTPS://example.com?x HTTP/1.1", "Host: example.com"),
    "head": head("HEAD /page HTTP/1.1", "Host: x"),
    "post-empty-body": head("POST /empty HTTP/1.1", "Host: x", "Content-Length: 0"),
    "leading-crlf": CRLF * 3 + head("GET /after-crlf HTTP/1.1", "Host: x"),
    "percent-encoded-path": head("GET /a%20b/%E2%82%ac?q=%41+b&r HTTP/1.1", "Host: x"),
    "options-asterisk": head("OPTIONS * HTTP/1.1", "Host: x"),
    "lowercase-method": head("get / HTTP/1.1", "Host: x"),
    "ows-trimmed-values": head("GET / HTTP/1.1", "Host: \t x \t", "X-Empty:", "X-Obs: caf\xe9 \t"),
    "host-ipv6-port": head("GET / HTTP/1.1", "Host: [::1]:8080"),
    "host-ipv4": head("GET / HTTP/1.1", "Host: 127.0.0.1"),
    "content-length-repeated-equal": head("POST /r HTTP/1.1", "Host: x", "Content-Length: 3",
                                          "Content-Length: 3") + b"abc",
    "request-line-at-limit": head(line_of(REQUEST_LINE, "GET /", " HTTP/1.1"), "Host: x"),
    "field-at-limit": head("GET / HTTP/1.1", "Host: x", field_of(FIELD_SIZE)),
    "field-count-at-limit": head("GET / HTTP/1.1", "Host: x", *["X-F%d: v" % i for i in range(FIELD_COUNT - 1)]),
    "body-at-limit": head("POST /big HTTP/1.1", "Host: x", "Content-Length: %d" % BODY_SIZE) + b"b" * BODY_SIZE,
    "chunked-at-limit": head("POST /big HTTP/1.1", "Host: x", "Transfer-Encoding: chunked")
    + chunked(b"c" * 1000, b"c" * (BODY_SIZE - 1000)),
}

# Smuggling shape: the second head carries both framings; nothing after it is processed.
SMUGGLE = head("POST /s HTTP/1.1", "Host: x", "Content-Length: 6", "Transfer-Encoding: chunked") + b"0\r\n\r\nG"

INVALID = {
    # Request line (RFC 9112 3)
    "400-bare-lf-request-line": b"GET / HTTP/1.1\nHost: x\r\n\r\n",
    "400-bare-cr-request-line": b"GET /\r HTTP/1.1\r\nHost: x\r\n\r\n",
    "400-double-space": head("GET  / HTTP/1.1", "Host: x"),
    "400-trailing-space": head("GET / HTTP/1.1 ", "Host: x"),
    "400-tab-separator": head("GET\t/ HTTP/1.1", "Host: x"),
    "400-missing-version": head("GET /", "Host: x"),
    "400-lowercase-version": head("GET / http/1.1", "Host: x"),
    "400-version-two-digits": head("GET / HTTP/1.10", "Host: x"),
    "400-version-garbage": head("GET / HTTP/x.y", "Host: x"),
    "400-method-invalid-char": head("GE(T / HTTP/1.1", "Host: x"),
    "400-nul-in-method": head(b"GE\x00T / HTTP/1.1", "Host: x"),
    "400-empty-method": head(" / HTTP/1.1", "Host: x"),
    "400-target-space": head("GET /a b HTTP/1.1", "Host: x"),
    "400-target-fragment": head("GET /a#frag HTTP/1.1", "Host: x"),
    "400-target-bad-percent": head("GET /a%zz HTTP/1.1", "Host: x"),
    "400-target-truncated-percent": head("GET /a%4 HTTP/1.1", "Host: x"),
    "400-target-non-ascii": head(b"GET /caf\xc3\xa9 HTTP/1.1", "Host: x"),
    "400-target-relative": head("GET a/b HTTP/1.1", "Host: x"),
    "400-asterisk-not-options": head("GET * HTTP/1.1", "Host: x"),
    "400-absolute-form-ftp": head("GET ftp://x/file HTTP/1.1", "Host: x"),
    "400-absolute-form-userinfo": head("GET http://user@x/ HTTP/1.1", "Host: x"),
    "501-connect": head("CONNECT example.com:443 HTTP/1.1", "Host: example.com:443"),
    "505-http20": head("GET / HTTP/2.0", "Host: x"),
    "505-http09": head("GET / HTTP/0.9", "Host: x"),
    "505-http31": head("GET / HTTP/3.1", "Host: x"),
    "414-request-line-over-limit": head(line_of(REQUEST_LINE + 1, "GET /", " HTTP/1.1"), "Host: x"),
    "400-too-many-leading-crlf": CRLF * 9 + head("GET / HTTP/1.1", "Host: x"),
    "400-leading-bare-lf": b"\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
    # Header fields (RFC 9112 5)
    "400-bare-lf-header": b"GET / HTTP/1.1\r\nHost: x\nX-A: b\r\n\r\n",
    "400-bare-lf-end-of-head": b"GET / HTTP/1.1\r\nHost: x\r\n\n",
    "400-bare-cr-header-value": b"GET / HTTP/1.1\r\nHost: x\r\nX-A: b\rc\r\n\r\n",
    "400-obs-fold": head("GET / HTTP/1.1", "Host: x", "X-A: one", " two"),
    "400-whitespace-before-first-field": head("GET / HTTP/1.1", " Host: x"),
    "400-space-before-colon": head("GET / HTTP/1.1", "Host : x"),
    "400-empty-field-name": head("GET / HTTP/1.1", "Host: x", ": v"),
    "400-no-colon": head("GET / HTTP/1.1", "Host: x", "X-A"),
    "400-nul-in-value": head("GET / HTTP/1.1", "Host: x", "X-A: a\x00b"),
    "400-ctl-in-value": head("GET / HTTP/1.1", "Host: x", "X-A: a\x01b"),
    "400-del-in-value": head("GET / HTTP/1.1", "Host: x", "X-A: a\x7fb"),
    "431-field-over-limit": head("GET / HTTP/1.1", "Host: x", field_of(FIELD_SIZE + 1)),
    "431-field-count-over-limit": head("GET / HTTP/1.1", "Host: x", *["X-F%d: v" % i for i in range(FIELD_COUNT)]),
    "431-head-over-size": head("GET / HTTP/1.1", "Host: x", *[field_of(FIELD_SIZE) for _ in range(FIELD_COUNT - 1)]),
    # Host (RFC 9112 3.2)
    "400-missing-host": head("GET / HTTP/1.1", "X-A: b"),
    "400-duplicate-host": head("GET / HTTP/1.1", "Host: x", "Host: x"),
    "400-duplicate-host-http10": head("GET / HTTP/1.0", "Host: x", "host: y"),
    "400-empty-host": head("GET / HTTP/1.1", "Host:"),
    "400-host-with-space": head("GET / HTTP/1.1", "Host: a b"),
    "400-host-bad-port": head("GET / HTTP/1.1", "Host: x:99999"),
    "400-host-port-not-digits": head("GET / HTTP/1.1", "Host: x:8a"),
    "400-host-userinfo": head("GET / HTTP/1.1", "Host: u@x"),
    "400-host-slash": head("GET / HTTP/1.1", "Host: x/y"),
    # Content-Length (RFC 9110 8.6, RFC 9112 6.3)
    "400-content-length-not-digits": head("POST / HTTP/1.1", "Host: x", "Content-Length: 5a") + b"hello",
    "400-content-length-negative": head("POST / HTTP/1.1", "Host: x", "Content-Length: -1"),
    "400-content-length-plus": head("POST / HTTP/1.1", "Host: x", "Content-Length: +5") + b"hello",
    "400-content-length-list": head("POST / HTTP/1.1", "Host: x", "Content-Length: 5, 5") + b"hello",
    "400-content-length-conflict": head("POST / HTTP/1.1", "Host: x", "Content-Length: 5",
                                        "Content-Length: 6") + b"hello!",
    "400-content-length-empty": head("POST / HTTP/1.1", "Host: x", "Content-Length:"),
    "400-content-length-overflow": head("POST / HTTP/1.1", "Host: x", "Content-Length: 99999999999999999999999"),
    "413-content-length-over-limit": head("POST / HTTP/1.1", "Host: x", "Content-Length: %d" % (BODY_SIZE + 1)),
    # Transfer-Encoding (RFC 9112 6.1, 6.3)
    "400-content-length-and-chunked": SMUGGLE + head("GET /never HTTP/1.1", "Host: x"),
    "400-chunked-and-content-length": head("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: chunked",
                                           "Content-Length: 3") + chunked(b"abc"),
    "400-transfer-encoding-http10": head("POST / HTTP/1.0", "Transfer-Encoding: chunked") + chunked(b"abc"),
    "400-chunked-twice": head("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: chunked, chunked") + chunked(b"a"),
    "400-chunked-twice-two-fields": head("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: chunked",
                                         "Transfer-Encoding: chunked") + chunked(b"a"),
    "400-transfer-encoding-empty": head("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: ,"),
    "501-transfer-encoding-gzip": head("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: gzip"),
    "501-transfer-encoding-gzip-chunked": head("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: gzip, chunked"),
    "501-transfer-encoding-chunked-identity": head("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: chunked",
                                                   "Transfer-Encoding: identity"),
    # Chunked body (RFC 9112 7.1)
    "400-chunk-size-not-hex": head("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: chunked") + b"zz\r\n",
    "400-chunk-size-missing": head("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: chunked") + b";ext\r\n",
    "400-chunk-size-overflow": head("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: chunked")
    + b"10000000000000000\r\n",
    "400-chunk-size-negative": head("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: chunked") + b"-1\r\n",
    "400-chunk-size-bare-lf": head("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: chunked") + b"3\nabc\r\n0\r\n\r\n",
    "400-chunk-data-no-crlf": head("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: chunked") + b"3\r\nabcd\r\n",
    "400-chunk-data-bare-lf": head("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: chunked") + b"3\r\nabc\n0\r\n\r\n",
    "400-chunk-whitespace-without-extension": head("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: chunked")
    + b"3 \r\nabc\r\n0\r\n\r\n",
    "400-chunk-extension-ctl": head("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: chunked")
    + b"3;a=\x01\r\nabc\r\n0\r\n\r\n",
    "400-chunk-extension-too-long": head("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: chunked")
    + b"3;" + b"e" * 4096 + b"\r\nabc\r\n0\r\n\r\n",
    "400-trailer-bad-name": head("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: chunked")
    + chunked(b"abc", trailers=["Bad Name: v"]),
    "400-trailer-obs-fold": head("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: chunked")
    + chunked(b"abc", trailers=["X-T: a", " b"]),
    "400-trailer-bare-lf": head("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: chunked") + b"0\r\nX-T: a\n\r\n",
    "431-trailer-count-over-limit": head("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: chunked")
    + chunked(b"abc", trailers=["X-T%d: v" % i for i in range(FIELD_COUNT + 1)]),
    "431-trailer-over-limit": head("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: chunked")
    + chunked(b"abc", trailers=[field_of(FIELD_SIZE + 1)]),
    "413-chunk-over-limit": head("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: chunked")
    + b"%x\r\n" % (BODY_SIZE + 1),
    "413-chunks-sum-over-limit": head("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: chunked")
    + chunked(b"c" * 1000, b"c" * (BODY_SIZE - 999)),
    # Expect (RFC 9110 10.1.1)
    "417-expect-other": head("POST / HTTP/1.1", "Host: x", "Expect: 200-ok", "Content-Length: 1") + b"a",
    # A good request first: it is returned, the bad one after it is not, nor anything later.
    "400-after-valid-request": head("GET /first HTTP/1.1", "Host: x") + SMUGGLE + head("GET /never HTTP/1.1", "Host: x"),
    "400-bad-second-pipelined": head("GET /first HTTP/1.1", "Host: x") + head("GET /second HTTP/1.1")
    + head("GET /never HTTP/1.1", "Host: x"),
}


def write(folder, files):
    path = os.path.join(HERE, folder)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    for name, data in files.items():
        with open(os.path.join(path, name + ".http"), "wb") as f:
            f.write(data)


write("valid", VALID)
write("invalid", INVALID)
print("valid: %d, invalid: %d" % (len(VALID), len(INVALID)))
