"""Where the web app puts the keyboard focus.

A new screen puts it on its heading (screen readers hear the new screen). The same screen drawn again with
fresh data (the app's check for requests after it opens, comes back online or hears a push) leaves it where
the person put it: on the control they were on, or on what outside the screen had it."""

from __future__ import annotations

from playwright.sync_api import expect

from .test_webapp import phone, phone_browser  # noqa: F401 (fixtures)

# Counts the times the app replaced what the screen shows.
_COUNT_DRAWS = """document.addEventListener("DOMContentLoaded", () => {
  window.__draws = 0;
  new MutationObserver(() => { window.__draws += 1; })
    .observe(document.querySelector("[data-screen]"), { childList: true });
});"""


def checked_again(app) -> None:
    """What the app does when the network comes back: it asks the server what waits and draws home again."""
    before = app.evaluate("() => window.__draws")
    app.evaluate("() => window.dispatchEvent(new Event('online'))")
    app.wait_for_function("(before) => window.__draws > before", arg=before)


def test_the_skip_link_moves_the_focus_and_keeps_the_screen(site, phone):  # noqa: F811
    app = phone.page
    app.add_init_script(_COUNT_DRAWS)
    phone.open()
    expect(phone.heading("Welcome to the Limen Authenticator")).to_be_visible()
    app.get_by_role("link", name="Skip to main content").focus()  # the first stop from the top of the page
    app.keyboard.press("Enter")
    expect(app.locator("main#main")).to_be_focused()
    expect(phone.heading("Welcome to the Limen Authenticator")).to_be_visible()
    assert app.evaluate("() => window.location.hash") == ""
    # Home drawn again does not take the focus back to its heading.
    checked_again(app)
    expect(app.locator("main#main")).to_be_focused()


def test_home_drawn_again_keeps_the_control_the_person_is_on(site, phone):  # noqa: F811
    app = phone.page
    app.add_init_script(_COUNT_DRAWS)
    phone.open()
    add = app.get_by_role("button", name="Add an account")
    add.focus()
    checked_again(app)
    expect(add).to_be_focused()
    phone.check("welcome drawn again, focus kept")  # the focus ring still on the button
    app.keyboard.press("Enter")  # the control is the live one, not a copy left behind
    expect(phone.heading("Add an account")).to_be_visible()
    expect(phone.heading("Add an account")).to_be_focused()  # a new screen: its heading


# The rules of ui.screen(), run in the app's own page with its own modules.
_SCREEN_RULES = """async () => {
  const base = document.querySelector("script[type=module]").src;
  const ui = await import(new URL("ui.js", base));
  const buttons = (...names) => names.map((name) => ui.button(name, () => {}));
  const select = () => { const s = ui.el("select", {}, ui.el("option", { text: "one" })); return ui.field("Switch", s); };
  const focused = () => {
    const node = document.activeElement;
    if (node === document.body) return "body";
    if (!document.querySelector("[data-screen]").contains(node)) return node.tagName + "#" + node.id;
    const all = [...document.querySelectorAll("[data-screen] " + node.tagName)];
    return `${node.tagName}:${node.textContent || node.labels[0].textContent}:${all.indexOf(node)}`;
  };
  const press = (name, nth = 0) => [...document.querySelectorAll("[data-screen] button")]
    .filter((b) => b.textContent === name)[nth].focus();
  const seen = {};
  ui.screen("Alpha", ...buttons("A", "B"));
  seen.new_screen = focused();
  press("B"); ui.screen("Alpha", ...buttons("A", "B"));
  seen.same_screen = focused();
  press("B"); ui.screen("Alpha", ...buttons("A"));
  seen.control_gone = focused();
  document.getElementById("main").focus(); ui.screen("Alpha", ...buttons("A"));
  seen.focus_outside = focused();
  press("A"); ui.screen("Alpha", ...buttons("Open", "Open", "A"));
  seen.before_a_new_control = focused();
  press("Open", 1); ui.screen("Alpha", ...buttons("Open", "Open", "Open"));
  seen.second_of_the_same_name = focused();
  ui.screen("Alpha", select()); document.querySelector("[data-screen] select").focus(); ui.screen("Alpha", select());
  seen.labelled_field = focused();
  // A list's same-named controls, each keyed by its item (home's "Open the request", by request id).
  const keyed = (...keys) => keys.map((key) => ui.keyed(ui.button("Open", () => {}), key));
  const key = () => document.activeElement.dataset.key || document.activeElement.tagName;
  ui.screen("Alpha", ...keyed("r1", "r2")); press("Open", 1); ui.screen("Alpha", ...keyed("r2"));
  seen.keyed_item_left_above = key();
  press("Open", 0); ui.screen("Alpha", ...keyed("r3"));
  seen.keyed_item_gone = key();
  return seen;
}"""


def test_a_screen_drawn_again_keeps_the_focus_a_new_one_moves_it(site, phone):  # noqa: F811
    app = phone.page
    phone.open("#nothing-here")  # a screen the app draws once (no check for requests draws over it)
    expect(phone.heading("Nothing here")).to_be_visible()
    seen = app.evaluate(_SCREEN_RULES)
    assert seen == {
        "new_screen": "H1:Alpha:0",
        "same_screen": "BUTTON:B:1",
        "control_gone": "H1:Alpha:0",
        "focus_outside": "MAIN#main",
        "before_a_new_control": "BUTTON:A:2",
        "second_of_the_same_name": "BUTTON:Open:1",
        "labelled_field": "SELECT:one:0",
        "keyed_item_left_above": "r2",  # the request above went: the focus stays on its own request
        "keyed_item_gone": "H1",  # its request went: the heading, not the next request's button
    }
    # A route taken (the same address again) is a new screen, even with the same title.
    app.evaluate("""async () => {
      const base = document.querySelector("script[type=module]").src;
      const ui = await import(new URL("ui.js", base));
      const { ctx } = await import(new URL("ctx.js", base));
      document.querySelector("[data-screen] button").focus();
      ctx.navigations += 1;
      ui.screen("Alpha", ui.button("A", () => {}));
    }""")
    expect(phone.heading("Alpha")).to_be_focused()
    # Another title on the same route (the next step of a flow) is a new screen too.
    app.get_by_role("button", name="A").focus()
    app.evaluate("""async () => {
      const ui = await import(new URL("ui.js", document.querySelector("script[type=module]").src));
      ui.screen("Beta", ui.button("A", () => {}));
    }""")
    expect(phone.heading("Beta")).to_be_focused()
