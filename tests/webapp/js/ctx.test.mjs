// here(): a screen that waited renders only if the router took no route since it started waiting.
import { test } from "node:test";
import assert from "node:assert/strict";

import { ctx, here, navigated, untilLeft } from "../../../src/limen/webapp/static/webapp/js/ctx.js";

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

test("what runs on its own is told when the person leaves, once per screen", () => {
  const camera = untilLeft();
  const sameScreen = untilLeft();
  assert.equal(camera, sameScreen);  // one signal per screen
  assert.equal(camera.aborted, false);
  const before = ctx.navigations;
  navigated();  // the router took a route
  assert.equal(ctx.navigations, before + 1);
  assert.equal(camera.aborted, true);
  const next = untilLeft();
  assert.equal(next.aborted, false);  // the new screen's own signal
  navigated();
  assert.equal(next.aborted, true);
  navigated();  // nothing was listening: nothing to abort
  assert.equal(untilLeft().aborted, false);
});
