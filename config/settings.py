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
    # After blog and accounts: its admin extends theirs (moderation/admin.py).
    "moderation",
    "mail",
    "follows",
    "images",
    "config.apps.InkwellConfig",
]

MIDDLEWARE = [
    # First, so a page's time includes every other middleware (lib.metrics).
    "config.page_latency.page_latency",
    # Before every middleware that sets or reads the body, so it compresses their result.
    "config.compression.compress_responses",
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
STORAGES: dict[str, dict[str, Any]] = {
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

# --- Moderation (reports, the queue, the log) -----------------------------------------

# A reader sends at most this many reports per window (moderation.services); more are refused
# with a retry time. Bounds how fast one account can fill the queue.
MODERATION_REPORTS_PER_WINDOW = env_int("MODERATION_REPORTS_PER_WINDOW", 10)
MODERATION_REPORTS_WINDOW_SECONDS = env_int("MODERATION_REPORTS_WINDOW_SECONDS", 3600)
# A new account's first this-many comments wait for a moderator ("awaiting review", seen by
# their author alone) before anyone else sees them; 0 holds none. Staff are never held.
MODERATION_HOLD_FIRST_COMMENTS = env_int("MODERATION_HOLD_FIRST_COMMENTS", 1)
# Reported items per page of the moderation queue (the queries do not grow with it).
MODERATION_QUEUE_PAGE_SIZE = env_int("MODERATION_QUEUE_PAGE_SIZE", 50)
if MODERATION_REPORTS_PER_WINDOW < 1 or MODERATION_REPORTS_WINDOW_SECONDS < 1:
    raise ImproperlyConfigured("MODERATION_REPORTS_PER_WINDOW and …_WINDOW_SECONDS must be ≥ 1.")
if not 0 <= MODERATION_HOLD_FIRST_COMMENTS <= 100:
    raise ImproperlyConfigured("MODERATION_HOLD_FIRST_COMMENTS must be between 0 and 100.")
if not 1 <= MODERATION_QUEUE_PAGE_SIZE <= 500:
    raise ImproperlyConfigured("MODERATION_QUEUE_PAGE_SIZE must be between 1 and 500.")

# --- Scheduled publishing and the editor's preview -------------------------------------

# How far ahead a post may be scheduled (days); a later time is refused on its field.
SCHEDULE_MAX_DAYS_AHEAD = env_int("SCHEDULE_MAX_DAYS_AHEAD", 3 * 366)
# Seconds between two runs of publish_scheduled in `manage.py run_scheduler`: the most a
# scheduled post waits past its time (plus one run's length).
SCHEDULER_INTERVAL_SECONDS = env_int("SCHEDULER_INTERVAL_SECONDS", 30)
# Posts one run of publish_scheduled publishes per transaction (it goes on with the next batch
# until none is due). A transaction holds the posts channel's event-log head, which every other
# post write waits for, while it runs: about 40 ms a post measured, so 10 hold it ~0.4 s.
SCHEDULER_BATCH_SIZE = env_int("SCHEDULER_BATCH_SIZE", 10)
# post.preview calls per signed-in user ("<n>/<second|minute|hour|day>"): each renders up to
# 2 MiB of Markdown within POST_RENDER_BUDGET_SECONDS, so this bounds one author's CPU.
POST_PREVIEW_RATE = env_str("POST_PREVIEW_RATE", "60/minute")
if SCHEDULE_MAX_DAYS_AHEAD < 1 or SCHEDULER_INTERVAL_SECONDS < 1 or SCHEDULER_BATCH_SIZE < 1:
    raise ImproperlyConfigured(
        "SCHEDULE_MAX_DAYS_AHEAD, SCHEDULER_INTERVAL_SECONDS and SCHEDULER_BATCH_SIZE must be "
        "at least 1."
    )

# --- Post revisions (blog.revisions) ----------------------------------------------------

# Revisions kept per post, newest first; a save that keeps one more deletes the oldest in its
# own transaction. Bounds each post's history rows and its history page.
POST_REVISIONS_KEPT = env_int("POST_REVISIONS_KEPT", 50)
# An autosave by the same person within this many seconds of their previous autosave of the
# post updates that revision instead of adding one, so typing does not flood the history.
POST_REVISION_COALESCE_SECONDS = env_int("POST_REVISION_COALESCE_SECONDS", 300)
# Changed lines (both sides together) a diff compares line by line (difflib is quadratic in
# them); past it, the changed stretch shows as removed and added whole.
POST_REVISION_DIFF_MAX_LINES = env_int("POST_REVISION_DIFF_MAX_LINES", 4000)
if POST_REVISIONS_KEPT < 1:
    raise ImproperlyConfigured("POST_REVISIONS_KEPT must be at least 1.")
if POST_REVISION_COALESCE_SECONDS < 0 or POST_REVISION_DIFF_MAX_LINES < 0:
    raise ImproperlyConfigured(
        "POST_REVISION_COALESCE_SECONDS and POST_REVISION_DIFF_MAX_LINES cannot be negative."
    )

# --- Email (mail/: the outbound queue and its worker) ----------------------------------

# Requests only queue email; ``manage.py send_queued_mail [--loop]`` sends it through this
# backend: SMTP once EMAIL_HOST is set, else the console (``make run``), unless EMAIL_BACKEND
# names another.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", EMAIL_PORT == 587)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", EMAIL_PORT == 465)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS (STARTTLS) and EMAIL_USE_SSL exclude each other.")
# Seconds one SMTP operation may block the worker (never a request).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Inkwell <no-reply@localhost>")
# The site's address as readers reach it: links in emails (the worker has no request to ask).
# Production sets its https:// address; one-click unsubscribe (RFC 8058) needs https.
MAIL_SITE_URL = env_str("MAIL_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Attempts per email (the first included) before it stays failed, shown in the admin; the
# wait after the n-th failure is MAIL_RETRY_BASE_SECONDS * 2^(n-1), at most
# MAIL_RETRY_MAX_SECONDS.
MAIL_MAX_ATTEMPTS = env_int("MAIL_MAX_ATTEMPTS", 6)
MAIL_RETRY_BASE_SECONDS = env_int("MAIL_RETRY_BASE_SECONDS", 60)
MAIL_RETRY_MAX_SECONDS = env_int("MAIL_RETRY_MAX_SECONDS", 6 * 3600)
# How long a worker holds the emails it took before another may take them (it died mid-send);
# above EMAIL_TIMEOUT times MAIL_BATCH_SIZE is safe.
MAIL_SEND_LEASE_SECONDS = env_int("MAIL_SEND_LEASE_SECONDS", 30 * 60)
# Emails one worker takes, and sends over one connection, at a time.
MAIL_BATCH_SIZE = env_int("MAIL_BATCH_SIZE", 50)
# With --loop, the worker's wait when nothing is due.
MAIL_WORKER_INTERVAL_SECONDS = env_int("MAIL_WORKER_INTERVAL_SECONDS", 5)
# A sign-up's confirmation link works once, for this long; a signed-in, unconfirmed account
# may ask for a new one this many times an hour.
EMAIL_CONFIRMATION_MAX_AGE_SECONDS = env_int("EMAIL_CONFIRMATION_MAX_AGE_SECONDS", 3 * 86400)
EMAIL_CONFIRMATION_RESENDS_PER_HOUR = env_int("EMAIL_CONFIRMATION_RESENDS_PER_HOUR", 3)
# Following the site or an author by email (follows/): a confirmation link works once, for
# this long; an address, and a client address, may ask to follow this many times an hour
# (each request sends an email); a digest lists at most this many posts (the newest).
FOLLOW_CONFIRMATION_MAX_AGE_SECONDS = env_int("FOLLOW_CONFIRMATION_MAX_AGE_SECONDS", 7 * 86400)
FOLLOW_REQUESTS_PER_ADDRESS = env_int("FOLLOW_REQUESTS_PER_ADDRESS", 3)
FOLLOW_REQUESTS_PER_IP = env_int("FOLLOW_REQUESTS_PER_IP", 20)
FOLLOW_DIGEST_MAX_POSTS = env_int("FOLLOW_DIGEST_MAX_POSTS", 50)
if MAIL_MAX_ATTEMPTS < 1 or MAIL_BATCH_SIZE < 1 or MAIL_WORKER_INTERVAL_SECONDS < 1:
    raise ImproperlyConfigured(
        "MAIL_MAX_ATTEMPTS, MAIL_BATCH_SIZE and MAIL_WORKER_INTERVAL_SECONDS must be at least 1."
    )
if (
    min(
        EMAIL_CONFIRMATION_MAX_AGE_SECONDS,
        EMAIL_CONFIRMATION_RESENDS_PER_HOUR,
        FOLLOW_CONFIRMATION_MAX_AGE_SECONDS,
        FOLLOW_REQUESTS_PER_ADDRESS,
        FOLLOW_REQUESTS_PER_IP,
        FOLLOW_DIGEST_MAX_POSTS,
    )
    < 1
):
    raise ImproperlyConfigured("EMAIL_CONFIRMATION_* and FOLLOW_* settings must be at least 1.")
if MAIL_RETRY_BASE_SECONDS < 1 or MAIL_RETRY_MAX_SECONDS < MAIL_RETRY_BASE_SECONDS:
    raise ImproperlyConfigured(
        "MAIL_RETRY_BASE_SECONDS must be at least 1 and at most MAIL_RETRY_MAX_SECONDS."
    )

# --- Tags ------------------------------------------------------------------------------

# Tags one post may carry: the editor and post.create/update refuse more.
TAGS_PER_POST_MAX = env_int("TAGS_PER_POST_MAX", 10)
# Tags the tag list page (/tags/) shows, the most used first: it aggregates every tagging.
TAG_LIST_MAX = env_int("TAG_LIST_MAX", 200)
if not 1 <= TAGS_PER_POST_MAX <= 100:
    raise ImproperlyConfigured("TAGS_PER_POST_MAX must be between 1 and 100.")
if TAG_LIST_MAX < 1:
    raise ImproperlyConfigured("TAG_LIST_MAX must be at least 1.")

# --- Account self-service (accounts.avatars, accounts.email_change) -------------------

# Avatars are stored like images (MEDIA_ROOT, MEDIA_URL: the Images block below); the site
# serves them itself from the file system (accounts.urls).
# An avatar upload larger than this many bytes is refused before it is decoded. Keep it under
# the proxy's request cap (deploy/nginx: client_max_body_size 4m), or the proxy answers 413.
AVATAR_MAX_BYTES = env_int("AVATAR_MAX_BYTES", 3 * 1024 * 1024)
# An image declaring more pixels (width x height) than this is refused from its header, before
# any decoding: a few kilobytes of PNG can otherwise inflate to gigabytes (decompression bombs).
AVATAR_MAX_PIXELS = env_int("AVATAR_MAX_PIXELS", 25_000_000)
# How long the link confirming a new email address stays usable (it also works once only).
EMAIL_CHANGE_LINK_MAX_AGE_SECONDS = env_int("EMAIL_CHANGE_LINK_MAX_AGE_SECONDS", 24 * 3600)
if AVATAR_MAX_BYTES < 1 or AVATAR_MAX_PIXELS < 1:
    raise ImproperlyConfigured("AVATAR_MAX_BYTES and AVATAR_MAX_PIXELS must be at least 1.")
if EMAIL_CHANGE_LINK_MAX_AGE_SECONDS < 60:
    raise ImproperlyConfigured("EMAIL_CHANGE_LINK_MAX_AGE_SECONDS must be at least 60.")

# --- Images (images/) ----------------------------------------------------------------

# Uploaded images and their renditions go through Django's storage API (STORAGES["default"]):
# files under MEDIA_ROOT, served at MEDIA_URL (by Django under DEBUG, by the proxy otherwise:
# deploy/nginx), unless IMAGES_S3_BUCKET names an S3-compatible bucket (django-storages),
# reached at AWS_S3_ENDPOINT_URL (empty: AWS itself) and linked through AWS_S3_CUSTOM_DOMAIN
# (a CDN or the bucket's public host; empty: the endpoint's own URLs). Credentials come from
# boto3's usual chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, an instance role, ...).
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(STATE_DIR / "media")))
MEDIA_URL = env_str("MEDIA_URL", "/media/")
if not MEDIA_URL.endswith("/"):
    raise ImproperlyConfigured("MEDIA_URL must end with a slash.")
IMAGES_S3_BUCKET = env_str("IMAGES_S3_BUCKET")
AWS_S3_ENDPOINT_URL = env_str("AWS_S3_ENDPOINT_URL")
AWS_S3_REGION_NAME = env_str("AWS_S3_REGION_NAME", "us-east-1")
AWS_S3_CUSTOM_DOMAIN = env_str("AWS_S3_CUSTOM_DOMAIN")
if IMAGES_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": IMAGES_S3_BUCKET,
            "endpoint_url": AWS_S3_ENDPOINT_URL or None,
            "region_name": AWS_S3_REGION_NAME,
            "custom_domain": AWS_S3_CUSTOM_DOMAIN or None,
            # Images are public once linked: plain URLs, cacheable, never expiring signatures.
            "querystring_auth": False,
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }
# Bytes one uploaded file may have (the request may be up to 64 KiB more, for the form's other
# fields); a larger request is answered 413 before its body is read.
IMAGES_MAX_UPLOAD_BYTES = env_int("IMAGES_MAX_UPLOAD_BYTES", 10 * 2**20)
# Pixels (width x height) an image may have: bounds the memory and time of decoding it
# (4 bytes a pixel) and refuses decompression bombs, whatever their byte size.
IMAGES_MAX_PIXELS = env_int("IMAGES_MAX_PIXELS", 40_000_000)
# Widths (pixels) of the resized copies made of each upload, in WebP and in its own format,
# besides the full-size one; widths at or above an image's own are skipped.
IMAGES_RENDITION_WIDTHS = sorted(
    int(width) for width in env_list("IMAGES_RENDITION_WIDTHS", ["480", "960", "1600"])
)
# Bytes of stored files (originals and renditions) each user may have, all images together.
IMAGES_QUOTA_BYTES_PER_USER = env_int("IMAGES_QUOTA_BYTES_PER_USER", 500 * 2**20)
# Images each user may have, whatever their size.
IMAGES_MAX_PER_USER = env_int("IMAGES_MAX_PER_USER", 2000)
# Uploads decoded and re-encoded at once per process (each holds a CPU for up to seconds and up
# to ~8 bytes a pixel of memory); one more waits up to IMAGES_PROCESSING_WAIT_MILLISECONDS for
# its turn, then is answered 503 with Retry-After.
IMAGES_MAX_CONCURRENT_PROCESSING = env_int("IMAGES_MAX_CONCURRENT_PROCESSING", 2)
IMAGES_PROCESSING_WAIT_MILLISECONDS = env_int("IMAGES_PROCESSING_WAIT_MILLISECONDS", 5000)
if IMAGES_MAX_CONCURRENT_PROCESSING < 1 or IMAGES_PROCESSING_WAIT_MILLISECONDS < 0:
    raise ImproperlyConfigured(
        "IMAGES_MAX_CONCURRENT_PROCESSING must be at least 1, "
        "IMAGES_PROCESSING_WAIT_MILLISECONDS at least 0."
    )
if min(IMAGES_MAX_UPLOAD_BYTES, IMAGES_MAX_PIXELS, IMAGES_QUOTA_BYTES_PER_USER) < 1:
    raise ImproperlyConfigured("The IMAGES_* limits must be at least 1.")
if IMAGES_MAX_PER_USER < 1 or any(width < 16 for width in IMAGES_RENDITION_WIDTHS):
    raise ImproperlyConfigured(
        "IMAGES_MAX_PER_USER must be at least 1, and IMAGES_RENDITION_WIDTHS 16 pixels or more."
    )
# Django spools an upload to a temporary file past this many bytes instead of holding it.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2**20
# The largest multipart/form-data body the API reads (api.form_data): one image and its form's
# other fields. Anything larger is answered 413 before its body is read.
API_MAX_UPLOAD_BYTES = IMAGES_MAX_UPLOAD_BYTES + 64 * 2**10
# The largest body any request may declare (Content-Length): answered 413 before it is read
# (config.request_size). Keep nginx's client_max_body_size (deploy/nginx) at or above it.
REQUEST_MAX_BODY_BYTES = max(API_MAX_BODY_BYTES, API_MAX_UPLOAD_BYTES)


# --- Spam (built-in checks on new comments, the honeypot) ------------------------------

# The checks every new comment passes (blog.spam), in order: dotted paths of classes or
# functions taking a blog.spam.Submission and answering a blog.spam.Verdict. A site adds an
# external service by appending its own; one that raises is logged and counts as "ok".
SPAM_CHECKERS = env_list(
    "SPAM_CHECKERS",
    [
        "blog.spam.check_links",
        "blog.spam.check_repeats",
        "blog.spam.check_rate",
        "blog.spam.check_account_age",
    ],
)
# Links in one comment: more than SPAM_LINKS_HELD wait for review, more than
# SPAM_LINKS_REFUSED are refused as spam.
SPAM_LINKS_HELD = env_int("SPAM_LINKS_HELD", 3)
SPAM_LINKS_REFUSED = env_int("SPAM_LINKS_REFUSED", 10)
# The same words (at least SPAM_REPEAT_MIN_LENGTH characters, compared by a hash) within
# SPAM_REPEAT_WINDOW_SECONDS: again from the same account waits for review, and past
# SPAM_REPEATS_REFUSED times is refused; from SPAM_REPEAT_ACCOUNTS_HELD posts site-wide (any
# accounts) waits for review.
SPAM_REPEAT_WINDOW_SECONDS = env_int("SPAM_REPEAT_WINDOW_SECONDS", 86400)
SPAM_REPEAT_MIN_LENGTH = env_int("SPAM_REPEAT_MIN_LENGTH", 20)
SPAM_REPEATS_REFUSED = env_int("SPAM_REPEATS_REFUSED", 3)
SPAM_REPEAT_ACCOUNTS_HELD = env_int("SPAM_REPEAT_ACCOUNTS_HELD", 3)
# Comments per SPAM_RATE_WINDOW_SECONDS from one account and from one client address; more are
# refused with a retry time.
SPAM_RATE_WINDOW_SECONDS = env_int("SPAM_RATE_WINDOW_SECONDS", 60)
SPAM_COMMENTS_PER_ACCOUNT = env_int("SPAM_COMMENTS_PER_ACCOUNT", 5)
SPAM_COMMENTS_PER_ADDRESS = env_int("SPAM_COMMENTS_PER_ADDRESS", 20)
# An account younger than this has its comments held for review; 0 holds none for their age.
SPAM_NEW_ACCOUNT_SECONDS = env_int("SPAM_NEW_ACCOUNT_SECONDS", 600)
if min(SPAM_LINKS_HELD, SPAM_REPEAT_MIN_LENGTH, SPAM_NEW_ACCOUNT_SECONDS) < 0:
    raise ImproperlyConfigured("SPAM_LINKS_HELD, …_REPEAT_MIN_LENGTH, …_NEW_ACCOUNT_SECONDS ≥ 0.")
if SPAM_LINKS_REFUSED < SPAM_LINKS_HELD:
    raise ImproperlyConfigured("SPAM_LINKS_REFUSED must be at least SPAM_LINKS_HELD.")
if (
    min(
        SPAM_REPEAT_WINDOW_SECONDS,
        SPAM_REPEATS_REFUSED,
        SPAM_REPEAT_ACCOUNTS_HELD,
        SPAM_RATE_WINDOW_SECONDS,
        SPAM_COMMENTS_PER_ACCOUNT,
        SPAM_COMMENTS_PER_ADDRESS,
    )
    < 1
):
    raise ImproperlyConfigured(
        "SPAM_REPEAT_WINDOW_SECONDS, …_REPEATS_REFUSED, …_REPEAT_ACCOUNTS_HELD, "
        "…_RATE_WINDOW_SECONDS, …_COMMENTS_PER_ACCOUNT and …_COMMENTS_PER_ADDRESS must be ≥ 1."
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

# --- Archive ---------------------------------------------------------------------------

# How long the archive's list of months (one aggregate over the published posts) is kept: a
# month's first post appears there within this many seconds.
ARCHIVE_MONTHS_CACHE_SECONDS = env_int("ARCHIVE_MONTHS_CACHE_SECONDS", 300)
if ARCHIVE_MONTHS_CACHE_SECONDS < 0:
    raise ImproperlyConfigured("ARCHIVE_MONTHS_CACHE_SECONDS cannot be negative.")

# --- Typing (django-stubs) ------------------------------------------------------------

# Classes django-stubs declare generic (admin.ModelAdmin[Post], forms.ModelForm[Post]) can be
# subscripted at run time too.
django_stubs_ext.monkeypatch()
