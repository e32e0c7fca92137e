/**
 * The URL as the access log writes it: the values of `q=` (text searched in messages) and of
 * `data.<field>=` filters (collected customer data, possibly PII) are replaced, the rest kept.
 */
export function redactUrl(url: string): string {
  const query = url.indexOf('?');
  if (query < 0) return url;
  const params = url
    .slice(query + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // A malformed name is redacted below like a data filter would be.
        return `${name}=[redacted]`;
      }
      return eq >= 0 && (decoded === 'q' || decoded.startsWith('data.')) ? `${name}=[redacted]` : pair;
    });
  return `${url.slice(0, query)}?${params.join('&')}`;
}
