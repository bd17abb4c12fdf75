"""hardstack baseline policy pack: `pulumi preview --policy-pack policy-packs/baseline`.

`hardstack_rules` here is a link to ../hardstack_rules, the rules shared by every pack and by
`hardstack check`. The Pulumi policy host runs this directory with it first on sys.path, and
`pulumi policy publish` archives the link's target as real files, so the pack needs nothing
outside its own directory.
"""

from hardstack_rules.packs import serve

serve("baseline")
