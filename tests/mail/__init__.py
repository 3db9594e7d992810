"""Tests of kkod.mail: real aiosmtpd servers on loopback, real smtplib."""
