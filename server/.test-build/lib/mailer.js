/** Mail through nodemailer when SMTP_URL is set; otherwise the link is logged for the operator. */
export function createMailer(options, log) {
    if (!options.smtpUrl) {
        return {
            async send(mail) {
                log.warn({ to: mail.to, subject: mail.subject, link: mail.link }, 'SMTP_URL is not set: mail not sent');
                return false;
            },
        };
    }
    const smtpUrl = options.smtpUrl;
    let transport;
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
//# sourceMappingURL=mailer.js.map