"""The compliance frameworks rules map to, and the meaning of each control id they cite."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Framework:
    key: str
    name: str
    version: str
    reference: str
    controls: dict[str, str]


FRAMEWORKS: dict[str, Framework] = {
    "hipaa": Framework(
        "hipaa", "HIPAA Security Rule", "45 CFR 164 Subpart C",
        "https://www.ecfr.gov/current/title-45/subtitle-A/subchapter-C/part-164/subpart-C",
        {
            "164.308(a)(1)(ii)(D)": "Information system activity review",
            "164.308(a)(4)": "Information access management",
            "164.308(a)(6)(ii)": "Security incident response and reporting",
            "164.312(a)(1)": "Access control",
            "164.312(a)(2)(iv)": "Encryption and decryption",
            "164.312(b)": "Audit controls",
            "164.312(c)(1)": "Integrity",
            "164.312(d)": "Person or entity authentication",
            "164.312(e)(1)": "Transmission security",
            "164.312(e)(2)(ii)": "Encryption in transit",
            "164.316(b)(2)(i)": "Retain documentation six years",
        },
    ),
    "gdpr": Framework(
        "gdpr", "GDPR", "Regulation (EU) 2016/679",
        "https://eur-lex.europa.eu/eli/reg/2016/679/oj",
        {
            "5(1)(f)": "Integrity and confidentiality",
            "25": "Data protection by design and by default",
            "30": "Records of processing activities",
            "32(1)(a)": "Pseudonymisation and encryption",
            "32(1)(b)": "Ongoing confidentiality, integrity, availability and resilience",
            "32(1)(d)": "Regularly testing and evaluating security",
            "33": "Notification of a personal data breach",
            "44": "Chapter V: general principle for transfers",
        },
    ),
    "nist-800-53": Framework(
        "nist-800-53", "NIST SP 800-53", "Rev. 5",
        "https://csrc.nist.gov/pubs/sp/800/53/r5/upd1/final",
        {
            "AC-2": "Account management", "AC-3": "Access enforcement", "AC-4": "Information flow enforcement",
            "AC-6": "Least privilege", "AC-17": "Remote access", "AU-2": "Event logging",
            "AU-6": "Audit record review, analysis, and reporting", "AU-9": "Protection of audit information",
            "AU-11": "Audit record retention", "AU-12": "Audit record generation",
            "CM-2": "Baseline configuration", "CM-7": "Least functionality", "CM-8": "System component inventory",
            "CP-9": "System backup", "IA-2": "Identification and authentication", "IA-5": "Authenticator management",
            "IR-4": "Incident handling", "SC-7": "Boundary protection", "SC-8": "Transmission confidentiality",
            "SC-12": "Cryptographic key establishment and management", "SC-13": "Cryptographic protection",
            "SC-28": "Protection of information at rest", "SC-39": "Process isolation",
            "SI-4": "System monitoring", "SI-7": "Software, firmware, and information integrity",
        },
    ),
}


def describe(framework: str, control: str) -> str:
    return FRAMEWORKS[framework].controls.get(control, "")
