"""hardstack gdpr policy pack: `pulumi preview --policy-pack policy-packs/gdpr`."""

import sys
from pathlib import Path

# The rules live beside the packs, shared by all of them and by `hardstack check`.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hardstack_rules.packs import serve

serve("gdpr")
