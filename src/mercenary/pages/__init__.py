"""Server-rendered pages (FE-1..FE-3, DOM-9): the marketplace in a browser, from the same services
and access guards as the API, with cookie sessions, CSRF-checked forms and friendly problem pages,
all scoped to the page routes (the API under ``/api/v1`` pays nothing for them). ``docs/pages.md``."""
