"""Inkwell's one settings file: every knob is an environment variable read here, once.

With nothing set, the site runs on embedded defaults (SQLite, in-memory channel layer,
local identity provider); production sets DATABASE_URL, REDIS_URL, SECRET_KEY and friends.
"""

import hashlib
import ipaddress
import re
import secrets
from pathlib import Path
from typing import Any, Literal

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

# Where the site keeps what it generates on first use (SQLite file, development keys).
STATE_DIR = Path(env_str("STATE_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)


def _generated_secret(name: str) -> str:
    """A random secret kept in STATE_DIR, so zero-configuration runs need no secret in the repo."""
    path = STATE_DIR / name
    if not path.exists():
        STATE_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


# Production sets SECRET_KEY; the deploy check inkwell.E002 insists on it.
SECRET_KEY_FROM_ENVIRONMENT = bool(env_str("SECRET_KEY"))
SECRET_KEY = env_str("SECRET_KEY") or _generated_secret("secret_key")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "channels",
    "rest_framework",
    "drf_spectacular",
    "accounts",
    "blog",
    "api",
    "sessions_app",
    "chunking",
    "realtime",
    "config.apps.InkwellConfig",
]

MIDDLEWARE = [
    # First, so a page's time includes every other middleware (lib.metrics).
    "config.page_latency.page_latency",
    "django.middleware.security.SecurityMiddleware",
    "config.content_security_policy.content_security_policy",
    "config.database_busy.DatabaseBusyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.site",
                "realtime.context_processors.public_read_key",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------

DATABASE_URL = env_str("DATABASE_URL")


def _pooled_postgres(url: str, *, setting: str) -> dict[str, Any]:
    """The DATABASES entry of a postgres:// URL read from ``setting``, on psycopg's pool."""
    try:
        database: dict[str, Any] = dict(dj_database_url.parse(url))
    except ValueError:
        database = {}
    if database.get("ENGINE") != "django.db.backends.postgresql":
        raise ImproperlyConfigured(f"{setting} must be a postgres:// URL, or unset.")
    # Under ASGI, persistent connections leak; psycopg's pool needs CONN_MAX_AGE = 0.
    # DATABASE_POOL_TIMEOUT: seconds a request waits for a pooled connection before its page
    # is answered 503 with Retry-After (config.database_busy). Daphne's listen backlog is
    # Twisted's 50 (no daphne flag): raise it with -e tcp:port=8000:backlog=1024 (capped by
    # the kernel's net.core.somaxconn).
    database["CONN_MAX_AGE"] = 0
    database["OPTIONS"] = {
        "pool": {
            "min_size": env_int("DATABASE_POOL_MIN", 1),
            "max_size": env_int("DATABASE_POOL_MAX", 10),
            "timeout": env_int("DATABASE_POOL_TIMEOUT", 10),
        }
    }
    return database


if DATABASE_URL:
    _database = _pooled_postgres(DATABASE_URL, setting="DATABASE_URL")
else:
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    _database = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(STATE_DIR / "db.sqlite3"),
        "OPTIONS": {
            # WAL and IMMEDIATE transactions let Daphne's worker threads write without
            # "database is locked" errors.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Channel layer and cache ----------------------------------------------------------

REDIS_URL = env_str("REDIS_URL")


def _site_name() -> str:
    """A name for this site's Redis keys and channels, derived from its database: Redis pub/sub
    ignores the database number, so two sites on one Redis server must differ by prefix."""

    def digest(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()[:8]

    if DATABASE_URL:
        name = str(_database["NAME"])
    else:
        # Every SQLite file is a site of its own, wherever it lies.
        path = Path(str(_database["NAME"])).resolve()
        name = f"{path.stem}-{digest(str(path))}"
    prefix = "inkwell-" + re.sub(r"[^A-Za-z0-9_-]", "-", name)
    # Long database names keep their start and a digest of the whole.
    return prefix if len(prefix) <= 40 else f"{prefix[:31]}-{digest(name)}"


# REDIS_PREFIX starts every cache key and every channel-layer channel and group name: letters,
# digits, "-" and "_" ("." separates it from the rest), at most 40 so that channel names stay
# under Channels' 100 characters.
REDIS_PREFIX = env_str("REDIS_PREFIX") or _site_name()
if not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", REDIS_PREFIX):
    raise ImproperlyConfigured(
        f"REDIS_PREFIX must be 1-40 letters, digits, '-' or '_', not {REDIS_PREFIX!r}."
    )

# REALTIME_CHANNEL_LAYER picks the channels-redis layer: "pubsub" (default) publishes a group
# message once per Redis PUBLISH and every process fans it out in memory; "core" keeps a
# Redis list per process, bounded by CHANNEL_CAPACITY, and is slower to fan out. Both are our
# subclasses (realtime.layers): a consumer whose queue holds CHANNEL_CAPACITY undelivered
# messages is told (error frame), disconnected with 1013 so its client reconnects and reloads,
# and the drop is logged and counted; channels-redis itself would drop silently (core) or grow
# without bound (pub/sub). See bench/README.md "Realtime" for the measurements.
# REDIS_SOCKET_TIMEOUT: redis-py 8 times socket reads out after 5 s by default, exactly the
# core layer's 5 s BZPOPMIN: an idle process then fails its receive with "Timeout reading"
# and the consumer holding the receive loop is closed with 1011. Keep it above 5 s.
REALTIME_CHANNEL_LAYER: Literal["pubsub", "core"] = env_choice(
    "REALTIME_CHANNEL_LAYER", ("pubsub", "core"), "pubsub"
)
if REDIS_URL:
    _redis_host = {
        "address": REDIS_URL,
        # redis-py 8 caps a pool at 100 connections: several hundred sockets need more.
        "max_connections": env_int("REDIS_MAX_CONNECTIONS", 1000),
        "socket_timeout": env_int("REDIS_SOCKET_TIMEOUT", 15),
        "socket_keepalive": True,
    }
    CHANNEL_LAYERS: dict[str, dict[str, Any]] = {
        "default": {
            "BACKEND": {
                "pubsub": "realtime.layers.PubSubChannelLayer",
                "core": "realtime.layers.CoreChannelLayer",
            }[REALTIME_CHANNEL_LAYER],
            "CONFIG": {
                "hosts": [_redis_host],
                "capacity": env_int("CHANNEL_CAPACITY", 1000),
                # The pub/sub layer starts channel names with it ("<prefix>.specific.<id>") and
                # group channels ("<prefix>.__group__<group>"); the core layer its keys.
                "prefix": f"{REDIS_PREFIX}.",
                **({"expiry": 60} if REALTIME_CHANNEL_LAYER == "core" else {}),
            },
        }
    }
    CACHES = {
        "default": {
            # Reads miss and writes are skipped while Redis is away: pages stay pages.
            "BACKEND": "config.cache.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": REDIS_PREFIX,
            # Seconds a page waits for an unreachable cache before answering without it.
            "OPTIONS": {
                "socket_connect_timeout": env_int("REDIS_CACHE_TIMEOUT", 2),
                "socket_timeout": env_int("REDIS_CACHE_TIMEOUT", 2),
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Seconds a cached public read (post.list's first page, comment.list; blog.read_cache) may be
# served. Announced changes invalidate it at once; this bounds what changes unannounced
# (view counts, author names and avatars, writes around the services). 0 turns the cache off.
PUBLIC_READ_CACHE_SECONDS = env_int("PUBLIC_READ_CACHE_SECONDS", 5)
if PUBLIC_READ_CACHE_SECONDS < 0:
    raise ImproperlyConfigured("PUBLIC_READ_CACHE_SECONDS must be 0 (off) or more.")
# Seconds between flushes of the post views counted in Redis to the database (blog.view_counts):
# shown view counts lag by up to this (plus PUBLIC_READ_CACHE_SECONDS). 0, or no REDIS_URL,
# writes each view to the database as it happens.
VIEW_COUNT_FLUSH_SECONDS = env_int("VIEW_COUNT_FLUSH_SECONDS", 10)
if VIEW_COUNT_FLUSH_SECONDS < 0:
    raise ImproperlyConfigured("VIEW_COUNT_FLUSH_SECONDS must be 0 (at once) or more.")

# --- Scale-out: PgBouncer, read replicas, channel layer shards (deploy/README.md) ---------
# These amend the single-host database and channel layer configured above.

# DATABASE_PGBOUNCER=true when the database URLs point at PgBouncer in transaction mode, where
# a server connection changes hands between transactions and nothing may outlive one: named
# (server-side) cursors are turned off. Prepared statements already are: Django's psycopg 3
# backend sets prepare_threshold=None. Each process's pool (DATABASE_POOL_MAX) then holds
# client connections to PgBouncer; its default_pool_size bounds the connections to PostgreSQL.
DATABASE_PGBOUNCER = env_bool("DATABASE_PGBOUNCER", False)
# DATABASE_REPLICA_URLS: comma-separated postgres:// URLs of read replicas, the databases
# "replica1", "replica2", ... pooled like the primary. GET and HEAD requests without
# credentials (no session cookie, no Authorization header) read from one of them, chosen per
# request, until they write (config.database_router); every other read, every write,
# migrations and cached answers use DATABASE_URL. Tests mirror them to the primary's test DB.
DATABASE_REPLICA_URLS = env_list("DATABASE_REPLICA_URLS", [])
if (DATABASE_PGBOUNCER or DATABASE_REPLICA_URLS) and not DATABASE_URL:
    raise ImproperlyConfigured(
        "DATABASE_PGBOUNCER and DATABASE_REPLICA_URLS need DATABASE_URL (PostgreSQL)."
    )
if len(set(DATABASE_REPLICA_URLS)) != len(DATABASE_REPLICA_URLS):
    raise ImproperlyConfigured("DATABASE_REPLICA_URLS lists a replica twice.")
for _number, _replica_url in enumerate(DATABASE_REPLICA_URLS, start=1):
    DATABASES[f"replica{_number}"] = {
        **_pooled_postgres(_replica_url, setting="DATABASE_REPLICA_URLS"),
        "TEST": {"MIRROR": "default"},
    }
for _alias_settings in DATABASES.values():
    _alias_settings["DISABLE_SERVER_SIDE_CURSORS"] = DATABASE_PGBOUNCER
DATABASE_ROUTERS = ["config.database_router.ReplicaRouter"] if DATABASE_REPLICA_URLS else []
if DATABASE_REPLICA_URLS:
    # Early, so that everything the request reads (its session and user too) is in scope.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("config.database_busy.DatabaseBusyMiddleware") + 1,
        "config.database_router.ReplicaReadsMiddleware",
    )

# REDIS_URLS: comma-separated redis:// (or rediss://, unix://) URLs the channel layer shards
# its channels and groups over: channels-redis hashes each name to one of them, so every
# process must list the same hosts in the same order. For sites whose realtime traffic
# outgrows one Redis; the cache, rate counters and read versions stay on REDIS_URL, which is
# still required. Unset: the layer runs on REDIS_URL alone.
REDIS_URLS = env_list("REDIS_URLS", [])
if REDIS_URLS:
    if not REDIS_URL:
        raise ImproperlyConfigured("REDIS_URLS needs REDIS_URL (the cache's Redis) too.")
    if len(set(REDIS_URLS)) != len(REDIS_URLS):
        raise ImproperlyConfigured("REDIS_URLS lists a Redis twice.")
    for _number, _shard_url in enumerate(REDIS_URLS, start=1):
        # The URL itself stays out of the message: it may hold a password.
        if not re.match(r"(redis|rediss|unix)://\S+$", _shard_url):
            raise ImproperlyConfigured(
                f"REDIS_URLS must list redis://, rediss:// or unix:// URLs; entry {_number} is not."
            )
    CHANNEL_LAYERS["default"]["CONFIG"]["hosts"] = [
        {**_redis_host, "address": shard_url} for shard_url in REDIS_URLS
    ]

# --- Accounts -------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- API ------------------------------------------------------------------------------

# Proxies in front of the site that append to X-Forwarded-For (0: use the peer address).
AUTH_PROXY_COUNT = env_int("AUTH_PROXY_COUNT", 0)

REST_FRAMEWORK: dict[str, Any] = {
    # Bearer JWTs first (one validator for every provider), then the browser's session.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Inkwell API",
    "DESCRIPTION": "Typed procedures of the Inkwell blog platform.",
    "VERSION": "1.0.0",
    "DEFAULT_GENERATOR_CLASS": "api.openapi.ProcedureSchemaGenerator",
}

# --- API: typed procedures (api/) ------------------------------------------------------

# How answers are encoded: "auto" answers SuperJSON to a request whose inputs are SuperJSON-shaped
# ({"json", "meta"}) and plain JSON otherwise; "json" / "superjson" force one. A client may
# choose per request with the X-Trpc-Transformer header (auto, json or superjson).
API_TRPC_TRANSFORMER: Literal["auto", "json", "superjson"] = env_choice(
    "API_TRPC_TRANSFORMER", ("auto", "json", "superjson"), "auto"
)
# A post holds up to 2 MiB of Markdown; its JSON body (escapes, other fields) gets 3 MiB.
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 3 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES
# Procedure call rates ("<n>/<second|minute|hour|day>") per anonymous client address and per
# signed-in user; each call counts once, whatever carries it (api.rate_limits).
API_THROTTLE_RATES = {
    "anonymous": env_str("API_THROTTLE_ANONYMOUS", "300/minute"),
    "user": env_str("API_THROTTLE_USER", "1200/minute"),
}
# Worker threads shared by the calls of every streamed (JSON Lines) batch of the process: each
# runs one call at a time and holds one database connection while it does, so keep it below
# DATABASE_POOL_MAX. A batch's calls beyond it wait for a thread (api.streamed_batches).
API_TRPC_STREAM_THREADS = env_int("API_TRPC_STREAM_THREADS", 8)
# Seconds a mutation's answer is kept for retries that send its idempotency key (HTTP
# Idempotency-Key header, or the session channel's idempotencyKey field): within it a retry
# gets that answer back and nothing runs again; after it the key is new (api.idempotency).
# `manage.py prune_idempotency_keys` deletes the answers that are older.
IDEMPOTENCY_WINDOW_SECONDS = env_int("IDEMPOTENCY_WINDOW_SECONDS", 24 * 60 * 60)
if IDEMPOTENCY_WINDOW_SECONDS < 1:
    raise ImproperlyConfigured("IDEMPOTENCY_WINDOW_SECONDS must be at least 1.")

# --- API: subscriptions over Server-Sent Events (api.sse) ---------------------------------

# Milliseconds without an event after which a stream sends a ping (0: never). Proxies close
# idle connections (nginx after 60 s by default): keep it well below theirs.
API_SSE_PING_MS = env_int("API_SSE_PING_MS", 10_000)
# Told to tRPC clients on connecting: with nothing heard for this long (pings included), the
# client drops the stream and resumes from its last event (0: not told, never). With pings
# off, a quiet stream is thus replaced every so often.
API_SSE_RECONNECT_AFTER_INACTIVITY_MS = env_int("API_SSE_RECONNECT_AFTER_INACTIVITY_MS", 30_000)
# A stream ends after this long without `return`, so its client reconnects from its last event
# and is authenticated and checked again (0: streams last as long as the client stays).
API_SSE_MAX_DURATION_MS = env_int("API_SSE_MAX_DURATION_MS", 15 * 60 * 1000)
# Open streams at once, across every process: per signed-in user, and per client address
# (AUTH_PROXY_COUNT) for anonymous callers, who may share one behind a NAT. Beyond: 429.
API_SSE_MAX_STREAMS_PER_USER = env_int("API_SSE_MAX_STREAMS_PER_USER", 10)
API_SSE_MAX_STREAMS_PER_ADDRESS = env_int("API_SSE_MAX_STREAMS_PER_ADDRESS", 100)
if min(API_SSE_PING_MS, API_SSE_RECONNECT_AFTER_INACTIVITY_MS, API_SSE_MAX_DURATION_MS) < 0:
    raise ImproperlyConfigured("The API_SSE_*_MS settings are 0 or more.")
if min(API_SSE_MAX_STREAMS_PER_USER, API_SSE_MAX_STREAMS_PER_ADDRESS) < 1:
    raise ImproperlyConfigured("The API_SSE_MAX_STREAMS_* settings are at least 1.")
if 0 < API_SSE_RECONNECT_AFTER_INACTIVITY_MS < API_SSE_PING_MS:
    # tRPC refuses this too: clients would drop every quiet stream before its ping.
    raise ImproperlyConfigured(
        "API_SSE_PING_MS must not be above API_SSE_RECONNECT_AFTER_INACTIVITY_MS."
    )

# --- Static files ---------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security -------------------------------------------------------------------------

# HTTPS=true when the site is served over TLS (directly or behind a proxy that sets
# X-Forwarded-Proto): redirects, secure cookies and HSTS follow from it.
HTTPS = env_bool("HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
# Probes and scrapers reach each process directly, over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# --- Internationalisation -------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Logging --------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# --- Identity (accounts) --------------------------------------------------------------

# "local": this site hashes passwords and issues its own Cognito-shaped RS256 JWTs.
# "cognito": an Amazon Cognito user pool (or an emulator at COGNITO_ENDPOINT_URL) does.
AUTH_PROVIDER: Literal["local", "cognito"] = env_choice(
    "AUTH_PROVIDER", ("local", "cognito"), "local"
)

COGNITO_AWS_REGION = env_str("COGNITO_AWS_REGION")
COGNITO_USER_POOL = env_str("COGNITO_USER_POOL")
COGNITO_APP_CLIENT_ID = env_str("COGNITO_APP_CLIENT_ID")
COGNITO_APP_CLIENT_SECRET = env_str("COGNITO_APP_CLIENT_SECRET")
# An emulator (moto server, cognito-local) instead of cognito-idp.<region>.amazonaws.com.
COGNITO_ENDPOINT_URL = env_str("COGNITO_ENDPOINT_URL")
# Tries per Cognito call (1 = no retry) when the pool is unreachable or throttles.
COGNITO_MAX_ATTEMPTS = env_int("COGNITO_MAX_ATTEMPTS", 2)
# What django-cognito-jwt's own validator reads; ours checks aud/client_id per token kind.
COGNITO_AUDIENCE = COGNITO_APP_CLIENT_ID
COGNITO_PUBLIC_KEYS_CACHING_ENABLED = True

# The local provider's signing key: a PEM in the environment (production, shared by every
# host), else a key pair generated on first use and kept outside the repository.
JWT_PRIVATE_KEY = env_str("JWT_PRIVATE_KEY").replace("\\n", "\n")
JWT_PRIVATE_KEY_PATH = Path(env_str("JWT_PRIVATE_KEY_PATH", str(STATE_DIR / "jwt_private_key.pem")))
LOCAL_JWT_ISSUER = env_str("LOCAL_JWT_ISSUER", "http://localhost:8000")
LOCAL_APP_CLIENT_ID = env_str("LOCAL_APP_CLIENT_ID", "inkwell")
JWT_TOKEN_TTL_SECONDS = env_int("JWT_TOKEN_TTL_SECONDS", 3600)
JWT_SESSION_TOKEN_TTL_SECONDS = env_int("JWT_SESSION_TOKEN_TTL_SECONDS", 300)
JWT_REFRESH_TOKEN_TTL_SECONDS = env_int("JWT_REFRESH_TOKEN_TTL_SECONDS", 30 * 24 * 3600)

# Which token kinds a Bearer header may carry: "id", "access" or both.
JWT_ACCEPTED_TOKEN_USE = env_list("JWT_ACCEPTED_TOKEN_USE", ["id", "access"])
if not JWT_ACCEPTED_TOKEN_USE or set(JWT_ACCEPTED_TOKEN_USE) - {"id", "access"}:
    raise ImproperlyConfigured("JWT_ACCEPTED_TOKEN_USE must list 'id', 'access' or both.")
JWT_LEEWAY_SECONDS = env_int("JWT_LEEWAY_SECONDS", 30)
JWKS_FETCH_TIMEOUT_SECONDS = env_int("JWKS_FETCH_TIMEOUT_SECONDS", 3)
JWKS_CACHE_SECONDS = env_int("JWKS_CACHE_SECONDS", 3600)
# An unknown kid triggers at most one JWKS refetch per this many seconds (per site, via CACHES).
JWKS_REFETCH_INTERVAL_SECONDS = env_int("JWKS_REFETCH_INTERVAL_SECONDS", 60)
JWKS_FAILURE_BACKOFF_SECONDS = env_int("JWKS_FAILURE_BACKOFF_SECONDS", 5)

# Failed sign-ins allowed per account and per client IP within the window, then 429.
AUTH_THROTTLE_ACCOUNT_FAILURES = env_int("AUTH_THROTTLE_ACCOUNT_FAILURES", 5)
AUTH_THROTTLE_IP_FAILURES = env_int("AUTH_THROTTLE_IP_FAILURES", 20)
AUTH_THROTTLE_WINDOW_SECONDS = env_int("AUTH_THROTTLE_WINDOW_SECONDS", 900)
# Password hashes (local provider) running at once per process, well below DATABASE_POOL_MAX;
# a sign-in that waits longer than AUTH_HASH_WAIT_MILLISECONDS for one is answered 503.
AUTH_MAX_CONCURRENT_HASHES = env_int("AUTH_MAX_CONCURRENT_HASHES", 2)
AUTH_HASH_WAIT_MILLISECONDS = env_int("AUTH_HASH_WAIT_MILLISECONDS", 250)
if AUTH_MAX_CONCURRENT_HASHES < 1 or AUTH_HASH_WAIT_MILLISECONDS < 0:
    raise ImproperlyConfigured(
        "AUTH_MAX_CONCURRENT_HASHES must be at least 1, AUTH_HASH_WAIT_MILLISECONDS at least 0."
    )

LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "blog:home"
LOGOUT_REDIRECT_URL = "blog:home"
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Inkwell <no-reply@localhost>")

# --- Realtime (the /event/realtime WebSocket) -----------------------------------------

# AppSync clients expect a ka at least every 60 s and reconnect after connectionTimeoutMs.
REALTIME_KEEPALIVE_SECONDS = env_int("REALTIME_KEEPALIVE_SECONDS", 60)
REALTIME_MAX_CONNECTION_SECONDS = env_int("REALTIME_MAX_CONNECTION_SECONDS", 24 * 60 * 60)
REALTIME_MAX_SUBSCRIPTIONS = env_int("REALTIME_MAX_SUBSCRIPTIONS", 100)
# The event log (realtime.event_log): how much history each channel keeps for recovery (the
# latest N events, and none older than the age; ``manage.py prune_events`` deletes the rest),
# and how often each process sweeps for events the fast path did not publish (0: never), leaving
# those younger than the grace to the fast path.
REALTIME_EVENT_LOG_MAX_PER_CHANNEL = env_int("REALTIME_EVENT_LOG_MAX_PER_CHANNEL", 1000)
REALTIME_EVENT_LOG_MAX_AGE_SECONDS = env_int("REALTIME_EVENT_LOG_MAX_AGE_SECONDS", 24 * 3600)
REALTIME_RELAY_SWEEP_MS = env_int("REALTIME_RELAY_SWEEP_MS", 1000)
REALTIME_RELAY_GRACE_MS = env_int("REALTIME_RELAY_GRACE_MS", 1000)
if REALTIME_EVENT_LOG_MAX_PER_CHANNEL < 1 or REALTIME_EVENT_LOG_MAX_AGE_SECONDS < 1:
    raise ImproperlyConfigured("The event log keeps at least 1 event for at least 1 second.")
# Publishes of procedure calls (each up to 5 calls or chunks) a connection may have running at
# once, each on a thread of its own; one more is refused with LimitExceededException. Keep it
# under the browser's 32 chunked answers in reassembly (static/js/chunking.js).
REALTIME_MAX_CALLS_IN_FLIGHT = env_int("REALTIME_MAX_CALLS_IN_FLIGHT", 8)
# Live client sessions per user: opening one more deletes the least recently used.
REALTIME_MAX_SESSIONS_PER_USER = env_int("REALTIME_MAX_SESSIONS_PER_USER", 20)
# Bytes (base64 text) of chunks of unfinished messages a user may have stored, all sessions.
REALTIME_MAX_CHUNK_BYTES_PER_USER = env_int("REALTIME_MAX_CHUNK_BYTES_PER_USER", 16 * 2**20)
if REALTIME_MAX_SESSIONS_PER_USER < 1 or REALTIME_MAX_CHUNK_BYTES_PER_USER < 1:
    raise ImproperlyConfigured("The realtime per-user limits must be at least 1.")
if REALTIME_MAX_CALLS_IN_FLIGHT < 1:
    raise ImproperlyConfigured("REALTIME_MAX_CALLS_IN_FLIGHT must be at least 1.")

# --- Content -------------------------------------------------------------------------

# Replies nest at most this deep (a top-level comment is depth 0); a reply to a comment at the
# cap joins the cap's level. It also bounds how deep threads nest on pages and in comment.list.
COMMENT_MAX_DEPTH = env_int("COMMENT_MAX_DEPTH", 32)
# A post whose Markdown takes longer than this to render is refused instead of stored.
POST_RENDER_BUDGET_SECONDS = env_int("POST_RENDER_BUDGET_SECONDS", 2)
if not 1 <= COMMENT_MAX_DEPTH <= 100:
    raise ImproperlyConfigured("COMMENT_MAX_DEPTH must be between 1 and 100.")
if POST_RENDER_BUDGET_SECONDS < 1:
    raise ImproperlyConfigured("POST_RENDER_BUDGET_SECONDS must be at least 1.")

# --- Metrics (Prometheus, /metrics) ----------------------------------------------------

# Whether /metrics answers at all (off: 404, as for any unknown page). Each Daphne process
# serves its own figures: Prometheus scrapes every process (lib.metrics).
METRICS_ENABLED = env_bool("METRICS_ENABLED", False)
# A secret the scraper sends as "Authorization: Bearer <token>" (none: 401, another: 403).
# Empty: no token is asked for, and METRICS_ALLOWED_NETWORKS alone decides.
METRICS_TOKEN = env_str("METRICS_TOKEN")
# Networks (CIDR, comma-separated, e.g. 10.0.0.0/8,127.0.0.1/32) whose clients may scrape,
# the client's address taken as for rate limits (AUTH_PROXY_COUNT); others get 403.
# Empty: any network (METRICS_TOKEN then must be set).
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS", [])
for _network in METRICS_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"METRICS_ALLOWED_NETWORKS holds {_network!r}, which is no network address."
        ) from None
if METRICS_ENABLED and not (METRICS_TOKEN or METRICS_ALLOWED_NETWORKS):
    raise ImproperlyConfigured(
        "METRICS_ENABLED needs METRICS_TOKEN or METRICS_ALLOWED_NETWORKS: /metrics is never open "
        "to anyone."
    )

# --- Public read keys (realtime.public_read_keys, realtime.public_readers) ---------------

# Whether pages served to signed-out readers carry a public read key, with which their browser
# subscribes to live posts and comments (AppSync Events' apiKey authorization). Off: no key is
# handed out, every key is refused, and signed-out pages are not live.
REALTIME_PUBLIC_READ_KEYS = env_bool("REALTIME_PUBLIC_READ_KEYS", True)
# Seconds a new key (made by a rotation, or on first use when none is current) stays usable.
REALTIME_PUBLIC_KEY_LIFETIME_SECONDS = env_int("REALTIME_PUBLIC_KEY_LIFETIME_SECONDS", 30 * 86400)
# Seconds a key keeps working after a rotation replaced it, so pages already open stay live;
# a key with less than this left is no longer handed out (a new one is made instead).
REALTIME_PUBLIC_KEY_GRACE_SECONDS = env_int("REALTIME_PUBLIC_KEY_GRACE_SECONDS", 86400)
# Sockets using one key at once, across every process (Redis; per process while it is away).
# Beyond it a connection is refused with LimitExceededException: readers get static pages.
REALTIME_PUBLIC_KEY_MAX_CONNECTIONS = env_int("REALTIME_PUBLIC_KEY_MAX_CONNECTIONS", 10_000)
# Operations (connection_init, subscribe, publish) made with public keys, "<n>/<period>": per
# key, site-wide (room for a whole readership reconnecting after a restart: about 3 operations
# each), and per client address (AUTH_PROXY_COUNT; as API_THROTTLE_ANONYMOUS), so one address
# cannot spend the key's budget. Beyond: LimitExceededException for the operation.
REALTIME_PUBLIC_KEY_RATE = env_str("REALTIME_PUBLIC_KEY_RATE", "60000/minute")
REALTIME_PUBLIC_KEY_ADDRESS_RATE = env_str("REALTIME_PUBLIC_KEY_ADDRESS_RATE", "300/minute")
if REALTIME_PUBLIC_KEY_GRACE_SECONDS < 1 or REALTIME_PUBLIC_KEY_MAX_CONNECTIONS < 1:
    raise ImproperlyConfigured(
        "REALTIME_PUBLIC_KEY_GRACE_SECONDS and REALTIME_PUBLIC_KEY_MAX_CONNECTIONS are at least 1."
    )
if REALTIME_PUBLIC_KEY_LIFETIME_SECONDS <= 2 * REALTIME_PUBLIC_KEY_GRACE_SECONDS:
    raise ImproperlyConfigured(
        "REALTIME_PUBLIC_KEY_LIFETIME_SECONDS must be more than twice the grace period: a key is "
        "handed out until its last grace period, and must be handed out for a while."
    )
for _rate_setting in ("REALTIME_PUBLIC_KEY_RATE", "REALTIME_PUBLIC_KEY_ADDRESS_RATE"):
    if not re.fullmatch(r"\s*\d+\s*/\s*[smhd][a-z]*\s*", globals()[_rate_setting], re.IGNORECASE):
        raise ImproperlyConfigured(
            f"{_rate_setting} is a rate such as 120/minute (per second, minute, hour or day)."
        )

# --- Typing (django-stubs) ------------------------------------------------------------

# Classes django-stubs declare generic (admin.ModelAdmin[Post], forms.ModelForm[Post]) can be
# subscripted at run time too.
django_stubs_ext.monkeypatch()
