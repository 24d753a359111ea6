"""The nginx reverse proxy in front of several Rasa servers: its configuration and command line."""
from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import List, Optional, Sequence

import jinja2

from bot.settings import PROJECT_ROOT

TEMPLATE = PROJECT_ROOT / "deploy" / "nginx.conf.template"
# Seconds nginx waits for Rasa beyond the lock lifetime (the time a turn may legitimately take).
READ_TIMEOUT_MARGIN = 15
# Modules whose temporary folders nginx creates at start, unless the build left them out.
_TEMP_PATH_MODULES = ("fastcgi", "uwsgi", "scgi")


class ProxyError(RuntimeError):
    """nginx is missing or its configuration does not work, in one sentence."""


@dataclass(frozen=True)
class Tls:
    """Certificate and key files for HTTPS on the proxy."""

    certificate: str
    key: str


def nginx_binary() -> str:
    """The nginx program (Debian puts it in /usr/sbin, often not on a user's PATH)."""
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).is_file()), None)
    if not found:
        raise ProxyError("nginx is not installed: install it (Debian: apt-get install nginx-light).")
    return found


@lru_cache(maxsize=None)
def _temp_path_modules(nginx: str) -> tuple:
    build = subprocess.run([nginx, "-V"], capture_output=True, text=True).stderr
    return tuple(m for m in _TEMP_PATH_MODULES if f"--without-http_{m}_module" not in build)


def render(listen_port: int, rasa_ports: Sequence[int], lock_lifetime: int, runtime_dir: Path,
           tls: Optional[Tls] = None, nginx: Optional[str] = None) -> str:
    """The nginx configuration for Rasa servers on `rasa_ports` (loopback), served on `listen_port`."""
    template = jinja2.Template(TEMPLATE.read_text(encoding="utf-8"), undefined=jinja2.StrictUndefined,
                               keep_trailing_newline=True)
    return template.render(
        listen_port=listen_port, rasa_ports=list(rasa_ports), runtime_dir=runtime_dir, tls=tls,
        read_timeout=lock_lifetime + READ_TIMEOUT_MARGIN,
        temp_path_modules=_temp_path_modules(nginx or nginx_binary()),
    )


def write_config(runtime_dir: Path, config: str) -> Path:
    """Write the configuration into `runtime_dir` and check it with `nginx -t`."""
    runtime_dir.mkdir(parents=True, exist_ok=True)
    path = runtime_dir / "nginx.conf"
    path.write_text(config, encoding="utf-8")
    checked = subprocess.run([*argv(runtime_dir), "-t", "-q"], capture_output=True, text=True)
    if checked.returncode:
        raise ProxyError(f"nginx rejects its configuration {path}: {checked.stderr.strip()}")
    return path


def argv(runtime_dir: Path) -> List[str]:
    """The command that runs nginx in the foreground with the configuration in `runtime_dir`."""
    return [nginx_binary(), "-p", str(runtime_dir), "-c", str(runtime_dir / "nginx.conf"), "-e", "stderr"]
