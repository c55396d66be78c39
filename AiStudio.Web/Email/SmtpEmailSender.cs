using System.Net;
using System.Net.Mail;
using System.Net.Mime;
using System.Text;
using AiStudio.Core.Identity;
using Microsoft.AspNetCore.Identity;

namespace AiStudio.Web.Email;

/// <summary>
/// Sends Identity's account emails (confirmation, password reset) through the configured SMTP server.
/// The links carry one-time tokens and the settings a password, so neither is ever logged.
/// </summary>
internal sealed class SmtpEmailSender(SmtpSettings settings, ILogger<SmtpEmailSender> logger) : IEmailSender<ApplicationUser>
{
    public Task SendConfirmationLinkAsync(ApplicationUser user, string email, string confirmationLink) =>
        SendAsync(email, "Confirm your AiStudio account",
            $"<p>Welcome to AiStudio.</p><p>Please confirm your account by <a href='{confirmationLink}'>clicking here</a>.</p>");

    public Task SendPasswordResetLinkAsync(ApplicationUser user, string email, string resetLink) =>
        SendAsync(email, "Reset your AiStudio password",
            $"<p>Please reset your password by <a href='{resetLink}'>clicking here</a>.</p><p>If you did not ask for this, ignore this email.</p>");

    public Task SendPasswordResetCodeAsync(ApplicationUser user, string email, string resetCode) =>
        SendAsync(email, "Reset your AiStudio password",
            $"<p>Please reset your password using the following code: {WebUtility.HtmlEncode(resetCode)}</p>");

    private async Task SendAsync(string to, string subject, string html)
    {
        using var message = new MailMessage(settings.From ?? settings.User ?? "aistudio@localhost", to)
        {
            Subject = subject,
            Body = html,
            IsBodyHtml = true,
            BodyEncoding = Encoding.UTF8,
            SubjectEncoding = Encoding.UTF8,

            // Base64 keeps long links whole (quoted-printable would fold them).
            BodyTransferEncoding = TransferEncoding.Base64,
        };

        using var client = new SmtpClient(settings.Host, settings.Port)
        {
            EnableSsl = settings.EnableSsl,
            DeliveryMethod = SmtpDeliveryMethod.Network,
            Timeout = 30_000,
        };
        if (!string.IsNullOrEmpty(settings.User))
        {
            client.Credentials = new NetworkCredential(settings.User, settings.Password);
        }

        try
        {
            await client.SendMailAsync(message);
            logger.LogInformation("Sent \"{Subject}\" through {SmtpHost}:{SmtpPort}", subject, settings.Host, settings.Port);
        }
        catch (SmtpException e)
        {
            logger.LogError("Could not send \"{Subject}\" through {SmtpHost}:{SmtpPort}: {Status} {Reason}", subject, settings.Host, settings.Port, e.StatusCode, e.Message);
            throw;
        }
    }
}
