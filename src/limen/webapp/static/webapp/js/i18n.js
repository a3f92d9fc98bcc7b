// The app's strings go through the site's gettext catalogues (djangojs domain, /app/i18n.js, which the
// service worker keeps for offline use). Without the catalogue the English text is shown.

export function gettext(text) {
  return typeof window !== "undefined" && window.gettext ? window.gettext(text) : text;
}

export function interpolate(text, values) {
  return String(text).replace(/%\((\w+)\)s/g, (match, name) => (name in values ? String(values[name]) : match));
}
