// An editor's day through the generated TypeScript SDK: every call is type-checked against
// the committed OpenAPI document, and every response is asserted.
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/folio.js";

type Post = components["schemas"]["Post"];

const baseUrl = process.env.FOLIO_URL ?? "http://127.0.0.1:8080";
const email = process.env.FOLIO_EMAIL ?? "owner@example.com";
const password = process.env.FOLIO_PASSWORD ?? "";
const run = `ts${Date.now()}`;

let checked = 0;

function check(condition: unknown, message: string): asserts condition {
  checked += 1;
  if (!condition) {
    throw new Error(`assertion failed: ${message}`);
  }
}

async function main(): Promise<void> {
  const anonymous = createClient<paths>({ baseUrl });

  const login = await anonymous.POST("/api/v1/auth/login", { body: { email, password } });
  check(login.response.status === 200 && login.data, `login: ${login.response.status}`);
  check(login.data.token_type === "Bearer", "token type");
  const api = createClient<paths>({
    baseUrl,
    headers: { Authorization: `Bearer ${login.data.access_token}` },
  });

  const badLogin = await anonymous.POST("/api/v1/auth/login", {
    body: { email, password: `${password}-wrong` },
  });
  check(badLogin.response.status === 401 && badLogin.error?.status === 401, "wrong password is 401");

  const tag = await api.POST("/api/v1/tags", { body: { name: `SDK ${run}` } });
  check(tag.response.status === 201 && tag.data, `create tag: ${tag.response.status}`);

  const author = await api.POST("/api/v1/authors", { body: { name: `Writer ${run}` } });
  check(author.response.status === 201 && author.data, `create author: ${author.response.status}`);

  const created = await api.POST("/api/v1/posts", {
    body: {
      title: `Typed all the way ${run}`,
      markdown: "# Hello\n\nWritten through a **generated** client.",
      authors: [author.data.id],
      tags: [tag.data.id],
    },
  });
  check(created.response.status === 201 && created.data, `create post: ${created.response.status}`);
  const draft: Post = created.data;
  check(draft.status === "draft", "a new post is a draft");
  check(draft.html?.includes("<strong>generated</strong>"), "markdown is rendered");
  check(draft.authors?.[0]?.id === author.data.id, "the byline");
  check(draft.tags?.[0]?.id === tag.data.id, "the tag");

  const publish = await api.PATCH("/api/v1/posts/{id}", {
    params: { path: { id: draft.id }, header: { "If-Match": created.response.headers.get("etag") ?? "" } },
    body: { status: "published" },
  });
  check(publish.response.status === 200 && publish.data, `publish: ${publish.response.status}`);
  check(publish.data.status === "published" && publish.data.published_at, "published, with a date");

  const list = await anonymous.GET("/api/v1/posts", { params: { query: { limit: 100 } } });
  check(list.response.status === 200 && list.data, `list: ${list.response.status}`);
  check(list.data.data.some((p) => p.id === draft.id), "anonymous readers see the published post");

  // The same list by cursor, two at a time: every post once, then a null cursor.
  const walked: string[] = [];
  let cursor: string | null = null;
  do {
    const query: { limit: number; cursor?: string } = cursor === null ? { limit: 2 } : { limit: 2, cursor };
    const page = await anonymous.GET("/api/v1/posts", { params: { query } });
    check(page.response.status === 200 && page.data, `page: ${page.response.status}`);
    walked.push(...page.data.data.map((p) => p.id));
    cursor = page.data.meta.pagination.next_cursor;
  } while (cursor !== null);
  check(
    JSON.stringify(walked) === JSON.stringify(list.data.data.map((p) => p.id)),
    "a cursor walk sees the whole list",
  );

  const bySlug = await anonymous.GET("/api/v1/posts/slug/{slug}", {
    params: { path: { slug: publish.data.slug } },
  });
  check(bySlug.response.status === 200 && bySlug.data?.id === draft.id, "read by slug");
  const etag = bySlug.response.headers.get("etag");
  check(etag !== null && etag.startsWith(`"${publish.data.version}-`), `the ETag names the version: ${etag}`);

  const update = await api.PATCH("/api/v1/posts/{id}", {
    params: { path: { id: draft.id }, header: { "If-Match": etag } },
    body: { title: `Typed, and edited ${run}` },
  });
  check(update.response.status === 200 && update.data, `update: ${update.response.status}`);
  check(update.data.version === publish.data.version + 1, "the version grows by one");

  const stale = await api.PATCH("/api/v1/posts/{id}", {
    params: { path: { id: draft.id }, header: { "If-Match": etag } },
    body: { title: "This edit must not land" },
  });
  check(stale.response.status === 412 && stale.error?.status === 412, `stale If-Match: ${stale.response.status}`);
  check(
    stale.response.headers.get("content-type") === "application/problem+json",
    "errors are problem+json",
  );

  // The post's history: created, published, edited; the first revision comes back.
  const history = await api.GET("/api/v1/posts/{id}/revisions", { params: { path: { id: draft.id } } });
  check(history.response.status === 200 && history.data, `history: ${history.response.status}`);
  const reasons = history.data.data.map((r) => r.reason);
  check(JSON.stringify(reasons) === JSON.stringify(["edited", "published", "created"]), `reasons: ${reasons}`);
  const first = await api.GET("/api/v1/posts/{id}/revisions/{number}", {
    params: { path: { id: draft.id, number: 1 } },
  });
  check(first.response.status === 200 && first.data?.snapshot.title === draft.title, "revision 1 holds the first title");
  const restored = await api.POST("/api/v1/posts/{id}/revisions/{number}/restore", {
    params: { path: { id: draft.id, number: 1 }, header: { "If-Match": update.response.headers.get("etag") ?? "" } },
  });
  check(restored.response.status === 200 && restored.data?.data.title === draft.title, `restore: ${restored.response.status}`);
  check(restored.data.warnings.length === 0, "nothing was lost on the way back");

  // A page, the site's address, and a preview link read without credentials.
  const site = await api.PATCH("/api/v1/settings", {
    params: { header: { "If-Match": "*" } },
    body: { url: "https://blog.example.com" },
  });
  check(site.response.status === 200 && site.data?.url === "https://blog.example.com", `settings: ${site.response.status}`);
  const page = await api.POST("/api/v1/pages", { body: { title: `About ${run}`, markdown: "Who we are." } });
  check(page.response.status === 201 && page.data, `create page: ${page.response.status}`);
  check(page.data.url === `https://blog.example.com/p/${page.data.uuid}/`, `a draft's address: ${page.data.url}`);
  const link = await api.POST("/api/v1/pages/{id}/preview", { params: { path: { id: page.data.id } } });
  check(link.response.status === 201 && link.data, `preview link: ${link.response.status}`);
  const shown = await anonymous.GET("/api/v1/preview/{token}", { params: { path: { token: link.data.token } } });
  check(shown.response.status === 200 && shown.data?.kind === "page", `preview: ${shown.response.status}`);
  check(shown.data.data.url === `https://blog.example.com/${page.data.slug}/`, "the address it will have");
  const unset = await api.PATCH("/api/v1/settings", {
    params: { header: { "If-Match": "*" } },
    body: { url: null },
  });
  check(unset.response.status === 200 && unset.data?.url === null, "the address unset again");

  const removed = await api.DELETE("/api/v1/posts/{id}", { params: { path: { id: draft.id } } });
  check(removed.response.status === 204, `delete: ${removed.response.status}`);
  const gone = await anonymous.GET("/api/v1/posts/{id}", { params: { path: { id: draft.id } } });
  check(gone.response.status === 404 && gone.error?.status === 404, "deleted posts are gone");

  // A frontend's content key, sent as the documented header.
  const key = await api.POST("/api/v1/keys", { body: { name: `Frontend ${run}`, kind: "content" } });
  check(key.response.status === 201 && key.data, `create key: ${key.response.status}`);
  check(key.data.secret.startsWith(key.data.prefix), "the secret is shown once, with its prefix");
  const reader = createClient<paths>({ baseUrl, headers: { "X-Folio-Key": key.data.secret } });
  const read = await reader.GET("/api/v1/posts", { params: { query: { limit: 1 } } });
  check(read.response.status === 200 && read.data, `read with a content key: ${read.response.status}`);
  const revoked = await api.DELETE("/api/v1/keys/{id}", { params: { path: { id: key.data.id } } });
  check(revoked.response.status === 204, `revoke key: ${revoked.response.status}`);
  const refused = await reader.GET("/api/v1/posts", {});
  check(refused.response.status === 401, "a revoked key is refused");

  // A webhook, delivered to a receiver here, its signature checked by the Standard Webhooks
  // algorithm written out with node:crypto.
  const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
  const receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((ready) => receiver.listen(0, "127.0.0.1", ready));
  const port = (receiver.address() as AddressInfo).port;
  const hook = await api.POST("/api/v1/webhooks", {
    body: { url: `http://127.0.0.1:${port}/hook`, events: ["tag.added"], description: run },
  });
  check(hook.response.status === 201 && hook.data, `create webhook: ${hook.response.status}`);
  check(hook.data.secret.startsWith("whsec_"), "the signing secret, once");
  const hooked = await api.POST("/api/v1/tags", { body: { name: `Hooked ${run}` } });
  check(hooked.response.status === 201 && hooked.data, `create tag: ${hooked.response.status}`);
  for (let i = 0; i < 200 && received.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  receiver.close();
  const delivery = received[0];
  check(received.length === 1 && delivery, `one delivery: ${received.length}`);
  const header = (name: string): string => String(delivery.headers[name] ?? "");
  const msgId = header("webhook-id");
  const signingKey = Buffer.from(hook.data.secret.slice("whsec_".length), "base64");
  const expected = createHmac("sha256", signingKey)
    .update(`${msgId}.${header("webhook-timestamp")}.${delivery.body}`)
    .digest("base64");
  check(header("webhook-signature").split(" ").includes(`v1,${expected}`), "the signature verifies");
  const event = JSON.parse(delivery.body);
  check(event.type === "tag.added" && event.data.tag.current.id === hooked.data.id, "the event and its tag");
  const log = await api.GET("/api/v1/webhooks/{id}/deliveries", {
    params: { path: { id: hook.data.id }, query: { status: "delivered" } },
  });
  check(log.response.status === 200 && log.data?.data[0]?.id === msgId, "the delivery log, by webhook-id");
  const unhooked = await api.DELETE("/api/v1/webhooks/{id}", { params: { path: { id: hook.data.id } } });
  check(unhooked.response.status === 204, `delete webhook: ${unhooked.response.status}`);

  // Refresh rotates; the used token again signs the session out. Last, as it ends `api`.
  const refreshed = await anonymous.POST("/api/v1/auth/refresh", {
    body: { refresh_token: login.data.refresh_token },
  });
  check(refreshed.response.status === 200 && refreshed.data, `refresh: ${refreshed.response.status}`);
  check(refreshed.data.refresh_token !== login.data.refresh_token, "refresh tokens rotate");
  const reused = await anonymous.POST("/api/v1/auth/refresh", {
    body: { refresh_token: login.data.refresh_token },
  });
  check(reused.response.status === 401 && reused.error?.status === 401, "a used refresh token is refused");
  const ended = await api.GET("/api/v1/auth/me", {});
  check(ended.response.status === 401, "reuse signs the session out");

  console.log(`TypeScript SDK scenario: ${checked} checks passed`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
