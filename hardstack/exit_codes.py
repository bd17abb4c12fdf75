"""One exit-code scheme for every hardstack command, importable without the heavy modules."""

from __future__ import annotations

OK, FAILED, ERROR = 0, 1, 2
EXIT_STATUS = (
    "Exit status (the same for every hardstack command): 0 success; 1 a stack fails: its spec or "
    "an exemption is invalid, or (check) a finding blocks under the gates; 2 hardstack could not do "
    "what was asked: usage error, a file it will not overwrite or cannot write, a render or checkov "
    "failure. --soft-fail turns only blocking findings into 0, never an invalid spec or a failure."
)
MEANING = {OK: "nothing blocks", FAILED: "a stack fails (blocking finding or invalid spec/exemption)",
           ERROR: "hardstack could not judge every stack (render or checkov failure)"}
