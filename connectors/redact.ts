const EMAIL = /[^\s@"'<>(),;:]+@[^\s@"'<>(),;:]+\.[^\s@"'<>(),;:]+/g;

/**
 * A vendor's error text with email addresses masked. Vendors quote the values they refused
 * ("Email: ada@example.com is not properly formatted"), and these messages reach logs and
 * Temporal's history, where member addresses must not.
 */
export function withoutEmails(text: string): string {
  return text.replace(EMAIL, '[email]');
}

const escape = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A vendor's error text with the usernames the request named masked, and emails as above. A
 * username has no shape to recognise, but the connector knows which ones it sent ("You cannot
 * send a message to grace"): each is masked wherever it stands as a whole word, in any case.
 */
export function withoutNames(text: string, names: readonly string[]): string {
  const masked = names
    .filter((name) => name.trim().length > 0)
    // Longest first, so a name containing another is masked whole.
    .sort((a, b) => b.length - a.length)
    .reduce(
      (out, name) =>
        out.replace(
          new RegExp(`(?<![\\p{L}\\p{N}_.-])${escape(name)}(?![\\p{L}\\p{N}_-])`, 'giu'),
          '[user]',
        ),
      text,
    );
  return withoutEmails(masked);
}
