"""The site: where each page lives (`urls`), which pages a deal has and for whom (`kinds`), rendering with one catalogue of words (`render`, `words`)."""
