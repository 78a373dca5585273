"""The site: where each page lives (`urls`) and which pages a deal has, for whom (`kinds`)."""
