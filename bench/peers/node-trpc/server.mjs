// The architecture Inkwell replaces, reduced to post.list: @trpc/server 11 (standalone
// adapter), superjson, zod, node-postgres. Same SQL and same output as Inkwell's post.list.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_perf PORT=3000 node server.mjs
//
// Serves GET /api/trpc/post.list?input={"json":{"limit":20}} (and batches, as tRPC does).

import { initTRPC, TRPCError } from "@trpc/server";
import { createHTTPServer } from "@trpc/server/adapters/standalone";
import pg from "pg";
import superjson from "superjson";
import { z } from "zod";

const PORT = Number(process.env.PORT ?? 3000);
const HOST = process.env.HOST ?? "127.0.0.1";
const DATABASE_URL = process.env.DATABASE_URL;
if (!DATABASE_URL?.startsWith("postgres")) {
  console.error("Set DATABASE_URL to the PostgreSQL database Inkwell's benchmark seeded.");
  process.exit(2);
}

// timestamptz (OID 1184): keep PostgreSQL's text (microseconds) for the cursor, and give the
// output a Date, as node-postgres' own parser would (Django's session runs in UTC too).
pg.types.setTypeParser(1184, (text) => {
  const date = new Date(text.replace(" ", "T").replace(/([+-]\d\d)$/, "$1:00"));
  date.pgText = text;
  return date;
});

// Inkwell's pool: psycopg_pool, max 10 connections (DATABASE_POOL_MAX).
const pool = new pg.Pool({
  connectionString: DATABASE_URL,
  max: Number(process.env.DATABASE_POOL_MAX ?? 10),
  options: "-c TimeZone=UTC",
});

// What Django runs for blog.selectors.post_page(viewer=anonymous, limit=20): str() of the
// queryset, with the select_related author (every column) and the comment-count subquery.
const COLUMNS = `SELECT "blog_post"."id", "blog_post"."title", "blog_post"."slug", "blog_post"."excerpt", "blog_post"."published", "blog_post"."author_id", "blog_post"."view_count", "blog_post"."created_at", "blog_post"."updated_at", "blog_post"."published_at", COALESCE((SELECT COUNT(*) AS "count" FROM "blog_comment" U0 WHERE (NOT U0."is_deleted" AND U0."post_id" = ("blog_post"."id")) GROUP BY U0."post_id"), 0) AS "comment_count", "accounts_user"."password", "accounts_user"."last_login", "accounts_user"."is_superuser", "accounts_user"."id", "accounts_user"."email", "accounts_user"."name", "accounts_user"."cognito_sub", "accounts_user"."avatar_url", "accounts_user"."bio", "accounts_user"."is_active", "accounts_user"."is_staff", "accounts_user"."created_at", "accounts_user"."updated_at" FROM "blog_post" INNER JOIN "accounts_user" ON ("blog_post"."author_id" = "accounts_user"."id")`;
const ORDER = ` ORDER BY "blog_post"."published_at" DESC, "blog_post"."id" DESC LIMIT `;
const FIRST_PAGE = (limit) => `${COLUMNS} WHERE "blog_post"."published"${ORDER}${limit + 1}`;
const NEXT_PAGE = (limit) =>
  `${COLUMNS} WHERE ("blog_post"."published" AND "blog_post"."published_at" <= $1::timestamptz AND ("blog_post"."published_at" < $1::timestamptz OR ("blog_post"."published_at" = $1::timestamptz AND "blog_post"."id" < $2::uuid)))${ORDER}${limit + 1}`;

// Cursors as blog.pagination makes them: urlsafe base64 of Python's json.dumps, unpadded.
function pythonIso(pgText) {
  // "2024-05-01 12:34:56.1234+00" -> "2024-05-01T12:34:56.123400+00:00" (datetime.isoformat)
  const match = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d+))?([+-]\d\d)(?::?(\d\d))?$/.exec(pgText);
  const fraction = match[3] && Number(match[3]) !== 0 ? `.${match[3].padEnd(6, "0")}` : "";
  return `${match[1]}T${match[2]}${fraction}${match[4]}:${match[5] ?? "00"}`;
}
const encodeCursor = (row) =>
  Buffer.from(JSON.stringify({ t: pythonIso(row.published_at.pgText), id: row.id }).replace(/","/g, '", "').replace(/":"/g, '": "'))
    .toString("base64url");
function decodeCursor(cursor) {
  try {
    const { t, id } = JSON.parse(Buffer.from(cursor, "base64url").toString());
    if (typeof t !== "string" || typeof id !== "string") throw new Error("shape");
    return [t, id];
  } catch {
    throw new TRPCError({ code: "BAD_REQUEST", message: "This cursor is not valid." });
  }
}

const t = initTRPC.create({ transformer: superjson });

const postListInput = z
  .object({
    limit: z.number().int().min(1).max(50).default(20),
    cursor: z.string().nullish(),
  })
  .default({ limit: 20 });

const appRouter = t.router({
  post: t.router({
    list: t.procedure.input(postListInput).query(async ({ input }) => {
      const { limit, cursor } = input;
      const result = cursor
        ? await pool.query({ text: NEXT_PAGE(limit), values: decodeCursor(cursor), rowMode: "array" })
        : await pool.query({ text: FIRST_PAGE(limit), rowMode: "array" });
      // rowMode "array": the join repeats column names (id, created_at, updated_at).
      let rows = result.rows;
      let nextCursor = null;
      if (rows.length > limit) {
        rows = rows.slice(0, limit);
        const last = rows[rows.length - 1];
        nextCursor = encodeCursor({ published_at: last[9], id: last[0] });
      }
      return {
        // Inkwell's PostSummaryOutput, field for field.
        items: rows.map((row) => ({
          id: row[0],
          title: row[1],
          slug: row[2],
          excerpt: row[3],
          published: row[4],
          viewCount: row[6],
          commentCount: Number(row[10]), // COUNT(*) is bigint: pg gives a string
          createdAt: row[7],
          updatedAt: row[8],
          publishedAt: row[9],
          author: { id: row[14], name: row[16] || "Anonymous", avatarUrl: row[18] },
        })),
        nextCursor,
      };
    }),
  }),
});

const server = createHTTPServer({ router: appRouter, basePath: "/api/trpc/" });
server.listen(PORT, HOST, () => console.log(`node-trpc peer on http://${HOST}:${PORT}/api/trpc/`));

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    server.close();
    pool.end().finally(() => process.exit(0));
  });
}
