"""Deployment files, checked statically (Docker cannot run here): they parse, and agree with each
other and with the code on ports, paths, probe routes, settings and secret names."""

from __future__ import annotations

import configparser
import json
import re
import shlex
import tomllib
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

from bot.config import DEFAULTS, SECRET_ENV, load_settings
from bot.ops.server import make_app
from ops_helpers import REPO

DEPLOY = REPO / "deploy"
PORT = DEFAULTS["ops"]["port"]


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with line continuations joined and comments dropped."""
    text = re.sub(r"\\\n\s*", " ", (DEPLOY / "Dockerfile").read_text(encoding="utf-8"))
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def k8s() -> dict[str, list[dict]]:
    docs: dict[str, list[dict]] = {}
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if doc:
                docs.setdefault(doc["kind"], []).append(doc)
    return docs


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def systemd(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read_string((DEPLOY / "systemd" / name).read_text(encoding="utf-8"))
    return parser


def _url_port(text: str) -> tuple[int, str]:
    url = urlparse(re.search(r"http://[^'\" ]+", text).group())
    return url.port, url.path


def _check_settings_env(env: dict[str, str], where: str) -> None:
    """Every HELPBOT_* variable is a real setting (load_settings raises on unknown keys) or a secret."""
    settings_env = {k: v for k, v in env.items() if k.startswith("HELPBOT_") and k not in SECRET_ENV and k != "HELPBOT_CONFIG"}
    settings_env = {k: ("" if "${" in str(v) else str(v)) for k, v in settings_env.items()}
    load_settings(env=settings_env)  # raises ConfigError naming the bad variable
    assert settings_env, where


def test_default_ops_port():
    assert PORT == 8787


def test_dockerfile_multistage_nonroot_cpu_torch_and_ports():
    steps = dockerfile()
    froms = [a for i, a in steps if i == "FROM"]
    assert len(froms) >= 2 and " AS " in froms[0].upper()
    runs = [a for i, a in steps if i == "RUN"]
    torch = next(n for n, r in enumerate(runs) if "torch==2.13.0" in r)
    assert "download.pytorch.org/whl/cpu" in runs[torch]
    assert torch < next(n for n, r in enumerate(runs) if re.search(r"pip install \.(\s|$)", r))
    user = [a for i, a in steps if i == "USER"][-1]
    assert user not in ("root", "0")
    exposed = [int(p) for i, a in steps if i == "EXPOSE" for p in a.split()]
    assert PORT in exposed
    health = next(a for i, a in steps if i == "HEALTHCHECK")
    assert _url_port(health) == (PORT, "/healthz")
    env = dict(kv.split("=", 1) for i, a in steps if i == "ENV" for kv in shlex.split(a))
    assert env["HELPBOT_OPS_PORT"] == str(PORT) and env["HELPBOT_OPS_HOST"] == "0.0.0.0"
    _check_settings_env(env, "Dockerfile ENV")
    volumes = next(a for i, a in steps if i == "VOLUME")
    for path in (env["HELPBOT_KNOWLEDGE"], env["HELPBOT_HOME"], "/models"):
        assert f'"{path}"' in volumes
    assert dict(steps)["ENTRYPOINT"] == '["helpbot"]'


def test_dockerfile_copies_existing_paths_and_dockerignore_lets_them_through():
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text(encoding="utf-8")
    for instruction, args in dockerfile():
        if instruction == "COPY" and not args.startswith("--from"):
            *sources, _target = args.split()
            for source in sources:
                assert (REPO / source).exists(), source
                assert f"!{source.rstrip('/')}" in ignore.replace("/\n", "\n"), source


def test_compose_ports_healthcheck_settings_and_llm_profile():
    data = compose()
    bot = data["services"]["helpbot"]
    assert bot["build"]["dockerfile"] == "deploy/Dockerfile" and (DEPLOY / bot["build"]["context"]).resolve() == REPO
    published = [p.rsplit(":", 1)[-1] for p in bot["ports"]]
    assert str(PORT) in published and bot["environment"]["HELPBOT_OPS_PORT"] == str(PORT)
    assert _url_port(" ".join(bot["healthcheck"]["test"])) == (PORT, "/healthz")
    _check_settings_env(bot["environment"], "compose")
    secrets = {k for k in bot["environment"] if not k.startswith("HELPBOT_") or k in SECRET_ENV}
    assert secrets <= set(SECRET_ENV)
    llm = data["services"]["llm"]
    assert llm["profiles"] == ["llm"]
    base = urlparse(bot["environment"]["HELPBOT_LLM_BASE_URL"])
    command = llm["command"]
    assert base.hostname == "llm" and str(base.port) == command[command.index("--port") + 1]
    assert bot["depends_on"]["llm"]["required"] is False
    for volume in bot["volumes"]:
        source, target = re.match(r"^(\$\{[^}]*\}|[^:]+):([^:]+)", volume).groups()
        assert target in ("/knowledge", "/var/lib/helpbot", "/models")
        if source.startswith("${HELPBOT_KNOWLEDGE_DIR"):
            assert (DEPLOY / source.split(":-")[1].rstrip("}")).resolve() == REPO / "knowledge"


def test_k8s_manifests_agree():
    docs = k8s()
    kustomization = yaml.safe_load((DEPLOY / "k8s" / "kustomization.yaml").read_text(encoding="utf-8"))
    for resource in kustomization["resources"]:
        assert (DEPLOY / "k8s" / resource).is_file(), resource
    deployment = docs["Deployment"][0]
    spec = deployment["spec"]["template"]["spec"]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    container = spec["containers"][0]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports["ops"] == PORT
    probes = {k: container[k]["httpGet"] for k in ("livenessProbe", "readinessProbe", "startupProbe")}
    assert probes["livenessProbe"]["path"] == "/healthz" and probes["readinessProbe"]["path"] == "/readyz"
    for probe in probes.values():
        assert ports.get(probe["port"], probe["port"]) == PORT
    served = {r.resource.canonical for r in make_app(object()).router.routes()}
    assert {p["path"] for p in probes.values()} <= served
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/port"] == str(PORT) and annotations["prometheus.io/path"] in served
    service = docs["Service"][0]
    assert service["spec"]["selector"].items() <= labels.items()
    assert service["spec"]["ports"][0]["targetPort"] == "ops" and service["spec"]["ports"][0]["port"] == PORT
    # volumes, claims, config maps and secrets that are referenced exist
    volumes = {v["name"]: v for v in spec["volumes"]}
    assert {m["name"] for m in container["volumeMounts"]} == set(volumes)
    claims = {d["metadata"]["name"] for d in docs["PersistentVolumeClaim"]}
    assert {v["persistentVolumeClaim"]["claimName"] for v in volumes.values() if "persistentVolumeClaim" in v} <= claims
    config_maps = {d["metadata"]["name"]: d for d in docs["ConfigMap"]}
    assert {v["configMap"]["name"] for v in volumes.values() if "configMap" in v} <= set(config_maps)
    secrets = {d["metadata"]["name"]: d for d in docs["Secret"]}
    assert {e["secretRef"]["name"] for e in container["envFrom"]} <= set(secrets)
    secret_keys = set(next(iter(secrets.values()))["stringData"])
    assert secret_keys - {"HELPBOT_DATABASE_URL"} <= set(SECRET_ENV)  # the URL carries a password: a Secret too
    load_settings(env={"HELPBOT_DATABASE_URL": "postgresql://u:p@postgres:5432/helpbot"})  # a real setting
    assert spec["securityContext"]["runAsNonRoot"] is True and spec["securityContext"]["runAsUser"] != 0
    # the mounted config file is valid helpbot settings, and its paths are the mounts
    env = {e["name"]: e["value"] for e in container["env"]}
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    config_path = Path(env["HELPBOT_CONFIG"])
    assert str(config_path.parent) == mounts["config"]
    toml_text = config_maps["helpbot-config"]["data"][config_path.name]
    settings = load_settings(_write_tmp(toml_text), env={})
    assert settings.ops["port"] == PORT and settings.ops["host"] == "0.0.0.0"
    assert settings.core["knowledge"] == mounts["knowledge"] and settings.core["home"] == mounts["data"]


def _write_tmp(text: str) -> Path:
    import tempfile

    handle = tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False, encoding="utf-8")
    with handle:
        handle.write(text)
    tomllib.loads(text)
    return Path(handle.name)


def test_systemd_units():
    unit = systemd("helpbot.service")
    service = unit["Service"]
    assert service["User"] not in ("root", "0")
    assert service["ExecStart"].split()[1:3] == ["serve", "slack"]
    assert service["ExecReload"] == "/bin/kill -HUP $MAINPID"
    text = (DEPLOY / "systemd" / "helpbot.service").read_text(encoding="utf-8")
    env = dict(m.groups() for m in re.finditer(r"^Environment=(\w+)=(.*)$", text, re.M))
    assert env["HELPBOT_OPS_PORT"] == str(PORT) and env["HELPBOT_HOME"] in service["ReadWritePaths"]
    _check_settings_env(env, "systemd")
    purge = systemd("helpbot-purge.service")["Service"]
    assert purge["ExecStart"].endswith("helpbot purge") and purge["User"] == service["User"]
    assert systemd("helpbot-purge.timer")["Timer"]["OnCalendar"] == "daily"


@pytest.mark.parametrize("path", sorted(p.relative_to(DEPLOY).as_posix() for p in DEPLOY.rglob("*.yaml")))
def test_every_yaml_file_parses(path):
    docs = [d for d in yaml.safe_load_all((DEPLOY / path).read_text(encoding="utf-8")) if d is not None]
    assert docs and all(isinstance(d, dict) for d in docs)


def _resolves(argv: list[str]) -> bool:
    """True when `helpbot <argv>` names an existing (sub)command."""
    import click

    from bot.cli import main

    command = main
    for word in argv:
        if word.startswith("-") or not isinstance(command, click.Group):
            break
        command = command.get_command(click.Context(command), word)  # `serve` lists the registered platforms
        if command is None:
            return False
    return not isinstance(command, click.Group)  # ended on a command, not a bare group


def test_deploy_files_run_real_helpbot_commands():
    lines = [json.loads(dict(dockerfile())["CMD"])]
    lines += [compose()["services"][name]["command"] for name in ("helpbot", "helpbot-a", "helpbot-b")]
    lines.append(k8s()["Deployment"][0]["spec"]["template"]["spec"]["containers"][0]["args"])
    for unit, key in (("helpbot.service", "ExecStart"), ("helpbot-purge.service", "ExecStart")):
        lines.append(systemd(unit)["Service"][key].split()[1:])
    for argv in lines:
        assert _resolves(argv), argv
    assert not _resolves(["serve", "irc"])


def _nginx_upstreams() -> tuple[set[str], str]:
    text = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    upstream = re.search(r"upstream helpbot \{(.*?)\}", text, re.S).group(1)
    return set(re.findall(r"server\s+(\S+?)(?:\s|;)", upstream)), text


def test_compose_scale_profile_runs_postgres_two_replicas_and_a_load_balancer():
    services = compose()["services"]
    scale = {name for name, svc in services.items() if "scale" in svc.get("profiles", [])}
    assert scale == {"postgres", "helpbot-a", "helpbot-b", "lb"}
    assert "profiles" not in services["helpbot"]  # `docker compose up` alone: one bot, SQLite, as before
    postgres = services["postgres"]["environment"]
    upstreams, nginx = _nginx_upstreams()
    ports = set()
    for name in ("helpbot-a", "helpbot-b"):
        replica = services[name]
        command = replica["command"]
        assert command[:3] == ["serve", "slack", "--http"]
        ports.add(f"{name}:{command[3]}")
        env = replica["environment"]
        url = urlparse(env["HELPBOT_DATABASE_URL"])
        assert url.scheme == "postgresql" and url.hostname == "postgres" and url.path == "/" + postgres["POSTGRES_DB"]
        assert url.username == postgres["POSTGRES_USER"]
        assert replica["depends_on"]["postgres"]["condition"] == "service_healthy"
        _check_settings_env(env, name)
        assert {k for k in env if not k.startswith("HELPBOT_")} <= set(SECRET_ENV)
        assert _url_port(" ".join(replica["healthcheck"]["test"])) == (PORT, "/readyz")
        data = [v for v in replica["volumes"] if v.split(":")[1] == "/var/lib/helpbot"]
        assert data == [f"{name}-data:/var/lib/helpbot"]  # each replica its own index
    assert upstreams == ports  # nginx sends Slack's requests to both replicas
    assert "location /slack/" in nginx and "non_idempotent" in nginx
    lb = services["lb"]
    assert set(lb["depends_on"]) == {"helpbot-a", "helpbot-b"}
    assert "./nginx.conf:/etc/nginx/nginx.conf:ro" in lb["volumes"]
    assert not any(str(PORT) in p for p in lb["ports"])  # the ops port stays private
    assert {"helpbot-pg", "helpbot-a-data", "helpbot-b-data"} <= set(compose()["volumes"])


def test_k8s_runs_several_replicas_with_a_disruption_budget_and_readiness():
    docs = k8s()
    deployment = docs["Deployment"][0]
    spec = deployment["spec"]
    assert spec["replicas"] > 1 and spec["strategy"]["type"] == "RollingUpdate"
    assert spec["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    labels = spec["template"]["metadata"]["labels"]
    [pdb] = docs["PodDisruptionBudget"]
    assert pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert 1 <= pdb["spec"]["minAvailable"] < spec["replicas"]
    container = spec["template"]["spec"]["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    args = container["args"]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert args[:3] == ["serve", "slack", "--http"] and int(args[3]) == ports["http"]
    http = next(s for s in docs["Service"] if s["spec"]["ports"][0]["targetPort"] == "http")
    assert http["spec"]["selector"].items() <= labels.items()
    volumes = {v["name"]: v for v in spec["template"]["spec"]["volumes"]}
    assert "emptyDir" in volumes["data"]  # the index is per pod; shared state is in PostgreSQL
    claims = {d["metadata"]["name"]: d for d in docs["PersistentVolumeClaim"]}
    knowledge = claims[volumes["knowledge"]["persistentVolumeClaim"]["claimName"]]
    assert knowledge["spec"]["accessModes"] == ["ReadOnlyMany"]  # mounted by every replica
    assert "HELPBOT_DATABASE_URL" in docs["Secret"][0]["stringData"]
    kustomization = yaml.safe_load((DEPLOY / "k8s" / "kustomization.yaml").read_text(encoding="utf-8"))
    assert "pdb.yaml" in kustomization["resources"]
