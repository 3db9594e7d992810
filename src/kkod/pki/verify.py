"""Verification of a declaration's PAdES signature, and whether its signer belongs to an organisation.

Each way a signature can fail has its own :class:`SignatureProblem` and Hungarian reason. A
PDF is checked by :mod:`kkod.pki.pdfcheck` before pyHanko reads it. An AVDH signature (the
government's document authentication service seals the PDF for a person it identified) is
recognised by its seal certificate (``avdh_seals``) and reports the authenticated person's
name; organisation identifiers are compared in ETSI EN 319 412-1 form (:mod:`kkod.pki.orgid`).
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from io import BytesIO
from pathlib import Path
from typing import Any, ClassVar

from kkod.errors import ConfigurationError
from kkod.hungarian import article
from kkod.pki.subject import CertificateSubject, certificate_subject

# Key usages that allow a certificate to sign a document; one of them suffices.
SIGNING_KEY_USAGES = frozenset({"digital_signature", "non_repudiation"})


class SignatureProblem(enum.StrEnum):
    """Why a declaration's signature is not accepted (stable ids for the intake's records)."""

    UNREADABLE = "olvashatatlan"
    UNSIGNED = "alairatlan"
    TAMPERED = "serult"
    MODIFIED_AFTER_SIGNING = "utolag_modositott"
    UNTRUSTED = "nem_megbizhato"
    INCOMPLETE_CHAIN = "hianyos_lanc"
    KEY_USAGE = "kulcshasznalat"
    EXPIRED = "lejart"
    REVOKED = "visszavont"
    INVALID = "ervenytelen"


REASONS: dict[SignatureProblem, str] = {
    SignatureProblem.UNREADABLE: "A nyilatkozat nem olvasható PDF-fájl.",
    SignatureProblem.UNSIGNED: (
        "A nyilatkozat nincs elektronikusan aláírva. Írja alá PAdES aláírással, "
        "a szervezethez tartozó tanúsítvánnyal, és küldje el újra."
    ),
    SignatureProblem.TAMPERED: (
        "A nyilatkozat aláírása sérült: a fájl tartalma az aláírás óta megváltozott. "
        "Küldje el újra az eredeti, aláírt fájlt."
    ),
    SignatureProblem.MODIFIED_AFTER_SIGNING: (
        "A nyilatkozatot az aláírás után módosították (a fájlhoz utólag nem megengedett "
        "változtatást fűztek). Küldje el újra az eredeti, aláírt fájlt."
    ),
    SignatureProblem.UNTRUSTED: (
        "Az aláíró tanúsítványa nem elfogadott tanúsítványkiadótól származik (a tanúsítványlánc "
        "nem vezet megbízható gyökértanúsítványhoz). Elfogadott szolgáltató által kiadott "
        "tanúsítvánnyal írja alá a nyilatkozatot."
    ),
    SignatureProblem.INCOMPLETE_CHAIN: (
        "Az aláírás tanúsítványlánca hiányos: az aláírásba nem került bele a kiadó (köztes) "
        "tanúsítványa, ezért a lánc nem vezethető vissza megbízható gyökértanúsítványhoz."
    ),
    SignatureProblem.KEY_USAGE: (
        "Az aláíró tanúsítványa nem dokumentum aláírására szól (a kulcshasználat nem engedi "
        "az elektronikus aláírást). Aláírásra kiadott tanúsítványt használjon."
    ),
    SignatureProblem.EXPIRED: (
        "Az aláíró tanúsítványa lejárt vagy még nem érvényes. Érvényes tanúsítvánnyal írja alá "
        "a nyilatkozatot."
    ),
    SignatureProblem.REVOKED: "Az aláíró tanúsítványát visszavonták.",
    SignatureProblem.INVALID: ("A nyilatkozat aláírása vagy az aláíró tanúsítványa érvénytelen."),
}


@dataclass(frozen=True, slots=True)
class SignatureVerdict:
    """The outcome of verifying a declaration's signature; ``reason`` is Hungarian."""

    ok: bool
    reason: str | None
    signer_name: str | None
    signer_organisation: str | None  # subject O
    signer_organisation_id: str | None  # subject organizationIdentifier (2.5.4.97)
    problem: SignatureProblem | None = None
    avdh: bool = False  # sealed by the AVDH service; signer_name is then the person it identified
    # The PDF as pyHanko opened it for the check, kept when the signature is valid or there is
    # none: what else is read from the file (the declaration's payload) is read from it, not
    # parsed again.
    reader: Any = field(default=None, repr=False, compare=False)


DEFAULT_MAX_BYTES = 20 * 1024 * 1024


def verify_declaration_signature(
    pdf: bytes,
    trust_roots: Sequence[Path],
    *,
    avdh_seals: Sequence[str] = (),
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> SignatureVerdict:
    """Check that ``pdf`` carries a PAdES signature that is intact, unmodified and trusted.

    Policy (docs/declaration.md): every signature in the file must be cryptographically
    intact; nothing but further signatures or validation data may be appended after a
    signature; the signer's certificate must chain to one of ``trust_roots``, be valid now
    and allow signing (digital signature or non-repudiation key usage). The signer reported
    is that of the first signature, the one that covers the declaration's content; when that
    signature is an AVDH seal (its certificate's organizationIdentifier or CN is one of
    ``avdh_seals``), the signer reported is the person named in the signature (``/Name``).
    A PDF refused by :func:`kkod.pki.pdfcheck.check_pdf` is ``UNREADABLE`` with that reason.
    """
    from kkod.pki.pdfcheck import PdfRefused, check_pdf

    roots = _kept_trust_roots(trust_roots)
    try:
        check_pdf(pdf, max_bytes=max_bytes)
    except PdfRefused as refused:
        return _failed(SignatureProblem.UNREADABLE, reason=refused.message)
    try:
        return _verify(pdf, roots, avdh_seals)
    except RecursionError:  # a structure pdfcheck let through but pyHanko cannot walk
        return _failed(
            SignatureProblem.UNREADABLE,
            reason="A nyilatkozat PDF-szerkezete rendellenesen mély, nem dolgozható fel. "
            "Mentse el újra a nyilatkozatot PDF-ként, írja alá, és küldje el újra.",
        )


def _verify(pdf: bytes, roots: list[Any], avdh_seals: Sequence[str]) -> SignatureVerdict:
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.settings import KeyUsageConstraints
    from pyhanko_certvalidator import ValidationContext

    from kkod.pki import hexstrings, nameprep

    hexstrings.install()
    nameprep.install()
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        signatures = list(reader.embedded_signatures)
    except (PdfError, ValueError, KeyError, TypeError, AttributeError):
        return _failed(SignatureProblem.UNREADABLE)
    if not signatures:
        return replace(_failed(SignatureProblem.UNSIGNED), reader=reader)

    constraints = KeyUsageConstraints(key_usage=set(SIGNING_KEY_USAGES), match_all_key_usages=False)
    first_signer: CertificateSubject | None = None
    avdh = False
    with _quiet_pyhanko():
        for embedded in signatures:
            try:
                signer = certificate_subject(embedded.signer_cert)
            except (ValueError, KeyError, TypeError, SignatureValidationError):
                return _failed(SignatureProblem.TAMPERED)
            if first_signer is None:
                first_signer = signer
                avdh = _is_avdh(signer, avdh_seals)
                if avdh:
                    person = _signature_name(embedded)
                    if not person:
                        return _failed(
                            SignatureProblem.INVALID,
                            first_signer,
                            reason="Az AVDH-hitelesítésből hiányzik a hitelesített személy neve.",
                        )
                    first_signer = CertificateSubject(
                        person, signer.organisation, signer.organisation_id
                    )
            context = ValidationContext(trust_roots=roots, allow_fetching=False)
            try:
                status = validate_pdf_signature(
                    embedded, signer_validation_context=context, key_usage_settings=constraints
                )
            except (SignatureValidationError, PdfError, ValueError):
                return _failed(SignatureProblem.TAMPERED, first_signer)
            problem = _problem_of(status, embedded.signer_cert)
            if problem is SignatureProblem.UNTRUSTED:
                missing = _missing_issuer(embedded, roots)
                if missing is not None:
                    return _failed(
                        SignatureProblem.INCOMPLETE_CHAIN,
                        first_signer,
                        reason=_incomplete_chain_reason(missing),
                    )
            if problem is not None:
                return _failed(problem, first_signer)
    assert first_signer is not None
    return SignatureVerdict(
        ok=True,
        reason=None,
        signer_name=first_signer.name,
        signer_organisation=first_signer.organisation,
        signer_organisation_id=first_signer.organisation_id,
        avdh=avdh,
        reader=reader,
    )


def _is_avdh(signer: CertificateSubject, avdh_seals: Sequence[str]) -> bool:
    from kkod.pki.orgid import same_organisation_id

    for seal in avdh_seals:
        if signer.organisation_id and same_organisation_id(seal, signer.organisation_id):
            return True
        if signer.name and _norm_name(seal) == _norm_name(signer.name):
            return True
    return False


def _signature_name(embedded: Any) -> str | None:
    """The ``/Name`` of the signature dictionary: whom AVDH identified."""
    try:
        name = embedded.sig_object.get("/Name")
    except (KeyError, TypeError, ValueError):
        return None
    text = " ".join(str(name).split()) if name is not None else ""
    return text or None


def _missing_issuer(embedded: Any, roots: list[Any]) -> str | None:
    """The name of the issuer missing from the signature's chain, or ``None`` when none is missing.

    Follows the chain from the signer's certificate through the certificates embedded in the
    signature; it ends either at a self-signed root (present: the chain is complete, the root
    is just not trusted) or at a certificate whose issuer is nowhere: that issuer is missing.
    """
    known = [*roots]
    for choice in embedded.signed_data["certificates"] or ():
        if choice.name == "certificate":
            known.append(choice.chosen)
    current = embedded.signer_cert
    for _ in range(16):
        if current.self_signed != "no" or current.issuer == current.subject:
            return None
        issuer = next((c for c in known if c.subject == current.issuer), None)
        if issuer is None:
            return current.issuer.human_friendly
        if any(issuer.subject == root.subject for root in roots):
            return None
        current = issuer
    return None


def _incomplete_chain_reason(issuer: str) -> str:
    return (
        f"{REASONS[SignatureProblem.INCOMPLETE_CHAIN]} Hiányzik: „{issuer}”. Írja alá újra úgy, "
        "hogy az aláírás a teljes tanúsítványláncot tartalmazza (az aláíró programban a "
        "tanúsítványlánc beágyazását bekapcsolva, vagy a szolgáltató köztes tanúsítványát a "
        "gépre telepítve), és küldje el újra."
    )


def signer_belongs_to(
    verdict: SignatureVerdict, *, organisation: str, organisation_id: str | None
) -> bool:
    """Whether the (valid) signature's signer belongs to the organisation (see :func:`membership_problem`)."""
    return (
        verdict.ok
        and membership_problem(verdict, organisation=organisation, organisation_id=organisation_id)
        is None
    )


def membership_problem(
    verdict: SignatureVerdict, *, organisation: str, organisation_id: str | None
) -> str | None:
    """Why the signer does not belong to the organisation (Hungarian, naming the field), or ``None``.

    When the office record's ``organisation_id`` and the certificate's organizationIdentifier
    are both present they decide, compared as ETSI EN 319 412-1 identifiers
    (:func:`kkod.pki.orgid.id_mismatch`: ``VATHU-15000000`` is ``15000000``); otherwise the
    certificate's O must equal ``organisation`` ignoring case, composition and spacing.
    """
    from kkod.pki.orgid import id_mismatch

    if organisation_id and verdict.signer_organisation_id:
        return id_mismatch(verdict.signer_organisation_id, organisation_id)
    if not verdict.signer_organisation:
        return (
            "az aláíró tanúsítványában nincs sem szervezetnév (O), sem szervezetazonosító "
            "(organizationIdentifier), így nem állapítható meg, hogy a szervezethez tartozik"
        )
    if _norm_name(verdict.signer_organisation) == _norm_name(organisation):
        return None
    return (
        f"az aláíró tanúsítványának szervezet (O) mezője „{verdict.signer_organisation}”, a "
        f"nyilatkozatban szereplő szervezet pedig „{organisation}”"
    )


_kept = threading.local()


def _kept_trust_roots(paths: Sequence[Path]) -> list[Any]:
    """:func:`load_trust_roots`, kept by this thread while the files stay the same (inode,
    size, change and modification times). A certificate keeps what was parsed of it
    (asn1crypto parses lazily): the roots' names and keys are not parsed again for every check
    (≈ 0.5 ms of each). Kept per thread, not shared: lazy parsing is not safe while another
    thread parses the same object."""
    try:
        stamp = tuple((str(path), *_file_stamp(Path(path))) for path in paths)
    except OSError:
        return load_trust_roots(paths)  # it says what is wrong with the file
    kept = getattr(_kept, "roots", None)
    if kept is None or kept[0] != stamp:
        kept = _kept.roots = (stamp, load_trust_roots(paths))
    return kept[1]


def _file_stamp(path: Path) -> tuple[int, int, int, int]:
    stat = path.stat()
    return stat.st_ino, stat.st_size, stat.st_ctime_ns, stat.st_mtime_ns


def load_trust_roots(paths: Sequence[Path]) -> list[Any]:
    """The CA certificates in ``paths`` (PEM, possibly several per file, or DER)."""
    from pyhanko.keys import load_certs_from_pemder

    if not paths:
        raise ConfigurationError(
            "Nincs beállítva megbízható tanúsítványkiadó a nyilatkozatok ellenőrzéséhez "
            "(KKOD_TRUST_ROOTS)."
        )
    roots: list[Any] = []
    for path in paths:
        try:
            certs = list(load_certs_from_pemder([str(path)]))
        except OSError:
            raise ConfigurationError(
                f"A megbízható tanúsítvány fájlja nem olvasható: {path}."
            ) from None
        except (ValueError, TypeError):
            raise ConfigurationError(
                f"{article(path).capitalize()} {path} fájl nem PEM vagy DER tanúsítvány."
            ) from None
        if not certs:
            raise ConfigurationError(
                f"{article(path).capitalize()} {path} fájlban nincs tanúsítvány."
            )
        roots.extend(certs)
    return roots


def _problem_of(status: Any, cert: Any) -> SignatureProblem | None:
    from pyhanko.sign.ades.report import AdESIndeterminate
    from pyhanko.sign.diff_analysis import ModificationLevel

    if not (status.intact and status.valid):
        return SignatureProblem.TAMPERED
    level = status.modification_level
    if level is None or level > ModificationLevel.FORM_FILLING or status.docmdp_ok is False:
        return SignatureProblem.MODIFIED_AFTER_SIGNING
    if status.bottom_line and status.trusted:
        return None
    indication = status.trust_problem_indic
    if indication == AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND:
        return SignatureProblem.UNTRUSTED
    if not _allows_signing(cert):
        return SignatureProblem.KEY_USAGE
    if not _valid_now(cert) or indication == AdESIndeterminate.OUT_OF_BOUNDS_NO_POE:
        return SignatureProblem.EXPIRED
    if indication in (AdESIndeterminate.REVOKED_NO_POE, AdESIndeterminate.REVOKED_CA_NO_POE):
        return SignatureProblem.REVOKED
    return SignatureProblem.INVALID


def _allows_signing(cert: Any) -> bool:
    usage = cert.key_usage_value
    if usage is None:  # no key usage extension: not restricted
        return True
    return bool(set(usage.native) & SIGNING_KEY_USAGES)


def _valid_now(cert: Any) -> bool:
    validity = cert["tbs_certificate"]["validity"]
    now = dt.datetime.now(dt.UTC)
    return validity["not_before"].native <= now <= validity["not_after"].native


def _failed(
    problem: SignatureProblem,
    signer: CertificateSubject | None = None,
    *,
    reason: str | None = None,
) -> SignatureVerdict:
    signer = signer or CertificateSubject(None, None, None)
    return SignatureVerdict(
        ok=False,
        reason=reason or REASONS[problem],
        signer_name=signer.name,
        signer_organisation=signer.organisation,
        signer_organisation_id=signer.organisation_id,
        problem=problem,
    )


def _norm_name(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip().casefold()


class _quiet_pyhanko:
    """Silence pyHanko's own validation log lines: they quote the signer's name (personal data).

    Raises the level of the ``pyhanko`` and ``pyhanko_certvalidator`` loggers for the duration;
    the verdict carries everything the caller needs.
    """

    _names = ("pyhanko", "pyhanko_certvalidator")
    _lock = threading.Lock()
    _depth = 0
    _saved: ClassVar[dict[str, int]] = {}

    def __enter__(self) -> None:
        with self._lock:
            if _quiet_pyhanko._depth == 0:
                for name in self._names:
                    logger = logging.getLogger(name)
                    _quiet_pyhanko._saved[name] = logger.level
                    logger.setLevel(logging.CRITICAL + 1)
            _quiet_pyhanko._depth += 1

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            _quiet_pyhanko._depth -= 1
            if _quiet_pyhanko._depth == 0:
                for name in self._names:
                    logging.getLogger(name).setLevel(
                        _quiet_pyhanko._saved.pop(name, logging.NOTSET)
                    )
