"""The staff console: an aiohttp app where staff review intakes, transcripts and the catalog.

Conventions for anyone adding pages (see app.py, access.py, audit.py):

- Routes. A page module exposes `routes = web.RouteTableDef()` and is listed once in
  `ROUTE_MODULES` in app.py (background work goes in `app.cleanup_ctx` there). Give each
  route a `name=`. Paths: `/` (inbox), `/intakes/...`, `/audit`, `/sign-in`, `/sign-out`,
  `/health`, `/static/...`, `/live/...`, `/catalog/...`, `/dashboard` (the nav is in page.py).
- Access. Every route needs a signed-in staff member. Declare exceptions on the handler,
  under the route decorator: `@public` (no sign-in) or `@admin_only` (reviewers get 403):

      @routes.get("/catalog/{id}/edit", name="catalog_edit")
      @admin_only
      async def edit(request): ...

  The `require_access` middleware enforces this; handlers never check it themselves.
  `signed_in_staff(request)` (request_state.py) returns the `Staff` (id, email, role, is_admin).
- CSRF. The `check_csrf` middleware refuses every POST/PUT/PATCH/DELETE without the
  browser's token (403). Every form includes
  `<input type="hidden" name="{{ csrf_field }}" value="{{ csrf_token }}">`; scripts may send the
  `X-CSRF-Token` header instead. The middleware reads the form with `await request.post()`
  (uploads included), so read forms the same way, not with `request.multipart()`.
- Templates. aiohttp-jinja2, autoescape on, `StrictUndefined`; templates live in
  `templates/` and extend `base.html` (`{% block title %}`, `{% block head %}`,
  `{% block content %}`). Render with `aiohttp_jinja2.render_template(name, request, ctx)`;
  `staff`, `csrf_token`, `csrf_field` and `nav` are always in the context. No inline
  scripts or styles: the CSP allows only files from `/static/` (console.css has the shared
  classes: message, filters, crisis-badge, crisis-banner, summary, stacked, ...).
- Errors. `raise ConsoleError(status, "one plain sentence")` (errors.py) renders error.html;
  bare 403/404/500 get a standard page. Unhandled errors are logged without their message.
- Database. `await in_transaction(request, lambda session: ...)` (storage.py) runs one short
  transaction in a worker thread; return plain data, not ORM objects.
- Audit. `await audit(request, action, target)` (audit.py) appends an entry for the signed-in
  staff member; `target` names a record ("intake:12", "group:3"), never personal data. Inside
  an existing transaction use `record_audit(session, actor, action, target, ip)`.
- The audit log table is append-only (database triggers from migration 0002). A later
  migration must not rebuild `audit_log` with batch_alter_table on SQLite (that drops the
  triggers) without recreating them.

Settings: console.settings.ConsoleSettings (INTAKE_STAFF_SECURE_COOKIES,
INTAKE_STAFF_TRUST_PROXY, INTAKE_STAFF_IDLE_MINUTES). Run it with
`python -m bot.console --port N [--host H]` (make run starts it on STAFF_PORT).
"""
