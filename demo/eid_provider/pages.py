"""The pages of the demo eID provider. Every page says, before anything else, that it is a demonstration."""

from __future__ import annotations

from html import escape

from .citizens import Citizen

NAME = "Demo national eID"


def _born(citizen: Citizen) -> str:
    return f"{citizen.birthdate.day} {citizen.birthdate:%B %Y}"


def page(title: str, content: str, *, limen_url: str) -> str:
    return PAGE.format(title=escape(title), name=escape(NAME), content=content, limen=escape(limen_url))


def home(citizens: tuple[Citizen, ...], *, limen_url: str) -> str:
    rows = "".join(f"<tr><th scope='row'>{escape(c.name)}</th><td>{escape(_born(c))}</td>"
                   f"<td><code>{escape(c.identifier)}</code></td></tr>" for c in citizens)
    return page("A demonstration eID provider", f"""
      <h1>A demonstration eID provider</h1>
      <p class="lead">This stands in for a national electronic identity (eID) so that you can try Limen's
        eID features. It signs in one of the fictional people below, without any card or PIN.</p>
      <div class="table-wrap"><table><caption>The fictional people</caption>
        <thead><tr><th scope="col">Name</th><th scope="col">Date of birth</th>
          <th scope="col">Personal identifier</th></tr></thead><tbody>{rows}</tbody></table></div>
      <h2>Try it</h2>
      <ol>
        <li>In <a href="{escape(limen_url)}/account/eid/">Limen, My Account → Manage my eIDs</a>, choose
          “Link my eID at {escape(NAME)}” and pick one of these people.</li>
        <li>Sign out of Limen, then choose “Sign in with eID” on the sign-in page.</li>
      </ol>""", limen_url=limen_url)


def choose(request_id: str, citizens: tuple[Citizen, ...], *, limen_url: str, error: str = "") -> str:
    options = "".join(
        f"""<div class="choice"><input type="radio" name="citizen" id="citizen-{n}" value="{escape(c.identifier)}"
              required><label for="citizen-{n}"><strong>{escape(c.name)}</strong>
              <span>born {escape(_born(c))} · <code>{escape(c.identifier)}</code></span></label></div>"""
        for n, c in enumerate(citizens, 1))
    problem = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    return page("Sign in with your eID", f"""
      <h1>Sign in with your eID</h1>
      <p class="lead">An application asks you to prove who you are. A real eID would now ask for your
        identity card and its PIN, or your eID app. Here you choose a fictional person.</p>
      {problem}
      <form method="post" action="/authorize/confirm">
        <input type="hidden" name="request" value="{escape(request_id)}">
        <fieldset><legend>Who are you?</legend>{options}</fieldset>
        <div class="actions">
          <button type="submit" class="primary" name="action" value="approve">Sign in</button>
          <button type="submit" name="action" value="cancel" formnovalidate>Cancel</button>
        </div>
      </form>""", limen_url=limen_url)


def problem(title: str, message: str, *, limen_url: str) -> str:
    return page(title, f"<h1>{escape(title)}</h1><p>{escape(message)}</p>"
                       f"<p><a href='{escape(limen_url)}/account/'>Back to Limen</a></p>", limen_url=limen_url)


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · {name} (demonstration)</title>
<style>
  body {{ margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #1b1f24;
         line-height: 1.5; background: #f6f4ef; }}
  .demo-banner {{ background: #8a1c1c; color: #fff; padding: .5rem 1rem; font-weight: 700; text-align: center; }}
  header {{ background: #2c2a6b; color: #fff; padding: .75rem 1rem; }}
  header a {{ color: #fff; font-weight: 700; text-decoration: none; }}
  main {{ max-width: 46rem; margin: 1.5rem auto; padding: 0 1rem; }}
  .lead {{ font-size: 1.05rem; color: #3a3f47; }}
  fieldset {{ border: 1px solid #b9b4a8; border-radius: 6px; padding: .75rem 1rem; margin: 1rem 0; background: #fff; }}
  legend {{ font-weight: 700; padding: 0 .25rem; }}
  .choice {{ display: flex; gap: .6rem; align-items: flex-start; padding: .5rem 0; border-bottom: 1px solid #e4e0d6; }}
  .choice:last-child {{ border-bottom: 0; }}
  .choice input {{ width: 1.25rem; height: 1.25rem; margin-top: .2rem; }}
  .choice label {{ flex: 1; }}
  .choice label span {{ display: block; color: #3a3f47; }}
  .actions {{ display: flex; flex-wrap: wrap; gap: .75rem; }}
  button {{ font: inherit; font-weight: 600; padding: .6rem 1.2rem; border-radius: 4px; border: 2px solid #2c2a6b;
           background: #fff; color: #2c2a6b; cursor: pointer; min-height: 44px; }}
  button.primary {{ background: #2c2a6b; color: #fff; }}
  :focus-visible {{ outline: 3px solid #d9a400; outline-offset: 2px; }}
  .error {{ color: #8a1c1c; font-weight: 700; }}
  .table-wrap {{ overflow-x: auto; }}
  table {{ border-collapse: collapse; width: 100%; background: #fff; }}
  caption {{ text-align: left; font-weight: 700; padding: .5rem 0; }}
  th, td {{ text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #d8d3c7; }}
  code {{ font-size: .95em; }}
  a {{ color: #2c2a6b; }}
  footer {{ max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #3a3f47; font-size: .9rem; }}
</style></head>
<body>
<div class="demo-banner" role="note">Demonstration only: not a real eID. The people here are fictional.</div>
<header><a href="/">{name}</a></header>
<main id="main">{content}</main>
<footer>A demonstration identity provider (OpenID Connect) started by <code>limen demo</code> for
<a href="{limen}/">Limen</a>. Nothing here proves anyone's identity.</footer>
</body></html>
"""
