"""Parameters of the issuance rules that change over time, each with its source.

Forms README §4 and §6; [B] = the society's notice in ../shared/seed/.
"""

from __future__ import annotations

from datetime import date

#: Reissue fee per card, paid in advance by bank transfer (rule 6, rule 18) [B] 1.(6).
FEE_PER_CARD = 2000
#: Cards issued on or after 2024-12-02 expire on 令和11年12月1日 at the latest (rule 13, issuer choice modeled on [8]).
CERTIFICATE_EXPIRY = date(2029, 12, 1)
#: A card renewed at or after that expiry (rule 13: renewed ex officio) runs to the same day this
#: many years on — at most 5 years ahead, as rule 13 allows. Issuer choice made here, not in §4:
#: the society has not said what follows 令和11年12月1日.
RENEWAL_YEARS = 5
#: From 令和6年12月2日 no new 健康保険被保険者証 is issued (rule 14) [9][19][20][21]; an SK-01
#: is dated on or after it (forms README §3.1 submission_date).
REGIME_START = date(2024, 12, 2)
#: The last day an old 保険証 could be valid (rule 14).
OLD_CARD_LAST_VALID = date(2025, 12, 1)
#: SK-02 and SK-04 are due within 5 days; a lost card is returned within 5 days (rules 12, 17).
DEADLINE_DAYS = 5
#: A マイナ保険証 stays usable this many months after the month its certificate expired (rule 15) [22].
CERT_GRACE_MONTHS = 3
#: 後期高齢者医療制度 from the 75th birthday (rules 12, 13; forms README §2 "Age limit").
AGE_LIMIT = 75
