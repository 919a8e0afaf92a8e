# SPDX-License-Identifier: Apache-2.0
"""Signs a file with both keys of the DNIe through PyKCS11 and writes the signatures and the
certificates. Usage: pykcs11_sign.py <module> <pin> <data file> <output directory>"""
import sys

import PyKCS11
from PyKCS11 import LowLevel

module, pin, data_file, out = sys.argv[1:5]
data = open(data_file, "rb").read()
lib = PyKCS11.PyKCS11Lib()
lib.load(module)
slots = lib.getSlotList(tokenPresent=True)
assert len(slots) == 1, slots
info = lib.getTokenInfo(slots[0])
print("token:", info.label.strip(), "serial", info.serialNumber.strip())
session = lib.openSession(slots[0])
session.login(pin)


def one(cls, label):
    found = session.findObjects([(PyKCS11.CKA_CLASS, cls), (PyKCS11.CKA_LABEL, label)])
    assert len(found) == 1, (cls, label, found)
    return found[0]


def always_authenticate(key):
    return bool(session.getAttributeValue(key, [PyKCS11.CKA_ALWAYS_AUTHENTICATE])[0])


mech = PyKCS11.Mechanism(PyKCS11.CKM_SHA256_RSA_PKCS, None)
for name in ("Autenticacion", "FirmaDigital"):
    key = one(PyKCS11.CKO_PRIVATE_KEY, "Kpriv" + name)
    cert = one(PyKCS11.CKO_CERTIFICATE, "Cert" + name)
    pub = one(PyKCS11.CKO_PUBLIC_KEY, "Kpriv" + name)
    der = bytes(session.getAttributeValue(cert, [PyKCS11.CKA_VALUE])[0])
    open(f"{out}/Cert{name}.der", "wb").write(der)
    assert session.getAttributeValue(pub, [PyKCS11.CKA_ID]) == session.getAttributeValue(key, [PyKCS11.CKA_ID])
    if not always_authenticate(key):
        signature = bytes(session.sign(key, data, mech))
    else:
        # CKA_ALWAYS_AUTHENTICATE: C_SignInit, C_Login(CKU_CONTEXT_SPECIFIC), C_Sign. PyKCS11's
        # sign() has no room for the login in between, so the low-level calls are used.
        try:
            session.sign(key, data, mech)
            raise SystemExit("the signing key signed without a context-specific login")
        except PyKCS11.PyKCS11Error as e:
            assert e.value == PyKCS11.CKR_USER_NOT_LOGGED_IN, e
        rv = session.lib.C_SignInit(session.session, mech.to_native(), key)
        assert rv == PyKCS11.CKR_OK, PyKCS11.CKR[rv]
        rv = session.lib.C_Login(session.session, PyKCS11.CKU_CONTEXT_SPECIFIC, PyKCS11.ckbytelist(pin))
        assert rv == PyKCS11.CKR_OK, PyKCS11.CKR[rv]
        sig, buf = PyKCS11.ckbytelist(), PyKCS11.ckbytelist(data)
        rv = session.lib.C_Sign(session.session, buf, sig)  # size
        assert rv == PyKCS11.CKR_OK, PyKCS11.CKR[rv]
        rv = session.lib.C_Sign(session.session, buf, sig)
        assert rv == PyKCS11.CKR_OK, PyKCS11.CKR[rv]
        signature = bytes(sig)
    open(f"{out}/{name}.sig", "wb").write(signature)
    print(f"Kpriv{name}: {len(signature)}-byte signature")
session.logout()
session.closeSession()
