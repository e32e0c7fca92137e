import type { FastifyBaseLogger } from 'fastify';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  /** The link the mail carries; written to the log when no SMTP server is configured. */
  link: string;
}

export interface Mailer {
  /** Sends the mail; false when there is no SMTP server (the link went to the log instead). */
  send(mail: OutgoingMail): Promise<boolean>;
}

/** Mail through nodemailer when SMTP_URL is set; otherwise the link is logged for the operator. */
export function createMailer(
  options: { smtpUrl: string | undefined; from: string },
  log: FastifyBaseLogger,
): Mailer {
  if (!options.smtpUrl) {
    return {
      async send(mail) {
        log.warn(
          { to: mail.to, subject: mail.subject, link: mail.link },
          'SMTP_URL is not set: mail not sent',
        );
        return false;
      },
    };
  }
  const smtpUrl = options.smtpUrl;
  let transport: Promise<{ sendMail(message: object): Promise<unknown> }> | undefined;
  return {
    async send(mail) {
      transport ??= import('nodemailer').then((nodemailer) => nodemailer.createTransport(smtpUrl));
      await (await transport).sendMail({
        from: options.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
      });
      return true;
    },
  };
}
