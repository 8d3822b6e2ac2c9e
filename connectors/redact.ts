const EMAIL = /[^\s@"'<>(),;:]+@[^\s@"'<>(),;:]+\.[^\s@"'<>(),;:]+/g;

/**
 * A vendor's error text with email addresses masked. Vendors quote the values they refused
 * ("Email: ada@example.com is not properly formatted"), and these messages reach logs and
 * Temporal's history, where member addresses must not.
 */
export function withoutEmails(text: string): string {
  return text.replace(EMAIL, '[email]');
}
