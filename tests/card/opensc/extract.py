#!/usr/bin/python3
"""extract.py CORPUS_DIR OUT_DIR: how the fixtures in this folder were made.

CORPUS_DIR is OpenSC's src/tests/fuzzing/corpus (a checkout of
https://github.com/OpenSC/OpenSC, commit 14c80b0ab). Its files record what
cards answered, as chunks of a 2-byte little-endian length and the bytes.

fuzz_pkcs15_reader/7cf8e9b31dcee040ee438441aca2aecb523ed5e9: the first
chunk is a card's ATR, every other one a response to one command (data and
status word), in order, from a CardOS card with a PKCS#15 application
written by its issuer. Each SELECT answer is an FCP (62 or 6F) whose tag 83
names the file; the READ BINARY answers after it are that file's content,
written out whole as FID.bin (status words removed).

fuzz_pkcs15_decode/*: the first chunk is one PKCS#15 directory entry,
written out as NAME.der.
"""
import os
import sys

READER = "fuzz_pkcs15_reader/7cf8e9b31dcee040ee438441aca2aecb523ed5e9"
ENTRIES = {
    "aodf-entry-pin.der": "fuzz_pkcs15_decode/0204f84aede3986d1add8909124e021cac32bec8",
    "prkdf-entry-rsa.der": "fuzz_pkcs15_decode/b011d577451c835fd8f6052f0659337994273f3f",
    "pukdf-entry-rsa.der": "fuzz_pkcs15_decode/6e580d278c33a530284dfef5dd9ffd617597bb68",
}


def chunks(path):
    with open(path, "rb") as f:
        data = f.read()
    i = 0
    while i + 2 <= len(data):
        n = data[i] | data[i + 1] << 8
        yield data[i + 2:i + 2 + n]
        i += 2 + n


def fcp_fid(rsp):
    """The FID (tag 83) of an FCP/FCI answer, or None."""
    if len(rsp) < 4 or rsp[0] not in (0x62, 0x6F) or rsp[-2:] != b"\x90\x00":
        return None
    body = rsp[2:-2] if rsp[1] < 0x80 else rsp[2 + (rsp[1] & 0x7F):-2]
    i = 0
    while i + 2 <= len(body):
        tag, n = body[i], body[i + 1]
        if tag == 0x83 and n == 2:
            return body[i + 2:i + 4].hex().upper()
        i += 2 + n
    return None


def main():
    corpus, out = sys.argv[1], sys.argv[2]
    files, cur = {}, None
    for rsp in list(chunks(os.path.join(corpus, READER)))[1:]:
        fid = fcp_fid(rsp)
        if fid:
            cur = fid
            files.setdefault(cur, b"")
        elif cur and rsp[-2:] == b"\x90\x00" and len(rsp) > 2:
            files[cur] += rsp[:-2]
        else:
            cur = None
    for fid, content in files.items():
        if content:
            with open(os.path.join(out, fid + ".bin"), "wb") as f:
                f.write(content)
    for name, src in ENTRIES.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(next(chunks(os.path.join(corpus, src))))


if __name__ == "__main__":
    main()
