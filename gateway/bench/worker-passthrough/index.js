// A minimal pass-through Worker: the baseline of `gateway/bench/worker`.
// It pays what a proxied request costs workerd locally (the subrequest
// through workerd's HTTP client and Miniflare's outbound handling, the
// answer streamed back) without any gateway work: no token, no KV, no
// usage. Not part of the product.
//
// Requests under PREFIX go to UPSTREAM with the rest of the path, the same
// method, headers and body, and the upstream's Response is returned as it
// is (its body streams through); /spin runs a fixed loop of script work
// first (the benchmark checks the isolate profile's scale against the
// kernel's accounting with it); anything else gets a fixed "ok".
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/spin") {
      let x = 0;
      for (let i = 0; i < 1_000_000; i++) x = (x * 31 + i) | 0;
      return new Response(String(x));
    }
    if (!url.pathname.startsWith(env.PREFIX + "/")) {
      return new Response("ok");
    }
    const target = env.UPSTREAM + url.pathname.slice(env.PREFIX.length) + url.search;
    return fetch(target, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      redirect: "manual",
    });
  },
};
