// here(): a screen that waited renders only if the router took no route since it started waiting.
import { test } from "node:test";
import assert from "node:assert/strict";

import { ctx, here } from "../../../src/limen/webapp/static/webapp/js/ctx.js";

test("a wait stays current until the router takes a route, the same address included", () => {
  const stay = here();
  assert.equal(stay(), true);
  ctx.navigations += 1;  // what route() does, e.g. the person tapped "Add an account"
  assert.equal(stay(), false);
  const later = here();
  assert.equal(later(), true);
  ctx.navigations += 1;  // the same address again (ctx.go to the current hash routes again)
  assert.equal(later(), false);
});
