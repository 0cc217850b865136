/**
 * E-mail through the SMTP server the node is configured with (ALLIANCE_SMTP_URL, e.g.
 * smtp://user:password@mail.example.org:587): takedown notices to hosts that take abuse reports
 * by e-mail. Without a configured server, e-mail notices are not sent (and the notice says so).
 */
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

/** A mailer over SMTP, or undefined when no server is configured. */
export function smtpMailer(url: string | null, from: string, timeoutMs: number): Mailer | undefined {
  if (!url) return undefined;
  const u = new URL(url);
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
      const info = await transport.sendMail({
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        ...(mail.json !== undefined
          ? { attachments: [{ filename: 'notice.json', content: JSON.stringify(mail.json, null, 2), contentType: 'application/json' }] }
          : {}),
      });
      return String(info.response ?? 'accepted');
    },
  };
}
