"""The performance-points rules that live in code, each with its seed (SPEC §4).

The items themselves — points per unit and yearly caps — are data, not constants: migration 0002
ships the two rule sets (the Yantian standard [002 附件2], the default, and the Shenzhen 2013 set
[000 十三]), staff publish new versions of them, and a yearly cap is applied in one place,
`selectors.apply_caps` (with its SQL twin `selectors._capped_totals_sql` for the totals), one cap
per item across the versions of its rule set. The constants below name what the shipped default
says, so that a test can hold the data to the seed.
"""

# [002 附件2] the Yantian standard is the default rule set; it has 14 items in four categories.
DEFAULT_RULE_SET = "yantian"
DEFAULT_RULE_SET_ITEMS = 14
DEFAULT_RULE_SET_CATEGORIES = 4

# [002 附件2 9] co-signing a congress motion 参与联署: 3 points each, at most 9 a year.
COSIGN_POINTS = 3
COSIGN_CAP_PER_YEAR = 9

# [002 附件1 三] the year is the scoring cycle; standings are published once a quarter.
QUARTERS = (1, 2, 3, 4)
MONTHS_PER_QUARTER = 3
