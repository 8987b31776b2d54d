"""The API's documentation pages, served offline under the app's own CSP.

Swagger UI (``/docs``) and ReDoc (``/redoc``) come from the ``fastapi-offline`` wheel, which
ships their built assets (``swagger-ui-bundle.js``, ``swagger-ui.css``,
``redoc.standalone.js``): no CDN, so they work on an office network without internet. FastAPI's
own pages start the viewer with an inline ``<script>``, which ``script-src 'self'`` (the app's
CSP) blocks; here the start-up code is a script file of its own, served by the app, so the
pages need nothing beyond the CSP every screen has, except ``data:`` images (Swagger UI's icons
are inline SVG in its CSS) and a ``blob:`` worker (ReDoc's search index), both from this page
only: no other origin is ever allowed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import fastapi_offline
from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, HTMLResponse, Response

router = APIRouter(include_in_schema=False)

#: The viewers' assets inside the installed ``fastapi-offline`` package.
ASSETS: Final = Path(fastapi_offline.__file__).parent / "static"
#: The files of :data:`ASSETS` the pages use, by the name they are served under.
_FILES: Final = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "redoc.standalone.js": "text/javascript; charset=utf-8",
    "favicon.png": "image/png",
}

#: The documentation pages' CSP: the app's own, plus ``data:`` images and ``blob:`` workers.
DOCS_CSP: Final = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "worker-src 'self' blob:; frame-ancestors 'none'; form-action 'self'"
)

_SWAGGER_INIT: Final = """\
window.addEventListener("DOMContentLoaded", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: false,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
    layout: "BaseLayout"
  });
});
"""

_REDOC_INIT: Final = """\
window.addEventListener("DOMContentLoaded", function () {
  Redoc.init("/openapi.json", {hideDownloadButton: false}, document.getElementById("redoc"));
});
"""

_PAGE: Final = """\
<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="icon" type="image/png" href="/api/docs-assets/favicon.png">
{head}
</head>
<body>
<div id="{root}"></div>
<script src="/api/docs-assets/{bundle}"></script>
<script src="/api/docs-assets/{init}"></script>
</body>
</html>
"""


def _page(title: str, head: str, root: str, bundle: str, init: str) -> HTMLResponse:
    html = _PAGE.format(title=title, head=head, root=root, bundle=bundle, init=init)
    return HTMLResponse(html, headers={"Content-Security-Policy": DOCS_CSP})


@router.get("/docs")
def swagger_ui() -> HTMLResponse:
    """Swagger UI over ``/openapi.json``: try every operation with a bearer key."""
    return _page(
        "Kakunin API — Swagger UI",
        '<link rel="stylesheet" href="/api/docs-assets/swagger-ui.css">',
        "swagger-ui",
        "swagger-ui-bundle.js",
        "swagger-init.js",
    )


@router.get("/redoc")
def redoc() -> HTMLResponse:
    """ReDoc over ``/openapi.json``: the reference, one page."""
    return _page("Kakunin API — ReDoc", "", "redoc", "redoc.standalone.js", "redoc-init.js")


@router.get("/api/docs-assets/{name}")
def asset(name: str) -> Response:
    """One of the viewers' files (a fixed list: nothing else of the disk is reachable)."""
    if name == "swagger-init.js":
        return Response(_SWAGGER_INIT, media_type="text/javascript; charset=utf-8")
    if name == "redoc-init.js":
        return Response(_REDOC_INIT, media_type="text/javascript; charset=utf-8")
    media_type = _FILES.get(name)
    if media_type is None:
        raise HTTPException(404, detail={"code": "not_found", "message": "ファイルが見つかりません"})
    return FileResponse(ASSETS / name, media_type=media_type)
