"""Certificates and PAdES signatures: a demo CA, signing and verifying declarations."""
