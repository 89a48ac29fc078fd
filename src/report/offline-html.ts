/**
 * Nothing the product writes reaches the network when it is opened (issue 18, item 1): every HTML
 * file (certificate.html, the Allure report's index.html, load.html) carries the one
 * Content-Security-Policy below, and the Allure report is stripped of the analytics its
 * generator adds.
 *
 * Allure 3.18's awesome plugin writes, with no switch to turn it off (allure3 issue #476), a
 * `<script async src="https://www.googletagmanager.com/gtag/js?id=G-…">` and an inline script that
 * fills `window.dataLayer` and calls `gtag('config', 'G-…', {reportUuid, …})`. Both are removed;
 * the tests look for the measurement id and `dataLayer` too, not only the host name (a leak that a
 * host-name-only test missed: allure2 PR #3332). The policy backs the removal up: a script that
 * slipped through could still not fetch anything.
 */

/**
 * No source at all for network-capable directives except `data:` and `blob:` (the Allure
 * single-file report holds its data, fonts and images inline and builds blobs from them). Inline
 * scripts and styles are allowed: every file is self-contained by design. `'self'` is left out
 * on purpose: on file:// it would allow reading neighbouring files.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'unsafe-inline' 'unsafe-eval' data: blob:",
  "style-src 'unsafe-inline' data:",
  "img-src data: blob:",
  "font-src data:",
  "media-src data: blob:",
  "connect-src data: blob:",
  "worker-src data: blob:",
  "frame-src data: blob:",
  "form-action 'none'",
].join("; ");

/** The policy as the <meta> element every written HTML file carries in its <head>. */
export const CSP_META = `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`;

/** What must never be in a written report: the analytics host, Allure's measurement id, the tag manager's queue. */
export const PHONE_HOME_MARKERS: readonly RegExp[] = [/googletagmanager/i, /G-LNDJ3J7WT0/, /\bdataLayer\b/, /\bgtag\(/];

/** Removes every <script> that loads from a host or feeds the tag manager (src, dataLayer, gtag). */
export function stripAnalytics(html: string): string {
  return html.replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, (tag) => {
    const open = tag.slice(0, tag.indexOf(">") + 1);
    if (/\bsrc\s*=\s*["']?https?:/i.test(open)) return "";
    // Only the small inline analytics block: the report's own bundle is megabytes and names neither.
    if (tag.length < 4000 && (/\bdataLayer\b/.test(tag) || /\bgtag\(/.test(tag))) return "";
    return tag;
  });
}

/** Adds the policy <meta> right after <meta charset> (or at the start of <head>), once. */
export function withCsp(html: string): string {
  if (html.includes('http-equiv="Content-Security-Policy"')) return html;
  const charset = /<meta\s+charset=["']?utf-8["']?\s*\/?>/i.exec(html);
  if (charset) return html.replace(charset[0], `${charset[0]}\n    ${CSP_META}`);
  return html.replace(/<head([^>]*)>/i, `<head$1>\n${CSP_META}`);
}

/** The Allure report's index.html made offline: analytics out, the policy in. */
export const offlineAllureHtml = (html: string): string => withCsp(stripAnalytics(html));
