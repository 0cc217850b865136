/**
 * E-mail through the SMTP server the node is configured with (ALLIANCE_SMTP_URL, e.g.
 * smtp://user:password@mail.example.org:587): takedown notices to hosts that take abuse reports
 * by e-mail. Or a pickup directory (file:///var/spool/alliance-mail): each message is written there
 * as one RFC 5322 .eml file for a mail relay to collect — for nodes that may not speak SMTP
 * themselves, and for `serve --demo`, whose notices are "sent" into <data>/demo-outbox so their
 * timelines show the work without mail leaving the machine. Without either, e-mail notices are
 * not sent (and the notice says so).
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { createTransport, type Transporter } from 'nodemailer';

export interface Mail {
  to: string;
  subject: string;
  text: string;
  /** Attached as notice.json. */
  json?: unknown;
}

export interface Mailer {
  send(mail: Mail): Promise<string>;
}

/** A mailer over SMTP or into a pickup directory (file://), or undefined when none is configured. */
export function smtpMailer(url: string | null, from: string, timeoutMs: number): Mailer | undefined {
  if (!url) return undefined;
  const u = new URL(url);
  if (u.protocol === 'file:') return pickupMailer(fileURLToPath(u), from);
  const secure = u.protocol === 'smtps:';
  const transport: Transporter = createTransport(
    {
      host: u.hostname.replace(/^\[|\]$/g, ''),
      port: Number(u.port || (secure ? 465 : 587)),
      secure,
      ...(u.username ? { auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } } : {}),
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    },
    { from },
  );
  return {
    async send(mail) {
      const info = await transport.sendMail(message(mail));
      return String(info.response ?? 'accepted');
    },
  };
}

function message(mail: Mail) {
  return {
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    ...(mail.json !== undefined
      ? { attachments: [{ filename: 'notice.json', content: JSON.stringify(mail.json, null, 2), contentType: 'application/json' }] }
      : {}),
  };
}

/**
 * Each message as DIR/<time>-<uuid>.eml, written under a temporary name and renamed, so a relay
 * collecting the directory never sees half a message.
 */
function pickupMailer(dir: string, from: string): Mailer {
  const transport: Transporter = createTransport({ streamTransport: true, buffer: true, newline: 'windows' }, { from });
  return {
    async send(mail) {
      const info = (await transport.sendMail(message(mail))) as { message: Buffer };
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.eml`;
      writeFileSync(join(dir, `.${name}.tmp`), info.message, { mode: 0o600 });
      renameSync(join(dir, `.${name}.tmp`), join(dir, name));
      return `written to the pickup directory as ${name}`;
    },
  };
}
