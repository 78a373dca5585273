"""Protection: what one password opens (realms), where passwords come from, key derivation and encryption.

`realms` says which realm a page belongs to; `passwords` finds a strong password per realm;
`keys` derives (in worker processes) and caches each realm's key; `protect` encrypts a page
under it; `csp` gives every published page its Content-Security-Policy; `private` writes the
local secret files under `.mapsite/`.
"""
